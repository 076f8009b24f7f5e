import Foundation

/// Parses the date-time formats Veeam's API pages accept, always as UTC unless the text names a zone.
enum VeeamDateTime {
    private static let patterns = [
        "yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
        "yyyy.MM.dd HH:mm:ss.SSS", "yyyy.MM.dd HH:mm:ss", "yyyy.MM.dd hh:mm:ss a", "yyyy.MM.dd HH:mm", "yyyy.MM.dd",
        "MM/dd/yyyy HH:mm:ss", "MM/dd/yyyy hh:mm:ss a", "MM/dd/yyyy HH:mm", "MM/dd/yyyy",
        "yyyy-MM-dd'T'HH:mm:ss.SSSSSSS", "yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm:ss",
    ]

    /// The instant the text denotes, or nil when it is in no accepted format.
    static func parse(_ raw: String) -> Date? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        if let date = parseFractionalWithZone(text) { return date }
        for pattern in patterns {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = pattern
            formatter.isLenient = false
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// ISO 8601 with any number of fractional digits and a `Z` or `±hh:mm` zone (`2022-02-22T14:44:22.3764709Z`).
    private static func parseFractionalWithZone(_ text: String) -> Date? {
        guard let dot = text.firstIndex(of: "."), text.contains("T") else { return nil }
        let afterDot = text[text.index(after: dot)...]
        let digits = afterDot.prefix { $0.isNumber }
        guard !digits.isEmpty else { return nil }
        let zone = afterDot.dropFirst(digits.count)
        guard let whole = try? Date(String(text[..<dot]) + (zone.isEmpty ? "Z" : String(zone)), strategy: .iso8601),
            let fraction = Double("0." + digits)
        else { return nil }
        return whole.addingTimeInterval(fraction)
    }
}
