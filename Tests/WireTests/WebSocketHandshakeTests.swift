import Testing
import TestSupport
@testable import Wire

@Suite struct WebSocketHandshakeTests {
    static func upgradeRequest(_ extra: [(String, String)] = [], drop: Set<String> = [], method: HTTPMethod = .get)
        -> HTTPRequestHead
    {
        var h = HTTPHeaders()
        let base: [(String, String)] = [
            ("Host", "127.0.0.1:5006"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13"),
        ]
        for (n, v) in base where !drop.contains(n) { h.add(name: n, value: v) }
        for (n, v) in extra { h.replaceOrAdd(name: n, value: v) }
        return HTTPRequestHead(method: method, target: "/app/ws", headers: h)
    }

    /// Bokeh's policy: echo the first of exactly two offered subprotocols.
    static let bokehPolicy = WebSocketServerPolicy(selectSubprotocol: { $0.count == 2 ? $0[0] : nil })

    @Test func computesTheRFCAcceptKey() {
        #expect(WebSocketHandshake.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func acceptsAValidUpgradeAndSelectsBokehFromTheOffer() throws {
        let req = Self.upgradeRequest([("Sec-WebSocket-Protocol", "bokeh, eyJzZXNzaW9uX2lkIjogIkFBQSJ9.sig")])
        guard case .accept(let a) = WebSocketServerHandshake.respond(to: req, policy: Self.bokehPolicy) else {
            Issue.record("rejected")
            return
        }
        #expect(a.response.status.code == 101)
        #expect(a.response.headers["Sec-WebSocket-Accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(a.response.headers["Sec-WebSocket-Protocol"] == "bokeh")
        #expect(a.response.headers["Upgrade"] == "websocket")
        #expect(a.offeredSubprotocols == ["bokeh", "eyJzZXNzaW9uX2lkIjogIkFBQSJ9.sig"])
        #expect(a.subprotocol == "bokeh")
        #expect(a.deflate == nil)
        #expect(a.response.headers["Sec-WebSocket-Extensions"] == nil)
    }

    @Test func echoesAWrongFirstSubprotocolAndSelectsNoneForOneOffer() {
        if case .accept(let a) = WebSocketServerHandshake.respond(
            to: Self.upgradeRequest([("Sec-WebSocket-Protocol", "notbokeh, tok")]), policy: Self.bokehPolicy)
        {
            #expect(a.subprotocol == "notbokeh")
        } else {
            Issue.record("rejected")
        }
        if case .accept(let a) = WebSocketServerHandshake.respond(
            to: Self.upgradeRequest([("Sec-WebSocket-Protocol", "bokeh")]), policy: Self.bokehPolicy)
        {
            #expect(a.subprotocol == nil)
            #expect(a.response.headers["Sec-WebSocket-Protocol"] == nil)
        } else {
            Issue.record("rejected")
        }
    }

    struct Rejection: Sendable, CustomStringConvertible {
        let name: String
        let request: HTTPRequestHead
        let status: Int
        let body: String?
        var description: String { name }
    }

    static let rejections: [Rejection] = [
        Rejection(
            name: "plain GET", request: upgradeRequest(drop: ["Upgrade", "Connection"]), status: 400,
            body: "Can \"Upgrade\" only to \"WebSocket\"."),
        Rejection(
            name: "Upgrade: h2c", request: upgradeRequest([("Upgrade", "h2c")]), status: 400,
            body: "Can \"Upgrade\" only to \"WebSocket\"."),
        Rejection(
            name: "Connection without upgrade", request: upgradeRequest([("Connection", "keep-alive")]), status: 400,
            body: "\"Connection\" must be \"Upgrade\"."),
        Rejection(name: "version 8", request: upgradeRequest([("Sec-WebSocket-Version", "8")]), status: 426, body: nil),
        Rejection(name: "no version", request: upgradeRequest(drop: ["Sec-WebSocket-Version"]), status: 426, body: nil),
        Rejection(
            name: "no key", request: upgradeRequest(drop: ["Sec-WebSocket-Key"]), status: 400,
            body: "Missing/Invalid WebSocket headers"),
        Rejection(
            name: "short key", request: upgradeRequest([("Sec-WebSocket-Key", "c2hvcnQ=")]), status: 400,
            body: "Missing/Invalid WebSocket headers"),
        Rejection(
            name: "key not base64", request: upgradeRequest([("Sec-WebSocket-Key", "!!!!!!!!!!!!!!!!!!!!!!==")]),
            status: 400,
            body: "Missing/Invalid WebSocket headers"),
        Rejection(name: "POST", request: upgradeRequest(method: "POST"), status: 405, body: nil),
    ]

    @Test(arguments: rejections)
    func rejectsBadUpgradesAsTornadoDoes(_ r: Rejection) {
        guard case .reject(let response) = WebSocketServerHandshake.respond(to: r.request, policy: Self.bokehPolicy)
        else {
            Issue.record("\(r.name) accepted")
            return
        }
        #expect(response.head.status.code == r.status)
        if let body = r.body { #expect(response.body == Array(body.utf8)) }
        #expect(response.head.headers["Content-Type"] == "text/html; charset=UTF-8")
        if r.status == 426 { #expect(response.head.headers["Sec-WebSocket-Version"] == "13") }
    }

    @Test func clientHandshakeRoundTripsWithTheServer() throws {
        let client = WebSocketClientHandshake(
            host: "127.0.0.1:5006", target: "/app/ws", subprotocols: ["bokeh", "token"],
            deflate: PerMessageDeflateConfiguration())
        #expect(WebSocketHandshake.isValidKey(client.key))
        #expect(client.request.headers["Sec-WebSocket-Protocol"] == "bokeh, token")
        let policy = WebSocketServerPolicy(selectSubprotocol: { $0.first }, deflate: PerMessageDeflateConfiguration())
        guard case .accept(let a) = WebSocketServerHandshake.respond(to: client.request, policy: policy) else {
            Issue.record("rejected")
            return
        }
        let outcome = try client.validate(a.response)
        #expect(outcome.subprotocol == "bokeh")
        #expect(outcome.deflate == a.deflate)
        #expect(outcome.deflate != nil)
    }

    @Test func clientRejectsBadResponses() {
        let client = WebSocketClientHandshake(
            host: "h", target: "/ws", subprotocols: ["bokeh", "t"], key: "dGhlIHNhbXBsZSBub25jZQ==")
        func response(_ status: Int = 101, _ fields: [(String, String)]) -> HTTPResponseHead {
            HTTPResponseHead(status: HTTPStatus(code: status), headers: HTTPHeaders(fields))
        }
        let good: [(String, String)] = [
            ("Upgrade", "websocket"), ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        ]
        #expect(throws: Never.self) { try client.validate(response(101, good)) }
        #expect(throws: WebSocketError.self) { try client.validate(response(403, good)) }
        #expect(throws: WebSocketError.self) { try client.validate(response(101, Array(good.dropFirst()))) }
        #expect(throws: WebSocketError.self) {
            try client.validate(response(101, good.dropLast() + [("Sec-WebSocket-Accept", "wrong=")]))
        }
        #expect(throws: WebSocketError.self) {
            try client.validate(response(101, good + [("Sec-WebSocket-Protocol", "other")]))
        }
        #expect(throws: WebSocketError.self) {
            try client.validate(response(101, good + [("Sec-WebSocket-Extensions", "permessage-deflate")]))
        }
    }

    @Test func parsesExtensionOffers() {
        let h: HTTPHeaders = [
            "Sec-WebSocket-Extensions":
                "permessage-deflate; client_max_window_bits; server_max_window_bits=\"10\", x-foo, bad;;"
        ]
        let offers = WebSocketExtensionOffer.parse(h)
        #expect(offers.map(\.name) == ["permessage-deflate", "x-foo"])
        #expect(
            offers.first?.parameters == [
                .init(name: "client_max_window_bits"), .init(name: "server_max_window_bits", value: "10"),
            ])
    }
}
