// The only file of Wire's transport that talks to libssl. Everything else uses TLSContext and TLSEngine.
import COpenSSL
import Glibc

/// A configured OpenSSL context (`SSL_CTX`), shared by every connection that uses it.
public final class TLSContext: Sendable {
    // An SSL_CTX may be shared between threads once configured: OpenSSL locks its internal state, and
    // we never change it after init. nonisolated(unsafe) because the pointer type is not Sendable.
    nonisolated(unsafe) let context: OpaquePointer
    public let configuration: TLSConfiguration

    public init(_ configuration: TLSConfiguration) throws(TLSError) {
        self.configuration = configuration
        let method = configuration.role == .server ? TLS_server_method() : TLS_client_method()
        guard let ctx = SSL_CTX_new(method) else { throw TLSContext.lastError("SSL_CTX_new") }
        context = ctx
        let version = configuration.minimumVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        _ = COpenSSL_SSL_CTX_set_min_proto_version(ctx, version)
        // Memory BIOs always accept a whole record, but keep partial writes legal and give buffers of idle
        // connections back to the allocator.
        _ = COpenSSL_SSL_CTX_set_mode(
            ctx, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
        if let chain = configuration.certificateChainFile {
            guard SSL_CTX_use_certificate_chain_file(ctx, chain) == 1 else {
                throw TLSContext.lastError("certificate \(chain)")
            }
        }
        if let key = configuration.privateKeyFile {
            // OpenSSL's default password callback reads the passphrase from the userdata; an empty one (no
            // password given) makes an encrypted key fail instead of prompting on the terminal.
            let loaded = (configuration.privateKeyPassword ?? "").withCString { password -> Int32 in
                SSL_CTX_set_default_passwd_cb_userdata(ctx, UnsafeMutableRawPointer(mutating: password))
                defer { SSL_CTX_set_default_passwd_cb_userdata(ctx, nil) }
                return SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM)
            }
            guard loaded == 1 else {
                throw TLSContext.lastError("private key \(key)")
            }
            guard SSL_CTX_check_private_key(ctx) == 1 else {
                throw TLSContext.lastError("key does not match certificate")
            }
        }
        if configuration.role == .client {
            switch configuration.trustRoots {
            case .system:
                guard SSL_CTX_set_default_verify_paths(ctx) == 1 else {
                    throw TLSContext.lastError("default verify paths")
                }
            case .file(let path):
                guard SSL_CTX_load_verify_locations(ctx, path, nil) == 1 else {
                    throw TLSContext.lastError("trust roots \(path)")
                }
            }
            SSL_CTX_set_verify(ctx, configuration.verifyPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        }
        if !configuration.applicationProtocols.isEmpty && configuration.role == .client {
            var wire: [UInt8] = []
            for p in configuration.applicationProtocols where !p.isEmpty && p.utf8.count < 256 {
                // trap-safe: entries of 256 bytes or more were dropped above
                wire.append(UInt8(p.utf8.count))
                wire.append(contentsOf: p.utf8)
            }
            _ = SSL_CTX_set_alpn_protos(ctx, wire, UInt32(clamping: wire.count))
        }
    }

    deinit { SSL_CTX_free(context) }

    /// Drains OpenSSL's error queue into one message.
    static func lastError(_ operation: String) -> TLSError {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buf = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buf, buf.count)
            messages.append(String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return TLSError(operation, messages.isEmpty ? "unknown error" : messages.joined(separator: "; "))
    }
}

/// One TLS session over memory BIOs: the connection feeds it ciphertext and writes out what it produces.
///
/// Owned by one connection on one loop; never touches a socket.
final class TLSEngine {
    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    private(set) var isHandshakeComplete = false
    private var pendingPlaintext: [[UInt8]] = []
    private var shutdownSent = false

    /// - Parameter serverName: clients only: the host to verify and send as SNI (IP addresses are
    ///   verified against the certificate's IP SANs and not sent as SNI).
    init(context: TLSContext, serverName: String?) throws(TLSError) {
        guard let ssl = SSL_new(context.context) else { throw TLSContext.lastError("SSL_new") }
        guard let r = BIO_new(BIO_s_mem()), let w = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSContext.lastError("BIO_new")
        }
        self.ssl = ssl
        readBIO = r
        writeBIO = w
        SSL_set_bio(ssl, r, w)
        if context.configuration.role == .server {
            SSL_set_accept_state(ssl)
        } else {
            SSL_set_connect_state(ssl)
            if let name = serverName, !name.isEmpty {
                var a4 = in_addr()
                var a6 = in6_addr()
                let isIP = inet_pton(AF_INET, name, &a4) == 1 || inet_pton(AF_INET6, name, &a6) == 1
                if isIP {
                    if context.configuration.verifyPeer { _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) }
                } else {
                    _ = COpenSSL_SSL_set_tlsext_host_name(ssl, name)
                    if context.configuration.verifyPeer { _ = SSL_set1_host(ssl, name) }
                }
            }
        }
    }

    deinit { SSL_free(ssl) }  // frees both BIOs

    /// Starts a client handshake (the ClientHello goes to ``takeOutput()``).
    func startHandshake() throws(TLSError) {
        try driveHandshake()
    }

    /// Adds ciphertext from the peer.
    func feed(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let n = BIO_write(readBIO, base + offset, Int32(clamping: bytes.count - offset))
            if n <= 0 { break }
            offset += Int(n)
        }
    }

    /// Decrypts what it can, using `scratch` (the loop's read buffer, free once ``feed(_:)`` copied it) so an
    /// idle TLS connection holds no buffer of its own. `closed` is true once the peer sent close_notify.
    func readPlaintext(scratch: UnsafeMutableRawBufferPointer) throws(TLSError) -> (bytes: [UInt8], closed: Bool) {
        if !isHandshakeComplete {
            try driveHandshake()
            if !isHandshakeComplete { return ([], false) }
        }
        var out: [UInt8] = []
        while true {
            let n = SSL_read(ssl, scratch.baseAddress, Int32(clamping: scratch.count))
            if n > 0 {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<Int(n)]))
                continue
            }
            let err = SSL_get_error(ssl, n)
            switch err {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return (out, false)
            case SSL_ERROR_ZERO_RETURN: return (out, true)
            default: throw TLSContext.lastError("read")
            }
        }
    }

    /// Encrypts `plaintext` (buffered until the handshake completes).
    func write(_ plaintext: [UInt8]) throws(TLSError) {
        guard isHandshakeComplete else {
            pendingPlaintext.append(plaintext)
            return
        }
        try encrypt(plaintext)
    }

    private func encrypt(_ plaintext: [UInt8]) throws(TLSError) {
        var offset = 0
        while offset < plaintext.count {
            let n = plaintext.withUnsafeBytes { p -> Int32 in
                guard let base = p.baseAddress else { return 0 }
                return SSL_write(ssl, base + offset, Int32(clamping: p.count - offset))
            }
            guard n > 0 else { throw TLSContext.lastError("write") }
            offset += Int(n)
        }
    }

    /// Queues close_notify.
    func shutdown() {
        guard !shutdownSent, isHandshakeComplete else { return }
        shutdownSent = true
        _ = SSL_shutdown(ssl)
    }

    /// Ciphertext waiting to be sent, if any.
    func takeOutput() -> [UInt8]? {
        // One read of at most 1 GiB (BIO lengths are 32-bit); the caller loops until nothing is left.
        let pending = Swift.min(Int(clamping: BIO_ctrl_pending(writeBIO)), 1 << 30)
        guard pending > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: pending)
        let n = out.withUnsafeMutableBytes { BIO_read(writeBIO, $0.baseAddress, Int32(clamping: pending)) }
        if n <= 0 { return nil }
        if Int(n) < pending { out.removeLast(pending - Int(n)) }
        return out
    }

    /// The ALPN protocol agreed, if any.
    var negotiatedProtocol: String? {
        var p: UnsafePointer<UInt8>?
        var len: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &p, &len)
        guard let p, len > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(len)), as: UTF8.self)
    }

    private func driveHandshake() throws(TLSError) {
        guard !isHandshakeComplete else { return }
        let rc = SSL_do_handshake(ssl)
        if rc == 1 {
            isHandshakeComplete = true
            let pending = pendingPlaintext
            pendingPlaintext = []
            for p in pending { try encrypt(p) }
            return
        }
        let err = SSL_get_error(ssl, rc)
        if err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE { return }
        let result = SSL_get_verify_result(ssl)
        if result != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(result))
            _ = TLSContext.lastError("handshake")
            throw TLSError("handshake", "certificate verify failed: \(reason)")
        }
        throw TLSContext.lastError("handshake")
    }
}

@available(*, unavailable)
extension TLSEngine: Sendable {}
