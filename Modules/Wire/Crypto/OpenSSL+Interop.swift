// The only file of Wire's codecs that talks to libcrypto.
import COpenSSL

/// Message digests from libcrypto.
package enum Digest {
    /// SHA-1 of `bytes` (20 bytes). The WebSocket accept key (RFC 6455 section 4.2.2) and page Etags.
    package static func sha1<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        digest(bytes, EVP_sha1(), length: 20)
    }

    /// SHA-512 of `bytes` (64 bytes). Static file versions and Etags.
    package static func sha512<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        digest(bytes, EVP_sha512(), length: 64)
    }

    /// Lower-case hex of `bytes`.
    package static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func digest<C: Collection>(_ bytes: C, _ md: OpaquePointer?, length expected: Int) -> [UInt8]
    where C.Element == UInt8 {
        let input = Array(bytes)
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = input.withUnsafeBytes { inp in
            out.withUnsafeMutableBufferPointer { o in
                EVP_Digest(inp.baseAddress, inp.count, o.baseAddress, &length, md, nil)
            }
        }
        precondition(ok == 1 && Int(length) == expected, "libcrypto digest failed")
        return Array(out[0..<expected])
    }
}
