import BackupEngine
import Foundation
import LifeboatModel

/// A command that cannot go on, with the message an admin needs to act on it (printed without a stack of types).
struct CommandFailure: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    var description: String

    /// Creates a failure with its message.
    init(_ description: String) {
        self.description = description
    }
}

extension CommandFailure {
    /// The message of a refused repository reference, registration or creation, in the CLI's words.
    init(_ error: RepositoryRecordError) {
        func listed(_ records: [BackupRepository]) -> String {
            records.isEmpty
                ? "none yet"
                : records.map { "\($0.name) (\($0.id.uuidString.lowercased())) at \($0.location)" }.joined(separator: ", ")
        }
        switch error {
        case .ambiguous(let reference, let matches):
            self.init("Several repositories match '\(reference)'; name one by id: \(listed(matches)).")
        case .unknownName(let reference, let registered):
            self.init(
                "No repository is named '\(reference)'. Repositories: \(listed(registered)). "
                    + "To name a folder, write it as a path (./\(reference) or an absolute path).")
        case .noRepository(let location, let registered):
            self.init(
                "\(location) holds no repository; create one there with `lifeboat repo init \(location)`. "
                    + "Repositories: \(listed(registered)).")
        case .noneYet:
            self.init("No repository yet: create one with `lifeboat repo init` (or run `lifeboat quickstart`).")
        case .chooseOne(let records):
            self.init("Several repositories; choose one with --repository: \(listed(records)).")
        case .nameTaken(let name, let location):
            self.init("A repository named '\(name)' already exists at \(location); choose another --name.")
        case .alreadyExists(let location):
            self.init("\(location) already holds a repository; use it with --repository \(location).")
        case .folderNotEmpty(let location):
            self.init("\(location) is not empty; create the repository in an empty or new folder.")
        case .folderMissing(let record):
            self.init("Repository '\(record.name)' has no folder at \(record.location).")
        case .unavailable(let record, let reason):
            self.init("Repository '\(record.name)': \(reason)")
        }
    }
}
