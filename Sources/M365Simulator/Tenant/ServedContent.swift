/// The bytes a download URL serves, with the `ETag` that names them (the file and its version), which a resumed
/// download sends back in `If-Range`.
struct ServedContent: Sendable {
    var content: VersionContent
    var eTag: String
}
