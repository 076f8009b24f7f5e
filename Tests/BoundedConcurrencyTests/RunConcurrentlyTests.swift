import BoundedConcurrency
import Synchronization
import Testing

@Suite("runConcurrently: every element once, never more than the width at a time")
struct RunConcurrentlyTests {
    /// Counts tasks in flight and the most seen at once.
    final class InFlight: Sendable {
        private let state = Mutex((now: 0, most: 0))
        func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func leave() { state.withLock { $0.now -= 1 } }
        var most: Int { state.withLock { $0.most } }
    }

    @Test("each element's result reaches onResult once, with at most `width` bodies running", arguments: [1, 3, 8, 64])
    func boundedAndComplete(width: Int) async {
        let inFlight = InFlight()
        var seen: [Int] = []
        await runConcurrently(0..<40, atMost: width) { element in
            inFlight.enter()
            try? await Task.sleep(for: .milliseconds(element % 3))
            inFlight.leave()
            return element * 2
        } onResult: { seen.append($0) }
        #expect(seen.sorted() == (0..<40).map { $0 * 2 })
        #expect(inFlight.most <= width)
    }

    @Test("a width under one still runs every element, one at a time")
    func widthUnderOne() async {
        let inFlight = InFlight()
        var count = 0
        await runConcurrently(0..<5, atMost: 0) { _ in
            inFlight.enter()
            await Task.yield()
            inFlight.leave()
        } onResult: { count += 1 }
        #expect(count == 5)
        #expect(inFlight.most == 1)
    }

    struct Refused: Error, Equatable { var element: Int }

    @Test("the first error is rethrown and no element starts after it")
    func errorStopsTheRest() async {
        let started = Mutex<[Int]>([])
        await #expect(throws: Refused(element: 2)) {
            try await runConcurrently(0..<100, atMost: 1) { element in
                started.withLock { $0.append(element) }
                if element == 2 { throw Refused(element: element) }
                return element
            } onResult: { _ in }
        }
        #expect(started.withLock { $0 } == [0, 1, 2])
    }

    @Test("an error thrown by onResult stops the run the same way")
    func resultErrorStopsTheRest() async {
        let started = Mutex<[Int]>([])
        await #expect(throws: Refused(element: 1)) {
            try await runConcurrently(0..<100, atMost: 1) { element in
                started.withLock { $0.append(element) }
                return element
            } onResult: { element in
                if element == 1 { throw Refused(element: element) }
            }
        }
        #expect(started.withLock { $0 } == [0, 1])
    }
}
