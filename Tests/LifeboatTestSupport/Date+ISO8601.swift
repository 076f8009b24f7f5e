import Foundation

extension Date {
    /// The instant an ISO 8601 text with its offset names (`2026-03-08T01:45:00-05:00`); traps on a malformed text,
    /// which in a test is a typo in the test.
    public static func iso8601(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { preconditionFailure("'\(text)' is not an ISO 8601 instant") }
        return date
    }
}
