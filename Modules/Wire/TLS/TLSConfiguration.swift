/// How a TLS endpoint is set up.
public struct TLSConfiguration: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        case server
        case client
    }

    /// Where a client finds the certificates it trusts.
    public enum TrustRoots: Sendable, Hashable {
        /// OpenSSL's default verify paths (the system store).
        case system
        /// A PEM file of one or more CA certificates (e.g. a test's self-signed certificate).
        case file(String)
    }

    public var role: Role
    /// PEM certificate chain (leaf first); servers only, optional for clients.
    public var certificateChainFile: String?
    /// PEM private key matching the leaf certificate.
    public var privateKeyFile: String?
    /// The passphrase of an encrypted ``privateKeyFile`` (Python's `ssl_password`). Without one, an encrypted
    /// key fails to load with an error; OpenSSL never prompts on the terminal.
    public var privateKeyPassword: String? = nil
    public var trustRoots: TrustRoots
    /// Clients: verify the server's certificate chain and name. Default true; turn off only in tests.
    public var verifyPeer: Bool
    /// Oldest protocol version accepted. Default TLS 1.2.
    public var minimumVersion: TLSVersion
    /// ALPN protocols to offer or accept, in preference order (e.g. `["http/1.1"]`); empty for none.
    public var applicationProtocols: [String]

    /// A server presenting the certificate chain in `certificateChainFile` with `privateKeyFile`.
    public static func server(certificateChainFile: String, privateKeyFile: String) -> TLSConfiguration {
        TLSConfiguration(
            role: .server, certificateChainFile: certificateChainFile, privateKeyFile: privateKeyFile,
            trustRoots: .system,
            verifyPeer: false, minimumVersion: .tls12, applicationProtocols: [])
    }

    /// A server whose private key is encrypted with `privateKeyPassword`.
    public static func server(certificateChainFile: String, privateKeyFile: String, privateKeyPassword: String?)
        -> TLSConfiguration
    {
        var configuration = server(certificateChainFile: certificateChainFile, privateKeyFile: privateKeyFile)
        configuration.privateKeyPassword = privateKeyPassword
        return configuration
    }

    /// A client that verifies servers against `trustRoots` (and checks the host name, sending it as SNI).
    public static func client(trustRoots: TrustRoots = .system, verifyPeer: Bool = true) -> TLSConfiguration {
        TLSConfiguration(
            role: .client, certificateChainFile: nil, privateKeyFile: nil, trustRoots: trustRoots,
            verifyPeer: verifyPeer,
            minimumVersion: .tls12, applicationProtocols: [])
    }
}

public enum TLSVersion: Sendable, Hashable {
    case tls12
    case tls13
}

/// A TLS failure: configuration (files, keys) or the handshake and record layer (OpenSSL's message).
public struct TLSError: Error, Sendable, Hashable, CustomStringConvertible {
    public let operation: String
    public let detail: String

    public init(_ operation: String, _ detail: String) {
        self.operation = operation
        self.detail = detail
    }

    public var description: String { "TLS \(operation): \(detail)" }
}
