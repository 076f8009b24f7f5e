import Foundation

extension UUID {
    /// The identifier as Veeam writes it on the wire and in links: lower-case hex with dashes.
    var veeamID: String { uuidString.lowercased() }
}
