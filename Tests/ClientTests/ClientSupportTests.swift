import Protocol
import Testing
import Wire

@testable import Client

struct ClientURLTests {
    @Test(arguments: [
        ("http://localhost:5006/app", "ws://localhost:5006/app/ws"),
        ("http://localhost:5006/app/", "ws://localhost:5006/app/ws"),
        ("https://example.org/a/b", "wss://example.org/a/b/ws"),
        ("http://h", "ws://h/ws"),
        ("HTTPS://h/app//", "wss://h/app/ws"),
        ("default", "ws://localhost:5006/ws"),
    ])
    func websocketURLForServerURL(_ pair: (String, String)) throws {
        #expect(try ClientURL.websocketURL(fromServerURL: pair.0) == pair.1)
    }

    @Test func serverURLForWebsocketURL() {
        #expect(ClientURL.serverURL(forWebsocketURL: "ws://h:5006/app/ws") == "http://h:5006/app/")
        #expect(ClientURL.serverURL(forWebsocketURL: "wss://h/app/ws?x=1") == "https://h/app/")
    }

    @Test func queryArgumentsAreFormEncoded() {
        #expect(
            ClientURL.appendingQuery([("a", "1 2"), ("b/c", "é&")], to: "ws://h/ws")
                == "ws://h/ws?a=1+2&b%2Fc=%C3%A9%26")
        #expect(ClientURL.appendingQuery([("x", "y")], to: "ws://h/ws?q=1") == "ws://h/ws?q=1&x=y")
        #expect(ClientURL.appendingQuery([], to: "ws://h/ws") == "ws://h/ws")
    }

    @Test func connectionSortsArgumentsIntoTheRequestURL() throws {
        let loop = try EventLoop(name: "client-test")
        defer { loop.shutdown() }
        let connection = try ClientConnection(
            websocketURL: "ws://127.0.0.1:1/app/ws", token: { "t" }, arguments: ["z": "1", "a": "2"], eventLoop: loop)
        #expect(connection.requestURL == "ws://127.0.0.1:1/app/ws?a=2&z=1")
        #expect(connection.state == .notYetConnected)
        #expect(connection.errorReason == nil)
    }
}

struct ClientErrorTests {
    @Test func httpStatusIsReadFromARefusedHandshake() throws {
        let handshake = WebSocketClientHandshake(host: "localhost", target: "/app/ws")
        let refused = HTTPResponseHead(status: HTTPStatus(code: 403))
        #expect(throws: WebSocketError.handshakeRejected(HTTPStatus(code: 403))) { try handshake.validate(refused) }
        do { _ = try handshake.validate(refused) } catch {
            #expect(error.httpStatus?.code == 403 && error.isHandshakeRejection)
        }
        #expect(
            WebSocketError.handshakeRejected(HTTPStatus(code: 403)).detail
                == "expected 101 Switching Protocols, got 403 Forbidden")
        #expect(WebSocketError.handshakeFailed("missing Upgrade: websocket").httpStatus == nil)
        #expect(WebSocketError.frameTooLarge.httpStatus == nil)
    }

    @Test func notFoundExplainsHowToStartAServer() {
        let error = ClientError.connectionFailed(reason: .httpError, code: 404, detail: "404 Not Found")
        #expect(error.description.contains("bokeh serve"))
        #expect(error.isConnectionFailure && error.code == 404)
    }

    @Test func closeCodesAppearInDescriptions() {
        let error = ClientError.connectionLost(reason: .networkError, code: 10001, detail: "Protocol Error")
        #expect(error.description.contains("10001") && error.description.contains("Protocol Error"))
    }
}

struct SessionIdentityTests {
    @Test func unsignedByDefault() throws {
        let signer = try ClientSession.environmentSigner([:])
        #expect(!signer.signsSessions)
        let session = try ClientSession(websocketURL: "ws://127.0.0.1:1/app/ws", signer: signer)
        defer { session.close() }
        #expect(session.id.count == SessionSigner.idLength)
        let token = try SessionToken(decoding: session.token)
        #expect(token.sessionID == session.id)
    }

    @Test func signsWithTheEnvironmentsKey() throws {
        let signer = try ClientSession.environmentSigner([
            "BOKEH_SIGN_SESSIONS": "true", "BOKEH_SECRET_KEY": "k" + String(repeating: "x", count: 43),
        ])
        #expect(signer.signsSessions)
        let session = try ClientSession(websocketURL: "ws://127.0.0.1:1/app/ws", signer: signer)
        defer { session.close() }
        #expect(signer.checkSessionIDSignature(session.id))
        #expect(signer.checkTokenSignature(session.token))
    }

    @Test func signingWithoutAKeyIsRefused() {
        #expect(throws: ProtocolError.self) { try ClientSession.environmentSigner(["BOKEH_SIGN_SESSIONS": "yes"]) }
    }

    @Test func givenIDIsKept() throws {
        let session = try ClientSession(
            sessionID: "my-session", websocketURL: "ws://127.0.0.1:1/app/ws", signer: SessionSigner())
        defer { session.close() }
        #expect(session.id == "my-session")
        #expect(session.pageURL == "http://127.0.0.1:1/app/?bokeh-session-id=my-session")
    }

    @Test func showWithoutABrowserThrows() throws {
        let session = try ClientSession(
            sessionID: "s", websocketURL: "ws://127.0.0.1:1/app/ws", signer: SessionSigner())
        defer { session.close() }
        #expect(throws: ClientError.self) { try session.show(browser: "/nonexistent/browser") }
    }
}
