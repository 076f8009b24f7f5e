import Foundation
import Synchronization

/// A single status line on standard error, rewritten in place at most a few times a second.
///
/// When standard error is not a terminal, lines are printed at most every few seconds instead.
final class ProgressLine: Sendable {
    private let state = Mutex<(lastShown: ContinuousClock.Instant?, shown: Bool)>((nil, false))
    private let isTerminal = isatty(STDERR_FILENO) != 0

    /// Shows `text`, unless the previous update was too recent.
    func show(_ text: String) {
        let now = ContinuousClock.now
        let interval: Duration = isTerminal ? .milliseconds(200) : .seconds(5)
        let due = state.withLock { state in
            if let last = state.lastShown, now - last < interval { return false }
            state.lastShown = now
            state.shown = true
            return true
        }
        guard due else { return }
        let line = isTerminal ? "\r\u{1B}[2K" + String(text.prefix(160)) : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Ends the line so what follows starts on a fresh one.
    func finish() {
        let shown = state.withLock { $0.shown }
        if shown && isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
