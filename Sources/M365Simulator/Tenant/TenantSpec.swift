/// The shape of a simulated tenant; the same spec always generates the same tenant.
///
/// Sizes are upper bounds drawn with the seeded generator: each drive gets exactly `filesPerDrive` files and
/// `foldersPerDrive` folders, file sizes range from 0 to `maxFileSize`, plus `largeFileCount` files across the
/// tenant of 4 MiB ..< 4 MiB + 1 MiB so multi-fragment upload and download paths get exercised.
public struct TenantSpec: Sendable, Hashable {
    /// Seed of every random choice (names, ids, sizes, bytes).
    public var seed: UInt64
    /// Tenant short name: SharePoint host `<domain>.sharepoint.com`, UPNs `<user>@<domain>.onmicrosoft.com`.
    public var domain: String
    /// Number of users, each with a OneDrive for Business.
    public var userCount: Int
    /// Number of team site collections under `/sites/`.
    public var teamSiteCount: Int
    /// Number of communication site collections under `/sites/`.
    public var communicationSiteCount: Int
    /// Direct subsites per site collection.
    public var subsitesPerSite: Int
    /// Document libraries per site (the first is always "Documents").
    public var librariesPerSite: Int
    /// Folders per drive (nested up to `maxFolderDepth`).
    public var foldersPerDrive: Int
    /// Maximum folder nesting depth below the root.
    public var maxFolderDepth: Int
    /// Files per drive.
    public var filesPerDrive: Int
    /// Largest ordinary file size in bytes.
    public var maxFileSize: Int
    /// Files larger than 4 MiB across the whole tenant (placed in the first drives).
    public var largeFileCount: Int
    /// Maximum number of versions per file (at least 1).
    public var maxVersions: Int

    /// Creates a spec; prefer the `small(seed:)` and `demo(seed:)` presets.
    public init(
        seed: UInt64, domain: String = "contoso", userCount: Int = 3, teamSiteCount: Int = 1,
        communicationSiteCount: Int = 1, subsitesPerSite: Int = 1, librariesPerSite: Int = 1,
        foldersPerDrive: Int = 4, maxFolderDepth: Int = 3, filesPerDrive: Int = 12,
        maxFileSize: Int = 2 << 20, largeFileCount: Int = 2, maxVersions: Int = 3
    ) {
        self.seed = seed
        self.domain = domain
        self.userCount = userCount
        self.teamSiteCount = teamSiteCount
        self.communicationSiteCount = communicationSiteCount
        self.subsitesPerSite = subsitesPerSite
        self.librariesPerSite = max(1, librariesPerSite)
        self.foldersPerDrive = foldersPerDrive
        self.maxFolderDepth = max(1, maxFolderDepth)
        self.filesPerDrive = filesPerDrive
        self.maxFileSize = maxFileSize
        self.largeFileCount = largeFileCount
        self.maxVersions = max(1, maxVersions)
    }

    /// A fast tenant for tests: 3 users, 2 sites with 1 subsite each, 12 files per drive, a couple of >4 MiB files.
    public static func small(seed: UInt64) -> TenantSpec {
        TenantSpec(seed: seed)
    }

    /// A bigger tenant for demos and the quickstart, still well under 100 MB in total.
    public static func demo(seed: UInt64) -> TenantSpec {
        TenantSpec(
            seed: seed, userCount: 6, teamSiteCount: 3, communicationSiteCount: 2, subsitesPerSite: 1,
            librariesPerSite: 2, foldersPerDrive: 8, maxFolderDepth: 4, filesPerDrive: 25,
            maxFileSize: 1 << 20, largeFileCount: 3, maxVersions: 4
        )
    }

    /// SharePoint host name, e.g. `contoso.sharepoint.com`.
    public var sharePointHost: String { "\(domain).sharepoint.com" }
}
