import BackupEngine
import Catalog
import ChunkStore
import Foundation
import LifeboatModel
import LifeboatTestSupport
import Logging
import M365Graph
import M365Simulator
import NIOCore
import Testing

/// Backups into a repository at an `s3://bucket/prefix` location, against moto's S3 server on loopback.
@Suite(
    "Backups into an S3 repository",
    .enabled(if: MotoProcess.isInstalled, Comment(rawValue: MotoProcess.skipMessage)))
struct S3RepositoryBackupTests {
    @Test("a backup of a simulated tenant into s3://bucket/prefix reads back byte for byte after reopening and checks clean")
    func backupIntoS3() async throws {
        let moto = try await MotoProcess.start()
        defer { moto.stop() }
        try await moto.createBucket("lifeboat-backups")
        let access = try S3Access(
            endpoint: moto.endpoint, region: "us-east-1", accessKeyID: "lifeboat-test", secretAccessKey: "not-in-any-log",
            addressingStyle: .path)
        try await BackupFixture.with { fixture in
            let logger = Logger.quiet("lifeboat.test.s3")
            let record = BackupRepository(name: "S3", location: "s3://lifeboat-backups/tenants/contoso/")
            try await fixture.catalog.insertRepository(record)
            let job = BackupJob(
                organizationID: fixture.organization.id, repositoryID: record.id, name: "Whole tenant to S3",
                scope: .entireOrganization)
            try await fixture.catalog.insertJob(job)
            let connector = CatalogGraphConnector(
                catalog: fixture.catalog, httpClient: fixture.httpClient,
                retryPolicy: GraphClient.RetryPolicy(maxAttempts: 6, initialBackoff: .milliseconds(5)), logger: logger)
            let registry = RepositoryRegistry(
                password: BackupFixture.repositoryPassword, keyDerivation: .insecureFastForTesting, s3: access, logger: logger)
            let runner = BackupRunner(catalog: fixture.catalog, repositories: registry, connector: connector, logger: logger)

            let run = try await runner.runNow(jobID: job.id)
            #expect(run.state == .succeeded)
            let point = try #require(try await fixture.catalog.restorePoints(RestorePointFilter(jobID: job.id)).first)

            // A second registry opens the repository from the bucket alone, as another worker or a restart would.
            let reopened = try await RepositoryRegistry(
                password: BackupFixture.repositoryPassword, s3: access, logger: logger
            ).repository(for: record)
            var files = 0
            for drive in await fixture.simulator.tenant.drives() {
                let rows = try await fixture.catalog.items(
                    jobID: job.id, driveID: drive.id, at: point.sequence, options: PointInTimeOptions())
                let stored = Dictionary(uniqueKeysWithValues: rows.filter { !$0.isFolder }.map { ($0.itemID, $0) })
                for file in await fixture.simulator.tenant.allFiles(driveID: drive.id) {
                    let row = try #require(stored[file.id], "file \(file.name) of drive \(drive.name) missing")
                    var bytes: [UInt8] = []
                    if let content = row.content {
                        for try await buffer in reopened.read(try ContentManifest(serialized: content)) {
                            bytes.append(contentsOf: buffer.readableBytesView)
                        }
                    }
                    #expect(bytes == (await fixture.simulator.tenant.content(driveID: drive.id, itemID: file.id)))
                    files += 1
                }
            }
            #expect(files > 0)
            #expect(run.counters.filesAdded == files)
            let report = try await reopened.check(readData: true)
            #expect(report.problems.isEmpty)
            #expect(report.chunksRead > 0)

            // The objects live under the prefix in the bucket, not in a local folder.
            let bucket = S3ObjectStore(configuration: try access.configuration(bucket: "lifeboat-backups", prefix: ""))
            #expect(try await bucket.head(key: "tenants/contoso/config") != nil)
            #expect(try await !bucket.list(prefix: "tenants/contoso/packs/").isEmpty)
            #expect(try await !bucket.list(prefix: "tenants/contoso/index/").isEmpty)
            #expect(!FileManager.default.fileExists(atPath: "s3:"))
        }
    }

    @Test("an s3:// repository without S3 credentials fails with a message naming the settings")
    func missingCredentials() async throws {
        let record = BackupRepository(name: "S3", location: "s3://lifeboat-backups/x")
        let registry = RepositoryRegistry(password: "p", keyDerivation: .insecureFastForTesting)
        await #expect {
            _ = try await registry.repository(for: record)
        } throws: { error in
            guard case EngineError.repositoryUnavailable(let detail) = error else { return false }
            return detail.contains("AWS_ACCESS_KEY_ID") && detail.contains("LIFEBOAT_S3_ENDPOINT")
        }
    }
}

@Suite("Repository locations")
struct RepositoryLocationTests {
    @Test(
        "s3:// locations split into bucket and prefix; anything else is a folder",
        arguments: [
            ("s3://bucket", RepositoryLocation.s3(bucket: "bucket", prefix: "")),
            ("s3://bucket/", .s3(bucket: "bucket", prefix: "")),
            ("s3://bucket/a/b/", .s3(bucket: "bucket", prefix: "a/b")),
            ("S3://bucket/a", .s3(bucket: "bucket", prefix: "a")),
            ("/var/lib/lifeboat/repository", .directory("/var/lib/lifeboat/repository")),
            ("relative/folder", .directory("relative/folder")),
        ])
    func parse(location: String, expected: RepositoryLocation) throws {
        #expect(try RepositoryLocation(location) == expected)
    }

    @Test("an s3:// location without a bucket is refused")
    func noBucket() {
        #expect(throws: EngineError.self) { try RepositoryLocation("s3:///prefix") }
    }

    @Test("the S3 access description names endpoint, region and key id but never the secret")
    func descriptionHidesSecret() throws {
        let access = try S3Access(region: "eu-west-1", accessKeyID: "AKIAEXAMPLE", secretAccessKey: "wJalrXUtnFEMI-secret")
        #expect(access.endpoint.absoluteString == "https://s3.eu-west-1.amazonaws.com")
        #expect(access.addressingStyle == .virtualHosted)
        #expect(access.description.contains("AKIAEXAMPLE"))
        #expect(!access.description.contains("wJalrXUtnFEMI-secret"))
        let configuration = try access.configuration(bucket: "bucket", prefix: "p")
        #expect(configuration.secretAccessKey == "wJalrXUtnFEMI-secret")
        #expect(!"\(configuration)".contains("wJalrXUtnFEMI-secret"))
        #expect(!String(reflecting: configuration).contains("wJalrXUtnFEMI-secret"))
    }
}
