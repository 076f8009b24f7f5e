import M365Graph
import M365Simulator
import Testing

/// Signing in and finding what to back up: tokens, users, OneDrives, sites, subsites and libraries.
@Suite("GraphClient sign-in and discovery")
struct GraphClientDirectoryTests {
    @Test("one token serves every call, even many concurrent first calls")
    func tokenIsFetchedOnceAndReused() async throws {
        try await GraphClientHarness.with { h in
            let client = h.client
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await client.users().count } }
                for try await count in group { #expect(count == 3) }
            }
            _ = try await h.client.rootSites()
            let log = await h.simulator.requestLog.entries()
            let tokenRequests = log.filter { $0.path.hasSuffix("/oauth2/v2.0/token") }
            #expect(tokenRequests.count == 1)
            #expect(tokenRequests.first?.method == "POST")
            #expect(tokenRequests.first?.status == 200)
            #expect(log.filter { $0.path.hasPrefix("/v1.0/") }.allSatisfy { $0.status == 200 })
        }
    }

    @Test("a wrong secret or an unknown tenant is a typed sign-in failure and no Graph call is made")
    func badCredentialsAreTyped() async throws {
        try await GraphClientHarness.with { h in
            await #expect(throws: GraphError.authenticationFailed(
                status: 401, message: "invalid_client: AADSTS7000215: Invalid client secret provided, or unknown client id.")
            ) {
                try await h.client(secret: "not-the-secret").users()
            }
            do {
                _ = try await h.client(secret: h.simulator.clientSecret, tenantID: "00000000-0000-0000-0000-000000000000").users()
                Issue.record("an unknown tenant signed in")
            } catch GraphError.authenticationFailed(let status, let message) {
                #expect(status == 400)
                #expect(message.contains("AADSTS90002"))
            }
            #expect(!(await h.simulator.requestLog.entries()).contains { $0.path.hasPrefix("/v1.0/") })
        }
    }

    @Test("users page through every user and each user's OneDrive resolves with its owner")
    func usersAndTheirDrives() async throws {
        let spec = TenantSpec(seed: 5, userCount: 5, filesPerDrive: 1, largeFileCount: 0)
        try await GraphClientHarness.with(spec, pageSize: 2) { h in
            let expected = await h.tenant.users()
            let users = try await h.client.users()
            #expect(users.map(\.userPrincipalName) == expected.map(\.upn))
            #expect(users.map(\.id) == expected.map(\.id))
            #expect(users.map(\.displayName) == expected.map(\.displayName))
            #expect((await h.simulator.requestLog.entries()).filter { $0.path == "/v1.0/users" }.count == 3)
            for user in expected {
                let drive = try await h.client.userDrive(userPrincipalName: user.upn)
                #expect(drive.id == user.driveID)
                #expect(drive.driveType == "business")
                #expect(drive.owner?.user?.displayName == user.displayName)
            }
        }
    }

    @Test("a site resolves by URL; root sites, subsites and libraries list exactly the tenant's")
    func sitesSubsitesAndLibraries() async throws {
        let spec = TenantSpec(
            seed: 5, userCount: 1, teamSiteCount: 2, communicationSiteCount: 1, subsitesPerSite: 2, librariesPerSite: 2,
            filesPerDrive: 1, largeFileCount: 0)
        try await GraphClientHarness.with(spec) { h in
            let sites = await h.tenant.sites()
            let roots = try await h.client.rootSites()
            #expect(Set(roots.map(\.id)) == Set(sites.filter { $0.parentSiteID == nil }.map(\.id)))
            for site in sites {
                let resolved = try await h.client.site(url: site.url)
                #expect(resolved.id == site.id)
                #expect(resolved.webUrl == site.url)
                #expect(resolved.displayName == site.title)
                let subsites = try await h.client.subsites(siteID: site.id)
                #expect(Set(subsites.map(\.id)) == Set(sites.filter { $0.parentSiteID == site.id }.map(\.id)))
                let libraries = try await h.client.drives(siteID: site.id)
                #expect(libraries.map(\.id) == site.driveIDs)
                #expect(libraries.allSatisfy { $0.driveType == "documentLibrary" })
                #expect(libraries.first?.name == "Documents")
            }
        }
    }

    @Test("unknown sites, users and items are typed 404s")
    func notFoundIsTyped() async throws {
        try await GraphClientHarness.with { h in
            let drive = try #require(await h.tenant.drives().first)
            let failures: [@Sendable () async throws -> Void] = [
                { _ = try await h.client.site(url: "https://\(h.tenant.spec.sharePointHost)/sites/Nowhere") },
                { _ = try await h.client.userDrive(userPrincipalName: "nobody@\(h.tenant.spec.domain).onmicrosoft.com") },
                { _ = try await h.client.item(driveID: drive.id, itemID: "01NOSUCHITEM") },
                { _ = try await h.client.content(driveID: drive.id, itemID: "01NOSUCHITEM", versionID: nil) },
                { _ = try await h.client.versions(driveID: "b!nosuchdrive", itemID: "01NOSUCHITEM") },
            ]
            for failure in failures {
                do {
                    try await failure()
                    Issue.record("a missing resource was found")
                } catch let error as GraphError {
                    #expect(error.isNotFound)
                    guard case .service(_, let code, _, let requestID) = error else { continue }
                    #expect(code == "itemNotFound")
                    #expect(requestID != nil)
                }
            }
            await #expect(throws: GraphError.self) { try await h.client.site(url: "not a url") }
        }
    }
}
