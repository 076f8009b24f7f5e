/// `RESTStartJobOptions`, the body of `POST /v6/Jobs/{jobId}/start`.
struct RESTStartJobOptions: Decodable, Sendable {
    /// Read every item again instead of following the stored delta links.
    var full: Bool?
}
