import Foundation
import LifeboatModel
import Testing

@Suite("External job ids in AvePoint's format")
struct ExternalJobIDTests {
    @Test("an id is the prefix and the UTC time to the microsecond", arguments: [
        (ExternalJobID.backupPrefix, 1_729_000_000.327_583, "FB20241015134640327583"),
        (ExternalJobID.incrementalBackupPrefix, 0.000_001, "IB19700101000000000001"),
        (ExternalJobID.exportPrefix, 1_777_000_000.5, "EX20260424030640500000"),
    ])
    func format(prefix: String, seconds: Double, expected: String) {
        #expect(ExternalJobID.make(prefix: prefix, date: Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("ids made a microsecond apart differ and sort in time order")
    func ordering() {
        let first = ExternalJobID.make(prefix: "FB", date: Date(timeIntervalSince1970: 1_700_000_000))
        let second = ExternalJobID.make(prefix: "FB", date: Date(timeIntervalSince1970: 1_700_000_000.000_01))
        #expect(first.count == 22 && second.count == 22)
        #expect(first < second)
    }
}
