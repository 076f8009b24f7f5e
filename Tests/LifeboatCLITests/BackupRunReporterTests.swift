import BackupEngine
import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import M365Graph
import Synchronization
import Testing

@testable import lifeboat

/// `lifeboat backup run` when the catalog cannot record the run's end (a full disk): the run failed, and the exit code
/// and the message say so, instead of "could not start".
@Suite("lifeboat backup run: a run whose end cannot be recorded")
struct BackupRunReporterTests {
    @Test("when every catalog write fails once the run began its restore point, the run reports failed (exit 2) with the reason")
    func unrecordedEndExitsFailed() async throws {
        try await BackupFixture.with { fixture in
            let diskFull = Mutex(false)
            let failing = InterceptingCatalog(fixture.catalog) { method in
                if diskFull.withLock({ $0 }) { throw CatalogError.invalidArgument("database or disk is full") }
                if method == "beginRestorePoint" { diskFull.withLock { $0 = true } }
            }
            let runner = BackupRunner(
                catalog: failing, repositories: fixture.repositories,
                connector: CatalogGraphConnector(catalog: fixture.catalog, httpClient: fixture.httpClient, logger: .quiet("test")),
                logger: .quiet("test"))
            let outcome = try await BackupRunReporter.runTrappingSignals(
                fixture.job, runner: runner, catalog: failing, fullEnumeration: false, onSecondSignal: { _ in })
            #expect(BackupExitCode.code(for: outcome) == BackupExitCode.failed)
            #expect(outcome.run.state == .failed)
            #expect(outcome.notRecorded?.contains("database or disk is full") == true, "\(outcome.notRecorded ?? "no reason")")
        }
    }
}
