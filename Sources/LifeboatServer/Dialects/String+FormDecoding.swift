import Foundation

extension String {
    /// Decodes one `application/x-www-form-urlencoded` component (`+` is a space); nil on a broken `%` escape.
    var formDecoded: String? {
        replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
