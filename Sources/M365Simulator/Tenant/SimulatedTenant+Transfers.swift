import Foundation
import SeededRandom

extension SimulatedTenant {
    /// Largest fragment Graph accepts in one upload-session PUT.
    static let maxFragment = 60 * 1024 * 1024
    /// Fragments other than the last must be a multiple of this (320 KiB).
    static let fragmentQuantum = 327_680

    // MARK: Access tokens

    /// Issues a bearer token valid for `lifetime` when the client credentials match; nil otherwise.
    func issueAccessToken(clientID: String, clientSecret: String, lifetime: Duration) -> String? {
        guard clientID == self.clientID, clientSecret == self.clientSecret else { return nil }
        let token = "eyJ0eXAiOiJKV1QiLCJzaW0iOnRydWV9.\(String(tokenRNG.next(), radix: 36)).\(String(tokenRNG.next(), radix: 36))"
        accessTokens[token] = Date().addingTimeInterval(lifetime.seconds)
        return token
    }

    /// Whether `token` was issued by this tenant and has not expired.
    func validate(accessToken token: String) -> Bool {
        guard let expiry = accessTokens[token] else { return false }
        return expiry > Date()
    }

    // MARK: Downloads

    /// Content of a file version (`versionID` nil = current); throws `itemNotFound` when the item or version is gone.
    func downloadContent(driveID: String, itemID: String, versionID: String?) throws -> ServedContent {
        let state = try requireDrive(driveID)
        let record = try requireItem(itemID, in: state)
        guard !record.isFolder else { throw M365SimulatorError.itemNotFound("'\(record.name)' is a folder; it has no content.") }
        guard let versionID else {
            guard let current = record.versions.last else { return ServedContent(content: .stored([]), eTag: "\"{\(record.guid)},0\"") }
            return ServedContent(content: current.content, eTag: "\"{\(record.guid)},\(current.id)\"")
        }
        guard let version = record.versions.first(where: { $0.id == versionID }) else {
            throw M365SimulatorError.itemNotFound("Version '\(versionID)' of '\(record.name)' does not exist.")
        }
        return ServedContent(content: version.content, eTag: "\"{\(record.guid)},\(version.id)\"")
    }

    /// Gives a file new content of the same length (every byte different): a user's edit that a download resuming
    /// with `Range` must not splice onto the old content's first bytes.
    func replaceContentKeepingLength(driveID: String, itemID: String) throws {
        let state = try requireDrive(driveID)
        let record = try requireItem(itemID, in: state)
        guard let current = record.versions.last?.content else { return }
        let replacement: VersionContent =
            switch current {
            case .stored(let bytes, _): .stored(bytes.map { ~$0 })
            case .generated(let generated): .generated(GeneratedContent(seed: ~generated.seed, size: generated.size))
            }
        _ = try updateContent(driveID: driveID, itemID: itemID, content: replacement, fileSystemInfo: nil)
    }

    /// Versions of a file newest first (the current version first), as `/versions` lists them.
    func versions(driveID: String, itemID: String) throws -> [(id: String, modifiedAt: Date, name: String, email: String, size: Int)] {
        let state = try requireDrive(driveID)
        let record = try requireItem(itemID, in: state)
        return record.versions.reversed().map {
            ($0.id, $0.modifiedAt, $0.modifiedBy.displayName, $0.modifiedBy.email, $0.size)
        }
    }

    // MARK: Upload sessions

    /// Opens an upload session for `name` under `parentID`; a `fail` conflict is reported now, not at the end.
    func createUploadSession(
        driveID: String, parentID: String, name: String, conflict: ConflictBehavior, fileSystemInfo: FileSystemInfo?,
        lifetime: TimeInterval
    ) throws -> (id: String, expiresAt: Date) {
        let state = try requireDrive(driveID)
        let parent = try requireItem(parentID, in: state)
        guard parent.isFolder else { throw M365SimulatorError.invalidRequest("'\(parent.name)' is a file, not a folder.") }
        try Self.validate(name: name)
        if conflict == .fail, state.child(of: parentID, named: name) != nil {
            throw M365SimulatorError.nameAlreadyExists("An item named '\(name)' already exists in '\(parent.name)'.")
        }
        let id = "\(String(tokenRNG.next(), radix: 36))\(String(tokenRNG.next(), radix: 36))"
        let expiresAt = Date().addingTimeInterval(lifetime)
        uploadSessions[id] = UploadSessionState(
            driveID: driveID, parentID: parentID, name: name, conflict: conflict, fileSystemInfo: fileSystemInfo,
            expiresAt: expiresAt, total: nil, received: [])
        return (id, expiresAt)
    }

    /// Status of an upload session: the next expected byte offset and its expiry.
    func uploadSessionStatus(id: String) throws -> (nextExpected: Int, expiresAt: Date) {
        let session = try requireUploadSession(id)
        return (session.received.count, session.expiresAt)
    }

    /// Cancels an upload session; unknown ids throw `itemNotFound`.
    func cancelUploadSession(id: String) throws {
        _ = try requireUploadSession(id)
        uploadSessions[id] = nil
    }

    /// Accepts bytes `start...end` of `total`, enforcing Graph's ordering and 320 KiB fragment rules.
    func uploadFragment(id: String, start: Int, end: Int, total: Int, bytes: [UInt8]) throws -> UploadFragmentResult {
        var session = try requireUploadSession(id)
        let length = end - start + 1
        guard start >= 0, end >= start, total > end, bytes.count == length else {
            throw M365SimulatorError.invalidRequest(
                "Content-Range bytes \(start)-\(end)/\(total) does not match a body of \(bytes.count) bytes.")
        }
        if let known = session.total, known != total {
            throw M365SimulatorError.invalidRequest("The total size changed from \(known) to \(total) during the session.")
        }
        guard start == session.received.count else {
            throw M365SimulatorError.invalidRange(
                "The fragment starts at \(start) but the session expects \(session.received.count)-.")
        }
        guard length <= Self.maxFragment else {
            throw M365SimulatorError.invalidRequest("Fragments must be smaller than 60 MiB; this one has \(length) bytes.")
        }
        if end + 1 < total, length % Self.fragmentQuantum != 0 {
            throw M365SimulatorError.invalidRequest(
                "Every fragment but the last must be a multiple of 327,680 bytes (320 KiB); this one has \(length).")
        }
        session.total = total
        session.received.append(contentsOf: bytes)
        if session.received.count < total {
            if let allowance = session.fragmentAllowance {
                session.fragmentAllowance = allowance - 1
                session.expiredByFault = allowance <= 1
            }
            uploadSessions[id] = session
            return .incomplete(nextExpected: session.received.count, expiresAt: session.expiresAt)
        }
        uploadSessions[id] = nil
        let result = try upsertFile(
            driveID: session.driveID, parentID: session.parentID, name: session.name, bytes: session.received,
            conflict: session.conflict, fileSystemInfo: session.fileSystemInfo)
        return .complete(item: result.item, created: result.created)
    }

    func requireUploadSession(_ id: String) throws -> UploadSessionState {
        guard let session = uploadSessions[id], !session.expiredByFault, session.expiresAt > Date() else {
            if uploadSessions[id]?.expiredByFault != true { uploadSessions[id] = nil }
            throw M365SimulatorError.itemNotFound("The upload session does not exist or has expired; create a new one.")
        }
        return session
    }

    /// Makes a session expire once it has accepted `fragments` fragments without completing its file (a fault plan's
    /// mid-upload expiry); zero expires it now.
    func limitUploadSession(id: String, fragments: Int) {
        guard var session = uploadSessions[id] else { return }
        session.fragmentAllowance = fragments
        session.expiredByFault = fragments <= 0
        uploadSessions[id] = session
    }

    /// Whether the fault plan expired this session (its requests then answer 404).
    func uploadSessionExpiredByFault(id: String) -> Bool {
        uploadSessions[id]?.expiredByFault == true
    }
}

extension Duration {
    /// The duration in seconds as a `TimeInterval`.
    var seconds: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
