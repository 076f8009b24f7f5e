/// Runs `body` on every element of `elements` in child tasks, at most `width` at a time (at least one): the next element
/// starts as soon as one finishes. `onResult` takes each result in the order the tasks finish, in the caller's isolation,
/// so it may update the caller's state.
///
/// The first error thrown by `body` or `onResult` cancels the tasks still running and is rethrown once they end.
public func runConcurrently<Elements: Sequence, Result: Sendable>(
    _ elements: Elements, atMost width: Int, isolation: isolated (any Actor)? = #isolation,
    _ body: @escaping @Sendable (Elements.Element) async throws -> Result,
    onResult: (Result) async throws -> Void
) async throws where Elements.Element: Sendable {
    try await withThrowingTaskGroup(of: Result.self, isolation: isolation) { group in
        var pending = elements.makeIterator()
        for _ in 0..<max(1, width) {
            guard let element = pending.next() else { break }
            group.addTask { try await body(element) }
        }
        while let result = try await group.next() {
            try await onResult(result)
            if let element = pending.next() { group.addTask { try await body(element) } }
        }
    }
}

/// `runConcurrently` for a `body` and an `onResult` that cannot fail.
public func runConcurrently<Elements: Sequence, Result: Sendable>(
    _ elements: Elements, atMost width: Int, isolation: isolated (any Actor)? = #isolation,
    _ body: @escaping @Sendable (Elements.Element) async -> Result,
    onResult: (Result) async -> Void
) async where Elements.Element: Sendable {
    await withTaskGroup(of: Result.self, isolation: isolation) { group in
        var pending = elements.makeIterator()
        for _ in 0..<max(1, width) {
            guard let element = pending.next() else { break }
            group.addTask { await body(element) }
        }
        while let result = await group.next() {
            await onResult(result)
            if let element = pending.next() { group.addTask { await body(element) } }
        }
    }
}
