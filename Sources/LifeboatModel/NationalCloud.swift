/// Which Microsoft cloud an organization's tenant lives in, and so where its sign-in and Graph endpoints are.
///
/// `custom` is anything else (the simulator, a proxy): the organization's own base URLs are used as given.
public enum NationalCloud: String, Sendable, Hashable, Codable, CaseIterable {
    /// Microsoft's global cloud.
    case worldwide
    /// US Government GCC High.
    case usGovernment = "usgov"
    /// US Department of Defense.
    case usDoD = "usdod"
    /// China, operated by 21Vianet.
    case china
    /// Endpoints given explicitly (the simulator, a proxy).
    case custom

    /// The Entra ID sign-in base URL, without the tenant segment; nil for `custom`.
    public var loginBaseURL: String? {
        switch self {
        case .worldwide: "https://login.microsoftonline.com"
        case .usGovernment, .usDoD: "https://login.microsoftonline.us"
        case .china: "https://login.chinacloudapi.cn"
        case .custom: nil
        }
    }

    /// The Graph v1.0 base URL; nil for `custom`.
    public var graphBaseURL: String? {
        switch self {
        case .worldwide: "https://graph.microsoft.com/v1.0"
        case .usGovernment: "https://graph.microsoft.us/v1.0"
        case .usDoD: "https://dod-graph.microsoft.us/v1.0"
        case .china: "https://microsoftgraph.chinacloudapi.cn/v1.0"
        case .custom: nil
        }
    }

    /// The cloud whose Graph base URL is `graphBaseURL`, or `custom` when it is none of Microsoft's.
    public init(graphBaseURL: String) {
        var trimmed = graphBaseURL.lowercased()
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self = Self.allCases.first { $0.graphBaseURL == trimmed } ?? .custom
    }
}
