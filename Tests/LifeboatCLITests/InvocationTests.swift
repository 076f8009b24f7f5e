import Foundation
import Testing

@testable import lifeboat

/// Commands Lifeboat prints start it the way the user did.
@Suite("Printed commands name the executable as it was started")
struct InvocationTests {
    @Test(
        "swift run from the package folder, else the executable as typed",
        arguments: [
            ("lifeboat", "/home/me", "lifeboat"),
            ("./lifeboat", "/home/me", "./lifeboat"),
            ("/opt/lifeboat bin/lifeboat", "/tmp", "'/opt/lifeboat bin/lifeboat'"),
        ])
    func command(executable: String, workingDirectory: String, expected: String) {
        #expect(Invocation.command(executable: executable, workingDirectory: workingDirectory) == expected)
    }

    @Test("the build folder's executable started from its package folder is `swift run lifeboat`")
    func swiftRun() throws {
        let package = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-package-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: package) }
        try Data("// swift-tools-version:6.0\n".utf8).write(to: package.appendingPathComponent("Package.swift"))
        #expect(
            Invocation.command(executable: package.path + "/.build/debug/lifeboat", workingDirectory: package.path)
                == "swift run lifeboat")
        #expect(
            Invocation.command(executable: package.path + "/.build/debug/lifeboat", workingDirectory: "/tmp")
                == package.path + "/.build/debug/lifeboat")
    }
}
