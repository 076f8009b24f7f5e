import Foundation

/// Parses the date-time texts Veeam's API accepts in queries; a text without a zone is UTC.
///
/// Accepted: seed 003's `yyyy-MM-dd HH:mm:ss.SSS` and `yyyy.MM.dd hh:mm:ss` (any number of fractional digits,
/// seconds and time optional, `/` as date separator too, an optional `AM`/`PM`), ISO 8601 / RFC 3339 with `T`,
/// `Z` or a `±hh:mm` offset, and the US `MM/dd/yyyy[ HH:mm[:ss]]` form. Impossible dates (`2022-02-30`) are rejected.
enum VeeamDateTime {
    /// The instant the text denotes, or nil when it is in no accepted format or names an impossible date.
    static func parse(_ raw: String) -> Date? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if let match = text.wholeMatch(of: yearFirst) {
            return makeDate(
                year: match.1, month: match.2, day: match.3, hour: match.4, minute: match.5, second: match.6,
                fraction: match.7, meridiem: match.8, zone: match.9)
        }
        if let match = text.wholeMatch(of: monthFirst) {
            return makeDate(
                year: match.3, month: match.1, day: match.2, hour: match.4, minute: match.5, second: match.6,
                fraction: match.7, meridiem: match.8, zone: nil)
        }
        return nil
    }

    private static var yearFirst: Regex<(Substring, Substring, Substring, Substring, Substring?, Substring?, Substring?, Substring?, Substring?, Substring?)> {
        /(\d{4})[-.\/](\d{1,2})[-.\/](\d{1,2})(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?: *([AaPp][Mm]))?)? *([Zz]|[+-]\d{2}:?\d{2})?/
    }
    private static var monthFirst: Regex<(Substring, Substring, Substring, Substring, Substring?, Substring?, Substring?, Substring?, Substring?)> {
        /(\d{1,2})\/(\d{1,2})\/(\d{4})(?: +(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?: *([AaPp][Mm]))?)?/
    }

    private static func makeDate(
        year: Substring, month: Substring, day: Substring, hour: Substring?, minute: Substring?, second: Substring?,
        fraction: Substring?, meridiem: Substring?, zone: Substring?
    ) -> Date? {
        guard let year = Int(year), let month = Int(month), let day = Int(day) else { return nil }
        var hours = hour.flatMap { Int($0) } ?? 0
        let minutes = minute.flatMap { Int($0) } ?? 0
        let seconds = second.flatMap { Int($0) } ?? 0
        if let meridiem {
            guard (1...12).contains(hours) else { return nil }
            hours = hours % 12 + (meridiem.lowercased() == "pm" ? 12 : 0)
        }
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hours), (0...59).contains(minutes),
            (0...59).contains(seconds)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hours, minute: minutes, second: seconds)
        guard let whole = calendar.date(from: components),
            calendar.component(.day, from: whole) == day, calendar.component(.month, from: whole) == month
        else { return nil }
        var offset = 0
        if let zone {
            guard let seconds = offsetSeconds(zone) else { return nil }
            offset = seconds
        }
        let fractionSeconds = fraction.flatMap { Double("0." + $0) } ?? 0
        return whole.addingTimeInterval(fractionSeconds - TimeInterval(offset))
    }

    /// Seconds east of UTC of `Z`, `+hh:mm`, `-hhmm`.
    private static func offsetSeconds(_ zone: Substring) -> Int? {
        if zone.lowercased() == "z" { return 0 }
        let sign = zone.first == "-" ? -1 : 1
        let digits = zone.dropFirst().filter(\.isNumber)
        guard digits.count == 4, let hours = Int(digits.prefix(2)), let minutes = Int(digits.suffix(2)),
            hours <= 14, minutes <= 59
        else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }
}
