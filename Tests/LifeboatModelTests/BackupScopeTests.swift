import Foundation
import LifeboatModel
import Testing

@Suite("Backup scopes")
struct BackupScopeTests {
    @Test("what a scope selects", arguments: [
        (BackupScope.entireOrganization, true, true),
        (BackupScope(users: ["alice@contoso.onmicrosoft.com"]), true, false),
        (BackupScope(sites: ["https://contoso.sharepoint.com/sites/Finance"]), false, true),
        (BackupScope(allUsers: true), true, false),
        (BackupScope(), false, false),
    ])
    func selection(scope: BackupScope, oneDrive: Bool, sharePoint: Bool) {
        #expect(scope.includesOneDrive == oneDrive)
        #expect(scope.includesSharePoint == sharePoint)
    }

    @Test("a job round-trips through JSON unchanged")
    func jobRoundTrip() throws {
        let job = BackupJob(
            organizationID: UUID(), repositoryID: UUID(), name: "Finance", description: "Finance team",
            scope: BackupScope(users: ["bob@contoso.onmicrosoft.com"], sites: ["https://contoso.sharepoint.com/sites/Finance"]),
            lastRun: Date(timeIntervalSince1970: 1_700_000_000), lastStatus: .warning,
            createdAt: Date(timeIntervalSince1970: 1_690_000_000))
        let decoded = try JSONDecoder().decode(BackupJob.self, from: JSONEncoder().encode(job))
        #expect(decoded == job)
    }
}
