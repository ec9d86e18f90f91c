/// What an endpoint is willing to negotiate for permessage-deflate (RFC 7692).
public struct PerMessageDeflateConfiguration: Sendable, Hashable {
    /// zlib compression level 0...9. Default 6 (zlib's default). Python Bokeh exposes this as
    /// `--websocket-compression-level`.
    public var compressionLevel: Int32
    /// zlib memory level 1...9. Default 8 (zlib's default); `--websocket-compression-mem-level`.
    public var memoryLevel: Int32
    /// Ask that the server resets its compression context after each message.
    public var serverNoContextTakeover: Bool
    /// Ask that the client resets its compression context after each message.
    public var clientNoContextTakeover: Bool
    /// Largest LZ77 window the server may use (8...15).
    public var serverMaxWindowBits: Int
    /// Largest LZ77 window the client may use (8...15).
    public var clientMaxWindowBits: Int
    /// Messages shorter than this are sent uncompressed (RSV1 clear), which RFC 7692 allows.
    public var minimumCompressedSize: Int

    public init(
        compressionLevel: Int32 = 6, memoryLevel: Int32 = 8, serverNoContextTakeover: Bool = false,
        clientNoContextTakeover: Bool = false, serverMaxWindowBits: Int = 15, clientMaxWindowBits: Int = 15,
        minimumCompressedSize: Int = 0
    ) {
        self.compressionLevel = Swift.min(9, Swift.max(0, compressionLevel))
        self.memoryLevel = Swift.min(9, Swift.max(1, memoryLevel))
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = Swift.min(15, Swift.max(8, serverMaxWindowBits))
        self.clientMaxWindowBits = Swift.min(15, Swift.max(8, clientMaxWindowBits))
        self.minimumCompressedSize = minimumCompressedSize
    }
}

/// The agreed permessage-deflate parameters of one connection.
public struct PerMessageDeflateParameters: Sendable, Hashable {
    public var serverNoContextTakeover: Bool
    public var clientNoContextTakeover: Bool
    public var serverMaxWindowBits: Int
    public var clientMaxWindowBits: Int

    public init(
        serverNoContextTakeover: Bool = false, clientNoContextTakeover: Bool = false,
        serverMaxWindowBits: Int = 15, clientMaxWindowBits: Int = 15
    ) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
    }

    /// The `Sec-WebSocket-Extensions` response value a server sends for these parameters.
    public var responseHeaderValue: String {
        var parts = ["permessage-deflate"]
        if serverNoContextTakeover { parts.append("server_no_context_takeover") }
        if clientNoContextTakeover { parts.append("client_no_context_takeover") }
        if serverMaxWindowBits < 15 { parts.append("server_max_window_bits=\(serverMaxWindowBits)") }
        if clientMaxWindowBits < 15 { parts.append("client_max_window_bits=\(clientMaxWindowBits)") }
        return parts.joined(separator: "; ")
    }
}

/// permessage-deflate negotiation (RFC 7692 section 7.1).
public enum PerMessageDeflateNegotiation {
    public static let extensionName = "permessage-deflate"

    /// Server side: accepts the first acceptable permessage-deflate offer, or nil when none is.
    /// An offer with unknown, repeated or out-of-range parameters is declined, and the next one tried.
    public static func accept(offers: [WebSocketExtensionOffer], configuration c: PerMessageDeflateConfiguration)
        -> PerMessageDeflateParameters?
    {
        for offer in offers where offer.name.lowercased() == extensionName {
            var seen = Set<String>()
            var serverNoContext = c.serverNoContextTakeover
            var clientNoContext = c.clientNoContextTakeover
            var serverBits = c.serverMaxWindowBits
            var clientBits: Int?  // nil: the client did not say it can limit its window
            var valid = true
            for p in offer.parameters {
                let name = p.name.lowercased()
                guard seen.insert(name).inserted else { valid = false; break }
                switch name {
                case "server_no_context_takeover":
                    guard p.value == nil else { valid = false; break }
                    serverNoContext = true
                case "client_no_context_takeover":
                    guard p.value == nil else { valid = false; break }
                    clientNoContext = true
                case "server_max_window_bits":
                    guard let v = p.value.flatMap(windowBits) else { valid = false; break }
                    serverBits = Swift.min(serverBits, v)
                case "client_max_window_bits":
                    if let value = p.value {
                        guard let v = windowBits(value) else { valid = false; break }
                        clientBits = Swift.min(c.clientMaxWindowBits, v)
                    } else {
                        clientBits = c.clientMaxWindowBits
                    }
                default:
                    valid = false
                }
                if !valid { break }
            }
            guard valid else { continue }
            // Without `client_max_window_bits` in the offer we may not limit the client's window.
            let clientWindow = clientBits ?? 15
            return PerMessageDeflateParameters(
                serverNoContextTakeover: serverNoContext, clientNoContextTakeover: clientNoContext,
                serverMaxWindowBits: serverBits, clientMaxWindowBits: clientWindow)
        }
        return nil
    }

    /// Client side: the offer to put in `Sec-WebSocket-Extensions`.
    public static func offer(_ c: PerMessageDeflateConfiguration) -> String {
        var parts = [extensionName]
        if c.serverNoContextTakeover { parts.append("server_no_context_takeover") }
        if c.clientNoContextTakeover { parts.append("client_no_context_takeover") }
        if c.serverMaxWindowBits < 15 { parts.append("server_max_window_bits=\(c.serverMaxWindowBits)") }
        parts.append(
            c.clientMaxWindowBits < 15 ? "client_max_window_bits=\(c.clientMaxWindowBits)" : "client_max_window_bits")
        return parts.joined(separator: "; ")
    }

    /// Client side: checks the server's response against what was offered.
    public static func validateResponse(
        _ response: [WebSocketExtensionOffer], offered c: PerMessageDeflateConfiguration?
    )
        throws(WebSocketError) -> PerMessageDeflateParameters?
    {
        guard let first = response.first else { return nil }
        guard response.count == 1, first.name.lowercased() == extensionName, let c else {
            throw .handshakeFailed("server accepted an extension that was not offered: \(first.name)")
        }
        var params = PerMessageDeflateParameters()
        var seen = Set<String>()
        for p in first.parameters {
            let name = p.name.lowercased()
            guard seen.insert(name).inserted else { throw .handshakeFailed("repeated extension parameter \(name)") }
            switch name {
            case "server_no_context_takeover":
                guard p.value == nil else { throw .handshakeFailed("server_no_context_takeover takes no value") }
                params.serverNoContextTakeover = true
            case "client_no_context_takeover":
                guard p.value == nil else { throw .handshakeFailed("client_no_context_takeover takes no value") }
                params.clientNoContextTakeover = true
            case "server_max_window_bits":
                guard let v = p.value.flatMap(windowBits), v <= c.serverMaxWindowBits else {
                    throw .handshakeFailed("invalid server_max_window_bits")
                }
                params.serverMaxWindowBits = v
            case "client_max_window_bits":
                guard let v = p.value.flatMap(windowBits), v <= c.clientMaxWindowBits else {
                    throw .handshakeFailed("invalid client_max_window_bits")
                }
                params.clientMaxWindowBits = v
            default:
                throw .handshakeFailed("unknown permessage-deflate parameter \(name)")
            }
        }
        if c.serverNoContextTakeover && !params.serverNoContextTakeover {
            throw .handshakeFailed("server ignored server_no_context_takeover")
        }
        return params
    }

    /// A window-bits value: decimal 8...15 without sign or leading zeros.
    static func windowBits(_ s: String) -> Int? {
        guard (1...2).contains(s.utf8.count), s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), s.first != "0",
            let v = Int(s), (8...15).contains(v)
        else { return nil }
        return v
    }
}

/// The compressor and decompressor of one connection.
///
/// Not thread-safe: owned by one ``WebSocketStateMachine``.
final class PerMessageDeflateCodec {
    let parameters: PerMessageDeflateParameters
    let role: WebSocketRole
    private let compressor: DeflateStream?
    private let decompressor: InflateStream
    private let resetCompressor: Bool
    private let resetDecompressor: Bool
    let minimumCompressedSize: Int

    private static let tail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

    init?(
        parameters p: PerMessageDeflateParameters, role: WebSocketRole, configuration c: PerMessageDeflateConfiguration
    ) {
        parameters = p
        self.role = role
        let ourBits = role == .server ? p.serverMaxWindowBits : p.clientMaxWindowBits
        resetCompressor = role == .server ? p.serverNoContextTakeover : p.clientNoContextTakeover
        resetDecompressor = role == .server ? p.clientNoContextTakeover : p.serverNoContextTakeover
        // zlib cannot write raw streams with an 8-bit window; then we send uncompressed (allowed).
        compressor =
            ourBits >= 9
            ? DeflateStream(level: c.compressionLevel, windowBits: Int32(clamping: ourBits), memLevel: c.memoryLevel)
            : nil
        guard let inflater = InflateStream(windowBits: 15) else { return nil }
        decompressor = inflater
        minimumCompressedSize = c.minimumCompressedSize
    }

    /// Whether a message of `count` bytes goes out compressed.
    func shouldCompress(_ count: Int) -> Bool { compressor != nil && count >= minimumCompressedSize }

    /// The compressed payload of one message (trailing `00 00 ff ff` removed).
    func compress(_ message: [UInt8]) throws(WebSocketError) -> [UInt8] {
        guard let compressor, var out = compressor.compress(message) else { throw .compressionFailed }
        if out.count >= 4 && out.suffix(4).elementsEqual(Self.tail) { out.removeLast(4) }
        if out.isEmpty { out = [0x00] }  // an empty stored block's header bits; inflates to nothing
        if resetCompressor { compressor.reset() }
        return out
    }

    /// Inflates one fragment of a compressed message into `output`.
    func decompress(fragment: [UInt8], into output: inout [UInt8], limit: Int) throws(WebSocketError) {
        do { try decompressor.decompress(fragment, into: &output, limit: limit) } catch {
            throw error == .tooLarge ? .messageTooLarge : .decompressionFailed
        }
    }

    /// Ends a compressed message: inflates the implicit tail and resets the context if agreed.
    func finishMessage(into output: inout [UInt8], limit: Int) throws(WebSocketError) {
        try decompress(fragment: Self.tail, into: &output, limit: limit)
        if resetDecompressor { decompressor.reset() }
    }
}
