import DocumentModel
import Foundation
import Protocol
import Routing
@testable import ServerCore
import Locking
import Testing
import Wire

/// Where a raw test client connects.
enum RawTarget {
    case ipv4(Int), ipv6(Int), unix(String)
}

/// Opens a socket to `target`; -1 when it cannot connect.
func rawConnect(_ target: RawTarget) -> Int32 {
    let fd: Int32
    let connected: Int32
    switch target {
    case .ipv4(let port):
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    case .ipv6(let port):
        fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        address.sin6_addr = in6addr_loopback
        connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
    case .unix(let path):
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
    guard fd >= 0 else { return -1 }
    if connected != 0 {
        close(fd)
        return -1
    }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    return fd
}

/// Runs blocking socket work on a Dispatch thread, not on the test's cooperative pool: a pool thread blocked in
/// `recv` could be the one the server's own tasks (extra-route handlers) need.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// Sends `request` and reads until the peer closes (or `limit` bytes), off the cooperative pool.
func rawExchange(_ target: RawTarget, _ request: [UInt8], limit: Int = 64 * 1024 * 1024) async throws -> [UInt8] {
    try await offPool { try blockingExchange(target, request, limit: limit) }
}

func blockingExchange(_ target: RawTarget, _ request: [UInt8], limit: Int) throws -> [UInt8] {
    let fd = rawConnect(target)
    try #require(fd >= 0)
    defer { close(fd) }
    _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while response.count < limit {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        response.append(contentsOf: buffer[0..<n])
    }
    return response
}

/// A GET of `path`; `host` defaults to `localhost:<port>` (`localhost:5006` on a Unix socket), what a browser sends.
func rawGet(_ target: RawTarget, _ path: String, host: String? = nil, headers: String = "") async throws
    -> String
{
    let defaultHost: String
    switch target {
    case .ipv4(let port), .ipv6(let port): defaultHost = "localhost:\(port)"
    case .unix: defaultHost = "localhost:5006"
    }
    let request = "GET \(path) HTTP/1.1\r\nHost: \(host ?? defaultHost)\r\n\(headers)Connection: close\r\n\r\n"
    return String(decoding: try await rawExchange(target, Array(request.utf8)), as: UTF8.self)
}

/// Undoes chunked transfer coding; nil if malformed.
func dechunk(_ body: ArraySlice<UInt8>) -> [UInt8]? {
    var out: [UInt8] = []
    var rest = body
    while true {
        guard let lineEnd = rest.firstIndex(of: 0x0D), rest.index(after: lineEnd) < rest.endIndex else { return nil }
        guard let size = Int(String(decoding: rest[rest.startIndex..<lineEnd], as: UTF8.self), radix: 16) else {
            return nil
        }
        let start = lineEnd + 2
        if size == 0 { return out }
        guard start + size + 2 <= rest.endIndex else { return nil }
        out += rest[start..<start + size]
        rest = rest[(start + size + 2)...]
    }
}

func splitResponse(_ bytes: [UInt8]) -> (head: String, body: ArraySlice<UInt8>) {
    let separator: [UInt8] = [13, 10, 13, 10]
    var i = 0
    while i + 4 <= bytes.count {
        if Array(bytes[i..<i + 4]) == separator {
            return (String(decoding: bytes[..<i], as: UTF8.self), bytes[(i + 4)...])
        }
        i += 1
    }
    return (String(decoding: bytes, as: UTF8.self), [])
}

let divApplication = Application { document, _ in document.addRoot(Model("Div")) }

@Suite(.serialized) struct ServerListeningTests {
    @Test func withoutAnAddressItListensOnIPv4AndIPv6() async throws {
        var configuration = ServerConfiguration()
        configuration.network.port = 0
        let server = try Server(
            applications: [(path: "/app", application: divApplication)], configuration: configuration)
        try server.start()
        defer { server.stop() }
        let port = server.port
        #expect(server.addresses.first == "0.0.0.0")
        #expect(try await rawGet(.ipv4(port), "/app").hasPrefix("HTTP/1.1 200 OK"))
        // The machine may have no IPv6 at all; where it has, `::` serves on the same port.
        let probe = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        let hasIPv6 = probe >= 0
        if probe >= 0 { close(probe) }
        if hasIPv6 && server.addresses.count == 2 {
            #expect(server.addresses[1] == "::")
            #expect(try await rawGet(.ipv6(port), "/app").hasPrefix("HTTP/1.1 200 OK"))
        }
    }

    @Test func aUnixSocketServesTheSameRoutes() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bokeh-\(getpid()).sock").path
        var configuration = ServerConfiguration()
        configuration.network.unixSocket = path
        let server = try Server(
            applications: [(path: "/app", application: divApplication)], configuration: configuration)
        try server.start()
        #expect(server.addresses == [path])
        let page = try await rawGet(.unix(path), "/app")
        #expect(page.hasPrefix("HTTP/1.1 200 OK"))
        #expect(page.contains("\"token\":\""))
        server.stop()
        // A socket file left behind does not stop the next server.
        let again = try Server(
            applications: [(path: "/app", application: divApplication)], configuration: configuration)
        try again.start()
        #expect(try await rawGet(.unix(path), "/app").hasPrefix("HTTP/1.1 200 OK"))
        again.stop()
        unlink(path)
    }

    @Test func aUnixSocketRefusesNetworkOptionsAsBokehServeDoes() {
        var configuration = ServerConfiguration()
        configuration.network.unixSocket = "/tmp/x.sock"
        configuration.network.port = 5007
        #expect(throws: ConfigurationError.invalidValue(setting: "port")) { try configuration.validate() }
        configuration.network.port = 5006
        configuration.network.address = "127.0.0.1"
        #expect(throws: ConfigurationError.invalidValue(setting: "unix_socket")) { try configuration.validate() }
        configuration.network.address = nil
        #expect(throws: Never.self) { try configuration.validate() }
    }

    @Test func unlistenClosesOpenConnectionsAndRefusesNewOnes() async throws {
        let server = try startServer(path: "/app", application: divApplication)
        defer { server.stop() }
        let port = server.port
        // An idle keep-alive connection, after one request.
        let idle = rawConnect(.ipv4(port))
        try #require(idle >= 0)
        defer { close(idle) }
        let request = Array("GET /app HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(idle, $0.baseAddress, $0.count, 0) }
        let first = try await offPool { () -> Int in
            var buffer = [UInt8](repeating: 0, count: 65536)
            return buffer.withUnsafeMutableBytes { recv(idle, $0.baseAddress, $0.count, 0) }
        }
        #expect(first > 0)
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let client = RawClient(port: port, path: "/app", token: try validToken(id: "unlisten"), loop: loop)
        #expect(await eventually { (try? server.getSession(appPath: "/app", id: "unlisten"))?.connectionCount == 1 })

        server.unlisten()
        #expect(await eventually { client.observed.close?.code?.rawValue == 1001 })
        // The idle connection is closed by the server: the read sees the end.
        let end = try await offPool { () -> Int in
            var buffer = [UInt8](repeating: 0, count: 65536)
            var end = 1
            for _ in 0..<100 where end > 0 {
                end = buffer.withUnsafeMutableBytes { recv(idle, $0.baseAddress, $0.count, 0) }
            }
            return end
        }
        #expect(end == 0)
        #expect(
            await eventually {
                let fd = rawConnect(.ipv4(port))
                if fd >= 0 { close(fd) }
                return fd < 0
            })
    }
}

@Suite(.serialized) struct ServerStopOrderTests {
    @Test func stopHandlesConnectionsAsLostThenDestroysSessionsThenUnloads() async throws {
        let events = Recorder()
        let app = Application(
            onServerUnloaded: { _ in events.append("unloaded") },
            onSessionDestroyed: { ctx in events.append("destroyed:\(ctx.id)") }
        ) { document, context in
            document.addRoot(Model("Div"))
            context.onEvent(.connectionLost) { _ in events.append("lost:\(context.id)") }
        }
        let server = try startServer(path: "/app", application: app)
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let client = RawClient(port: server.port, path: "/app", token: try validToken(id: "stopped"), loop: loop)
        #expect(await eventually { (try? server.getSession(appPath: "/app", id: "stopped"))?.connectionCount == 1 })
        server.stop()
        #expect(events.items == ["lost:stopped", "destroyed:stopped", "unloaded"])
        #expect(await eventually { client.observed.close?.code?.rawValue == 1001 })
    }

    @Test func showChecksItsArguments() async throws {
        let server = try Server(applications: [(path: "/app", application: divApplication)])
        #expect(throws: ServerUsageError("app_path must start with a /")) {
            try server.show(appPath: "app", browser: "true")
        }
        #expect(throws: ServerUsageError.self) { try server.show(appPath: "/app", browser: "true", new: "popup") }
        try server.show(appPath: "/app", browser: "true", new: "window")
        server.stop()
    }

    @Test func theAbsoluteURLIsPythonsServerURLUnlessConfigured() async throws {
        var configuration = ServerConfiguration()
        configuration.network.port = 5999
        let plain = try Server(
            applications: [(path: "/app", application: divApplication)], configuration: configuration)
        #expect(plain.absoluteURL == "http://localhost:5999/")
        plain.stop()
        configuration.front.absoluteURL = "https://bokeh.example.org/"
        let set = try Server(applications: [(path: "/app", application: divApplication)], configuration: configuration)
        #expect(set.absoluteURL == "https://bokeh.example.org/")
        set.stop()
    }

    @Test func autoloadLoadsBokehJSFromTheConfiguredAbsoluteURL() async throws {
        let (dir, _) = try staticFixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try startServer(path: "/app", application: divApplication) {
            $0.front.absoluteURL = "https://bokeh.example.org/"
            $0.front.staticDirectory = dir
        }
        defer { server.stop() }
        let script = try await rawGet(.ipv4(server.port), "/app/autoload.js?bokeh-autoload-element=e1")
        let fromConfiguration = script.contains("https://bokeh.example.org/static/js/bokeh.min.js")
        #expect(fromConfiguration)
        let given = try await rawGet(
            .ipv4(server.port), "/app/autoload.js?bokeh-autoload-element=e1&bokeh-absolute-url=https://other.org/app")
        let fromArgument = given.contains("https://other.org/static/js/bokeh.min.js")
        #expect(fromArgument)
    }
}

@Suite(.serialized) struct ExtraRouteTests {
    static func server(_ handler: @escaping ExtraRequestHandler) throws -> Server {
        try startServer(path: "/app", application: divApplication) {
            $0.front.extraRoutes = [
                ExtraRoute(pattern: "/api/(?P<item>[^/]+)", identifier: "api", methods: [.get, .post]),
                ExtraRoute(pattern: "/big", identifier: "big"),
                ExtraRoute(pattern: "/fail", identifier: "fail"),
            ]
            $0.front.extraRequestHandler = handler
        }
    }

    @Test func theHandlerSeesTheWholeRequestAndShapesTheResponse() async throws {
        let server = try Self.server { request in
            guard request.route == "api" else { throw CallbackFailure() }
            let text =
                "\(request.method) \(request.path) item=\(request.namedCaptures["item"] ?? "?") "
                + "q=\(request.argument("q") ?? "") body=\(String(decoding: request.body, as: UTF8.self)) "
                + "x=\(request.header("x-test") ?? "")"
            return ExtraResponse(
                status: 201, headers: [("Content-Type", "text/plain"), ("X-Reply", "yes")], body: Array(text.utf8))
        }
        defer { server.stop() }
        let body = "hello=world"
        let request =
            "POST /api/a%20b?q=1 HTTP/1.1\r\nHost: localhost\r\nX-Test: 7\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n\(body)"
        let response = String(decoding: try await rawExchange(.ipv4(server.port), Array(request.utf8)), as: UTF8.self)
        #expect(response.hasPrefix("HTTP/1.1 201 Created\r\n"))
        #expect(response.contains("X-Reply: yes\r\n") && response.contains("Content-Type: text/plain\r\n"))
        #expect(response.hasSuffix("POST /api/a%20b item=a b q=1 body=hello=world x=7"))
    }

    @Test func aThrowingHandlerIsA500AndKeepAliveRequestsStayInOrder() async throws {
        let server = try Self.server { request in
            if request.route == "fail" { throw CallbackFailure() }
            try await Task.sleep(for: .milliseconds(request.namedCaptures["item"] == "slow" ? 100 : 0))
            return .text("item \(request.namedCaptures["item"] ?? "")")
        }
        defer { server.stop() }
        let pipelined =
            "GET /fail HTTP/1.1\r\nHost: localhost\r\n\r\nGET /api/slow HTTP/1.1\r\nHost: localhost\r\n\r\n"
            + "GET /api/fast HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        let text = String(decoding: try await rawExchange(.ipv4(server.port), Array(pipelined.utf8)), as: UTF8.self)
        let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
        #expect(statuses == ["500", "200", "200"])
        let slow = try #require(text.range(of: "item slow"))
        let fast = try #require(text.range(of: "item fast"))
        #expect(slow.lowerBound < fast.lowerBound)
    }

    @Test func aLargeBodyIsStreamedInChunksAsTheClientReads() async throws {
        let pieces = 400
        let piece = [UInt8](repeating: 0x61, count: 64 * 1024)
        let produced = Lock(0)
        let server = try Self.server { _ in
            ExtraResponse(headers: [("Content-Type", "application/octet-stream")]) {
                let n = produced.withLock { count -> Int in
                    defer { count += 1 }
                    return count
                }
                return n < pieces ? piece : nil
            }
        }
        defer { server.stop() }
        // A client that does not read yet: the producer is held back by the socket, not run to the end.
        let fd = rawConnect(.ipv4(server.port))
        try #require(fd >= 0)
        defer { close(fd) }
        let request = Array("GET /big HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        try await Task.sleep(for: .milliseconds(500))
        let heldBack = produced.withLock { $0 } < pieces / 2
        #expect(heldBack)
        let received = try await offPool { () -> [UInt8] in
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                received.append(contentsOf: buffer[0..<n])
            }
            return received
        }
        let (head, body) = splitResponse(received)
        #expect(head.hasPrefix("HTTP/1.1 200 OK") && head.contains("Transfer-Encoding: chunked"))
        let data = dechunk(body) ?? []
        let whole = data.count == pieces * piece.count && data.allSatisfy { $0 == 0x61 }
        #expect(whole, "received \(received.count) bytes, \(data.count) after dechunking")
    }

    @Test func withoutAHandlerAnExtraRouteIs404() async throws {
        let server = try startServer(path: "/app", application: divApplication) {
            $0.front.extraRoutes = [ExtraRoute(pattern: "/x", identifier: "x")]
        }
        defer { server.stop() }
        #expect(try await rawGet(.ipv4(server.port), "/x").hasPrefix("HTTP/1.1 404"))
    }
}

@Suite(.serialized) struct IndexTemplateTests {
    @Test func aTornadoIndexRendersWithPrefixAndItems() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("index-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/index.html"
        try """
        <ul>{% for item in items %}<li><a href="{{ prefix }}{{ item }}">{{ item[1:] }}</a></li>{% end %}</ul>
        {% if items %}{{ "<b>" }}{% raw "<i>" %}{% end %}{# gone #}{% comment also gone %}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        var configuration = ServerConfiguration()
        configuration.network.address = "127.0.0.1"
        configuration.network.port = 0
        configuration.network.prefix = "/pfx"
        configuration.front.indexFile = file
        let server = try Server(
            applications: [(path: "/b", application: divApplication), (path: "/a", application: divApplication)],
            configuration: configuration)
        try server.start()
        defer { server.stop() }
        let page = try await rawGet(.ipv4(server.port), "/pfx/")
        #expect(page.hasPrefix("HTTP/1.1 200 OK"))
        #expect(page.contains(#"<ul><li><a href="/pfx/a">a</a></li><li><a href="/pfx/b">b</a></li></ul>"#))
        #expect(page.contains("&lt;b&gt;<i>"))
        #expect(!page.contains("gone"))
    }

    @Test func aBrokenIndexFailsAtStartupWithItsLine() async throws {
        #expect(throws: TemplateError.self) { try IndexTemplate(source: "a\n{% for x in items %}", file: "i.html") }
        do {
            _ = try IndexTemplate(source: "a\nb\n{% end %}", file: "i.html")
        } catch let error as TemplateError {
            #expect(error.line == 3 && error.description.contains("'end' without an open block"))
        }
        #expect(throws: TemplateError.self) { try IndexTemplate(source: "{% module Template('x') %}", file: "i.html") }
        // Jinja's own closing tags work too.
        let jinja = try IndexTemplate(source: "{% for i in items %}{{ i }},{% endfor %}", file: "j.html")
        #expect(try jinja.render(prefix: "", items: ["/x", "/y"]) == "/x,/y,")
    }
}

@Suite struct ProxyHeaderTests {
    @Test func useXheadersShapesTheRequestsSchemeHostAndURL() async throws {
        let seen = Lock<[String]>([])
        let app = Application(processRequest: { request in
            seen.withLock { $0.append(request.fullURL ?? "-") }
            return [:]
        }) { document, _ in document.addRoot(Model("Div")) }
        let trusting = try startServer(path: "/app", application: app) { $0.network.useXheaders = true }
        defer { trusting.stop() }
        let proxied = "X-Forwarded-Proto: https\r\nX-Forwarded-Host: bokeh.example.org\r\n"
        _ = try await rawGet(.ipv4(trusting.port), "/app?x=1", host: "10.0.0.5:5006", headers: proxied)
        let plain = try startServer(path: "/app", application: app)
        defer { plain.stop() }
        _ = try await rawGet(.ipv4(plain.port), "/app?x=1", host: "10.0.0.5:5006", headers: proxied)
        #expect(seen.withLock { $0 } == ["https://bokeh.example.org/app?x=1", "http://10.0.0.5:5006/app?x=1"])
    }
}

@Suite(.serialized) struct EncryptedKeyTests {
    @Test func anEncryptedKeyNeedsItsPassword() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("enc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-passout", "pass:sesame", "-keyout", "\(dir)/key.pem", "-out", "\(dir)/cert.pem", "-days", "2",
            "-subj", "/CN=localhost",
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0)
        #expect(try String(contentsOfFile: "\(dir)/key.pem", encoding: .utf8).contains("ENCRYPTED"))
        var configuration = ServerConfiguration()
        configuration.network.port = 0
        configuration.tls.certificateFile = "\(dir)/cert.pem"
        configuration.tls.keyFile = "\(dir)/key.pem"
        #expect(throws: ConfigurationError.self) {
            try Server(applications: [(path: "/app", application: divApplication)], configuration: configuration)
        }
        configuration.tls.keyPassword = "wrong"
        #expect(throws: ConfigurationError.self) {
            try Server(applications: [(path: "/app", application: divApplication)], configuration: configuration)
        }
        configuration.tls.keyPassword = "sesame"
        let server = try Server(
            applications: [(path: "/app", application: divApplication)], configuration: configuration)
        server.stop()
    }
}

@Suite struct ResourceSettingsTests {
    @Test func minifiedAndTheCDNVersionShapeTheScriptURLs() {
        let cdn = BokehResources(files: nil, prefix: "", minified: false, cdnVersion: "3.9.0").jsURLs()
        #expect(cdn.first == "https://cdn.bokeh.org/bokeh/release/bokeh-3.9.0.js")
        #expect(
            BokehResources(files: nil, prefix: "").jsURLs().first
                == "https://cdn.bokeh.org/bokeh/release/bokeh-3.10.2.min.js")
    }

    @Test func bokehSettingsForResourcesHostAndBrowserAreRead() throws {
        let command = ServeCommand(divApplication, name: "app")
        let env = ["BOKEH_MINIFIED": "no", "BOKEH_CDN_VERSION": "3.9.0", "BOKEH_DEFAULT_SERVER_HOST": "bokeh.local"]
        let invocation = try command.parse([], environment: env)
        #expect(!invocation.configuration.front.minified && invocation.configuration.front.cdnVersion == "3.9.0")
        #expect(invocation.configuration.network.defaultHost == "bokeh.local")
        #expect(throws: ServeCommandError("BOKEH_MINIFIED: Cannot convert maybe to boolean value")) {
            try command.parse([], environment: ["BOKEH_MINIFIED": "maybe"])
        }
        var configuration = invocation.configuration
        configuration.network.port = 5999
        let server = try Server(
            applications: [(path: "/app", application: divApplication)], configuration: configuration)
        #expect(server.absoluteURL == "http://bokeh.local:5999/")
        #expect(server.url(appPath: "/app") == "http://bokeh.local:5999/app")
        // `none` is Bokeh's dummy browser: nothing is started.
        try server.show(appPath: "/app", browser: "none")
        server.stop()
    }
}
