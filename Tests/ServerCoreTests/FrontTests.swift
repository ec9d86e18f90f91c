import DocumentModel
import Foundation
import Protocol
@testable import ServerCore
import Testing
import Wire

/// A directory with `js/app.js` (2 000 bytes of text) and `sub/` for the static-file tests.
func staticFixture() throws -> (dir: String, body: [UInt8]) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("front-static-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir + "/js", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
    let body = Array(String(repeating: "console.log('bokeh');\n", count: 91).utf8.prefix(2000))
    try Data(body).write(to: URL(fileURLWithPath: dir + "/js/app.js"))
    try Data([0, 0, 1, 0]).write(to: URL(fileURLWithPath: dir + "/favicon.ico"))
    return (dir, body)
}

@Suite struct StaticFileTests {
    @Test func servesFileWithEtagAndVersionCaching() throws {
        let (dir, body) = try staticFixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try #require(StaticFiles(directory: dir))
        let hash = Digest.hex(Digest.sha512(body))
        #expect(files.versionHash(of: "js/app.js") == hash)
        let plain = files.response(to: "js/app.js", query: "", headers: [:], now: 1_000)
        #expect(plain.head.status.code == 200)
        #expect(plain.body == body)
        #expect(plain.head.headers["Etag"] == "\"\(hash)\"")
        #expect(plain.head.headers["Content-Type"] == "text/javascript")
        #expect(plain.head.headers["Accept-Ranges"] == "bytes")
        #expect(plain.head.headers["Last-Modified"] != nil)
        #expect(plain.head.headers["Cache-Control"] == nil)
        let versioned = files.response(to: "js/app.js", query: "v=\(hash)", headers: [:], now: 1_000)
        #expect(versioned.head.headers["Cache-Control"] == "max-age=315360000")
        #expect(versioned.head.headers["Expires"] == HTTPDate.format(secondsSince1970: 1_000 + 315_360_000))
    }

    @Test func ifNoneMatchGives304() throws {
        let (dir, _) = try staticFixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try #require(StaticFiles(directory: dir))
        let etag = try #require(files.response(to: "js/app.js", query: "", headers: [:], now: 0).head.headers["Etag"])
        let again = files.response(to: "js/app.js", query: "", headers: ["If-None-Match": etag], now: 0)
        #expect(again.head.status.code == 304)
        #expect(again.body.isEmpty)
        let other = files.response(to: "js/app.js", query: "", headers: ["If-None-Match": "\"other\""], now: 0)
        #expect(other.head.status.code == 200)
    }

    @Test func rangesGive206Or416() throws {
        let (dir, body) = try staticFixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try #require(StaticFiles(directory: dir))
        let first = files.response(to: "js/app.js", query: "", headers: ["Range": "bytes=0-9"], now: 0)
        #expect(first.head.status.code == 206)
        #expect(first.body == Array(body[0..<10]))
        #expect(first.head.headers["Content-Range"] == "bytes 0-9/2000")
        let suffix = files.response(to: "js/app.js", query: "", headers: ["Range": "bytes=-5"], now: 0)
        #expect(suffix.body == Array(body[1995...]))
        #expect(suffix.head.headers["Content-Range"] == "bytes 1995-1999/2000")
        let beyond = files.response(to: "js/app.js", query: "", headers: ["Range": "bytes=5000-"], now: 0)
        #expect(beyond.head.status.code == 416)
        #expect(beyond.head.headers["Content-Range"] == "bytes */2000")
        let whole = files.response(to: "js/app.js", query: "", headers: ["Range": "bytes=0-"], now: 0)
        #expect(whole.head.status.code == 200)
        let garbage = files.response(to: "js/app.js", query: "", headers: ["Range": "bytes=a-b"], now: 0)
        #expect(garbage.head.status.code == 200)
        #expect(ByteRange(parsing: "bytes=0-1,5-6") == nil)
        #expect(ByteRange(parsing: "bytes=9-3") == nil)
    }

    @Test func directoriesAndEscapesAre403MissingIs404() throws {
        let (dir, _) = try staticFixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try #require(StaticFiles(directory: dir))
        #expect(files.response(to: "sub", query: "", headers: [:], now: 0).head.status.code == 403)
        #expect(files.response(to: "", query: "", headers: [:], now: 0).head.status.code == 403)
        #expect(files.response(to: "../../etc/passwd", query: "", headers: [:], now: 0).head.status.code == 403)
        #expect(files.response(to: "js/../../x", query: "", headers: [:], now: 0).head.status.code == 403)
        #expect(files.response(to: "js/none.js", query: "", headers: [:], now: 0).head.status.code == 404)
        #expect(files.response(to: "js/a\u{0}b", query: "", headers: [:], now: 0).head.status.code == 404)
        #expect(StaticFiles(directory: dir + "/missing") == nil)
    }

    @Test func gzipWhenAccepted() throws {
        let (dir, body) = try staticFixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try #require(StaticFiles(directory: dir))
        let zipped = files.response(
            to: "js/app.js", query: "", headers: ["Accept-Encoding": "gzip, deflate, br"], now: 0)
        #expect(zipped.head.headers["Content-Encoding"] == "gzip")
        #expect(zipped.head.headers["Vary"] == "Accept-Encoding")
        #expect(Array(zipped.body.prefix(2)) == [0x1F, 0x8B])
        #expect(zipped.body.count < body.count)
        let refused = files.response(to: "js/app.js", query: "", headers: ["Accept-Encoding": "gzip;q=0"], now: 0)
        #expect(refused.head.headers["Content-Encoding"] == nil)
        #expect(refused.body == body)
        let icon = files.response(to: "favicon.ico", query: "", headers: ["Accept-Encoding": "gzip"], now: 0)
        #expect(icon.head.headers["Content-Encoding"] == nil)
        #expect(icon.head.headers["Content-Type"] == "image/x-icon")
    }
}

@Suite struct PageTests {
    private func content() -> PageContent {
        PageContent(
            title: "A <b>title</b>", jsURLs: ["/static/js/bokeh.min.js?v=1", "/static/js/bokeh-widgets.min.js?v=2"],
            cssURLs: [],
            roots: [
                .init(id: "p1001", name: "layout", elementID: "el-1"), .init(id: "p1002", name: nil, elementID: "el-2"),
            ], token: "tok.en", docsJSONID: "docs-1")
    }

    @Test func standardPageCarriesScriptsTokenAndRoots() throws {
        let page = try content().render(with: .standard)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("<title>A &lt;b&gt;title&lt;/b&gt;</title>"))
        #expect(page.contains("<script type=\"text/javascript\" src=\"/static/js/bokeh.min.js?v=1\"></script>"))
        #expect(page.contains("Bokeh.set_log_level(\"info\");"))
        #expect(page.contains("<div id=\"el-1\" data-root-id=\"p1001\" style=\"display: contents;\"></div>"))
        #expect(page.contains("<div id=\"el-2\" data-root-id=\"p1002\" style=\"display: contents;\"></div>"))
        #expect(page.contains("<script type=\"application/json\" id=\"docs-1\">\n  {}\n</script>"))
        #expect(
            page.contains(
                "const render_items = [{\"token\":\"tok.en\",\"roots\":{\"p1001\":\"el-1\",\"p1002\":\"el-2\"},\"root_ids\":[\"p1001\",\"p1002\"],\"use_for_title\":true}];"
            ))
        #expect(page.contains("root.Bokeh.embed.embed_items(docs_json, render_items);"))
        #expect(page.contains("document.getElementById(\"docs-1\").textContent"))
    }

    @Test func customTemplateVariables() throws {
        var c = content()
        c.variables = ["greeting": "<em>hi</em>"]
        let template = PageTemplate(
            "<h1>{{ title }}</h1>{{greeting}}|{{ embed(roots.layout) }}|{{ js_urls }}|{{ unknown }}|{{ bokeh_js | safe }}"
        )
        let page = try c.render(with: template)
        #expect(
            page.hasPrefix("<h1>A &lt;b&gt;title&lt;/b&gt;</h1><em>hi</em>|<div id=\"el-1\" data-root-id=\"p1001\""))
        #expect(page.contains("|[\"/static/js/bokeh.min.js?v=1\", \"/static/js/bokeh-widgets.min.js?v=2\"]||<script"))
        #expect(PageTemplate("open {{ title").render { _ in "x" } == "open {{ title")
    }

    @Test func jsonStringsAreScriptSafe() {
        #expect(jsonString("</script>\"\n") == "\"\\u003c/script\\u003e\\\"\\n\"")
        #expect(jsonString("\u{1}") == "\"\\u0001\"")
    }

    @Test func autoloadScriptEmbedsIntoTheElement() {
        let script = AutoloadScript(
            elementID: "target", jsURLs: ["http://127.0.0.1:5006/static/js/bokeh.min.js?v=1"], cssURLs: [],
            token: "tok",
            appPath: "/app", absoluteURL: "http://127.0.0.1:5006/app/autoload.js")
        let text = script.text
        #expect(text.contains("document.getElementById(\"target\")"))
        #expect(text.contains("const js_urls = [\"http://127.0.0.1:5006/static/js/bokeh.min.js?v=1\"];"))
        #expect(text.contains("[{\"token\":\"tok\",\"elementid\":\"target\",\"use_for_title\":false}]"))
        #expect(
            text.contains(
                "root.Bokeh.embed.embed_items(docs_json, render_items, \"/app\", \"http://127.0.0.1:5006/app/autoload.js\");"
            ))
        #expect(BokehResources.origin(of: "http://127.0.0.1:5006/app/autoload.js") == "http://127.0.0.1:5006")
        #expect(BokehResources.origin(of: "not a url") == nil)
    }

    @Test func cdnResourcesWithoutLocalCopy() {
        let urls = BokehResources(files: nil, prefix: "").jsURLs()
        #expect(urls.first == "https://cdn.bokeh.org/bokeh/release/bokeh-3.10.2.min.js")
        #expect(urls.count == 5)
        #expect(
            urls.allSatisfy { $0.hasPrefix("https://cdn.bokeh.org/bokeh/release/") && $0.hasSuffix("-3.10.2.min.js") })
    }
}

@Suite struct SessionResolutionTests {
    private func resolve(
        _ arguments: [(String, String)], header: String? = nil, signer: SessionSigner, generate: Bool = true
    ) -> SessionResolution {
        SessionResolution.resolve(
            arguments: arguments.map { (name: $0.0, value: Array($0.1.utf8)) }, headerSessionID: header, signer: signer,
            generateSessionIDs: generate, extraPayload: RequestSnapshot().payload, now: 1_700_000_000)
    }

    @Test func refusals() throws {
        let signer = try SessionSigner()
        #expect(
            resolve([("bokeh-session-id", "a")], header: "b", signer: signer)
                == .refused(status: 403, reason: "session ID was provided as an argument and header"))
        #expect(
            resolve([("bokeh-session-id", "a"), ("bokeh-token", "t")], signer: signer)
                == .refused(status: 403, reason: "Both token and session ID were provided"))
        #expect(
            resolve([], signer: signer, generate: false)
                == .refused(status: 403, reason: "No bokeh-session-id provided"))
        #expect(
            resolve([("bokeh-token", "%%%")], signer: signer)
                == .refused(status: 403, reason: "Invalid token or session ID"))
    }

    @Test func signedServerRefusesUnsignedIDs() throws {
        let signer = try SessionSigner(
            secretKey: "test-secret-key-0123456789abcdefghijklmnopqrstuv", signsSessions: true)
        #expect(
            resolve([("bokeh-session-id", "unsigned")], signer: signer)
                == .refused(status: 403, reason: "Invalid token or session ID"))
        guard case .session(let id, let token) = resolve([], signer: signer) else {
            Issue.record("a signed server generates a signed id")
            return
        }
        #expect(id.contains("."))
        #expect(signer.checkTokenSignature(token))
    }

    @Test func givenIDAndTokenAreUsed() throws {
        let signer = try SessionSigner()
        guard case .session(let id, let token) = resolve([("bokeh-session-id", "mine")], signer: signer) else {
            Issue.record("an explicit id is accepted")
            return
        }
        #expect(id == "mine")
        #expect(try SessionToken(decoding: token).sessionID == "mine")
        #expect(resolve([("bokeh-token", token)], signer: signer) == .session(sessionID: "mine", token: token))
    }
}

/// One HTTP exchange over a plain socket (`Connection: close`): the raw response text.
func rawHTTP(port: Int, _ request: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #expect(fd >= 0)
    defer { close(fd) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    try #require(connected == 0)
    let bytes = Array(request.utf8)
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while response.count < 16 * 1024 * 1024 {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        response.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: response, as: UTF8.self)
}

@Suite(.serialized) struct FrontLoopbackTests {
    @Test func pageAutoloadAndStaticOverHTTP() throws {
        let (dir, _) = try staticFixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try startServer { $0.front.staticDirectory = dir }
        defer { server.stop() }
        let port = server.port
        func get(_ target: String, _ headers: String = "") throws -> String {
            try rawHTTP(
                port: port, "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\(headers)Connection: close\r\n\r\n")
        }
        let page = try get("/test?x=1")
        #expect(page.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(page.contains("Content-Type: text/html\r\n"))
        #expect(page.contains("Etag: \""))
        #expect(page.contains("\"token\":\""))
        #expect(page.contains("/static/js/bokeh.min.js"))

        let forbidden = try get("/test?bokeh-session-id=a&bokeh-token=b")
        #expect(forbidden.hasPrefix("HTTP/1.1 403 Both token and session ID were provided\r\n"))
        #expect(forbidden.contains("<html><title>403: Both token and session ID were provided</title>"))

        let autoload = try get("/test/autoload.js?bokeh-autoload-element=el", "Origin: http://localhost:\(port)\r\n")
        #expect(autoload.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(autoload.contains("Content-Type: application/javascript\r\n"))
        #expect(autoload.contains("Access-Control-Allow-Origin: http://localhost:\(port)\r\n"))
        #expect(autoload.contains("Vary: Origin\r\n"))
        #expect(autoload.contains("\"elementid\":\"el\""))
        let foreign = try get("/test/autoload.js?bokeh-autoload-element=el", "Origin: http://evil.example\r\n")
        #expect(foreign.contains("Access-Control-Allow-Origin: *\r\n"))
        #expect(!foreign.contains("Vary: Origin"))
        let noElement = try get("/test/autoload.js")
        #expect(noElement.hasPrefix("HTTP/1.1 400 No bokeh-autoload-element query parameter\r\n"))
        #expect(noElement.contains("Access-Control-Allow-Origin: *\r\n"))
        let options = try rawHTTP(
            port: port, "OPTIONS /test/autoload.js HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        #expect(options.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(options.contains("Access-Control-Allow-Methods: PUT, GET, OPTIONS\r\n"))
        #expect(options.contains("Content-Length: 0\r\n"))

        let head = try rawHTTP(
            port: port, "HEAD /static/js/app.js HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(head.contains("Content-Length: 2000\r\n"))
        #expect(head.hasSuffix("\r\n\r\n"))
        #expect(try get("/static/sub").hasPrefix("HTTP/1.1 403 "))
        #expect(try get("/static/js/none.js").hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        let icon = try get("/favicon.ico")
        #expect(icon.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(icon.contains("Content-Type: image/x-icon\r\n"))
    }

    @Test func noStaticDirectoryMeansCDNAndBokehsBuiltInFavicon() throws {
        let server = try startServer()
        defer { server.stop() }
        let port = server.port
        let page = try rawHTTP(port: port, "GET /test HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(page.contains("src=\"https://cdn.bokeh.org/bokeh/release/bokeh-3.10.2.min.js\""))
        let icon = try rawHTTP(port: port, "GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(icon.hasPrefix("HTTP/1.1 200 OK\r\n"))
        // Bokeh's favicon.ico (bokeh 3.10.2 wheel): 15,086 bytes, an ICO header with three images.
        #expect(icon.contains("Content-Length: 15086\r\n"))
        #expect(BokehIcon.bytes.count == 15086 && BokehIcon.bytes.prefix(6) == [0, 0, 1, 0, 3, 0])
    }

    @Test func icoPathNoneAnswers404() throws {
        var configuration = ServerConfiguration()
        configuration.network.port = 0
        configuration.network.address = "127.0.0.1"
        configuration.front.favicon = .none
        let server = try Server(applications: [("/test", Application { _, _ in })], configuration: configuration)
        try server.start()
        defer { server.stop() }
        let icon = try rawHTTP(
            port: server.port, "GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(icon.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
    }
}

@Suite(.serialized) struct ReadmeExampleTests {
    /// The README's ten-line app, served on a free port, answers its page.
    @Test func readmeAppServesItsPage() throws {
        let app = Application { document, context in
            let slider = Model("Slider", ["start": 0, "end": 10, "value": 1, "step": 1, "title": "n"])
            let status = Model("Div", ["text": "n=1"])
            context.onChange(of: slider, attribute: "value") { _, _, new in
                status.set("text", .string("n=\(new.intValue ?? 0)"))
            }
            document.addRoot(Model("Column", ["children": .list([.model(slider), .model(status)])]))
        }
        var configuration = ServerConfiguration()
        configuration.network.address = "127.0.0.1"
        configuration.network.port = 0
        let server = try Server(applications: ["/app": app], configuration: configuration)
        try server.start()
        defer { server.stop() }
        let page = try rawHTTP(port: server.port, "GET /app HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(page.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(page.contains("data-root-id=\"p"))
        #expect(page.contains("<title>Bokeh Application</title>"))
    }

    @Test func onEventSubscribesTheModel() async throws {
        let app = Application { document, context in
            let button = Model("Button", ["label": "go", "name": "b"])
            document.addRoot(button)
            context.onEvent("button_click", of: button) { _ in }
            context.onEvent("button_click", of: button) { _ in }
        }
        let server = try Server(
            applications: ["/b": app],
            configuration: {
                var c = ServerConfiguration()
                c.network.address = "127.0.0.1"
                c.network.port = 0
                return c
            }())
        try server.start()
        defer { server.stop() }
        let context = try #require(server.applicationContext(at: "/b"))
        let session = try await context.createSessionIfNeeded(id: "s1", token: try validToken(id: "s1"))
        let subscribed = try await session.withDocumentLocked { document in
            document.model(named: "b")?["subscribed_events"] == .set([.string("button_click")])
        }
        #expect(subscribed)
    }
}

@Suite(.serialized) struct FrontTLSTests {
    /// A self-signed certificate for 127.0.0.1 made with the `openssl` CLI.
    private func certificate() throws -> (dir: String, cert: String, key: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("front-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "\(dir)/key.pem", "-out", "\(dir)/cert.pem", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0)
        return (dir, "\(dir)/cert.pem", "\(dir)/key.pem")
    }

    @Test func wssSessionOverTheServersCertificate() async throws {
        let files = try certificate()
        defer { try? FileManager.default.removeItem(atPath: files.dir) }
        let server = try startServer {
            $0.tls.certificateFile = files.cert
            $0.tls.keyFile = files.key
        }
        defer { server.stop() }
        #expect(server.url(appPath: "/test").hasPrefix("https://127.0.0.1:"))
        let loop = try EventLoop(name: "tls-client")
        defer { loop.shutdown() }
        var configuration = WebSocketClientConfiguration()
        configuration.subprotocols = ["bokeh", try validToken(id: "tls-session")]
        configuration.tls = try TLSContext(.client(trustRoots: .file(files.cert)))
        let observed = Observed()
        let config = configuration
        let url = "wss://127.0.0.1:\(server.port)/test/ws"
        loop.execute {
            WebSocketClient.connect(to: url, on: loop, configuration: config) { result in
                switch result {
                case .failure(let error): observed.failed("\(error)")
                case .success(let channel): channel.onMessage = { observed.frame($0) }
                }
            }
        }
        #expect(await eventually { observed.texts.count >= 3 || observed.failure != nil })
        #expect(observed.failure == nil)
        #expect(observed.texts.first?.contains("\"msgtype\": \"ACK\"") == true)
    }

    @Test func keyWithoutCertificateIsRefused() {
        var configuration = ServerConfiguration()
        configuration.tls.keyFile = "/nonexistent/key.pem"
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.tls.certificateFile = "/nonexistent/cert.pem"
        #expect(throws: ConfigurationError.self) { try Server(applications: [:], configuration: configuration) }
    }
}
