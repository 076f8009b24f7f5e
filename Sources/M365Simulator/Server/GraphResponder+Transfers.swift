import Foundation
import Hummingbird
import NIOCore

extension GraphResponder {
    /// Bytes per body chunk when streaming downloads.
    static let downloadChunk = 64 * 1024

    /// Serves a pre-authenticated download URL: no Authorization needed, expires, honours `Range`.
    /// A pre-authenticated URL whose credential does not check out (forged, damaged) answers 401 like an expired one,
    /// as SharePoint's `tempauth` does.
    func download(_ call: Call, token: String) async throws -> Response {
        guard let decoded = SimulatedTenant.decodeToken(token) else { return Self.expiredDownloadURL(call) }
        let parts = decoded.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, let expiry = Double(parts[3]) else { return Self.expiredDownloadURL(call) }
        guard Date().timeIntervalSince1970 * 1000 < expiry else {
            return Self.expiredDownloadURL(call)
        }
        let served = try await tenant.downloadContent(
            driveID: parts[0], itemID: parts[1], versionID: parts[2].isEmpty ? nil : parts[2])
        let content = served.content
        let size = content.count
        var status: HTTPResponse.Status = .ok
        var range = 0..<size
        var headers: HTTPFields = [.contentType: "application/octet-stream", .acceptRanges: "bytes", .eTag: served.eTag]
        // `If-Range` naming other content than the file's now asks for all of the new content, not its tail (RFC 9110).
        let rangeStillApplies = call.request.headers[.ifRange].map { $0 == served.eTag } ?? true
        if let header = call.request.headers[.range], rangeStillApplies {
            guard let requested = Self.parseRange(header, size: size) else {
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            range = requested
            status = .partialContent
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
        }
        headers[.contentLength] = String(range.count)
        let sent = range
        await faults.spendEgress(bytes: sent.count)
        // A cut body announces its full length, sends part of it and drops the connection, as a reset does; an empty
        // body has nothing to lose.
        let cut = sent.isEmpty ? nil : call.cutBodyAfter.map { Int(Double(sent.count) * $0) }
        if let cut { headers[Self.cutAfterHeader] = String(cut) }
        let stallAt = call.pacing?.stallAfter.map { sent.lowerBound + Int(Double(sent.count) * $0) }
        if let stallAt { headers[Self.stallAfterHeader] = String(stallAt - sent.lowerBound) }
        let pacing = call.pacing
        let editAfterCut = call.changeContentAfterCut ? (tenant: tenant, driveID: parts[0], itemID: parts[1]) : nil
        let body = ResponseBody(contentLength: sent.count) { writer in
            let stop = sent.lowerBound + (cut ?? sent.count)
            var offset = sent.lowerBound
            var stalled = false
            while offset < stop {
                if let stallAt, !stalled, offset >= stallAt {
                    stalled = true
                    try await Task.sleep(for: pacing?.stall ?? .zero)
                }
                if let delay = pacing?.chunkDelay { try await Task.sleep(for: delay) }
                var end = min(stop, offset + Self.downloadChunk)
                if let stallAt, !stalled, offset < stallAt { end = min(end, max(stallAt, offset + 1)) }
                try await writer.write(ByteBuffer(bytes: content.bytes(in: offset..<end)))
                offset = end
            }
            if cut != nil {
                if let editAfterCut {
                    try await editAfterCut.tenant.replaceContentKeepingLength(driveID: editAfterCut.driveID, itemID: editAfterCut.itemID)
                }
                throw FaultInjector.ConnectionReset()
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// Parses `bytes=N-`, `bytes=N-M` and `bytes=-N`; nil when unsatisfiable or malformed.
    static func parseRange(_ header: String, size: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        if spec[0].isEmpty {
            guard let suffix = Int(spec[1]), suffix > 0, size > 0 else { return nil }
            return max(0, size - suffix)..<size
        }
        guard let start = Int(spec[0]), start < size else { return nil }
        if spec[1].isEmpty { return start..<size }
        guard let end = Int(spec[1]), end >= start else { return nil }
        return start..<min(size, end + 1)
    }

    /// Serves an upload session URL: PUT fragments, GET status, DELETE cancel.
    func upload(_ call: Call, sessionID: String, request: inout Request) async throws -> Response {
        switch request.method {
        case .get:
            let status = try await tenant.uploadSessionStatus(id: sessionID)
            return GraphJSON.response(
                .ok,
                ["expirationDateTime": GraphJSON.date(status.expiresAt), "nextExpectedRanges": ["\(status.nextExpected)-"]])
        case .delete:
            try await tenant.cancelUploadSession(id: sessionID)
            return Response(status: .noContent)
        case .put:
            guard let header = request.headers[.contentRange], let range = Self.parseContentRange(header) else {
                throw M365SimulatorError.invalidRequest("Upload fragments need 'Content-Range: bytes start-end/total'.")
            }
            let length = range.end - range.start + 1
            guard length <= SimulatedTenant.maxFragment else {
                throw M365SimulatorError.invalidRequest("Fragments must be smaller than 60 MiB; this one has \(length) bytes.")
            }
            let body = try await request.collectBody(upTo: SimulatedTenant.maxFragment + 1)
            let result = try await tenant.uploadFragment(
                id: sessionID, start: range.start, end: range.end, total: range.total, bytes: Array(body.readableBytesView))
            switch result {
            case .incomplete(let next, let expiresAt):
                return GraphJSON.response(
                    .accepted, ["expirationDateTime": GraphJSON.date(expiresAt), "nextExpectedRanges": ["\(next)-"]])
            case .complete(let item, let created):
                let drive = try await tenant.drive(id: item.driveID)
                return GraphJSON.response(created ? .created : .ok, render(call, item, drive: drive))
            }
        default:
            throw M365SimulatorError.invalidRequest("\(request.method) is not supported on an upload URL.")
        }
    }

    static func parseContentRange(_ header: String) -> (start: Int, end: Int, total: Int)? {
        guard header.hasPrefix("bytes ") else { return nil }
        let parts = header.dropFirst(6).split(separator: "/")
        guard parts.count == 2, let total = Int(parts[1]) else { return nil }
        let bounds = parts[0].split(separator: "-")
        guard bounds.count == 2, let start = Int(bounds[0]), let end = Int(bounds[1]) else { return nil }
        return (start, end, total)
    }
}
