import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// Failures to open a connection at all (refused, no route, name not found, no answer in time), told apart from
/// failures of an exchange under way, and worded for an operator: `connection refused`, not an errno dump.
enum ConnectionFailure {
    /// What kept the connection from being made, or nil when `error` is not a failure to connect.
    static func reason(_ error: any Error) -> String? {
        switch error {
        case let error as IOError:
            return reason(errno: error.errnoCode)
        case let error as HTTPClientError where error == .connectTimeout:
            return "no answer within the connect timeout"
        case ChannelError.connectTimeout:
            return "no answer within the connect timeout"
        case let error as NIOConnectionError:
            // Every address of the host was tried: the first failure tells the story; none tried means no address.
            if let first = error.connectionErrors.first { return reason(first.error) ?? "\(first.error)" }
            return "its host name could not be resolved"
        default:
            return nil
        }
    }

    /// Errors a socket reports only while connecting (a timeout may also end an established connection: not one of them).
    private static func reason(errno code: Int32) -> String? {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ENETUNREACH: "network unreachable"
        case EHOSTUNREACH: "no route to host"
        case EADDRNOTAVAIL: "address not available"
        default: nil
        }
    }
}
