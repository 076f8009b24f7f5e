import ChunkStore

/// The command line of `RepositoryCrashWriter`.
struct CrashWriterOptions {
    var repository: String
    var durable: String
    var seed: UInt64 = 1
    var maxStreamBytes = 256 << 10
    var packBytes = 256 << 10
    var chunking = ChunkingParameters(minimumSize: 16 << 10, averageSize: 64 << 10, maximumSize: 256 << 10)
    var streams: Int?

    /// Parses `<repository> <durable> [--flag value]...`; throws `CrashWriterUsage` for anything else.
    init(arguments: [String]) throws {
        var positional: [String] = []
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--") else {
                positional.append(argument)
                continue
            }
            guard let value = rest.popFirst() else { throw CrashWriterUsage(problem: "\(argument) needs a value") }
            switch argument {
            case "--seed": seed = try Self.number(value, argument)
            case "--max-stream-bytes": maxStreamBytes = try Self.number(value, argument)
            case "--pack-bytes": packBytes = try Self.number(value, argument)
            case "--streams": streams = try Self.number(value, argument)
            case "--chunking":
                let sizes = try value.split(separator: "/").map { try Self.number(String($0), argument) as Int }
                guard sizes.count == 3 else { throw CrashWriterUsage(problem: "--chunking takes MIN/AVG/MAX") }
                chunking = ChunkingParameters(minimumSize: sizes[0], averageSize: sizes[1], maximumSize: sizes[2])
                try chunking.validate()
            default: throw CrashWriterUsage(problem: "unknown option \(argument)")
            }
        }
        guard positional.count == 2 else { throw CrashWriterUsage(problem: "expected <repository-folder> <durable-folder>") }
        repository = positional[0]
        durable = positional[1]
    }

    private static func number<Number: FixedWidthInteger>(_ text: String, _ option: String) throws -> Number {
        guard let value = Number(text), value >= 0 else {
            throw CrashWriterUsage(problem: "\(option) takes a number, got '\(text)'")
        }
        return value
    }
}

/// A command line the writer does not understand.
struct CrashWriterUsage: Error, CustomStringConvertible {
    var problem: String

    var description: String {
        "\(problem)\nusage: RepositoryCrashWriter <repository-folder> <durable-folder> [--seed N] [--max-stream-bytes N] "
            + "[--pack-bytes N] [--chunking MIN/AVG/MAX] [--streams N]"
    }
}
