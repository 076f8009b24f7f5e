import Foundation

/// Job ids in AvePoint's format: a two-letter kind prefix and a UTC timestamp to the microsecond
/// (`FB20241015105312327583`). Callers treat them as opaque strings.
public enum ExternalJobID {
    /// Prefix of backup runs.
    public static let backupPrefix = "FB"
    /// Prefix of restore jobs.
    public static let restorePrefix = "IB"
    /// Prefix of export jobs.
    public static let exportPrefix = "EB"

    /// A new id for a job of the given prefix created at `date`.
    public static func make(prefix: String, date: Date = Date()) -> String {
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
            + pad(parts.minute, 2) + pad(parts.second, 2) + pad(Int(micro), 6)
    }
}
