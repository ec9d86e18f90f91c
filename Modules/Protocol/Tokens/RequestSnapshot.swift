public import DocumentModel

/// The HTTP request data a server puts in a session token, exposed to the app as
/// `session_context.request`: headers, cookies and query arguments.
///
/// In the token this is `{"headers": {…}, "cookies": {…}, "arguments": {name: [bytes, …]}}`, with bytes
/// written as `{"bytes": base64url}`. Member order is kept: it decides the token's exact bytes.
public struct RequestSnapshot: Sendable, Equatable {
    /// Header name and value pairs as received (the server drops `Cookie` before minting a token).
    public var headers: [(name: String, value: String)]
    /// Cookie name and value pairs.
    public var cookies: [(name: String, value: String)]
    /// Query (and form) arguments: each name with all its values, in order.
    public var arguments: [(name: String, values: [[UInt8]])]
    /// Other top-level members (what an application's `process_request` added), in order.
    public var extra: JSONObject

    public init(
        headers: [(name: String, value: String)] = [], cookies: [(name: String, value: String)] = [],
        arguments: [(name: String, values: [[UInt8]])] = [], extra: JSONObject = [:]
    ) {
        self.headers = headers
        self.cookies = cookies
        self.arguments = arguments
        self.extra = extra
    }

    /// Reads a snapshot from a token payload; members of the wrong shape are skipped.
    public init(payload: JSONObject) {
        func pairs(_ key: String) -> [(name: String, value: String)] {
            guard case .object(let object)? = payload[key] else { return [] }
            return object.members.compactMap { member in member.value.stringValue.map { (member.key, $0) } }
        }
        headers = pairs("headers")
        cookies = pairs("cookies")
        arguments = []
        if case .object(let object)? = payload["arguments"] {
            for member in object.members {
                guard case .array(let items) = member.value else { continue }
                arguments.append((member.key, items.compactMap(Self.bytes(from:))))
            }
        }
        extra = JSONObject(
            payload.members.filter { !["headers", "cookies", "arguments", "session_expiry"].contains($0.key) })
    }

    /// The snapshot as a token's extra payload.
    public var payload: JSONObject {
        var object: JSONObject = [
            "headers": .object(JSONObject(headers.map { (key: $0.name, value: .string($0.value)) })),
            "cookies": .object(JSONObject(cookies.map { (key: $0.name, value: .string($0.value)) })),
            "arguments": .object(
                JSONObject(arguments.map { (key: $0.name, value: .array($0.values.map(Self.json(bytes:)))) })),
        ]
        for member in extra.members { object[member.key] = member.value }
        return object
    }

    /// `{"bytes": base64url}`, as Bokeh writes bytes inside token payloads.
    public static func json(bytes: [UInt8]) -> JSONValue {
        .object(["bytes": .string(Base64URL.encode(bytes))])
    }

    /// The bytes of a `{"bytes": base64url}` object, or `nil` if `json` is not one.
    public static func bytes(from json: JSONValue) -> [UInt8]? {
        guard case .object(let object) = json, object.count == 1, case .string(let text)? = object["bytes"] else {
            return nil
        }
        return Base64URL.decode(text)
    }

    /// The first header named `name` (case-insensitive), nil when there is none.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The last cookie named `name`, nil when there is none.
    public func cookie(_ name: String) -> String? { cookies.last { $0.name == name }?.value }

    /// All values of query argument `name`, decoded as UTF-8.
    public func argument(_ name: String) -> [String] {
        arguments.first { $0.name == name }.map { $0.values.map { String(decoding: $0, as: UTF8.self) } } ?? []
    }

    public static func == (lhs: RequestSnapshot, rhs: RequestSnapshot) -> Bool {
        lhs.payload == rhs.payload
    }
}
