import Foundation
import SQLKit

extension SQLRow {
    func string(_ column: String) throws -> String {
        try decode(column: column, as: String.self)
    }

    func optionalString(_ column: String) throws -> String? {
        try decode(column: column, as: String?.self)
    }

    func int64(_ column: String) throws -> Int64 {
        try decode(column: column, as: Int64.self)
    }

    func optionalInt64(_ column: String) throws -> Int64? {
        try decode(column: column, as: Int64?.self)
    }

    func bool(_ column: String) throws -> Bool {
        try decode(column: column, as: Bool.self)
    }

    func date(_ column: String) throws -> Date {
        Date(catalogMilliseconds: try int64(column))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try optionalInt64(column).map(Date.init(catalogMilliseconds:))
    }

    func bytes(_ column: String) throws -> Data? {
        try decode(column: column, as: Data?.self)
    }

    func uuid(_ column: String, table: String) throws -> UUID {
        let text = try string(column)
        guard let id = UUID(uuidString: text) else {
            throw CatalogError.corruptRow(table: table, column: column, detail: "'\(text)' is not a UUID")
        }
        return id
    }

    func optionalUUID(_ column: String, table: String) throws -> UUID? {
        guard let text = try optionalString(column) else { return nil }
        guard let id = UUID(uuidString: text) else {
            throw CatalogError.corruptRow(table: table, column: column, detail: "'\(text)' is not a UUID")
        }
        return id
    }

    /// Decodes a text column holding one of an enum's raw values.
    func enumValue<Value: RawRepresentable>(_ column: String, table: String, as type: Value.Type) throws -> Value
    where Value.RawValue == String {
        let text = try string(column)
        guard let value = Value(rawValue: text) else {
            throw CatalogError.corruptRow(table: table, column: column, detail: "unknown value '\(text)'")
        }
        return value
    }

    /// Decodes a text column holding JSON.
    func json<Value: Decodable>(_ column: String, table: String, as type: Value.Type) throws -> Value {
        let text = try string(column)
        do {
            return try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw CatalogError.corruptRow(table: table, column: column, detail: "invalid JSON: \(error)")
        }
    }
}
