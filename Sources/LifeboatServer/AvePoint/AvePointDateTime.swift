import Foundation

/// The two UTC formats AvePoint takes for times: `yyyy-MM-ddTHH:mm:ssZ` and `yyyy-MM-ddTHH:mm:ss.fffffffZ`
/// (exactly seven fractional digits). No offsets, no other precisions.
enum AvePointDateTime {
    /// The instant written in one of the two formats; nil for anything else, including impossible dates (`02-30`).
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 || bytes.count == 28, bytes.last == UInt8(ascii: "Z") else { return nil }
        let separators: [Int: UInt8] = [4: UInt8(ascii: "-"), 7: UInt8(ascii: "-"), 10: UInt8(ascii: "T"), 13: UInt8(ascii: ":"), 16: UInt8(ascii: ":")]
        for (index, byte) in separators where bytes[index] != byte { return nil }
        if bytes.count == 28, bytes[19] != UInt8(ascii: ".") { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard bytes[range].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
            return Int(String(decoding: bytes[range], as: UTF8.self))
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let ticks = bytes.count == 28 ? number(20..<27) : 0
        guard let ticks else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else { return nil }
        let check = calendar.dateComponents([.year, .month, .day], from: date)
        guard check.year == year, check.month == month, check.day == day else { return nil }
        return date.addingTimeInterval(Double(ticks) / 10_000_000)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ`, with the seven fractional digits only when the time has a fraction.
    static func format(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down)
        guard date.timeIntervalSince1970 != whole else { return date.formatted(Date.ISO8601FormatStyle()) }
        return AvePointRequestIdentity.timestamp(date)
    }
}
