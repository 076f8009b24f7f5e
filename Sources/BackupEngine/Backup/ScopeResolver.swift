import Foundation
import LifeboatModel
import M365Graph

/// Turns a job's scope into the drives to back up: users' OneDrives and the libraries of sites and their subsites.
struct ScopeResolver {
    let graph: any GraphAPI
    let organizationID: UUID

    /// The drives of the scope, each once; a user or site that cannot be resolved becomes an error and the rest goes on.
    /// - Throws: what stops every user and site alike (the tenant refused the sign-in, could not be reached, kept
    ///   throttling): trying the next one would only repeat it.
    func resolve(_ scope: BackupScope) async throws -> (drives: [ProtectedDrive], errors: [RunError]) {
        var drives: [ProtectedDrive] = []
        var errors: [RunError] = []
        var seen = Set<String>()
        func add(_ drive: ProtectedDrive) {
            if seen.insert(drive.driveID).inserted { drives.append(drive) }
        }

        if scope.includesOneDrive {
            let users = scope.allUsers ? try await graph.users().map { ($0.userPrincipalName, $0.displayName) }
                : scope.users.map { ($0, nil as String?) }
            for (upn, displayName) in users {
                do {
                    let drive = try await graph.userDrive(userPrincipalName: upn)
                    add(
                        ProtectedDrive(
                            driveID: drive.id, organizationID: organizationID, kind: .oneDrive, name: drive.name ?? "OneDrive",
                            webURL: drive.webUrl ?? "", ownerUPN: upn,
                            ownerDisplayName: drive.owner?.user?.displayName ?? displayName))
                } catch let error as GraphError where error.isNotFound && scope.allUsers {
                    continue  // unlicensed users have no OneDrive; only named users are worth an error
                } catch where Self.concernsOne(error) {
                    errors.append(RunError(message: "Cannot open the OneDrive of \(upn): \(error)", itemPath: upn))
                }
            }
        }

        if scope.includesSharePoint {
            var pending: [GraphSite] = []
            if scope.allSites {
                pending = try await graph.rootSites()
            } else {
                for url in scope.sites {
                    do {
                        pending.append(try await graph.site(url: url))
                    } catch where Self.concernsOne(error) {
                        errors.append(RunError(message: "Cannot open site \(url): \(error)", itemPath: url))
                    }
                }
            }
            var visitedSites = Set<String>()
            while let site = pending.popLast() {
                guard visitedSites.insert(site.id).inserted else { continue }
                do {
                    for library in try await graph.drives(siteID: site.id) {
                        add(
                            ProtectedDrive(
                                driveID: library.id, organizationID: organizationID, kind: .documentLibrary,
                                name: library.name ?? "Documents", webURL: library.webUrl ?? site.webUrl, siteID: site.id,
                                siteURL: site.webUrl, siteTitle: site.displayName ?? site.name))
                    }
                    pending += try await graph.subsites(siteID: site.id)
                } catch where Self.concernsOne(error) {
                    errors.append(RunError(message: "Cannot list site \(site.webUrl): \(error)", itemPath: site.webUrl))
                }
            }
        }
        return (drives, errors)
    }

    /// Whether a failure concerns the one user or site asked about (not found, access denied to it, an odd answer),
    /// rather than the tenant as a whole (sign-in refused or rejected, network down, throttling that outlasted retries).
    private static func concernsOne(_ error: any Error) -> Bool {
        guard let error = error as? GraphError else { return false }
        switch error {
        case .service(let status, _, _, _): return status != 401
        case .invalidArgument, .invalidResponse, .resyncRequired, .contentChanged: return true
        case .authenticationFailed, .transport, .unreachable, .throttled: return false
        }
    }
}
