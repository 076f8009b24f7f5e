import Foundation
import LifeboatServer
import NIOCore
import Testing

@Suite("zz scratch") struct AvePointZZScratch {
    @Test func show() async throws {
        try await AvePointAPIHarness.with { api in
            let (library, folder, file) = try await api.sampleLibrary()
            let site = library.drive.siteURL!
            let token = try await api.token()
            print("FOLDER", folder, "FILE", file, "SITE", site, library.drive.webURL)
            for (q, body) in [
                ("?Location=Atlantis", #"{"serviceType": 1, "recoveryDateTime": "2026-02-27 03:54:22", "siteRestoreScope": {"siteUrl": "\#(site)", "restoreTargets": [{"libraryName": "Budgets", "files": [{"relativePath": ""}]}, {"libraryName": "Documents"}, {"libraryName": "Documents", "folders": [{"relativePath": "\#(folder)"}, {"relativePath": "\#(folder)/x"}]}]}}"#),
                ("", #"{"serviceType": 1, "recoveryDateTime": "2001-01-01T00:00:00Z", "siteRestoreScope": {"siteUrl": "\#(site)", "restoreTargets": [{"libraryName": "Shared Documents", "files": [{"relativePath": "\#(file)"}], "folders": [{"relativePath": "\#(file)"}]}]}}"#),
                ("", #"{"serviceType": 1, "recoveryDateTime": "2099-01-01T00:00:00Z", "siteRestoreScope": {"siteUrl": "\#(site)", "restoreTargets": [{"libraryName": "Shared Documents", "files": [{"relativePath": "\#(folder)"}], "folders": [{"relativePath": "\#(file)"}, {"relativePath": "nope"}]}]}}"#),
                ("", AvePointRestoreJobTests.seedOneDriveBody),
                ("", #"{"serviceType": "1", "recoveryDateTime": 5, "siteRestoreScope": {"siteUrl": "https://x/sites/y", "restoreTargets": [1]}}"#),
                ("", #"{"serviceType": 7}"#),
            ] {
                let r = try await api.postRestoreJob(body, token: token, query: q)
                print(r.status, String(buffer: r.body))
            }
            let r = try await api.send(.get, "/backup/m365/cloudbackupjobs/\(api.backup!.externalID)", token: token)
            print(String(buffer: r.body))
            let t = try await api.requestToken([("grant_type", "client_credentials"), ("client_id", "avepoint-app"), ("client_secret", "x")])
            print(t.status, t.headers, String(buffer: t.body))
        }
    }
}
