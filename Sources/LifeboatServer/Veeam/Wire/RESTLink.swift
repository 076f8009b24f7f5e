/// `RESTLinkHAL`: a relative link to a related resource (`{"href": "/v6/Jobs/<id>"}`).
struct RESTLink: Codable, Sendable, Hashable {
    var href: String
}
