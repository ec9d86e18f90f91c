/// An HTTP request method, compared case-sensitively as RFC 9110 §9.1 requires.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The method token as sent on the request line (`GET`).
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    public static let get: Self = "GET"
    public static let head: Self = "HEAD"
    public static let post: Self = "POST"
    public static let put: Self = "PUT"
    public static let delete: Self = "DELETE"
    public static let patch: Self = "PATCH"
    public static let options: Self = "OPTIONS"
}
