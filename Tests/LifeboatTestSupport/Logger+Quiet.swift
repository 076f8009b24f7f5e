import Logging

extension Logger {
    /// A logger for tests that only lets warnings and errors through, so test output shows what matters.
    public static func quiet(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return logger
    }
}
