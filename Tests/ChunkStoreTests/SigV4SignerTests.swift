import Foundation
import Testing

@testable import ChunkStore

@Suite("SigV4Signer")
struct SigV4SignerTests {
    /// AWS's published "GET Object" example from the Signature Version 4 header-based authentication docs.
    /// Cross-checked with botocore:
    ///
    ///     from botocore.auth import S3SigV4Auth; from botocore.awsrequest import AWSRequest
    ///     from botocore.credentials import Credentials; import datetime, unittest.mock as m
    ///     req = AWSRequest(method="GET", url="https://examplebucket.s3.amazonaws.com/test.txt", headers={"Range": "bytes=0-9"})
    ///     with m.patch("botocore.auth.get_current_datetime", return_value=datetime.datetime(2013, 5, 24)):
    ///         S3SigV4Auth(Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), "s3", "us-east-1").add_auth(req)
    ///     print(req.headers["Authorization"])
    @Test("reproduces AWS's published GET Object example signature")
    func awsGetObjectExample() {
        let signer = SigV4Signer(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            region: "us-east-1")
        let date = Date(timeIntervalSince1970: 1_369_353_600)
        #expect(SigV4Signer.timestamp(date) == "20130524T000000Z")
        let authorization = signer.authorization(
            method: "GET", encodedPath: "/test.txt", query: [],
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash), ("x-amz-date", "20130524T000000Z"),
            ],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(
            authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("the canonical query is encoded, slash included, and sorted by name")
    func canonicalQuery() {
        let (request, signed) = SigV4Signer.canonicalRequest(
            method: "GET", encodedPath: "/bucket", query: [("prefix", "packs/a b"), ("list-type", "2"), ("continuation-token", "x+y=")],
            headers: [("Host", "h"), ("X-Amz-Date", "d")], payloadHash: "p")
        #expect(request == "GET\n/bucket\ncontinuation-token=x%2By%3D&list-type=2&prefix=packs%2Fa%20b\nhost:h\nx-amz-date:d\n\nhost;x-amz-date\np")
        #expect(signed == "host;x-amz-date")
    }
}
