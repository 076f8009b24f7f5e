import Catalog
import Hummingbird
import Logging

/// `GET /health`: answers 200 when the catalog answers, 503 otherwise; needs no token.
struct HealthRoutes {
    let catalog: any CatalogStore

    func addRoutes(to router: Router<LifeboatRequestContext>) {
        router.get("health") { _, context -> Response in
            do {
                _ = try await catalog.repositories()
                return try JSONResponse.make(["status": "ok"])
            } catch {
                context.logger.error("Health check failed", metadata: ["lifeboat.error": "\(error)"])
                return try JSONResponse.make(["status": "catalog unavailable"], status: .serviceUnavailable)
            }
        }
    }
}
