import Foundation
import LifeboatModel

extension BackupSchedule {
    /// The schedule as `job list` shows it: "every 15 minutes", "daily at 22:00 on workdays, window mon-fri 20-06,
    /// 3 retries 10 minutes apart".
    var words: String {
        var parts: [String]
        switch trigger {
        case .manualOnly:
            return "manual only"
        case .periodically(let interval, let offset):
            let every = interval.minutes < 60 ? "every \(interval.minutes) minutes" : "every \(interval.minutes / 60) hour\(interval.minutes == 60 ? "" : "s")"
            parts = [every + (offset == 0 ? "" : " from \(TimeOfDay(hour: offset / 60, minute: offset % 60)?.hourAndMinute ?? "\(offset)")")]
        case .daily(let days, let time):
            parts = ["daily at \(time.hourAndMinute)" + (days == .everyday ? "" : " on \(days.words)")]
        }
        if let window { parts.append("window \(window.words)") }
        if let retry {
            parts.append("\(retry.count) retr\(retry.count == 1 ? "y" : "ies") \(retry.waitMinutes) minute\(retry.waitMinutes == 1 ? "" : "s") apart")
        }
        return parts.joined(separator: ", ")
    }
}

extension TimeOfDay {
    /// `HH:MM`, as `--daily` takes it.
    var hourAndMinute: String { String(description.prefix(5)) }
}

extension DailyDays {
    /// "workdays", "weekends", "Mondays", "every day".
    var words: String {
        switch self {
        case .everyday: "every day"
        case .workdays: "workdays"
        case .weekends: "weekends"
        default: rawValue + "s"
        }
    }
}

extension BackupWindow {
    /// The allowed hours as `--window` writes them, days with the same hours grouped: "mon-fri 20-06",
    /// "sun,sat 00-24". A span past midnight is written on the day it starts; one longer than a day is cut at midnights.
    var words: String {
        if allowedHours.allSatisfy({ $0 }) { return "every hour" }
        // Start at an hour that is not allowed, so no span is cut in two where the week wraps.
        let origin = allowedHours.firstIndex(of: false) ?? 0
        var spans: [(day: Int, hours: String)] = []
        var index = 0
        while index < 168 {
            var start = (origin + index) % 168
            guard allowedHours[start] else {
                index += 1
                continue
            }
            var length = 0
            while index + length < 168, allowedHours[(origin + index + length) % 168] { length += 1 }
            index += length
            while length > 0 {
                let piece = length > 24 ? 24 - start % 24 : length
                let end = start % 24 + piece
                spans.append((start / 24, "\(Self.twoDigits(start % 24))-\(Self.twoDigits(end > 24 ? end - 24 : end))"))
                start = (start + piece) % 168
                length -= piece
            }
        }
        var days: [String: [Int]] = [:]
        var order: [String] = []
        for span in spans.sorted(by: { ($0.day, $0.hours) < ($1.day, $1.hours) }) {
            if days[span.hours] == nil { order.append(span.hours) }
            days[span.hours, default: []].append(span.day)
        }
        return order.map { "\(Self.days(days[$0] ?? [])) \($0)" }.joined(separator: ", ")
    }

    private static func twoDigits(_ hour: Int) -> String { hour < 10 ? "0\(hour)" : "\(hour)" }

    /// Weekday indexes (0 is Sunday) as `--window` writes them: "mon-fri", "sat,sun".
    private static func days(_ days: [Int]) -> String {
        let names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        var groups: [[Int]] = []
        for day in days.sorted() {
            if let last = groups.last?.last, last + 1 == day { groups[groups.count - 1].append(day) } else { groups.append([day]) }
        }
        return groups.map { $0.count > 2 ? "\(names[$0[0]])-\(names[$0[$0.count - 1]])" : $0.map { names[$0] }.joined(separator: ",") }
            .joined(separator: ",")
    }
}
