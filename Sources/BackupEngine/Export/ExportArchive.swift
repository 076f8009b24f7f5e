import Catalog
import Foundation
import LifeboatModel
import Logging
import NIOCore
import Synchronization

/// The zip archive of an export job, produced while it is read (`application/octet-stream` bodies iterate it).
///
/// The job is already admitted and queued when this value exists. Reading starts it (`running`); reading to the end
/// finishes it (`succeeded`), an error fails it (the archive is then incomplete and the consumer must treat the error
/// as fatal), and an archive dropped before its end (a client that went away) fails it too, so it never holds one of
/// the organization's restore/export slots forever.
public struct ExportArchive: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error

    /// The export job (its `externalID` names it in `GET /backup/m365/cloudbackupjobs/{id}`).
    public let run: JobRun
    private let tracker: ExportRunTracker
    private let entries: ExportEntries

    init(
        run: JobRun, request: RestoreRequest, catalog: any CatalogStore, repositories: RepositoryRegistry,
        leases: RunLeaseKeeper, logger: Logger
    ) {
        self.run = run
        let journal = RestoreJournal(catalog: catalog, runID: run.id, kind: .export)
        tracker = ExportRunTracker(
            run: run, sessionID: request.restoreSessionID, catalog: catalog, journal: journal, leases: leases, logger: logger)
        entries = ExportEntries(selections: request.selections, catalog: catalog, repositories: repositories, journal: journal)
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(tracker: tracker, archive: ZipArchiveWriter(entries).makeAsyncIterator())
    }

    /// Pulls the archive's buffers and moves the job through its states.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let tracker: ExportRunTracker
        private var archive: ZipArchiveWriter<ExportEntries>.AsyncIterator
        private var started = false

        fileprivate init(tracker: ExportRunTracker, archive: ZipArchiveWriter<ExportEntries>.AsyncIterator) {
            self.tracker = tracker
            self.archive = archive
        }

        public mutating func next() async throws -> ByteBuffer? {
            if !started {
                started = true
                try await tracker.begin()
            }
            do {
                // A job another process ended (this one's lease lapsed) is no longer this process's to produce.
                try tracker.requireLease()
                guard let buffer = try await archive.next() else {
                    try await tracker.finish(failure: nil)
                    return nil
                }
                return buffer
            } catch {
                try? await tracker.finish(failure: error)
                throw error
            }
        }
    }
}

/// Moves an export job from queued to running to its end, exactly once, and fails it if its archive is abandoned.
final class ExportRunTracker: Sendable {
    private enum Phase {
        case queued
        case running
        case ended
    }

    private let run: JobRun
    private let sessionID: UUID?
    private let catalog: any CatalogStore
    private let journal: RestoreJournal
    private let leases: RunLeaseKeeper
    private let logger: Logger
    private let phase = Mutex(Phase.queued)
    /// Set when the lease keeper finds that another process ended the job.
    private let leaseLost = Mutex(false)

    init(
        run: JobRun, sessionID: UUID?, catalog: any CatalogStore, journal: RestoreJournal, leases: RunLeaseKeeper, logger: Logger
    ) {
        self.run = run
        self.sessionID = sessionID
        self.catalog = catalog
        self.journal = journal
        self.leases = leases
        var logger = logger
        logger[metadataKey: "lifeboat.run.id"] = "\(run.externalID)"
        self.logger = logger
    }

    func begin() async throws {
        guard phase.withLock({ phase in
            guard case .queued = phase else { return false }
            phase = .running
            return true
        }) else { return }
        var running = run
        running.state = .running
        running.startedAt = Date()
        try await catalog.updateRun(running, leaseOwner: leases.owner.id)
        await leases.onLoss(of: run.id) { [weak self] in self?.leaseLost.withLock { $0 = true } }
        await journal.attach(sessionID: sessionID)
        logger.info("Export job started")
    }

    /// Throws `CatalogError.leaseLost` once the lease keeper found that another process ended the job.
    func requireLease() throws {
        if leaseLost.withLock({ $0 }) { throw CatalogError.leaseLost(runID: run.id) }
    }

    func finish(failure: (any Error)?) async throws {
        guard phase.withLock({ phase in
            guard case .running = phase else { return false }
            phase = .ended
            return true
        }) else { return }
        if let failure { await journal.recordJobFailure("The export stopped: \(failure)") }
        var ended = run
        var failure = failure
        do {
            try await journal.flush()
        } catch {
            failure = failure ?? error
        }
        ended.startedAt = ended.startedAt ?? Date()
        ended.counters = await journal.counters
        ended.state = failure == nil ? .succeeded : .failed
        ended.endedAt = Date()
        if let started = try? await catalog.run(id: run.id)?.startedAt { ended.startedAt = started }
        // Not renewed from here on: should the end below not be recorded, the lease lapses and the job can be ended.
        await leases.release(run.id)
        do {
            try await catalog.updateRun(ended, leaseOwner: leases.owner.id)
        } catch CatalogError.leaseLost(let runID) {
            // Another process ended the job: its record stands.
            logger.warning("The end of the export job was not recorded: another process ended it after its lease lapsed")
            throw CatalogError.leaseLost(runID: runID)
        } catch {
            // Not ended in the catalog: let the clean-up of an abandoned archive try again when this tracker goes away.
            phase.withLock { $0 = .running }
            throw error
        }
        logger.info(
            "Export job ended",
            metadata: ["lifeboat.run.state": "\(ended.state.rawValue)", "lifeboat.items.exported": "\(ended.counters.itemsRestored)"])
    }

    deinit {
        let abandoned = phase.withLock { phase in
            guard case .ended = phase else {
                phase = .ended
                return true
            }
            return false
        }
        guard abandoned else { return }
        // No task is left to end the job: the consumer dropped the archive (a client disconnected, or never read it).
        // A detached cleanup is the only way to write that down from here; it touches only this run's row.
        let run = run
        let catalog = catalog
        let leases = leases
        let logger = logger
        Task.detached {
            await leases.release(run.id)
            var failed = run
            failed.state = .failed
            failed.endedAt = Date()
            do {
                try await catalog.updateRun(failed, leaseOwner: leases.owner.id)
                try await catalog.appendRunErrors(
                    [RunError(message: "The export was abandoned before its archive was complete.", itemPath: nil)], runID: run.id)
            } catch {
                logger.error("Could not end an abandoned export job", metadata: ["lifeboat.error": "\(error)"])
            }
        }
    }
}
