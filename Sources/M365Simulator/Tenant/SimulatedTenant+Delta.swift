import Foundation

extension SimulatedTenant {
    /// Returns one page of `root/delta`: from scratch (`token` nil), from a delta token, or a next page.
    ///
    /// Tokens are base64 of `d:<counter>` (delta links) or `p:<session>:<offset>` (next links). A stale or foreign
    /// token throws `resyncRequired`.
    func deltaPage(driveID: String, token: String?, top: Int) throws -> DeltaPage {
        let state = try requireDrive(driveID)
        let pageSize = min(max(top, 1), 1000)
        var sessionID: String
        var offset = 0
        if let token, let decoded = Self.decodeToken(token), decoded.hasPrefix("p:") {
            let parts = decoded.split(separator: ":")
            guard parts.count == 3, let session = deltaSessions[String(parts[1])], session.driveID == driveID,
                let start = Int(parts[2])
            else {
                throw M365SimulatorError.resyncRequired("The delta page token is no longer valid; enumerate again.")
            }
            sessionID = String(parts[1])
            offset = start
            _ = session
        } else {
            var since = 0
            if let token {
                guard let decoded = Self.decodeToken(token), decoded.hasPrefix("d:"), let value = Int(decoded.dropFirst(2)),
                    value <= state.counter
                else {
                    throw M365SimulatorError.resyncRequired("The delta token is not valid for this drive; enumerate again.")
                }
                guard value >= state.oldestValidToken else {
                    throw M365SimulatorError.resyncRequired("The delta token has expired; enumerate again.")
                }
                since = value
            }
            let sizes = state.folderSizes()
            let items: [SimulatedItem]
            if since == 0 {
                items = Self.treeOrder(state).compactMap { state.items[$0] }.map { snapshot($0, in: state, folderSizes: sizes) }
            } else {
                let changed = state.items.values.filter { $0.lastChange > since }
                let order = Self.treeOrder(state)
                let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
                let live = changed.filter { !$0.isDeleted }.sorted { (position[$0.id] ?? 0) < (position[$1.id] ?? 0) }
                let dead = changed.filter(\.isDeleted).sorted { $0.lastChange < $1.lastChange }
                items = (live + dead).map { snapshot($0, in: state, folderSizes: sizes) }
            }
            sessionID = String(nextDeltaSession)
            nextDeltaSession += 1
            deltaSessions[sessionID] = DeltaSnapshot(driveID: driveID, items: items, counter: state.counter, pageSize: pageSize)
        }
        let session = deltaSessions[sessionID]!
        let end = min(session.items.count, offset + session.pageSize)
        let page = Array(session.items[min(offset, end)..<end])
        if end < session.items.count {
            return DeltaPage(items: page, nextToken: Self.encodeToken("p:\(sessionID):\(end)"), deltaToken: nil)
        }
        deltaSessions[sessionID] = nil
        return DeltaPage(items: page, nextToken: nil, deltaToken: Self.encodeToken("d:\(session.counter)"))
    }

    static func encodeToken(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decodeToken(_ token: String) -> String? {
        var base = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        guard let data = Data(base64Encoded: base) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
