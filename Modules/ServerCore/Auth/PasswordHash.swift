import Foundation

/// A salted password hash as a password file holds it: `scrypt$N$r$p$SALT$DIGEST` or
/// `pbkdf2_sha256$ITERATIONS$SALT$DIGEST`, salt and digest in standard base64 (what Python's
/// `hashlib.scrypt` / `hashlib.pbkdf2_hmac` and `base64.b64encode` give for the same inputs).
public enum PasswordHash: Sendable, Equatable, CustomStringConvertible {
    case scrypt(n: Int, r: Int, p: Int, salt: [UInt8], digest: [UInt8])
    case pbkdf2SHA256(iterations: Int, salt: [UInt8], digest: [UInt8])

    /// The schemes ``make(password:scheme:)`` can use.
    public enum Scheme: String, Sendable, CaseIterable {
        case scrypt
        case pbkdf2 = "pbkdf2_sha256"
    }

    /// scrypt's defaults: N = 2^15, r = 8, p = 1 (32 MiB and about 0.1 s per check here).
    public static let defaultScrypt = (n: 1 << 15, r: 8, p: 1)
    /// PBKDF2-HMAC-SHA256's default iteration count (OWASP's 2023 figure).
    public static let defaultPBKDF2Iterations = 600_000
    /// The largest parameters read from a file: N ≤ 2^20, r ≤ 32, p ≤ 16, 10 million PBKDF2 iterations.
    public static let limits = (n: 1 << 20, r: 32, p: 16, iterations: 10_000_000)

    /// A new hash of `password` with a fresh 16-byte salt.
    public static func make(password: String, scheme: Scheme = .scrypt) -> PasswordHash {
        let salt = AuthCrypto.randomBytes(16)
        let bytes = Array(password.utf8)
        switch scheme {
        case .scrypt:
            let (n, r, p) = defaultScrypt
            // The defaults are within libcrypto's limits: derivation cannot fail for them.
            let digest =
                AuthCrypto.scrypt(
                    password: bytes, salt: salt, n: UInt64(clamping: n), r: UInt64(clamping: r), p: UInt64(clamping: p),
                    length: 32)
                ?? []
            return .scrypt(n: n, r: r, p: p, salt: salt, digest: digest)
        case .pbkdf2:
            let iterations = defaultPBKDF2Iterations
            let digest =
                AuthCrypto.pbkdf2SHA256(password: bytes, salt: salt, iterations: iterations, length: 32) ?? []
            return .pbkdf2SHA256(iterations: iterations, salt: salt, digest: digest)
        }
    }

    /// Reads `scrypt$…` or `pbkdf2_sha256$…`.
    ///
    /// - Throws: ``AuthConfigurationError`` naming what is wrong (never the digest).
    public init(parsing text: String) throws(AuthConfigurationError) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        func b64(_ s: String, _ what: String) throws(AuthConfigurationError) -> [UInt8] {
            guard let data = Data(base64Encoded: s), !data.isEmpty, data.count <= 1024 else {
                throw AuthConfigurationError("the \(what) is not base64")
            }
            return [UInt8](data)
        }
        func number(_ s: String, _ what: String, _ range: ClosedRange<Int>) throws(AuthConfigurationError) -> Int {
            guard let n = Int(s), range.contains(n) else {
                throw AuthConfigurationError("\(what) \(s) is not in \(range.lowerBound)...\(range.upperBound)")
            }
            return n
        }
        switch parts.first {
        case "scrypt":
            guard parts.count == 6 else {
                throw AuthConfigurationError("a scrypt hash has 6 fields: scrypt$N$r$p$SALT$DIGEST")
            }
            let n = try number(parts[1], "N", 2...Self.limits.n)
            guard n & (n - 1) == 0 else { throw AuthConfigurationError("N \(n) is not a power of 2") }
            self = .scrypt(
                n: n, r: try number(parts[2], "r", 1...Self.limits.r), p: try number(parts[3], "p", 1...Self.limits.p),
                salt: try b64(parts[4], "salt"), digest: try b64(parts[5], "digest"))
        case "pbkdf2_sha256":
            guard parts.count == 4 else {
                throw AuthConfigurationError("a PBKDF2 hash has 4 fields: pbkdf2_sha256$ITERATIONS$SALT$DIGEST")
            }
            self = .pbkdf2SHA256(
                iterations: try number(parts[1], "the iteration count", 1...Self.limits.iterations),
                salt: try b64(parts[2], "salt"), digest: try b64(parts[3], "digest"))
        default:
            throw AuthConfigurationError("unknown hash scheme (expected scrypt$… or pbkdf2_sha256$…)")
        }
    }

    /// The file form.
    public var description: String {
        func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
        switch self {
        case .scrypt(let n, let r, let p, let salt, let digest):
            return "scrypt$\(n)$\(r)$\(p)$\(b64(salt))$\(b64(digest))"
        case .pbkdf2SHA256(let iterations, let salt, let digest):
            return "pbkdf2_sha256$\(iterations)$\(b64(salt))$\(b64(digest))"
        }
    }

    /// Whether `password` hashes to this digest (compared in constant time). Slow on purpose: call it off the
    /// event loop.
    public func verify(_ password: String) -> Bool {
        let bytes = Array(password.utf8)
        let derived: [UInt8]?
        let expected: [UInt8]
        switch self {
        case .scrypt(let n, let r, let p, let salt, let digest):
            expected = digest
            derived = AuthCrypto.scrypt(
                password: bytes, salt: salt, n: UInt64(clamping: n), r: UInt64(clamping: r), p: UInt64(clamping: p),
                length: digest.count)
        case .pbkdf2SHA256(let iterations, let salt, let digest):
            expected = digest
            derived = AuthCrypto.pbkdf2SHA256(
                password: bytes, salt: salt, iterations: iterations, length: digest.count)
        }
        guard let derived else { return false }
        return AuthCrypto.constantTimeEquals(derived, expected)
    }
}
