import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import Logging

/// The catalog's repository records as people name them: which record a name, id or written location means, and how
/// repositories are created and registered.
///
/// A reference is a registered repository's name or id, or a location written as one: an absolute path, `./`, `../`,
/// `~`, or `s3://bucket/prefix`. A bare word that names no repository is refused, never taken as a folder beside the
/// working directory, so a typo cannot point at a new, empty place; and no lookup creates a repository, only
/// `create(at:name:password:catalog:)` does. The CLI, the API and a console share these rules.
public struct RepositoryRecords: Sendable {
    /// A repository a reference resolved to: its record, which the catalog may not hold yet (a repository made by
    /// another installation, named by its location).
    public struct Resolved: Sendable, Hashable {
        /// The catalog's record, or a new one for a location the catalog does not know.
        public let record: BackupRepository
        /// Whether the catalog holds `record`.
        public let isRegistered: Bool

        /// A resolved reference.
        public init(record: BackupRepository, isRegistered: Bool) {
            self.record = record
            self.isRegistered = isRegistered
        }
    }

    private let catalog: any CatalogStore
    private let stores: RepositoryStores
    /// Where the repository is when nothing names one and the catalog has none (the quickstart's folder).
    public let defaultLocation: String

    /// Records of `catalog`, opening stores through `stores`; `defaultLocation` is an absolute folder.
    public init(catalog: any CatalogStore, stores: RepositoryStores, defaultLocation: String) {
        self.catalog = catalog
        self.stores = stores
        self.defaultLocation = URL(fileURLWithPath: defaultLocation).standardizedFileURL.path
    }

    /// The repository `reference` names, else the only one, else the repository at `defaultLocation`.
    ///
    /// Throws `RepositoryRecordError.ambiguous`, `.unknownName`, `.noRepository(at:registered:)`, `.noneYet` or
    /// `.chooseOne`.
    public func resolve(_ reference: String?) async throws -> Resolved {
        let records = try await catalog.repositories()
        guard let reference else {
            if records.count == 1, let record = records.first { return Resolved(record: record, isRegistered: true) }
            if let record = records.first(where: { $0.location == defaultLocation }) { return Resolved(record: record, isRegistered: true) }
            guard records.isEmpty else { throw RepositoryRecordError.chooseOne(records) }
            guard FileManager.default.fileExists(atPath: defaultLocation + "/config") else { throw RepositoryRecordError.noneYet }
            return Resolved(record: BackupRepository(name: "repository", location: defaultLocation), isRegistered: false)
        }
        let location = Self.writtenLocation(reference)
        let matches = records.filter {
            $0.name == reference || $0.id.uuidString.lowercased() == reference.lowercased() || $0.location == location
        }
        if matches.count > 1 { throw RepositoryRecordError.ambiguous(reference: reference, matches: matches) }
        if let record = matches.first { return Resolved(record: record, isRegistered: true) }
        guard let location else { throw RepositoryRecordError.unknownName(reference, registered: records) }
        let record = BackupRepository(
            name: RepositoryLocation.isS3(location) ? location : URL(fileURLWithPath: location).lastPathComponent, location: location)
        // An S3 prefix is checked when it is opened; a folder must already hold a repository.
        guard RepositoryLocation.isS3(location) || FileManager.default.fileExists(atPath: location + "/config") else {
            throw RepositoryRecordError.noRepository(at: location, registered: records)
        }
        return Resolved(record: record, isRegistered: false)
    }

    /// The location `reference` names when it is written as one (an absolute path, `./`, `../`, `~`, `s3://`), made
    /// absolute against the working directory; nil for a bare word.
    public static func writtenLocation(_ reference: String) -> String? {
        if RepositoryLocation.isS3(reference) { return reference }
        let isPath =
            reference.hasPrefix("/") || reference.hasPrefix("~") || reference == "." || reference == ".."
            || reference.hasPrefix("./") || reference.hasPrefix("../")
        guard isPath else { return nil }
        return URL(fileURLWithPath: NSString(string: reference).expandingTildeInPath).standardizedFileURL.path
    }

    /// The store of an existing repository location; never creates a folder.
    ///
    /// Throws `RepositoryRecordError.folderMissing` for a folder that is not there and `.unavailable` for an `s3://`
    /// location that cannot be opened (no S3 service configured, a malformed location).
    public func existingStore(of record: BackupRepository) throws -> any ObjectStore {
        if RepositoryLocation.isS3(record.location) {
            do {
                return try stores.store(for: record.location)
            } catch {
                throw RepositoryRecordError.unavailable(record, reason: "\(error)")
            }
        }
        guard FileManager.default.fileExists(atPath: record.location) else { throw RepositoryRecordError.folderMissing(record) }
        do {
            return try LocalDirectoryStore(path: record.location)
        } catch {
            throw RepositoryRecordError.unavailable(record, reason: "\(error)")
        }
    }

    /// The catalog record of `resolved`, registering it when the catalog does not hold it yet.
    ///
    /// Throws `RepositoryRecordError.noRepository(at:registered:)` when its location holds no repository, and what
    /// `existingStore(of:)` and the store throw.
    public func register(_ resolved: Resolved) async throws -> BackupRepository {
        if try await catalog.repository(id: resolved.record.id) != nil { return resolved.record }
        guard try await existingStore(of: resolved.record).head(key: "config") != nil else {
            throw RepositoryRecordError.noRepository(at: resolved.record.location, registered: try await catalog.repositories())
        }
        try await catalog.insertRepository(resolved.record)
        return resolved.record
    }

    /// Creates an empty repository at `location` (a folder, empty or missing, made readable by its owner only; or an
    /// `s3://` prefix holding none) protected by `password`, registers it in the catalog (reusing a record already
    /// naming the location) and registers `catalog` in it.
    ///
    /// `name` defaults to the folder's name (or the location for S3). Throws `RepositoryRecordError.nameTaken`,
    /// `.alreadyExists`, `.folderNotEmpty`, `.unavailable`, and `ChunkStoreError` from initializing the repository.
    public func create(
        at location: String, name: String?, password: String, catalog registration: CatalogRegistration, logger: Logger
    ) async throws -> (record: BackupRepository, repository: Repository) {
        let name = name ?? (RepositoryLocation.isS3(location) ? location : URL(fileURLWithPath: location).lastPathComponent)
        let records = try await catalog.repositories()
        if let taken = records.first(where: { $0.name == name && $0.location != location }) {
            throw RepositoryRecordError.nameTaken(name: name, location: taken.location)
        }
        let record = records.first { $0.location == location } ?? BackupRepository(name: name, location: location)
        if RepositoryLocation.isS3(location) {
            if try await existingStore(of: record).head(key: "config") != nil { throw RepositoryRecordError.alreadyExists(at: location) }
        } else {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: location)) ?? []
            if contents.contains("config") { throw RepositoryRecordError.alreadyExists(at: location) }
            guard contents.filter({ !$0.hasPrefix(".") }).isEmpty else { throw RepositoryRecordError.folderNotEmpty(location) }
            do {
                try FileManager.default.createDirectory(
                    atPath: location, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw RepositoryRecordError.unavailable(record, reason: "cannot create the folder: \(error.localizedDescription)")
            }
        }
        let repository = try await Repository.initialize(store: existingStore(of: record), password: password, logger: logger)
        if !records.contains(where: { $0.id == record.id }) {
            try await catalog.insertRepository(record)
        }
        try await repository.catalogs().register(registration)
        return (record, repository)
    }
}

/// Why a repository reference, registration or creation was refused; the CLI and the API word each for their users.
public enum RepositoryRecordError: Error, Sendable, Hashable {
    /// Several registered repositories match the reference (a name of one is the id or location of another).
    case ambiguous(reference: String, matches: [BackupRepository])
    /// A bare word that is no registered repository's name or id.
    case unknownName(String, registered: [BackupRepository])
    /// A location that holds no repository.
    case noRepository(at: String, registered: [BackupRepository])
    /// Nothing named a repository and none exists yet.
    case noneYet
    /// Nothing named a repository and there are several.
    case chooseOne([BackupRepository])
    /// Creating: another location's repository already has the name.
    case nameTaken(name: String, location: String)
    /// Creating: the location already holds a repository.
    case alreadyExists(at: String)
    /// Creating: the folder holds other files.
    case folderNotEmpty(String)
    /// A registered repository's folder is not there (removed, or on a volume not mounted now).
    case folderMissing(BackupRepository)
    /// The repository's store cannot be opened.
    case unavailable(BackupRepository, reason: String)
}
