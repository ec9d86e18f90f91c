import BokehChannel
import DocumentModel
import Foundation
import Protocol
import ServerCore
import Locking
import Testing
import Wire

@testable import Client

/// Behaviours of Python's `bokeh.client` the Swift client mirrors: the pushed document stays the caller's,
/// `error_code`/`error_reason` in each state, `loop_until_closed` before connecting, `pull_doc(document)`,
/// `show(obj)`, and the URL handling of the session functions.
@Suite(.serialized) struct ClientParityTests {
    static let timeout = Duration.seconds(5)

    static func text(_ name: String, in session: ClientSession) async throws -> String? {
        try await session.withDocument { $0.model(named: name)?["text"]?.stringValue }
    }

    // MARK: push keeps the caller's document

    @Test func pushSessionKeepsTheCallersOwnDocumentInSync() async throws {
        try await withDemoServer { url in
            let document = Document(title: "mine")
            document.addRoot(Model("Div", ["name": .string("d"), "text": .string("hi")]))
            let identity = ObjectIdentifier(document)
            let pusher = try await pushSession(document, url: url, timeout: Self.timeout)
            defer { pusher.close() }
            // Python: "session.document in the returned session will be your supplied document".
            #expect(try await pusher.withDocument { ObjectIdentifier($0) == identity })
            let other = try await pullSession(sessionID: pusher.id, url: url, timeout: Self.timeout)
            defer { other.close() }
            #expect(try await Self.text("d", in: other) == "hi")

            // Changes made to the caller's document go to the server...
            try await pusher.withDocument { $0.model(named: "d")?.set("text", .string("from the caller")) }
            try await pusher.forceRoundtrip()
            try await other.forceRoundtrip()
            #expect(try await Self.text("d", in: other) == "from the caller")

            // ...and the server's changes arrive in it.
            try await other.withDocument { $0.model(named: "d")?.set("text", .string("from the server")) }
            try await other.forceRoundtrip()
            try await pusher.forceRoundtrip()
            let seen = try await pusher.withDocument { document in
                (ObjectIdentifier(document) == identity, document.model(named: "d")?["text"]?.stringValue)
            }
            #expect(seen.0 && seen.1 == "from the server")
            #expect(pusher.patchErrors.isEmpty)
        }
    }

    @Test func blockingPushKeepsTheCallersOwnDocument() async throws {
        try await withDemoServer { url in
            let seen = await Task.detached { () -> (Bool, String?) in
                let document = Document(title: "script")
                document.addRoot(Model("Div", ["name": .string("d"), "text": .string("hi")]))
                let identity = ObjectIdentifier(document)
                guard
                    let session = try? ClientSession(
                        websocketURL: ClientURL.websocketURL(fromServerURL: url), timeout: Self.timeout)
                else { return (false, nil) }
                defer { session.close() }
                do {
                    try session.push(document)
                    try session.withDocument { $0.model(named: "d")?.set("text", .string("changed")) }
                    try session.forceRoundtrip()
                    let other = try pullSession(sessionID: session.id, url: url, timeout: Self.timeout)
                    defer { other.close() }
                    let same = try session.withDocument { ObjectIdentifier($0) == identity }
                    return (same, try other.withDocument { $0.model(named: "d")?["text"]?.stringValue })
                } catch {
                    return (false, "\(error)")
                }
            }.value
            #expect(seen.0 && seen.1 == "changed", "\(seen)")
        }
    }

    // MARK: errorCode and errorReason

    @Test func errorCodeIsZeroUntilDisconnected() async throws {
        try await withDemoServer { url in
            let session = try ClientSession(
                websocketURL: ClientURL.websocketURL(fromServerURL: url), timeout: Self.timeout)
            // Python's error_code is 0 in every state but DISCONNECTED; error_reason None, error_detail "".
            #expect(session.connection.errorCode == 0)
            try await session.connect()
            #expect(session.connected)
            #expect(session.connection.errorCode == 0 && session.errorCode == 0)
            #expect(session.connection.errorReason == nil && session.errorReason == nil)
            #expect(session.connection.errorDetail.isEmpty && session.errorDetail.isEmpty)
            await session.close(why: "done")
            #expect(session.errorReason == .noError)
        }
    }

    @Test func refusedSocketIsANetworkErrorWithoutACode() async throws {
        var configuration = ServerConfiguration()
        configuration.network.address = "127.0.0.1"
        configuration.network.port = 0
        let server = try Server(applications: [(path: "/x", application: .demo())], configuration: configuration)
        try server.start()
        let port = server.port
        server.stop()
        let session = try ClientSession(websocketURL: "ws://127.0.0.1:\(port)/x/ws", timeout: Self.timeout)
        let error = await #expect(throws: ClientError.self) { try await session.connect() }
        #expect(error?.isConnectionFailure == true && error?.reason == .networkError)
        // Python: DISCONNECTED(NETWORK_ERROR, None, "Socket invalid.").
        #expect(session.connection.errorReason == .networkError)
        #expect(session.connection.errorCode == nil)
    }

    @Test func unknownApplicationIsAnHTTPErrorWithItsStatus() async throws {
        try await withDemoServer { url in
            let session = try ClientSession(
                websocketURL: ClientURL.websocketURL(fromServerURL: url + "_missing"), timeout: Self.timeout)
            await #expect(throws: ClientError.self) { try await session.connect() }
            #expect(session.connection.errorReason == .httpError && session.connection.errorCode == 404)
        }
    }

    @Test func serverCloseWhileIdleIsAnHTTPErrorWithTheCloseCode() async throws {
        try await withDemoServer { url in
            let session = try await pullSession(url: url, timeout: Self.timeout)
            defer { session.close() }
            // A message of an unknown type makes the server close with 10000/10001.
            session.connection.sendFragments([
                .text(#"{"msgid":"x1","msgtype":"NOT-A-TYPE"}"#), .text("{}"), .text("{}"),
            ])
            #expect(await session.loopUntilClosed(timeout: Self.timeout))
            // Python's _handle_messages reads nothing: DISCONNECTED(HTTP_ERROR, 500, ...); the close code is shown.
            #expect(session.connection.errorReason == .httpError)
            let code = session.connection.errorCode
            #expect(code == 10000 || code == 10001, "\(session.connection.state)")
            #expect(!session.connection.errorDetail.isEmpty)
        }
    }

    @Test func serverCloseWithoutACodeBeforeTheACKIsPythonsInternalServerError() async throws {
        try await withScriptedServer({ channel in channel.close(code: nil) }) { url in
            let session = try ClientSession(websocketURL: url, timeout: Self.timeout)
            let error = await #expect(throws: ClientError.self) { try await session.connect() }
            #expect(error?.isConnectionFailure == true)
            #expect(
                session.connection.state
                    == .disconnected(reason: .httpError, code: 500, detail: "Internal server error."))
        }
    }

    @Test func serverCloseWhileAReplyIsAwaitedIsANetworkError() async throws {
        try await withScriptedServer({ channel in
            sendMessage(.ack(), on: channel)
            channel.onMessage = { _ in channel.close(code: WebSocketCloseCode(4321), reason: "going") }
        }) { url in
            let session = try ClientSession(websocketURL: url, timeout: Self.timeout)
            defer { session.close() }
            try await session.connect()
            let error = await #expect(throws: ClientError.self) { try await session.forceRoundtrip() }
            #expect(error?.isConnectionLost == true)
            // Python's WAITING_FOR_REPLY reads nothing: DISCONNECTED(NETWORK_ERROR).
            #expect(session.connection.errorReason == .networkError)
            #expect(session.connection.errorCode == 4321 && session.connection.errorDetail == "going")
        }
    }

    // MARK: loopUntilClosed before connecting

    @Test func loopUntilClosedReturnsAtOnceWhenNeverConnected() async throws {
        let session = try ClientSession(websocketURL: "ws://127.0.0.1:1/app/ws", timeout: Self.timeout)
        let start = ContinuousClock.now
        #expect(await session.loopUntilClosed(timeout: .seconds(5)))
        #expect(ContinuousClock.now - start < .seconds(2))
        // Python: DISCONNECTED() at once, NO_ERROR.
        #expect(session.connection.state == .disconnected(reason: .noError, code: nil, detail: ""))
        #expect(session.connection.errorReason == .noError && session.connection.errorCode == nil)
        await #expect(throws: ClientError.self) { try await session.connect() }

        let blocking = await Task.detached { () -> Bool? in
            guard let connection = try? ClientConnection(websocketURL: "ws://127.0.0.1:1/app/ws", token: { "t" })
            else { return nil }
            return connection.loopUntilClosed(timeout: .seconds(5))
        }.value
        #expect(blocking == true)
    }

    // MARK: pullDoc(into:)

    @Test func pullDocFillsTheGivenDocument() async throws {
        try await withDemoServer { url in
            let session = try ClientSession(
                websocketURL: ClientURL.websocketURL(fromServerURL: url), timeout: Self.timeout)
            defer { session.close() }
            let document = Document(title: "stale")
            document.addRoot(Model("Div", ["name": .string("stale")]))
            await #expect(throws: ClientError.self) { try await session.connection.pullDoc(into: document) }
            try await session.connect()
            try await session.connection.pullDoc(into: document)
            #expect(document.model(named: "stale") == nil)
            #expect(document.model(named: "slider") != nil && document.model(named: "status") != nil)
            #expect(document.title != "stale")

            let blocking = await Task.detached { () -> Bool in
                let filled = Document()
                do { try session.connection.pullDoc(into: filled) } catch { return false }
                return filled.model(named: "slider") != nil
            }.value
            #expect(blocking)
        }
    }

    @Test func pullDocIntoADocumentThrowsAnErrorReply() async throws {
        try await withScriptedServer({ channel in
            sendMessage(.ack(), on: channel)
            var assembler = MessageAssembler()
            channel.onMessage = { message in
                guard let request = try? assembler.consume(Fragment(message)), let id = request.messageID else {
                    return
                }
                sendMessage(.error(replyingTo: id, text: "no document"), on: channel)
            }
        }) { url in
            let session = try ClientSession(websocketURL: url, timeout: Self.timeout)
            defer { session.close() }
            try await session.connect()
            let document = Document(title: "kept")
            let error = await #expect(throws: ClientError.self) { try await session.connection.pullDoc(into: document) }
            #expect(error?.isServerError == true && error?.detail == "no document")
            #expect(document.title == "kept")
        }
    }

    // MARK: show(obj:browser:new:)

    @Test func showAddsTheObjectAsARootAndOpensTheSessionPage() async throws {
        try await withDemoServer { url in
            let session = try await pullSession(url: url, timeout: Self.timeout)
            defer { session.close() }
            let roots = try await session.withDocument { $0.roots.count }
            let browser = try BrowserRecorder(named: "page-opener")
            defer { browser.remove() }
            try session.show(
                obj: Model("Div", ["name": .string("shown"), "text": .string("on show")]), browser: browser.path)
            #expect(await browser.arguments() == [session.pageURL])
            #expect(try await session.withDocument { $0.roots.count } == roots + 1)
            #expect(try await session.withDocument { $0.roots.last?.name } == "shown")
            // The new root reached the server: another client of the session sees it.
            try await session.forceRoundtrip()
            let other = try await pullSession(sessionID: session.id, url: url, timeout: Self.timeout)
            defer { other.close() }
            #expect(try await Self.text("shown", in: other) == "on show")

            // Without obj the roots stay as they are.
            let again = try BrowserRecorder(named: "page-opener")
            defer { again.remove() }
            try session.show(browser: again.path)
            #expect(await again.arguments() == [session.pageURL])
            #expect(try await session.withDocument { $0.roots.count } == roots + 1)
        }
    }

    @Test func showWithAnObjectNeedsADocument() throws {
        let session = try ClientSession(
            sessionID: "s", websocketURL: "ws://127.0.0.1:1/app/ws", signer: SessionSigner())
        defer { session.close() }
        let error = #expect(throws: ClientError.self) {
            try session.show(obj: Model("Div"), browser: "/nonexistent/browser")
        }
        #expect(error?.description.contains("pull() or push() first") == true)
    }

    @Test func newAsksMozillaAndChromeForAWindowOrATab() async throws {
        let session = try ClientSession(
            sessionID: "s", websocketURL: "ws://127.0.0.1:1/app/ws", signer: SessionSigner())
        defer { session.close() }
        let firefox = try BrowserRecorder(named: "firefox")
        defer { firefox.remove() }
        try session.show(browser: firefox.path, new: .window)
        #expect(await firefox.arguments() == ["-new-window", session.pageURL])
        #expect(Browser.arguments(for: "/usr/bin/firefox", url: "u", new: .tab) == ["-new-tab", "u"])
        #expect(Browser.arguments(for: "/usr/bin/firefox", url: "u", new: .same) == ["u"])
        #expect(Browser.arguments(for: "chromium", url: "u", new: .window) == ["--new-window", "u"])
        #expect(Browser.arguments(for: "chromium", url: "u", new: .tab) == ["u"])
        #expect(Browser.arguments(for: "xdg-open", url: "u", new: .window) == ["u"])
    }

    // MARK: URLs of the session functions

    @Test func defaultURLIsBokehsDefaultServer() async throws {
        #expect(try ClientURL.websocketURL(fromServerURL: "default") == "ws://localhost:5006/ws")
        #expect(try ClientURL.serverURL(resolving: "default") == "http://localhost:5006")
        let browser = try BrowserRecorder(named: "page-opener")
        defer { browser.remove() }
        // Python's show_session: coords.url + "?bokeh-session-id=" + the id.
        try showSession(sessionID: "abc", url: "default", browser: browser.path)
        #expect(await browser.arguments() == ["http://localhost:5006?bokeh-session-id=abc"])
    }

    @Test(arguments: ["ws://127.0.0.1:1/app/ws", "wss://example.org/app/ws", "WS://127.0.0.1:1/ws"])
    func websocketURLWhereTheServerURLBelongsIsRefused(_ url: String) async throws {
        for error in [
            #expect(throws: ClientError.self) { try ClientURL.websocketURL(fromServerURL: url) },
            await #expect(throws: ClientError.self) { _ = try await pullSession(url: url, timeout: Self.timeout) },
            #expect(throws: ClientError.self) { _ = try pullSession(url: url, timeout: Self.timeout) },
            await #expect(throws: ClientError.self) { _ = try await pushSession(Document(), url: url) },
            #expect(throws: ClientError.self) { _ = try pushSession(Document(), url: url) },
            #expect(throws: ClientError.self) { try showSession(url: url, browser: "/nonexistent/browser") },
        ] {
            #expect(error?.isInvalidURL == true, "\(String(describing: error))")
            #expect(error?.description.contains("http:// or https:// URL") == true)
            #expect(error?.description.contains("WebSocket URL") == true)
        }
    }

    @Test(arguments: ["localhost:5006/app", "ftp://h/app", "http://"])
    func otherURLsWhereTheServerURLBelongsAreRefused(_ url: String) {
        let error = #expect(throws: ClientError.self) { try ClientURL.websocketURL(fromServerURL: url) }
        #expect(error?.isInvalidURL == true && error?.description.contains("http:// or https:// URL") == true)
    }
}

/// A stand-in browser: a shell script that writes the arguments it was started with to a file.
struct BrowserRecorder {
    let directory: URL
    let path: String

    init(named name: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("client-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent(name).path
        let script = "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$0.tmp\" && mv \"$0.tmp\" \"$0.args\"\n"
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// The arguments of the first start, once it has written them (nil after 10 s).
    func arguments() async -> [String]? {
        let file = path + ".args"
        guard await eventually({ FileManager.default.fileExists(atPath: file) }) else { return nil }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Records the pages a `show` asks to open.
final class RecordingController: BrowserController {
    private let opened = Lock<[(String, BrowserTarget)]>([])
    func open(_ url: String, new: BrowserTarget) throws { opened.withLock { $0.append((url, new)) } }
    var urls: [String] { opened.withLock { $0.map(\.0) } }
    var targets: [BrowserTarget] { opened.withLock { $0.map(\.1) } }
}

@Suite struct BrowserControllerTests {
    @Test func showSessionAndShowUseAGivenController() throws {
        let controller = RecordingController()
        try showSession(sessionID: "abc", url: "http://localhost:5006/app", new: .window, controller: controller)
        #expect(controller.urls == ["http://localhost:5006/app?bokeh-session-id=abc"])
        let session = try ClientSession(
            sessionID: "s", websocketURL: "ws://127.0.0.1:1/app/ws", signer: SessionSigner())
        defer { session.close() }
        try session.show(browser: "no-such-browser-program", controller: controller)
        #expect(controller.urls.last == session.pageURL && controller.targets == [.window, .tab])
    }

    @Test func theBrowserNamedNoneOpensNothing() throws {
        try Browser.open("http://localhost:5006/", with: "none")
        #expect(throws: ClientError.self) {
            try Browser.open("http://localhost:5006/", with: "no-such-browser-program")
        }
    }
}
