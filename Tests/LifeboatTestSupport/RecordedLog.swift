import Logging
import Synchronization

/// The messages logged through `logger`, for tests that assert what an operator is shown as it happens.
public final class RecordedLog: Sendable {
    /// One logged message.
    public struct Entry: Sendable {
        public var level: Logger.Level
        public var message: String
    }

    private let recorded = Mutex<[Entry]>([])

    /// Creates an empty log.
    public init() {}

    /// A logger that records into this log every message at `level` or above.
    public func logger(label: String = "lifeboat.test.recorded", level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: label) { _ in Handler(log: self) }
        logger.logLevel = level
        return logger
    }

    /// What was logged so far, oldest first.
    public var entries: [Entry] { recorded.withLock { $0 } }

    private func append(_ entry: Entry) {
        recorded.withLock { $0.append(entry) }
    }

    private struct Handler: LogHandler {
        let log: RecordedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.append(Entry(level: event.level, message: "\(event.message)"))
        }
    }
}
