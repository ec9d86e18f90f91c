import Foundation

/// The opening handshake of RFC 6455 section 4, for both sides.
public enum WebSocketHandshake {
    /// The GUID appended to the key before hashing (RFC 6455 section 1.3).
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
    public static func acceptValue(forKey key: String) -> String {
        Data(Digest.sha1(Array((key + guid).utf8))).base64EncodedString()
    }

    /// A fresh `Sec-WebSocket-Key`: 16 random bytes, base64.
    public static func generateKey<G: RandomNumberGenerator>(using rng: inout G) -> String {
        Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }).base64EncodedString()
    }

    public static func generateKey() -> String {
        var g = SystemRandomNumberGenerator()
        return generateKey(using: &g)
    }

    /// Whether `key` is base64 of exactly 16 bytes (RFC 6455 section 4.1, item 7).
    public static func isValidKey(_ key: String) -> Bool {
        guard key.utf8.count == 24, let data = Data(base64Encoded: key) else { return false }
        return data.count == 16
    }

    /// The values of `Sec-WebSocket-Protocol`, split at commas and trimmed, in order (as Tornado reads them).
    public static func offeredSubprotocols(_ headers: HTTPHeaders) -> [String] {
        headers.values(name: "Sec-WebSocket-Protocol").flatMap {
            $0.split(separator: ",", omittingEmptySubsequences: false).map({ HTTPHeaders.trimmed($0) })
        }
    }
}

/// How a server answers WebSocket upgrade requests.
public struct WebSocketServerPolicy: Sendable {
    /// Picks the subprotocol to echo from those offered, in order, or nil for none. Bokeh's server
    /// echoes the first of exactly two (`bokeh, <token>`) and reads the token from the second.
    public var selectSubprotocol: @Sendable ([String]) -> String?
    /// permessage-deflate, when the server is willing to compress (off by default, as in Bokeh).
    public var deflate: PerMessageDeflateConfiguration?

    public init(
        selectSubprotocol: @escaping @Sendable ([String]) -> String? = { _ in nil },
        deflate: PerMessageDeflateConfiguration? = nil
    ) {
        self.selectSubprotocol = selectSubprotocol
        self.deflate = deflate
    }
}

/// The outcome of a server-side handshake.
public enum WebSocketServerHandshakeResult: Sendable {
    /// Switch protocols: send `response`, then speak WebSocket.
    case accept(WebSocketAcceptance)
    /// Refuse: send this response (status and body as Tornado words them) and go on with HTTP or close.
    case reject(HTTPResponse)
}

/// An accepted upgrade.
public struct WebSocketAcceptance: Sendable, Hashable {
    /// The 101 response to send.
    public var response: HTTPResponseHead
    /// Every subprotocol the client offered, in order.
    public var offeredSubprotocols: [String]
    /// The subprotocol echoed in the response, if any.
    public var subprotocol: String?
    /// The negotiated permessage-deflate parameters, if compression was agreed.
    public var deflate: PerMessageDeflateParameters?
}

/// Server side of the opening handshake.
public enum WebSocketServerHandshake {
    /// Validates an upgrade request and builds the response. Checks, in Tornado's order: method GET,
    /// `Upgrade: websocket`, `Connection: upgrade`, version 13, a valid `Sec-WebSocket-Key`.
    public static func respond(to request: HTTPRequestHead, policy: WebSocketServerPolicy)
        -> WebSocketServerHandshakeResult
    {
        let headers = request.headers
        guard request.method == .get else {
            return .reject(errorResponse(.methodNotAllowed, body: nil))
        }
        guard let upgrade = headers["Upgrade"], upgrade.lowercased() == "websocket" else {
            return .reject(errorResponse(.badRequest, body: "Can \"Upgrade\" only to \"WebSocket\"."))
        }
        guard headers.containsToken("upgrade", in: "Connection") else {
            return .reject(errorResponse(.badRequest, body: "\"Connection\" must be \"Upgrade\"."))
        }
        guard headers["Sec-WebSocket-Version"].map({ HTTPHeaders.trimmed($0) }) == "13" else {
            var r = errorResponse(.upgradeRequired, body: nil)
            r.head.headers.add(name: "Sec-WebSocket-Version", value: "13")
            return .reject(r)
        }
        let keys = headers.values(name: "Sec-WebSocket-Key")
        guard keys.count == 1, let key = keys.first.map({ HTTPHeaders.trimmed($0) }), WebSocketHandshake.isValidKey(key)
        else {
            return .reject(errorResponse(.badRequest, body: "Missing/Invalid WebSocket headers"))
        }

        let offered = WebSocketHandshake.offeredSubprotocols(headers)
        let selected = offered.isEmpty ? nil : policy.selectSubprotocol(offered)

        var response = HTTPResponseHead(status: .switchingProtocols)
        if let selected { response.headers.add(name: "Sec-WebSocket-Protocol", value: selected) }
        response.headers.add(name: "Upgrade", value: "websocket")
        response.headers.add(name: "Connection", value: "Upgrade")
        response.headers.add(name: "Sec-WebSocket-Accept", value: WebSocketHandshake.acceptValue(forKey: key))

        var deflate: PerMessageDeflateParameters?
        if let config = policy.deflate {
            deflate = PerMessageDeflateNegotiation.accept(
                offers: WebSocketExtensionOffer.parse(headers), configuration: config)
            if let deflate {
                response.headers.add(name: "Sec-WebSocket-Extensions", value: deflate.responseHeaderValue)
            }
        }
        return .accept(
            WebSocketAcceptance(
                response: response, offeredSubprotocols: offered, subprotocol: selected, deflate: deflate))
    }

    /// Tornado's error page shape: `text/html; charset=UTF-8` with the message as the body.
    static func errorResponse(_ status: HTTPStatus, body: String?) -> HTTPResponse {
        let text =
            body
            ?? "<html><title>\(status.code): \(status.reason)</title><body>\(status.code): \(status.reason)</body></html>"
        var head = HTTPResponseHead(status: status)
        head.headers.add(name: "Content-Type", value: "text/html; charset=UTF-8")
        head.headers.add(name: "Content-Length", value: String(text.utf8.count))
        return HTTPResponse(head: head, body: Array(text.utf8))
    }
}

/// Client side of the opening handshake.
public struct WebSocketClientHandshake: Sendable {
    /// The upgrade request to send.
    public private(set) var request: HTTPRequestHead
    public let key: String
    public let subprotocols: [String]
    public let deflate: PerMessageDeflateConfiguration?

    /// - Parameters:
    ///   - host: the `Host` header value (`127.0.0.1:5006`).
    ///   - target: path and query (`/app/ws`).
    ///   - subprotocols: offered in order (Bokeh: `["bokeh", token]`).
    ///   - origin: an `Origin` header, if any.
    ///   - extraHeaders: added as given.
    ///   - deflate: offer permessage-deflate with these preferences.
    public init(
        host: String, target: String, subprotocols: [String] = [], origin: String? = nil,
        extraHeaders: HTTPHeaders = HTTPHeaders(), deflate: PerMessageDeflateConfiguration? = nil,
        key: String = WebSocketHandshake.generateKey()
    ) {
        self.key = key
        self.subprotocols = subprotocols
        self.deflate = deflate
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Upgrade", value: "websocket")
        headers.add(name: "Connection", value: "Upgrade")
        headers.add(name: "Sec-WebSocket-Key", value: key)
        headers.add(name: "Sec-WebSocket-Version", value: "13")
        if !subprotocols.isEmpty {
            headers.add(name: "Sec-WebSocket-Protocol", value: subprotocols.joined(separator: ", "))
        }
        if let deflate {
            headers.add(name: "Sec-WebSocket-Extensions", value: PerMessageDeflateNegotiation.offer(deflate))
        }
        if let origin { headers.add(name: "Origin", value: origin) }
        for (n, v) in extraHeaders { headers.add(name: n, value: v) }
        request = HTTPRequestHead(method: .get, target: target, headers: headers)
    }

    /// What the server agreed to.
    public struct Outcome: Sendable, Hashable {
        public var subprotocol: String?
        public var deflate: PerMessageDeflateParameters?
    }

    /// Checks the server's response (RFC 6455 section 4.1, client requirements 1–6).
    public func validate(_ response: HTTPResponseHead) throws(WebSocketError) -> Outcome {
        guard response.status.code == 101 else {
            throw .handshakeRejected(response.status)
        }
        guard response.headers["Upgrade"]?.lowercased() == "websocket" else {
            throw .handshakeFailed("missing Upgrade: websocket")
        }
        guard response.headers.containsToken("upgrade", in: "Connection") else {
            throw .handshakeFailed("missing Connection: Upgrade")
        }
        guard
            response.headers["Sec-WebSocket-Accept"].map({ HTTPHeaders.trimmed($0) })
                == WebSocketHandshake.acceptValue(forKey: key)
        else {
            throw .handshakeFailed("wrong Sec-WebSocket-Accept")
        }
        let chosen = WebSocketHandshake.offeredSubprotocols(response.headers)
        var subprotocol: String?
        if !chosen.isEmpty {
            guard chosen.count == 1, subprotocols.contains(chosen[0]) else {
                throw .handshakeFailed(
                    "server selected a subprotocol that was not offered: \(chosen.joined(separator: ", "))")
            }
            subprotocol = chosen[0]
        }
        let params = try PerMessageDeflateNegotiation.validateResponse(
            WebSocketExtensionOffer.parse(response.headers), offered: deflate)
        return Outcome(subprotocol: subprotocol, deflate: params)
    }
}
