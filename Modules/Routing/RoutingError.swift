/// An error raised while building routes, URL patterns or a host allowlist.
///
/// Host-value errors carry Bokeh's own messages (`Empty host value`,
/// `Invalid port in host value: …`, `Invalid host value: …`) so a server can print them verbatim
/// and exit with status 1, as `bokeh serve` does.
public struct RoutingError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unsupportedPattern(pattern: String, offset: Int, reason: String)
        case emptyHost
        case invalidPort(host: String)
        case invalidHost(host: String)
        case invalidApplicationPath(path: String)
        case duplicateApplicationPath(path: String)
    }

    private let code: Code

    private init(code: Code) { self.code = code }

    /// The pattern uses syntax outside the supported regular-expression subset, or is malformed.
    public static func unsupportedPattern(_ pattern: String, offset: Int, reason: String) -> Self {
        Self(code: .unsupportedPattern(pattern: pattern, offset: offset, reason: reason))
    }

    /// An allowlist entry has an empty host name (`""` or `":5006"`).
    public static let emptyHost = Self(code: .emptyHost)

    /// An allowlist entry's port does not parse as an integer (`*.test:*`).
    public static func invalidPort(host: String) -> Self { Self(code: .invalidPort(host: host)) }

    /// An allowlist entry has more than one `:` (for example an IPv6 literal).
    public static func invalidHost(host: String) -> Self { Self(code: .invalidHost(host: host)) }

    /// An application path does not start with `/`.
    public static func invalidApplicationPath(_ path: String) -> Self {
        Self(code: .invalidApplicationPath(path: path))
    }

    /// Two applications were mounted at the same path.
    public static func duplicateApplicationPath(_ path: String) -> Self {
        Self(code: .duplicateApplicationPath(path: path))
    }

    public var description: String {
        switch code {
        case .unsupportedPattern(let pattern, let offset, let reason):
            "Unsupported URL pattern \(pattern.debugDescription) at offset \(offset): \(reason)"
        case .emptyHost:
            "Empty host value"
        case .invalidPort(let host):
            "Invalid port in host value: \(host)"
        case .invalidHost(let host):
            "Invalid host value: \(host)"
        case .invalidApplicationPath(let path):
            "Application path \(path.debugDescription) must start with \"/\""
        case .duplicateApplicationPath(let path):
            "Application path \(path.debugDescription) is mounted twice"
        }
    }
}
