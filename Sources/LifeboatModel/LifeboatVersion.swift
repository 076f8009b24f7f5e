/// Lifeboat's release version, the one place it is written (Graph's `User-Agent`, `--version`).
public enum LifeboatVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
