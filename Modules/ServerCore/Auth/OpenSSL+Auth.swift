// The only file of ServerCore that calls libcrypto: the primitives of signed cookies, XSRF tokens and password
// hashes.
import COpenSSL

/// libcrypto's HMAC, key derivation and random bytes.
enum AuthCrypto {
    enum Hash { case sha1, sha256 }

    /// HMAC of `message` under `key` with SHA-1 (20 bytes) or SHA-256 (32 bytes).
    static func hmac(_ hash: Hash, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let md = hash == .sha1 ? EVP_sha1() : EVP_sha256()
        let ok = key.withUnsafeBufferPointer { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                digest.withUnsafeMutableBufferPointer { out in
                    HMAC(
                        // trap-safe: keys are cookie secrets from configuration; over 2 GiB is not a case
                        md, keyBuffer.baseAddress, Int32(keyBuffer.count), messageBuffer.baseAddress,
                        messageBuffer.count, out.baseAddress, &length) != nil
                }
            }
        }
        // HMAC only fails on allocation failure, which libcrypto cannot recover from either.
        precondition(ok, "HMAC failed")
        return Array(digest[..<Int(length)])
    }

    /// PBKDF2-HMAC-SHA256 of `password`; nil when libcrypto refuses the parameters.
    static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8]? {
        guard iterations > 0, iterations <= Int(Int32.max), length > 0, length <= 1024 else { return nil }
        var out = [UInt8](repeating: 0, count: length)
        let text = password.map { CChar(bitPattern: $0) }
        let ok = text.withUnsafeBufferPointer { p in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    // The guards above bound iterations and length; passwords and salts are bounded by the
                    // request and file limits, far below 2 GiB: clamping never changes them.
                    PKCS5_PBKDF2_HMAC(
                        p.baseAddress, Int32(clamping: p.count), s.baseAddress, Int32(clamping: s.count),
                        Int32(clamping: iterations), EVP_sha256(), Int32(clamping: length), o.baseAddress)
                }
            }
        }
        return ok == 1 ? out : nil
    }

    /// scrypt of `password` (RFC 7914); nil when libcrypto refuses the parameters or the memory they need.
    static func scrypt(password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int) -> [UInt8]? {
        guard length > 0, length <= 1024 else { return nil }
        var out = [UInt8](repeating: 0, count: length)
        // scrypt needs 128·r·N bytes (plus 128·r·p): allow twice that.
        let (need, overflow) = (128 &* r).multipliedReportingOverflow(by: n)
        guard !overflow, need <= 1 << 30 else { return nil }
        let text = password.map { CChar(bitPattern: $0) }
        let maxMemory = need * 2 + 128 * r * p + (1 << 20)
        let ok = text.withUnsafeBufferPointer { pw in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_PBE_scrypt(
                        pw.baseAddress, pw.count, s.baseAddress, s.count, n, r, p, maxMemory, o.baseAddress, o.count)
                }
            }
        }
        return ok == 1 ? out : nil
    }

    /// `count` bytes from the system's secure generator (libcrypto's RAND_bytes).
    static func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer {
            // trap-safe: callers ask for 4 to 32 bytes
            RAND_bytes($0.baseAddress, Int32($0.count))
        }
        if ok != 1 {
            var generator = SystemRandomNumberGenerator()
            for i in out.indices { out[i] = UInt8.random(in: 0...255, using: &generator) }
        }
        return out
    }

    /// Whether `a` and `b` are equal, in time that depends only on their lengths.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 }
        }
    }
}
