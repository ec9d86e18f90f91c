// The only file of Protocol that calls libcrypto.
import COpenSSL

/// HMAC-SHA256 and constant-time comparison from libcrypto.
enum Crypto {
    /// HMAC-SHA256 of `message` under `key` (32 bytes).
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = key.withUnsafeBufferPointer { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                digest.withUnsafeMutableBufferPointer { out in
                    HMAC(
                        // trap-safe: the secret key comes from configuration; keys over 2 GiB are not a case
                        EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count), messageBuffer.baseAddress,
                        messageBuffer.count, out.baseAddress, &length) != nil
                }
            }
        }
        // HMAC only fails on allocation failure, which libcrypto cannot recover from either.
        precondition(ok, "HMAC-SHA256 failed")
        return Array(digest[..<Int(length)])
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
