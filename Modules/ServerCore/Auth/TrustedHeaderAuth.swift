import Foundation
import DocumentModel
import Glibc

/// The built-in trusted-proxy policy (`--auth-header NAME --auth-trusted-proxy ADDR`): an authenticating reverse
/// proxy in front of the server (an OIDC or SSO proxy, nginx's `auth_request`) says who the user is in a header,
/// such as `X-Forwarded-User`.
///
/// The header is believed only on connections whose peer, the socket's other end (not what `X-Forwarded-For`
/// claims), is one of ``trustedProxies``; from anywhere else the request is unauthenticated, whatever it sends.
/// The proxy must set or strip the header on every request it forwards. Without a login URL an
/// unauthenticated page request gets 401 (the proxy normally answers before that).
public struct TrustedHeaderAuth: AuthenticationPolicy {
    /// The header naming the user, such as `X-Forwarded-User`.
    public let header: String
    /// Where the proxy may connect from.
    public let trustedProxies: [AddressRange]
    private let login: String?
    public let logoutURL: String?
    /// Longest user name taken from the header (256 bytes).
    public static let maxUserBytes = 256

    /// - Parameters:
    ///   - trustedProxies: IP addresses or CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`), or
    ///     `unix` for connections on the server's Unix socket.
    ///   - loginURL: where unauthenticated page requests go; nil answers 401.
    ///   - logoutURL: the proxy's sign-out URL, for ``SessionContext/logoutURL``.
    /// - Throws: ``AuthConfigurationError`` for an empty header name, no proxies, or a malformed address.
    public init(
        header: String = "X-Forwarded-User", trustedProxies: [String], loginURL: String? = nil,
        logoutURL: String? = nil
    ) throws(AuthConfigurationError) {
        guard !header.isEmpty, !header.contains(where: { $0 == ":" || $0.isWhitespace }) else {
            throw AuthConfigurationError("the trusted header name '\(header)' is not a header name")
        }
        guard !trustedProxies.isEmpty else {
            throw AuthConfigurationError("a trusted header needs the proxy addresses it may come from")
        }
        self.header = header
        var ranges: [AddressRange] = []
        for entry in trustedProxies { ranges.append(try AddressRange(entry)) }
        self.trustedProxies = ranges
        self.login = loginURL
        self.logoutURL = logoutURL
    }

    /// Whether `peer` (an address as ``IncomingRequest/peerAddress`` gives it) is a trusted proxy.
    public func isTrusted(peer: String?) -> Bool {
        guard let peer else { return false }
        return trustedProxies.contains { $0.contains(peer) }
    }

    public func authenticate(_ request: IncomingRequest) async throws -> AuthenticatedUser? {
        guard let value = request.header(header) else { return nil }
        guard isTrusted(peer: request.peerAddress) else {
            log.info(
                "ignored \(header) from \(request.peerAddress ?? "-"), which is not an --auth-trusted-proxy address")
            return nil
        }
        let name = value.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.utf8.count <= Self.maxUserBytes,
            !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        return AuthenticatedUser(name, claims: ["policy": "trusted-header", "header": .string(header)])
    }

    public func loginURL(for request: IncomingRequest) async -> String? { login }
}

/// An IP address range (`10.0.0.0/8`, `::1`), or every Unix-socket peer (`unix`).
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable { case unix, ip(bytes: [UInt8], bits: Int) }
    private let kind: Kind
    public let description: String

    /// - Throws: ``AuthConfigurationError`` when `text` is not an address, a CIDR range or `unix`.
    public init(_ text: String) throws(AuthConfigurationError) {
        description = text
        if text == "unix" {
            kind = .unix
            return
        }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.parse(String(parts[0])) else {
            throw AuthConfigurationError("'\(text)' is not an IP address or CIDR range")
        }
        var bits = bytes.count * 8
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...bytes.count * 8).contains(n) else {
                throw AuthConfigurationError("'\(text)' has a bad prefix length")
            }
            bits = n
        }
        kind = .ip(bytes: bytes, bits: bits)
    }

    /// Whether `address` (numeric, or `unix`) is in the range; an IPv4-mapped IPv6 address counts as IPv4.
    public func contains(_ address: String) -> Bool {
        switch kind {
        case .unix: return address == "unix"
        case .ip(let range, let bits):
            guard let candidate = Self.parse(address), candidate.count == range.count else { return false }
            var remaining = bits
            for (a, b) in zip(candidate, range) where remaining > 0 {
                let take = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
                if a & mask != b & mask { return false }
                remaining -= take
            }
            return true
        }
    }

    /// 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6; nil when not numeric.
    static func parse(_ text: String) -> [UInt8]? {
        let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}
