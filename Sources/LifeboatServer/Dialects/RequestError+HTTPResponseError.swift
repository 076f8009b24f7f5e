import Hummingbird

/// Outside every dialect's paths (`/unknown` without a token), a refusal still answers its status with a JSON message
/// instead of falling through to a 500; inside a dialect, that dialect's error middleware renders it first.
extension RequestError: HTTPResponseError {
    func response(from request: Request, context: some RequestContext) throws -> Response {
        try JSONResponse.make(["message": message], status: status).adding(headers)
    }
}

extension Response {
    /// The response with `fields` added to its headers (a refusal's `Allow` or `Retry-After`).
    func adding(_ fields: HTTPFields) -> Response {
        var response = self
        response.headers.append(contentsOf: fields)
        return response
    }
}
