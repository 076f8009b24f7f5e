/// `ApiError`: one field that failed validation, in the envelope's `errors`.
struct AvePointAPIError: Codable, Sendable, Hashable {
    /// The only code AvePoint documents.
    static let invalidParameter = "InvalidParameter"

    /// `InvalidParameter`.
    var code: String
    /// The field's path in the request, e.g. `SiteRestoreScope.RestoreTargets[0].Files[1].RelativePath` or `location`.
    var field: String
    /// What is wrong, naming the field as people read it: `'Site Restore Scope' must not be empty.`
    var message: String

    /// An `InvalidParameter` error.
    init(field: String, message: String) {
        self.code = Self.invalidParameter
        self.field = field
        self.message = message
    }
}
