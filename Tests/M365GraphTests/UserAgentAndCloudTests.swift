import LifeboatModel
import M365Graph
import M365Simulator
import NIOCore
import Testing

@Suite("Lifeboat identifies its traffic and knows Microsoft's national clouds")
struct UserAgentAndCloudTests {
    @Test("every request (sign-in, Graph calls, the download URL) carries User-Agent ISV|Lifeboat|Lifeboat/<version>")
    func userAgentOnEveryRequest() async throws {
        try await GraphClientHarness.with { h in
            let drive = try #require(await h.tenant.drives().first)
            let file = try #require(await h.tenant.allFiles(driveID: drive.id).first)
            _ = try await h.client.users()
            let content = try await h.client.content(driveID: drive.id, itemID: file.id, versionID: nil)
            var received = 0
            for try await buffer in content { received += buffer.readableBytes }
            #expect(received == file.size)

            let log = await h.simulator.requestLog.entries()
            #expect(GraphClient.userAgent == "ISV|Lifeboat|Lifeboat/\(LifeboatVersion.current)")
            #expect(log.contains { $0.path.hasSuffix("/oauth2/v2.0/token") })
            #expect(log.contains { $0.path.hasPrefix("/download/") })
            #expect(log.count >= 4)
            #expect(log.allSatisfy { $0.userAgent == GraphClient.userAgent }, "\(log.map { "\($0.path): \($0.userAgent ?? "none")" })")
        }
    }

    @Test(
        "each national cloud maps to its sign-in and Graph hosts",
        arguments: [
            (NationalCloud.worldwide, "https://login.microsoftonline.com", "https://graph.microsoft.com/v1.0"),
            (.usGovernment, "https://login.microsoftonline.us", "https://graph.microsoft.us/v1.0"),
            (.usDoD, "https://login.microsoftonline.us", "https://dod-graph.microsoft.us/v1.0"),
            (.china, "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/v1.0"),
        ])
    func nationalCloudHosts(cloud: NationalCloud, login: String, graph: String) throws {
        let endpoints = try #require(GraphEndpoints(cloud: cloud))
        #expect(endpoints.loginBaseURL == login)
        #expect(endpoints.graphBaseURL == graph)
        #expect(NationalCloud(graphBaseURL: graph + "/") == cloud)

        let organization = Organization(name: "contoso", tenantID: "t", clientID: "c", cloud: cloud)
        #expect(organization.loginBaseURL == login && organization.graphBaseURL == graph)
        #expect(GraphEndpoints(organization: organization) == endpoints)
        #expect(organization.effectiveResourceUnitsPerMinute == 1_250)
    }

    @Test("a Microsoft cloud with an overridden login URL signs in there: the stored URLs win over the cloud's defaults")
    func storedURLsWinOverTheCloud() {
        let organization = Organization(
            name: "proxied", tenantID: "t", clientID: "c", loginBaseURL: "https://login.proxy.example/",
            graphBaseURL: "https://graph.microsoft.com/v1.0")
        #expect(organization.cloud == .worldwide)
        let endpoints = GraphEndpoints(organization: organization)
        #expect(endpoints.loginBaseURL == "https://login.proxy.example")
        #expect(endpoints.graphBaseURL == "https://graph.microsoft.com/v1.0")
        #expect(organization.effectiveResourceUnitsPerMinute == 1_250)

        var empty = organization
        empty.loginBaseURL = ""
        empty.graphBaseURL = " "
        #expect(GraphEndpoints(organization: empty) == .global, "a URL stored empty falls back to its cloud's")
    }

    @Test("custom endpoints (the simulator) are used as given and unpaced unless a budget is configured")
    func customEndpoints() {
        #expect(GraphEndpoints(cloud: .custom) == nil)
        let organization = Organization(
            name: "sim", tenantID: "t", clientID: "c", loginBaseURL: "http://127.0.0.1:9", graphBaseURL: "http://127.0.0.1:9/v1.0")
        #expect(organization.cloud == .custom)
        #expect(GraphEndpoints(organization: organization).graphBaseURL == "http://127.0.0.1:9/v1.0")
        #expect(organization.effectiveResourceUnitsPerMinute == nil)
        var paced = organization
        paced.resourceUnitsPerMinute = 2_500
        #expect(paced.effectiveResourceUnitsPerMinute == 2_500)
    }
}
