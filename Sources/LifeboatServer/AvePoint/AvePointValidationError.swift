/// Field-level refusals of an AvePoint request, answered together as one 400 `Bad Request` whose `errors` list them all.
struct AvePointValidationError: Error, Sendable {
    /// Every problem found, in the order of the request's fields.
    var errors: [AvePointAPIError]
}
