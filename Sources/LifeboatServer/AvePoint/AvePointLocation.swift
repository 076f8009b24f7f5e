import Foundation

/// AvePoint's Multi-Geo `location` query parameter.
///
/// Lifeboat keeps every organization's data in one place, so any valid location reads the same data; an unknown one
/// is still refused, as AvePoint refuses it, so a typo does not go unnoticed.
enum AvePointLocation {
    /// The documented values, matched case-insensitively.
    static let all = [
        "PrimaryGeoLocation", "NAM", "EUR", "GBR", "JPN", "APC", "AUS", "CAN", "IND", "FRA", "ARE", "ZAF", "CHE", "KOR", "DEU",
        "BRA", "NOR", "SWE", "QAT", "POL", "ITA", "ISR", "MEX", "NZL", "ESP", "TWN",
    ]

    /// The problem with the request's `location` (its name matched in any case), or nil when it is absent, empty or valid.
    static func problem(in query: CaseInsensitiveQuery) -> AvePointAPIError? {
        guard let value = query["location"]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        guard !all.contains(where: { $0.lowercased() == value.lowercased() }) else { return nil }
        return AvePointAPIError(
            field: "location", message: "'location' must be one of \(all.joined(separator: ", ")); '\(value)' is not.")
    }
}
