extension LoggedRequest {
    /// The file whose bytes this request asked for, when it is a `GET` of Graph's `/content` or of a download URL;
    /// `nil` for every other request (whatever its status: check `status` to tell served from refused).
    public var contentRequest: ContentRequest? {
        guard method == "GET" else { return nil }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { GraphResponder.decode(String($0)) }
        if segments.count == 2, segments[0] == "download" {
            guard let decoded = SimulatedTenant.decodeToken(segments[1]) else { return nil }
            let parts = decoded.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4 else { return nil }
            return ContentRequest(
                kind: .downloadURL, driveID: parts[0], itemID: parts[1], versionID: parts[2].isEmpty ? nil : parts[2])
        }
        // v1.0 / drives / {d} / items / {i} / [versions / {v} /] content
        guard segments.count >= 6, segments[0] == "v1.0", segments[1] == "drives", segments[3] == "items",
            segments.last == "content"
        else { return nil }
        switch segments.count {
        case 6:
            return ContentRequest(kind: .graphContent, driveID: segments[2], itemID: segments[4], versionID: nil)
        case 8 where segments[5] == "versions":
            return ContentRequest(kind: .graphContent, driveID: segments[2], itemID: segments[4], versionID: segments[6])
        default:
            return nil
        }
    }
}

extension Sequence where Element == LoggedRequest {
    /// Item ids, in request order, of the downloads of a file's current content that were started: `GET .../content`,
    /// or a listing's `@microsoft.graph.downloadUrl` (which names no version). Requests resuming a body with `Range`
    /// and requests for earlier versions are not counted, so a file downloaded once counts once, whichever way.
    public var currentContentDownloads: [String] {
        compactMap { entry in
            guard entry.range == nil, let request = entry.contentRequest, request.versionID == nil else { return nil }
            return request.itemID
        }
    }
}
