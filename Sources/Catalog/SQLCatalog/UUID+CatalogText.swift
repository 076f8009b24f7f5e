import Foundation

extension UUID {
    /// The id as the catalog stores it: lowercase canonical text (what PostgreSQL's `uuid` type prints too).
    var catalogText: String {
        uuidString.lowercased()
    }
}
