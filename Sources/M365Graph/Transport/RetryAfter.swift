import Foundation

/// The pause a `Retry-After` header asks for: delay-seconds or an HTTP-date (RFC 9110, section 10.2.3).
public struct RetryAfter: Sendable, Equatable {
    /// How long to wait from the moment the header was read; zero when its date has already passed.
    public let delay: Duration

    /// Parses a header value; `nil` when it is neither a non-negative integer nor an HTTP-date
    /// (IMF-fixdate, the obsolete RFC 850 form, or asctime).
    /// - Parameter now: the moment an HTTP-date is measured from.
    public init?(_ value: String, now: Date = Date()) {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text) {
            guard seconds >= 0 else { return nil }
            delay = .seconds(seconds)
            return
        }
        guard let date = Self.parseHTTPDate(text) else { return nil }
        let interval = date.timeIntervalSince(now)
        delay = interval > 0 ? .milliseconds(Int64((interval * 1000).rounded(.up))) : .zero
    }

    /// The delay in whole seconds, rounded up, as `GraphError.throttled` reports it.
    public var seconds: Int {
        let (whole, fraction) = delay.components
        return Int(whole) + (fraction > 0 ? 1 : 0)
    }

    private static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
