import ArgumentParser

/// Options every command shares; each maps to a configuration key that environment variables and a file can also set.
struct SettingsOptions: ParsableArguments {
    @Option(name: .long, help: "Folder holding the catalog, keys and the default repository (env LIFEBOAT_DATA_DIR).")
    var dataDir: String?

    @Option(name: .long, help: "JSON configuration file (env LIFEBOAT_CONFIG); command-line options and environment variables override it.")
    var config: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (env LIFEBOAT_LOG_LEVEL).")
    var logLevel: String?

    /// The options given on the command line, as configuration keys.
    var explicitValues: [String: String] {
        var values: [String: String] = [:]
        values["lifeboat.data.dir"] = dataDir
        values["lifeboat.log.level"] = logLevel
        return values
    }
}
