import Catalog

/// One entry of a job's `jobErrors`: a message and how many times the run hit it.
struct AvePointJobError: Encodable, Sendable {
    /// Lifeboat's messages carry no error code: always false.
    var isErrorCode: Bool
    var value: String
    /// The error code's documentation URL: always empty (no codes).
    var url: String
    var number: Int

    /// The entry for a grouped run error.
    init(_ summary: RunErrorSummary) {
        self.isErrorCode = false
        self.value = summary.message
        self.url = ""
        self.number = summary.count
    }
}
