import Foundation
import HTTPTypes
import Testing

@Suite("The OpenAPI schema validator")
struct SchemaValidatorTests {
    let document = OpenAPIDocument.veeamV6

    /// The first restore point of seed 003's example answer, verbatim.
    static let seedRestorePoint = """
        {"id": "5f7c94d0-c339-46f1-9b0f-2b9763ba83de31e4e204-7ce3-48f6-8c87-4a17f5da7e07",
         "repositoryId": "5f7c94d0-c339-46f1-9b0f-2b9763ba83de", "backupTime": "2022-02-22T14:44:22.3764709Z",
         "jobId": "b7c1cc0b-2b3c-4096-9ba1-2d665b4ae504", "retrievalId": "00000000-0000-0000-0000-000000000000",
         "organizationId": "e60dfb9c-ac58-4463-879f-9855ac35576b", "isExchange": false, "isSharePoint": true,
         "isOneDrive": false, "isTeams": false, "isLongTermCopy": false, "isRetrieved": false,
         "_links": {"self": {"href": "/v6/restorePoints/5f7c94d0-c339-46f1-9b0f-2b9763ba83de31e4e204-7ce3-48f6-8c87-4a17f5da7e07"},
                    "organization": {"href": "/v6/organizations/e60dfb9c-ac58-4463-879f-9855ac35576b"},
                    "backupRepository": {"href": "/v6/backuprepositories/5f7c94d0-c339-46f1-9b0f-2b9763ba83de"}}}
        """

    @Test("Veeam's own example answer of seed 003 conforms to the GET /v6/RestorePoints schema")
    func seedExampleConforms() throws {
        let schema = try #require(try document.responseSchema(.get, "/v6/RestorePoints", status: 200))
        let answer = try JSONValue(parsing: "[\(Self.seedRestorePoint), \(Self.seedRestorePoint)]")
        #expect(document.validator().violations(of: answer, against: schema).isEmpty)
    }

    /// A seed restore point with one member replaced (or removed, for `nil`).
    static func seedRestorePoint(setting key: String, to replacement: String?) throws -> JSONValue {
        guard case .object(var members) = try JSONValue(parsing: seedRestorePoint) else { return .null }
        members[key] = try replacement.map { try JSONValue(parsing: $0) }
        return .object(members)
    }

    @Test(
        "a broken restore point is caught, with the path of the offending member",
        arguments: [
            ("isOneDrive", "\"false\"", "$.isOneDrive", "expected boolean"),
            ("isSharePoint", "null", "$.isSharePoint", "null is not allowed"),
            ("jobId", "\"not-a-uuid\"", "$.jobId", "is not a UUID"),
            ("backupTime", "\"2022-02-22 14:44:22\"", "$.backupTime", "date-time"),
            ("backupTime", "\"2022-02-22T14:44:22\"", "$.backupTime", "date-time"),
            ("repositoryID", "\"5f7c94d0-c339-46f1-9b0f-2b9763ba83de\"", "$.repositoryID", "not declared"),
            ("_links", "{\"self\": {\"href\": 5}}", "$._links.self.href", "expected string"),
            ("_links", "[]", "$._links", "expected object"),
        ])
    func brokenRestorePoint(key: String, replacement: String, path: String, problem: String) throws {
        let value = try Self.seedRestorePoint(setting: key, to: replacement)
        let violations = document.validator().violations(of: value, againstComponent: "RESTRestorePoint")
        #expect(violations.contains { $0.path == path && $0.problem.contains(problem) }, "\(violations)")
    }

    @Test(
        "broken jobs, tokens and organizations are caught through $ref, enum, required and writeOnly",
        arguments: [
            ("RESTJob", #"{"lastStatus": "Succeeded"}"#, "$.lastStatus", "is not one of"),
            ("RESTJob", #"{"schedulePolicy": {"type": "Hourly"}}"#, "$.schedulePolicy.type", "is not one of"),
            ("RESTJob", #"{"selectedItems": [{"type": "Mailbox", "id": "x"}]}"#, "$.selectedItems[0].type", "is not one of"),
            (
                "RESTJob", #"{"selectedItems": [{"type": "Site", "id": "x", "site": {"id": "x", "url": "u"}}]}"#,
                "$.selectedItems[0].site", "'title' is missing"
            ),
            ("RESTJob", #"{"id": "00000000-0000-0000-0000-00000000000g"}"#, "$.id", "is not a UUID"),
            ("OAuthTokenResponse", #"{"access_token": "a", "refresh_token": "r", "token_type": "bearer", "expires_in": 3600, "userName": "u", ".expires": "2022-02-22T14:44:22Z"}"#, "$", "'.issued' is missing"),
            ("OAuthTokenResponse", #"{"access_token": "a", "refresh_token": "r", "token_type": "bearer", "expires_in": 1.5, "userName": "u", ".issued": "2022-02-22T14:44:22Z", ".expires": "2022-02-22T14:44:22Z"}"#, "$.expires_in", "expected integer"),
            ("RestOrganizationComposed", #"{"name": "x", "newApplicationName": "app"}"#, "$.newApplicationName", "write-only"),
            ("RestOrganizationComposed", #"{"type": "Cloud"}"#, "$.type", "is not one of"),
            ("RESTExceptionInfo", #"{"message": 404}"#, "$.message", "expected string"),
            ("RESTExceptionInfo", #"{"error": "invalid_grant"}"#, "$.error", "not declared"),
        ])
    func brokenComponents(component: String, json: String, path: String, problem: String) throws {
        let violations = document.validator().violations(of: try JSONValue(parsing: json), againstComponent: component)
        #expect(violations.contains { $0.path == path && $0.problem.contains(problem) }, "\(violations)")
    }

    @Test("nullable members, nullable $ref enums and open dictionaries accept what the schema allows")
    func validVariants() throws {
        let validator = document.validator()
        let job = try JSONValue(parsing: #"{"lastStatus": null, "nextRun": null, "backupType": "SelectedItems", "_links": {}}"#)
        #expect(validator.violations(of: job, againstComponent: "RESTJob").isEmpty)
        let organization = try JSONValue(parsing: #"{"type": null, "region": "Worldwide", "isBackedup": null}"#)
        #expect(validator.violations(of: organization, againstComponent: "RestOrganizationComposed").isEmpty)
    }

    @Test("allOf, oneOf and anyOf combine member schemas as JSON Schema defines")
    func combinators() throws {
        let document = try JSONValue(parsing: """
            {"components": {"schemas": {
              "Named": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
              "Sized": {"type": "object", "properties": {"size": {"type": "integer", "format": "int32"}}},
              "Both": {"allOf": [{"$ref": "#/components/schemas/Named"}, {"$ref": "#/components/schemas/Sized"}]},
              "Either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
              "Overlapping": {"oneOf": [{"type": "number"}, {"type": "integer"}]},
              "Any": {"anyOf": [{"type": "string", "format": "uuid"}, {"type": "boolean"}]}
            }}}
            """)
        let validator = SchemaValidator(document: document)
        func problems(_ json: String, _ name: String) throws -> [SchemaValidator.Violation] {
            validator.violations(of: try JSONValue(parsing: json), againstComponent: name)
        }
        #expect(try problems(#"{"name": "a", "size": 3}"#, "Both").isEmpty)
        #expect(try problems(#"{"size": 3}"#, "Both").contains { $0.problem.contains("'name' is missing") })
        #expect(try problems(#"{"name": "a", "size": "3"}"#, "Both").contains { $0.path == "$.size" })
        #expect(try problems(#"{"name": "a", "size": 4294967296}"#, "Both").contains { $0.problem.contains("int32") })
        #expect(try problems(#"{"name": "a", "colour": "red"}"#, "Both").contains { $0.path == "$.colour" })
        #expect(try problems(#""text""#, "Either").isEmpty)
        #expect(try problems("7", "Either").isEmpty)
        #expect(try problems("true", "Either").contains { $0.problem.contains("0 of the oneOf") })
        #expect(try problems("7", "Overlapping").contains { $0.problem.contains("2 of the oneOf") })
        #expect(try problems(#""00000000-0000-0000-0000-000000000000""#, "Any").isEmpty)
        #expect(try problems(#""nope""#, "Any").contains { $0.problem.contains("none of the anyOf") })
    }

    @Test("a schema the validator cannot read fails instead of passing: unknown keywords, dangling $ref")
    func unreadableSchemas() throws {
        let validator = SchemaValidator(document: try JSONValue(parsing: "{}"))
        let unknown = try JSONValue(parsing: #"{"type": "string", "patternProperties": {}}"#)
        #expect(validator.violations(of: .string("x"), against: unknown).contains { $0.problem.contains("patternProperties") })
        let dangling = try JSONValue(parsing: ##"{"$ref": "#/components/schemas/Missing"}"##)
        #expect(validator.violations(of: .string("x"), against: dangling).contains { $0.problem.contains("unresolvable") })
    }

    @Test("every $ref in Veeam's v6 document resolves and every keyword in it is understood")
    func wholeDocumentIsReadable() throws {
        let validator = document.validator()
        var dangling: [String] = []
        func walk(_ node: JSONValue) {
            switch node {
            case .object(let members):
                if let reference = members["$ref"]?.stringValue, validator.resolve(reference) == nil { dangling.append(reference) }
                members.values.forEach(walk)
            case .array(let elements):
                elements.forEach(walk)
            default:
                break
            }
        }
        walk(document.root)
        #expect(dangling.isEmpty)
        let schemas = try #require(document.root["components"]?["schemas"]?.objectValue)
        #expect(schemas.count > 300)
        var unsupported: Set<String> = []
        for (name, _) in schemas {
            // An empty object breaks no required member; what matters is that no keyword is reported as unknown.
            for violation in validator.violations(of: .object([:]), againstComponent: name)
            where violation.problem.contains("does not support") {
                unsupported.insert(violation.problem)
            }
        }
        #expect(unsupported.isEmpty, "\(unsupported)")
    }

    @Test(
        "date-time follows RFC 3339: zone required, real ranges",
        arguments: [
            ("2022-02-22T14:44:22.3764709Z", true), ("2022-02-22T14:44:22Z", true), ("2022-02-22T14:44:22+02:00", true),
            ("2022-02-22T14:44:22", false), ("2022-02-22 14:44:22Z", false), ("2022-13-22T14:44:22Z", false),
            ("2022-02-22T24:00:00Z", false), ("yesterday", false),
        ])
    func dateTimes(text: String, valid: Bool) {
        #expect(SchemaValidator.isDateTime(text) == valid)
    }
}
