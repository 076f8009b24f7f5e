@testable import Catalog
import Foundation
import LifeboatModel
import LifeboatTestSupport
import SeededRandom
import Testing

/// Three years of daily restore points of one drive: files added, edited (with a Graph version kept as history),
/// renamed, moved and deleted at random (seeded), then retention keeps the last 90 days.
@Suite("Snapshot-based retention expires old points and never touches what a kept point holds")
struct RetentionTests {
    static let drive = "b!drive"
    static let days = 3 * 365

    struct History {
        let catalog: SQLCatalog
        let seed: CatalogSeed
        let points: [RestorePoint]
    }

    static func file(_ id: String, version: Int, parent: String, size: Int64) -> ItemVersion {
        ItemVersion(
            driveID: drive, itemID: id, parentID: parent, name: "\(id)-v\(version).txt", isFolder: false, size: size,
            eTag: "e-\(id)-\(version)", cTag: "c-\(id)-\(version)", quickXorHash: "q-\(id)-\(version)", mimeType: "text/plain",
            content: Array("manifest \(id) \(version)".utf8), validFrom: 0)
    }

    static func folder(_ id: String, parent: String?) -> ItemVersion {
        ItemVersion(driveID: drive, itemID: id, parentID: parent, name: id, isFolder: true, isRoot: parent == nil, size: 0, validFrom: 0)
    }

    /// Builds the history: a point a day for three years, each changing a few files.
    static func makeHistory() async throws -> History {
        let catalog = try await SQLCatalog.openInMemory()
        let seed = try await CatalogSeed.insert(into: catalog)
        var random = SplitMix64(seed: 2026)
        var live: [String: (version: Int, parent: String)] = [:]
        var nextFile = 0
        var points: [RestorePoint] = []
        for day in 0..<days {
            let point = try await seed.begin(catalog, minutes: day * 24 * 60)
            var rows: [ItemVersion] = []
            var closing: [String] = []
            if day == 0 {
                rows += [folder("root", parent: nil), folder("a", parent: "root"), folder("b", parent: "root")]
            }
            for _ in 0..<(day == 0 ? 30 : 3) {
                let roll = random.next() % 10
                if roll < 4 || live.count < 10 {
                    let id = "f\(nextFile)"
                    nextFile += 1
                    let parent = random.next() % 2 == 0 ? "a" : "b"
                    live[id] = (1, parent)
                    rows.append(file(id, version: 1, parent: parent, size: Int64(100 + random.next() % 1000)))
                } else {
                    let names = live.keys.sorted()
                    let id = names[Int(random.next() % UInt64(names.count))]
                    guard !closing.contains(id), !rows.contains(where: { $0.itemID == id }), let current = live[id] else { continue }
                    closing.append(id)
                    switch roll {
                    case 4...6:
                        var history = file(id, version: current.version, parent: current.parent, size: 50)
                        history.isHistorical = true
                        history.graphVersionID = "\(current.version).0"
                        rows.append(history)
                        live[id] = (current.version + 1, current.parent)
                        rows.append(file(id, version: current.version + 1, parent: current.parent, size: Int64(200 + random.next() % 1000)))
                    case 7:
                        let parent = current.parent == "a" ? "b" : "a"
                        live[id] = (current.version, parent)
                        rows.append(file(id, version: current.version, parent: parent, size: 10))
                    default:
                        live[id] = nil
                    }
                }
            }
            try await catalog.recordItemVersions(rows, closing: closing, jobID: seed.job.id, driveID: drive, sequence: point.sequence)
            try await catalog.commitRestorePoint(id: point.id, deltaLinks: [drive: "link-\(day)"])
            points.append(point)
        }
        return History(catalog: catalog, seed: seed, points: points)
    }

    /// What a point shows: every item (deleted ones and every version included), as comparable text.
    static func view(_ catalog: SQLCatalog, job: UUID, at sequence: Int64) async throws -> [String] {
        try await catalog.items(jobID: job, driveID: drive, at: sequence, options: .init(showDeleted: false, showAllVersions: false))
            .map { "\($0.itemID) \($0.name) \($0.parentID ?? "-") \($0.cTag ?? "") \($0.size)" }.sorted()
    }

    /// How many earlier Graph versions the every-version listing at `sequence` shows of the items that exist at it: their
    /// history, which retention keeps (states that only expired points held are another matter: they go).
    static func liveHistory(_ catalog: SQLCatalog, job: UUID, at sequence: Int64) async throws -> Int {
        let existing = Set(
            try await catalog.items(jobID: job, driveID: drive, at: sequence, options: PointInTimeOptions()).map(\.itemID))
        let rows = try await catalog.items(
            jobID: job, driveID: drive, at: sequence, options: PointInTimeOptions(showDeleted: true, showAllVersions: true))
        return rows.filter { $0.isHistorical && existing.contains($0.itemID) }.count
    }

    @Test("keeping 90 days of three years: old points leave the listings, every kept point shows exactly what it did")
    func keepsWhatKeptPointsHold() async throws {
        let history = try await Self.makeHistory()
        let catalog = history.catalog
        let job = history.seed.job.id
        let now = CatalogSeed.epoch.addingTimeInterval(Double(Self.days) * 86_400)
        let policy = try #require(RetentionPolicy(keep: .days(90)))
        let cutoff = try #require(policy.cutoff(at: now))
        let kept = history.points.filter { $0.backupTime >= cutoff }
        #expect(kept.count == 90)
        // Every tenth kept point and the oldest, as they show before retention.
        var sample: [RestorePoint] = [kept[0]]
        for (offset, point) in kept.enumerated() where offset % 10 == 0 { sample.append(point) }
        sample.append(kept[kept.count - 1])
        var before: [Int64: [String]] = [:]
        for point in sample { before[point.sequence] = try await Self.view(catalog, job: job, at: point.sequence) }
        let oldestKept = kept[0].sequence
        let historyOfOldestKept = try await Self.liveHistory(catalog, job: job, at: oldestKept)

        let measured = try await catalog.applyRetention(jobID: job, expiringBefore: cutoff, now: now, dryRun: true)
        #expect(try await catalog.restorePoints(RestorePointFilter(jobID: job)).count == Self.days, "a dry run changes nothing")
        let applied = try await catalog.applyRetention(jobID: job, expiringBefore: cutoff, now: now, dryRun: false)
        #expect(applied == measured, "the dry run measured exactly what was done")
        #expect(applied.pointsExpired == Self.days - 90)
        #expect(applied.versionsRemoved > 1_000)
        #expect(applied.bytesRemoved > 0)
        #expect(applied.oldestKept == kept[0].backupTime)

        let listed = try await catalog.restorePoints(RestorePointFilter(jobID: job))
        #expect(listed.count == 90)
        #expect(listed.allSatisfy { $0.backupTime >= cutoff })
        #expect(try await catalog.restorePoint(id: history.points[0].id) == nil)
        let beforeCutoff = try await catalog.latestRestorePoint(
            organizationID: history.seed.organization.id, jobID: job, notAfter: cutoff.addingTimeInterval(-1))
        #expect(beforeCutoff == nil)
        for point in sample {
            #expect(try await Self.view(catalog, job: job, at: point.sequence) == before[point.sequence], "point \(point.sequence)")
        }
        let historyAfter = try await Self.liveHistory(catalog, job: job, at: oldestKept)
        #expect(historyOfOldestKept > 100)
        #expect(historyAfter == historyOfOldestKept, "the Graph version history of items that still exist is kept")

        // Again at once: nothing more to do.
        let again = try await catalog.applyRetention(jobID: job, expiringBefore: cutoff, now: now, dryRun: false)
        #expect(again.pointsExpired == 0 && again.versionsRemoved == 0)
        try await catalog.shutdown()
    }

    @Test("the newest point always stays, and an open restore session holds its point and every newer one")
    func newestAndSessionHeldPointsStay() async throws {
        let history = try await Self.makeHistory()
        let catalog = history.catalog
        let job = history.seed.job.id
        let farFuture = CatalogSeed.epoch.addingTimeInterval(Double(Self.days + 3_650) * 86_400)

        let browsed = history.points[100]
        let session = RestoreSession(
            organizationID: history.seed.organization.id, jobID: job, kind: .oneDrive, requestedTime: browsed.backupTime,
            restorePointSequence: browsed.sequence, showDeleted: false, showAllVersions: false, initiatedBy: "admin",
            name: "browsing day 100")
        try await catalog.insertRestoreSession(session)
        let held = try await catalog.applyRetention(jobID: job, expiringBefore: farFuture, now: farFuture, dryRun: false)
        #expect(held.pointsExpired == 100)
        #expect(held.heldBySession)
        #expect(try await catalog.restorePoint(id: browsed.id) != nil)

        var ended = session
        ended.state = RestoreSession.State.stopped
        ended.endedAt = farFuture
        try await catalog.updateRestoreSession(ended)
        let rest = try await catalog.applyRetention(jobID: job, expiringBefore: farFuture, now: farFuture, dryRun: false)
        #expect(rest.pointsExpired == Self.days - 101)
        let listed = try await catalog.restorePoints(RestorePointFilter(jobID: job))
        #expect(listed.map(\.id) == [history.points.last!.id])
        #expect(try await !Self.view(catalog, job: job, at: history.points.last!.sequence).isEmpty)
        try await catalog.shutdown()
    }

    @Test("retention policies are stored with their repository and give cutoffs in days, months and years")
    func policies() async throws {
        let now = Date.iso8601("2026-03-31T12:00:00Z")
        #expect(RetentionPolicy(keep: .days(30))?.cutoff(at: now) == .iso8601("2026-03-01T12:00:00Z"))
        #expect(RetentionPolicy(keep: .months(1))?.cutoff(at: now) == .iso8601("2026-02-28T12:00:00Z"))
        #expect(RetentionPolicy(keep: .years(7))?.cutoff(at: now) == .iso8601("2019-03-31T12:00:00Z"))
        #expect(RetentionPolicy(keep: .forever)?.cutoff(at: now) == nil)
        #expect(RetentionPolicy(keep: .days(0)) == nil)
        try await TemporaryCatalog.with { catalog in
            let repository = BackupRepository(name: "main", location: "/tmp/x")
            try await catalog.insertRepository(repository)
            #expect(try await catalog.repository(id: repository.id)?.retention == nil)
            let policy = try #require(RetentionPolicy(keep: .years(7)))
            try await catalog.setRepositoryRetention(id: repository.id, policy)
            #expect(try await catalog.repository(id: repository.id)?.retention == policy)
        }
    }
}
