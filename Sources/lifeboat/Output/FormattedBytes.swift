import Foundation

/// A byte count for people (`12.3 MB`); every size the CLI prints goes through it.
func formattedBytes<Count: BinaryInteger>(_ count: Count) -> String {
    // The formatter spells zero "Zero KB"; a summary line reads better with a number.
    count == 0 ? "0 bytes" : ByteCountFormatter.string(fromByteCount: Int64(count), countStyle: .file)
}
