/// How many pack uploads of a `Repository` instance had failed at some moment (`Repository.uploadFailureMark`), so a
/// writer's flush can tell whether any failed since it started (`Repository.flush(failingOnUploadsFailedSince:)`).
public struct UploadFailureMark: Sendable, Hashable {
    let failures: Int
}
