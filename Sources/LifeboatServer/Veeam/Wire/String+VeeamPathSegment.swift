import Foundation

extension String {
    /// The text as one path segment or query value of a link: every character but RFC 3986's unreserved ones is
    /// percent-encoded, so Graph ids such as `b!Xy…` (drive ids) survive any client's URL handling.
    var veeamPathSegment: String {
        var unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        unreserved.insert(charactersIn: "-._~")
        return addingPercentEncoding(withAllowedCharacters: unreserved) ?? self
    }
}
