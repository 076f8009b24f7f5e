/// `RESTExceptionInfo` (v6): the body of every failed Veeam-dialect call, `{"message": ...}`.
struct RESTExceptionInfo: Codable, Sendable {
    var message: String
}
