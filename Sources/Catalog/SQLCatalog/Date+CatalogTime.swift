import Foundation

extension Date {
    /// The instant as the catalog stores it: whole milliseconds since 1970 (sub-millisecond precision is dropped).
    var catalogMilliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }

    /// An instant read back from the catalog's millisecond representation.
    init(catalogMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(catalogMilliseconds) / 1000)
    }
}
