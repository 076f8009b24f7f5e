import Foundation
import SeededRandom

extension SimulatedTenant {
    /// Returns one page of `root/delta`: from scratch (`token` nil), from a delta token, or a next page.
    ///
    /// Tokens are base64 of `d:<counter>` (delta links) or `p:<session>:<offset>` (next links). A stale or foreign
    /// token throws `resyncRequired`. With `sharingChanges` (`Prefer: deltashowsharingchanges`), a delta from a token
    /// also lists the items whose own permissions changed since, marked `@microsoft.graph.sharedChanged`; without it, a
    /// sharing change alone lists nothing, as at Graph.
    func deltaPage(driveID: String, token: String?, top: Int, sharingChanges: Bool = false) throws -> DeltaPage {
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
                // `d:0` (the `Location` of a 410) enumerates from scratch, whatever expired.
                guard value >= state.oldestValidToken || value == 0 else {
                    throw M365SimulatorError.resyncRequired("The delta token has expired; enumerate again.")
                }
                since = value
            }
            let entries: [DeltaSnapshot.Entry]
            if since == 0 {
                entries = withDuplicates(Self.treeOrder(state).map { DeltaSnapshot.Entry(id: $0) }, in: state)
            } else {
                var changed: [ItemRecord] = []
                state.forEachRecord(changedAfter: since) { changed.append($0) }
                let order = Self.treeOrder(state)
                let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
                var shared: Set<String> = []
                if sharingChanges {
                    shared = Set(state.sharingChanges.filter { $0.value > since }.keys)
                    let listed = Set(changed.map(\.id))
                    for id in shared.subtracting(listed) {
                        if let record = state.record(id) { changed.append(record) }
                    }
                }
                let live = changed.filter { !$0.isDeleted }.sorted { (position[$0.id] ?? 0) < (position[$1.id] ?? 0) }
                let dead = changed.filter(\.isDeleted).sorted { $0.lastChange < $1.lastChange }
                entries = (live + dead).map { DeltaSnapshot.Entry(id: $0.id, sharingChanged: shared.contains($0.id)) }
            }
            sessionID = String(nextDeltaSession)
            nextDeltaSession += 1
            deltaSessions[sessionID] = DeltaSnapshot(
                driveID: driveID, entries: entries, folderSizes: state.folderSizes(), counter: state.counter, pageSize: pageSize)
        }
        let session = deltaSessions[sessionID]!
        let end = min(session.entries.count, offset + session.pageSize)
        let page = session.entries[min(offset, end)..<end].compactMap { render($0, session: session, in: state) }
        if end < session.entries.count {
            return DeltaPage(items: page, nextToken: Self.encodeToken("p:\(sessionID):\(end)"), deltaToken: nil)
        }
        deltaSessions[sessionID] = nil
        return DeltaPage(items: page, nextToken: nil, deltaToken: Self.encodeToken("d:\(session.counter)"))
    }

    /// An entry of an enumeration as its page shows it: the item's state now (a tombstone if it was deleted since the
    /// enumeration started), or its state before its last content change for the first listing of a duplicate.
    func render(_ entry: DeltaSnapshot.Entry, session: DeltaSnapshot, in state: DriveState) -> SimulatedItem? {
        guard let record = state.record(entry.id) else { return nil }
        var item = snapshot(record, in: state, folderSizes: session.folderSizes)
        item.sharingChanged = entry.sharingChanged && !record.isDeleted
        guard entry.earlierState, record.versions.count > 1, !record.isDeleted else { return item }
        let earlier = record.versions[record.versions.count - 2]
        item.size = earlier.size
        item.quickXorHash = earlier.quickXorHash
        item.versionID = earlier.id
        item.cTag = "\"c:{\(record.guid)},\(max(0, record.contentRevision - 1))\""
        item.eTag = "\"{\(record.guid)},\(max(0, record.revision - 1))\""
        return item
    }

    /// Makes files drawn by `deltaDuplicates` appear twice: in an earlier state where they first stand, and in their
    /// current state after every other item, so that the last occurrence wins.
    func withDuplicates(_ entries: [DeltaSnapshot.Entry], in state: DriveState) -> [DeltaSnapshot.Entry] {
        guard deltaDuplicates.share > 0 else { return entries }
        var listed = entries
        var repeated: [DeltaSnapshot.Entry] = []
        for (index, entry) in entries.enumerated() where state.record(entry.id)?.isFolder == false {
            var draws = SplitMix64(seed: deltaDuplicates.seed ^ Self.stableHash("duplicate \(entry.id)"))
            guard Double(draws.next() >> 11) / Double(1 << 53) < deltaDuplicates.share else { continue }
            repeated.append(entry)
            listed[index].earlierState = true
        }
        return listed + repeated
    }

    /// FNV-1a of `key`, to seed draws that depend on an item rather than on arrival order.
    static func stableHash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// Lists a share of files twice in every enumeration from scratch (fault injection; 0 turns it off).
    func duplicateInEnumerations(share: Double, seed: UInt64) {
        deltaDuplicates = (share, seed)
    }

    /// `text` in base64url without padding (every download URL and page link carries one).
    static func encodeToken(_ text: String) -> String {
        var encoded: [UInt8] = []
        for byte in Data(text.utf8).base64EncodedData() {
            switch byte {
            case UInt8(ascii: "+"): encoded.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): encoded.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): continue
            default: encoded.append(byte)
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// The text of a token made by `encodeToken`; nil when it is not base64url of UTF-8.
    static func decodeToken(_ token: String) -> String? {
        var base64 = token.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        while base64.count % 4 != 0 { base64.append(UInt8(ascii: "=")) }
        guard let data = Data(base64Encoded: Data(base64)) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
