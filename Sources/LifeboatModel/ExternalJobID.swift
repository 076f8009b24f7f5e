import Foundation

/// Job ids in AvePoint's format: a two-letter kind prefix, a UTC timestamp `yyyyMMddHHmmss` and a sub-second
/// sequence — six digits for backups (`FB20241015105312327583`, `IB20260423083407021666`), four for restores
/// (`RS202602270354220001`). Callers treat them as opaque strings.
public enum ExternalJobID {
    /// Prefix of backup runs that read every item (the first run of a job, or a full re-enumeration).
    public static let backupPrefix = "FB"
    /// Prefix of incremental backup runs (following stored delta links).
    public static let incrementalBackupPrefix = "IB"
    /// Prefix of restore jobs.
    public static let restorePrefix = "RS"
    /// Prefix of export jobs.
    public static let exportPrefix = "EX"
    /// Prefix of scheduled backup runs that were due but skipped (their history entry; nothing ran).
    public static let skippedPrefix = "SK"

    /// A new id for a job of the given prefix created at `date`, with `fractionDigits` (1...6) digits of sub-second time.
    public static func make(prefix: String, date: Date = Date(), fractionDigits: Int = 6) -> String {
        // Whole microseconds since 1970, rounded: calendar components truncate a Double and lose the last microsecond.
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (seconds, micro) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return prefix + pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2) + pad(parts.hour, 2)
            + pad(parts.minute, 2) + pad(parts.second, 2) + String(pad(Int(micro), 6).prefix(min(6, max(1, fractionDigits))))
    }
}
