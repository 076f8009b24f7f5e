import Foundation

/// How the user started Lifeboat, so printed commands can be pasted as they are: `swift run lifeboat` from the package
/// folder, else the executable as it was typed (`lifeboat` found on the PATH, `./lifeboat`, `/opt/lifeboat/bin/lifeboat`).
enum Invocation {
    /// The command that starts Lifeboat again the way it was started this time, quoted for a POSIX shell.
    static var command: String {
        command(executable: CommandLine.arguments.first ?? "lifeboat", workingDirectory: FileManager.default.currentDirectoryPath)
    }

    /// `command` for an executable path as typed (`argv[0]`) and a working directory.
    static func command(executable: String, workingDirectory: String) -> String {
        guard executable.contains("/") else { return executable }
        let absolute = URL(fileURLWithPath: executable, relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true))
            .standardizedFileURL.path
        // `swift run` starts the build folder's executable from the package folder.
        let buildFolder = URL(fileURLWithPath: workingDirectory).standardizedFileURL.path + "/.build/"
        if absolute.hasPrefix(buildFolder), FileManager.default.fileExists(atPath: workingDirectory + "/Package.swift") {
            return "swift run " + URL(fileURLWithPath: absolute).lastPathComponent
        }
        return shellQuoted(executable)
    }

    /// `text` as one word for a POSIX shell: unchanged when it needs no quoting, else in single quotes.
    static func shellQuoted(_ text: String) -> String {
        let plain = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "/._-+:=@,%"))
        if !text.isEmpty, text.unicodeScalars.allSatisfy(plain.contains) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
