// The only file of Wire's codecs that talks to libcrypto.
import COpenSSL

/// Message digests from libcrypto.
package enum Digest {
    /// SHA-1 of `bytes` (20 bytes). Used only for the WebSocket accept key (RFC 6455 section 4.2.2).
    package static func sha1<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        let input = Array(bytes)
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = input.withUnsafeBytes { inp in
            out.withUnsafeMutableBufferPointer { o in
                EVP_Digest(inp.baseAddress, inp.count, o.baseAddress, &length, EVP_sha1(), nil)
            }
        }
        precondition(ok == 1 && length == 20, "libcrypto SHA-1 failed")
        return Array(out[0..<20])
    }
}
