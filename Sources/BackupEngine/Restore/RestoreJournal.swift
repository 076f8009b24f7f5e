import Catalog
import Foundation
import LifeboatModel

/// What happened to one restored (or skipped, or failed) item.
struct RestoreOutcome: Sendable {
    enum Status: Sendable {
        case restored
        case skipped(reason: String)
        case failed(message: String)
    }

    var status: Status
    /// Path of the item in the backup (`Alice's OneDrive/Docs/a.docx`).
    var sourcePath: String
    /// Where it went in the tenant, when it went somewhere.
    var targetPath: String?
    var name: String
    var isFolder: Bool
    var size: Int64
    /// Bytes uploaded for it (every version).
    var bytesUploaded: Int64 = 0
    var startTime: Date
    var endTime: Date = Date()
}

/// Collects a restore job's outcomes: counters, run errors and, for a Veeam session, one event per item; writes them to
/// the catalog in batches so a large restore costs few transactions.
actor RestoreJournal {
    private let catalog: any CatalogStore
    private let runID: UUID
    /// Veeam's event type: `Restore` for restores, `Save` for exports.
    private let eventType: String
    private var sessionID: UUID?
    private var pendingErrors: [RunError] = []
    private var pendingEvents: [RestoreSessionEvent] = []
    private(set) var counters = RunCounters()
    /// Files (and whole drives) restored or skipped, and those that failed: the folders made on the way are not what a
    /// restore was asked for, so only these tell whether anything asked for came back.
    private(set) var filesCameBack = 0
    private(set) var filesFailed = 0
    private static let batchSize = 200

    init(catalog: any CatalogStore, runID: UUID, kind: JobRunKind) {
        self.catalog = catalog
        self.runID = runID
        self.eventType = kind == .export ? "Save" : "Restore"
    }

    /// Sends per-item events to a restore session from now on (the catalog places them after the session's others).
    func attach(sessionID: UUID?) async {
        guard let sessionID else { return }
        self.sessionID = sessionID
    }

    /// Records one item's outcome.
    func record(_ outcome: RestoreOutcome) async throws {
        let status: RestoreSessionEvent.Status
        let title: String
        let message: String
        switch outcome.status {
        case .restored:
            counters.itemsRestored += 1
            status = .success
            title = "Restored \(outcome.sourcePath)"
            message = outcome.targetPath.map { "Restored to \($0)" } ?? "Restored"
        case .skipped(let reason):
            counters.itemsSkipped += 1
            status = .skipped
            title = "Skipped \(outcome.sourcePath)"
            message = reason
        case .failed(let failure):
            counters.itemsFailed += 1
            status = .failed
            title = "Failed to restore \(outcome.sourcePath)"
            message = failure
            pendingErrors.append(RunError(message: failure, itemPath: outcome.sourcePath, occurredAt: outcome.endTime))
        }
        counters.bytesUploaded += outcome.bytesUploaded
        if outcome.isFolder {
            counters.foldersProcessed += 1
        } else if case .failed = outcome.status {
            filesFailed += 1
        } else {
            filesCameBack += 1
        }
        if let sessionID {
            pendingEvents.append(
                RestoreSessionEvent(
                    sessionID: sessionID, order: 0, type: eventType, status: status, title: title,
                    message: message, itemName: outcome.name, itemType: outcome.isFolder ? "Folder" : "Document",
                    itemSizeBytes: outcome.isFolder ? nil : outcome.size, source: outcome.sourcePath,
                    target: outcome.targetPath, startTime: outcome.startTime, endTime: outcome.endTime))
        }
        if pendingErrors.count + pendingEvents.count >= Self.batchSize { try await flush() }
    }

    /// Records an item put into an export archive.
    func record(exported item: ItemVersion, path: String) async throws {
        try await record(
            RestoreOutcome(
                status: .restored, sourcePath: path, targetPath: nil, name: item.name, isFolder: item.isFolder,
                size: item.size, bytesUploaded: 0, startTime: Date()))
        if !item.isFolder { counters.bytesExported += item.size }
    }

    /// Records a failure of the job itself (not of an item).
    func recordJobFailure(_ message: String) {
        pendingErrors.append(RunError(message: message, itemPath: nil))
    }

    /// Writes what is pending. What is taken for writing leaves the buffers before the first suspension, so records
    /// made meanwhile are neither lost nor written twice.
    func flush() async throws {
        let errors = pendingErrors
        let events = pendingEvents
        pendingErrors.removeAll()
        pendingEvents.removeAll()
        if !errors.isEmpty { try await catalog.appendRunErrors(errors, runID: runID) }
        if !events.isEmpty { try await catalog.appendRestoreSessionEvents(events) }
    }

    /// Sets the session's result from the job's final state (a session stays `working` for further restores).
    func finishSession(state: JobRunState) async throws {
        guard let sessionID, var session = try await catalog.restoreSession(id: sessionID) else { return }
        switch state {
        case .failed: session.result = .failed
        case .warning where session.result == .success: session.result = .warning
        default: return
        }
        try await catalog.updateRestoreSession(session)
    }
}
