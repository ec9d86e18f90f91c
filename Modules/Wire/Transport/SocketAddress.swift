import Glibc

/// An IPv4, IPv6 or Unix-domain socket address.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case ipv4(host: String, port: Int)
        case ipv6(host: String, port: Int)
        case unix(path: String)
    }

    public let kind: Kind

    public init(kind: Kind) { self.kind = kind }

    /// A numeric IPv4 or IPv6 address (`127.0.0.1`, `::1`); `localhost` means `127.0.0.1`.
    /// Names are not resolved: the transport is given addresses, never does blocking DNS on a loop.
    public init(host: String, port: Int) throws(SystemError) {
        let h = host == "localhost" ? "127.0.0.1" : host
        var a4 = in_addr()
        var a6 = in6_addr()
        let bare = h.hasPrefix("[") && h.hasSuffix("]") ? String(h.dropFirst().dropLast()) : h
        guard (0...65535).contains(port) else { throw SystemError("inet_pton", errno: EINVAL) }
        if inet_pton(AF_INET, bare, &a4) == 1 {
            kind = .ipv4(host: bare, port: port)
        } else if inet_pton(AF_INET6, bare, &a6) == 1 {
            kind = .ipv6(host: bare, port: port)
        } else {
            throw SystemError("inet_pton", errno: EINVAL)
        }
    }

    public init(unixPath: String) { kind = .unix(path: unixPath) }

    public var port: Int? {
        switch kind {
        case .ipv4(_, let p), .ipv6(_, let p): p
        case .unix: nil
        }
    }

    public var host: String? {
        switch kind {
        case .ipv4(let h, _), .ipv6(let h, _): h
        case .unix: nil
        }
    }

    public var description: String {
        switch kind {
        case .ipv4(let h, let p): "\(h):\(p)"
        case .ipv6(let h, let p): "[\(h)]:\(p)"
        case .unix(let path): "unix:\(path)"
        }
    }

    var family: Int32 {
        switch kind {
        case .ipv4: AF_INET
        case .ipv6: AF_INET6
        case .unix: AF_UNIX
        }
    }

    init(storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let sin = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            kind = .ipv4(
                host: Self.numericHost(AF_INET, sin.sin_addr, length: INET_ADDRSTRLEN),
                port: Int(UInt16(bigEndian: sin.sin_port)))
        case AF_INET6:
            let sin6 = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            kind = .ipv6(
                host: Self.numericHost(AF_INET6, sin6.sin6_addr, length: INET6_ADDRSTRLEN),
                port: Int(UInt16(bigEndian: sin6.sin6_port)))
        default:
            let sun = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_un.self) }
            let path = withUnsafeBytes(of: sun.sun_path) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            kind = .unix(path: path)
        }
    }

    /// The printable form of an `in_addr`/`in6_addr`.
    private static func numericHost<Address>(_ family: Int32, _ address: Address, length: Int32) -> String {
        var buf = [CChar](repeating: 0, count: Int(length))
        withUnsafeBytes(of: address) { raw in
            _ = inet_ntop(family, raw.baseAddress, &buf, socklen_t(buf.count))
        }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Calls `body` with this address as a `sockaddr` pointer and length.
    func withSockAddr<R, E: Error>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws(E) -> R) throws(E) -> R {
        var storage = sockaddr_storage()
        var len: socklen_t
        switch kind {
        case .ipv4(let h, let p):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = UInt16(clamping: p).bigEndian
            inet_pton(AF_INET, h, &sin.sin_addr)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sin, as: sockaddr_in.self) }
            len = socklen_t(MemoryLayout<sockaddr_in>.size)
        case .ipv6(let h, let p):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = UInt16(clamping: p).bigEndian
            inet_pton(AF_INET6, h, &sin6.sin6_addr)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sin6, as: sockaddr_in6.self) }
            len = socklen_t(MemoryLayout<sockaddr_in6>.size)
        case .unix(let path):
            var sun = sockaddr_un()
            sun.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8.prefix(MemoryLayout.size(ofValue: sun.sun_path) - 1))
            withUnsafeMutableBytes(of: &sun.sun_path) { raw in
                raw.copyBytes(from: bytes)
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sun, as: sockaddr_un.self) }
            len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        }
        return try withUnsafePointer(to: &storage) { p throws(E) in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(E) in try body(sa, len) }
        }
    }
}
