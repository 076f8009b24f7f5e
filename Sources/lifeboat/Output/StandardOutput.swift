import Foundation

/// What commands print for people and scripts.
enum StandardOutput {
    /// Writes `text` and a newline straight to standard output: unbuffered, so piped or redirected output
    /// (scripts, tests, logs) shows each line as it is printed, not when a buffer fills or the process exits.
    static func line(_ text: String = "") {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
