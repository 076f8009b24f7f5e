@testable import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Testing

@Suite("Catalog under concurrent callers")
struct ConcurrencyTests {
    @Test("many tasks writing and reading one catalog file at once all succeed")
    func concurrentWritersAndReaders() async throws {
        try await TemporaryCatalog.with { catalog in
            let seed = try await CatalogSeed.insert(into: catalog)
            let drive = "b!concurrent"
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<16 {
                    group.addTask {
                        let point = try await seed.begin(catalog, minutes: task)
                        let rows = (0..<50).map { index in
                            ItemVersion(driveID: drive, itemID: "t\(task)-\(index)", parentID: "root", name: "f\(index)",
                                        isFolder: false, size: Int64(index), validFrom: point.sequence)
                        }
                        try await catalog.recordItemVersions(rows, closing: [], jobID: seed.job.id, driveID: drive, sequence: point.sequence)
                        try await catalog.commitRestorePoint(id: point.id, deltaLinks: [drive: "link-\(task)"])
                        _ = try await catalog.items(jobID: seed.job.id, driveID: drive, at: point.sequence, options: .init())
                        _ = try await catalog.restorePoints(.init(jobID: seed.job.id))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await catalog.openItemIDs(jobID: seed.job.id, driveID: drive).count == 16 * 50)
            #expect(try await catalog.restorePoints(.init()).count == 16)
            let last = try #require(try await catalog.restorePoints(.init()).map(\.sequence).max())
            #expect(try await catalog.items(jobID: seed.job.id, driveID: drive, at: last, options: .init()).count == 16 * 50)
        }
    }

    @Test("of many near-simultaneous starts of one job exactly one is queued; the job can start again once it ended")
    func oneActiveRunPerJob() async throws {
        try await TemporaryCatalog.with { catalog in
            let seed = try await CatalogSeed.insert(into: catalog)
            let other = BackupJob(
                organizationID: seed.organization.id, repositoryID: seed.repository.id, name: "other", scope: .entireOrganization)
            try await catalog.insertJob(other)
            func queued(_ job: BackupJob) -> JobRun {
                JobRun(externalID: "FB\(UUID().uuidString.prefix(8))", jobID: job.id, organizationID: seed.organization.id, kind: .backup)
            }
            let inserted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<16 { group.addTask { try await catalog.insertRunIfJobIdle(queued(seed.job)) } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(inserted == 1)
            #expect(try await catalog.runs(jobID: seed.job.id).count == 1)
            #expect(try await catalog.insertRunIfJobIdle(queued(other)), "another job is not held up")

            var run = try #require(try await catalog.runs(jobID: seed.job.id).first)
            run.state = .running
            try await catalog.updateRun(run)
            #expect(try await !catalog.insertRunIfJobIdle(queued(seed.job)), "a running run holds the job too")
            run.state = .succeeded
            try await catalog.updateRun(run)
            #expect(try await catalog.insertRunIfJobIdle(queued(seed.job)))
        }
    }

    @Test("of many near-simultaneous creations of jobs with one name exactly one is stored; the others are refused naming it")
    func oneJobPerName() async throws {
        try await TemporaryCatalog.with { catalog in
            let seed = try await CatalogSeed.insert(into: catalog)
            let outcomes = try await withThrowingTaskGroup(of: CatalogError?.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        let job = BackupJob(
                            organizationID: seed.organization.id, repositoryID: seed.repository.id, name: "daily-all",
                            scope: .entireOrganization)
                        do {
                            try await catalog.insertJob(job)
                            return nil
                        } catch let error as CatalogError {
                            return error
                        }
                    }
                }
                return try await group.reduce(into: [CatalogError?]()) { $0.append($1) }
            }
            #expect(outcomes.count { $0 == nil } == 1)
            #expect(outcomes.compactMap { $0 }.allSatisfy { $0 == .alreadyExists("A backup job named 'daily-all'") })
            #expect(try await catalog.jobs().filter { $0.name == "daily-all" }.count == 1)
            let renamed = BackupJob(
                organizationID: seed.organization.id, repositoryID: seed.repository.id, name: "daily-all (2)", scope: .entireOrganization)
            try await catalog.insertJob(renamed)
            #expect(try await catalog.jobs().count == 3, "the seed's job, the one daily-all and another name")
        }
    }
}
