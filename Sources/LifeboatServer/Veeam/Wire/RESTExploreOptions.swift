import Foundation
import LifeboatModel
import NIOCore
import NIOFoundationCompat

/// `RESTExploreOptions`, the body of `POST /v6/Jobs/{jobId}/explore` (seed 001), validated.
///
/// Property names match case-insensitively. `type` is required; `dateTime` may be absent or null (now: the latest
/// restore point); `showDeleted` and `showAllVersions` default to false. Every refusal is a `RequestError` naming
/// the offending property (400), never a server error.
struct RESTExploreOptions: Sendable {
    /// The point in time asked for.
    var dateTime: Date
    /// The service to explore.
    var kind: RestoreSessionKind
    var showDeleted: Bool
    var showAllVersions: Bool

    /// The formats `dateTime` is accepted in, for refusals.
    static let dateFormats = "yyyy-MM-dd HH:mm:ss.SSS, yyyy.MM.dd hh:mm:ss, MM/dd/yyyy HH:mm:ss or ISO 8601"

    /// Decodes and validates a request body; `now` stands for an absent `dateTime`.
    init(json body: ByteBuffer, now: Date = Date()) throws {
        guard body.readableBytesView.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            throw RequestError.invalidBody(
                "expected RESTExploreOptions, {\"dateTime\": ..., \"type\": \"Veod\"|\"Vesp\", \"showDeleted\": bool, \"showAllVersions\": bool}")
        }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: body)
        } catch let error as DecodingError {
            throw Self.refusal(error)
        }
        switch wire.dateTime {
        case nil:
            dateTime = now
        case let raw?:
            guard let parsed = VeeamDateTime.parse(raw) else {
                throw RequestError.invalidField(name: "dateTime", reason: "'\(raw)' is not a date and time (use \(Self.dateFormats))")
            }
            dateTime = parsed
        }
        kind = try Self.kind(wire.type)
        showDeleted = wire.showDeleted ?? false
        showAllVersions = wire.showAllVersions ?? false
    }

    /// Veeam's session type (`Vex|Veod|Vesp|Vet`, any case) as a kind Lifeboat can explore.
    private static func kind(_ raw: String?) throws -> RestoreSessionKind {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RequestError.invalidField(name: "type", reason: "required: Veod (OneDrive) or Vesp (SharePoint)")
        }
        switch raw.trimmingCharacters(in: .whitespaces).lowercased() {
        case "veod": return .oneDrive
        case "vesp": return .sharePoint
        case "vex":
            throw RequestError.invalidField(
                name: "type",
                reason: "'\(raw)' (Exchange) is not backed up by Lifeboat yet; explore Veod (OneDrive) or Vesp (SharePoint)")
        case "vet":
            throw RequestError.invalidField(
                name: "type",
                reason: "'\(raw)' (Teams) is not backed up by Lifeboat yet; explore Veod (OneDrive) or Vesp (SharePoint)")
        default:
            throw RequestError.invalidField(
                name: "type", reason: "'\(raw)' is not a restore session type; use Veod (OneDrive) or Vesp (SharePoint)")
        }
    }

    /// A decoding failure as a refusal naming the property it happened at, or the body when it is not a JSON object.
    private static func refusal(_ error: DecodingError) -> RequestError {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
            .dataCorrupted(let context):
            path = context.codingPath
        @unknown default:
            path = []
        }
        guard let field = path.first?.stringValue else {
            return .invalidBody("expected a JSON object (RESTExploreOptions)")
        }
        let expected =
            switch Wire.Key.canonical(field) {
            case "dateTime": "a date and time string"
            case "type": "a string (Veod or Vesp)"
            default: "true or false"
            }
        return .invalidField(name: field, reason: "expected \(expected)")
    }

    /// The body as sent: every property optional, names in any case.
    private struct Wire: Decodable {
        var dateTime: String?
        var type: String?
        var showDeleted: Bool?
        var showAllVersions: Bool?

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }

            /// The schema's spelling of a property name sent in any case, or nil for an unknown property.
            static func canonical(_ name: String) -> String? {
                ["dateTime", "type", "showDeleted", "showAllVersions"].first { $0.lowercased() == name.lowercased() }
            }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            // Unknown properties are ignored, as Veeam's server does.
            for key in container.allKeys {
                switch Key.canonical(key.stringValue) {
                case "dateTime": dateTime = try container.decodeIfPresent(String.self, forKey: key)
                case "type": type = try container.decodeIfPresent(String.self, forKey: key)
                case "showDeleted": showDeleted = try container.decodeIfPresent(Bool.self, forKey: key)
                case "showAllVersions": showAllVersions = try container.decodeIfPresent(Bool.self, forKey: key)
                default: continue
                }
            }
        }
    }
}
