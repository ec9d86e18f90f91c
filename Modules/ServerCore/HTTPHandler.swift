import Foundation
import DocumentModel
import Protocol
import Routing
import Wire

/// Serves one accepted connection: HTTP requests (keep-alive) until a WebSocket upgrade on an
/// application's `/ws` route, which hands the connection to ``WebSocketEndpoint``. Loop-bound.
final class HTTPHandler {
    let connection: Connection
    let server: Server
    var parser: HTTPRequestParser
    var timer: Scheduled?
    var done = false
    /// An asynchronous response is being made: requests that arrive meanwhile wait in the parser.
    var busy = false
    /// The server's record of this connection, for ``Server/unlisten()``; dropped at the WebSocket upgrade.
    var tracked: UInt64?

    init(connection: Connection, server: Server) {
        self.connection = connection
        self.server = server
        var limits = HTTPParserLimits.default
        limits.maxHeaderBytes = server.configuration.network.maxRequestBytes
        parser = HTTPRequestParser(limits: limits)
    }

    func start() {
        connection.onRead = { [self] bytes in self.received(bytes) }
        connection.onClose = { [self] _ in
            self.done = true
            self.timer?.cancel()
            self.untrack()
        }
        let box = LoopBound(connection, eventLoop: connection.eventLoop)
        tracked = server.trackConnection { box.eventLoop.run { box.value.close() } }
        armTimer()
    }

    func untrack() {
        if let tracked { server.forgetConnection(tracked) }
        tracked = nil
    }

    func armTimer() {
        timer?.cancel()
        timer = connection.eventLoop.scheduleLocal(in: server.configuration.network.requestTimeout) { [weak self] in
            guard let self, !self.done else { return }
            self.done = true
            self.connection.abort()
        }
    }

    func received(_ bytes: [UInt8]) {
        guard !done else { return }
        parser.feed(bytes)
        while !done, !busy {
            let request: HTTPRequest
            do {
                guard let r = try parser.next() else { return }
                request = r
            } catch {
                respond(HTTPResponses.error(error.status.code), keepAlive: false)
                return
            }
            handle(request)
        }
    }

    private func handle(_ request: HTTPRequest) {
        let head = request.head
        if let refusal = hostRefusal(head.headers["Host"]) {
            log.warning(refusal)
            return respond(HTTPResponses.error(403, reason: "Host not allowed"), keepAlive: false)
        }
        let path = String(head.path)
        let resolution = server.router.resolve(method: head.method, path: path)
        log.debug("\(head.method) \(head.target)")
        switch resolution {
        case .notFound: respond(HTTPResponses.error(404), keepAlive: head.keepAlive)
        case .methodNotAllowed:
            // Tornado checks the XSRF token before it finds the handler has no such method.
            if xsrfRefusal(request) != nil { return respond(HTTPResponses.error(403), request: request) }
            respond(HTTPResponses.error(405), keepAlive: head.keepAlive)
        case .badRequest(let message):
            log.warning(message)
            respond(HTTPResponses.error(400), keepAlive: head.keepAlive)
        case .redirect(let location, _):
            // Bokeh's root handler is @authenticated: the redirect to the only application too.
            authenticated(request) { [self] _ in
                var response = HTTPResponse(head: HTTPResponseHead(status: .found))
                response.head.headers.add(name: "Location", value: location)
                response.head.headers.add(name: "Content-Type", value: "text/html; charset=UTF-8")
                respond(response, keepAlive: head.keepAlive)
            }
        case .matched(let match):
            route(match, request)
        }
    }

    private func route(_ match: RouteMatch, _ request: HTTPRequest) {
        let head = request.head
        let app = match.applicationPath.flatMap { server.applicationContext(at: $0) }
        switch match.handler {
        case .websocket:
            guard let app else { return respond(HTTPResponses.error(404), keepAlive: false) }
            upgrade(request, app: app)
        case .metadata:
            guard let app else { return respond(HTTPResponses.error(404), keepAlive: head.keepAlive) }
            authenticated(request) { [self] _ in
                let json: JSONValue = .object(["url": .string(app.path), "data": app.application.metadata])
                let body = (try? JSONWriter(options: .pythonDefault).string(json)) ?? "{}"
                respond(HTTPResponses.ok(Array(body.utf8), contentType: "application/json"), request: request)
            }
        case .documentPage:
            guard let app else { return respond(HTTPResponses.error(404), keepAlive: head.keepAlive) }
            authenticated(request) { [self] user in documentPage(request, app: app, user: user) }
        case .rootIndex:
            authenticated(request) { [self] _ in
                guard let page = server.indexPage() else { return respond(HTTPResponses.error(500), request: request) }
                respond(HTTPResponses.ok(Array(page.utf8), contentType: "text/html; charset=UTF-8"), request: request)
            }
        case .extra(let identifier):
            extra(identifier, match: match, request)
        case .autoloadJS:
            guard let app else { return respond(HTTPResponses.error(404), keepAlive: head.keepAlive) }
            // Bokeh's OPTIONS (CORS preflight) answers without asking who the user is.
            if head.method == .options { return autoload(request, app: app, user: nil) }
            authenticated(request) { [self] user in autoload(request, app: app, user: user) }
        case .favicon:
            respond(favicon(), request: request)
        case .bokehStatic:
            respond(staticFile(match, request), request: request)
        case .applicationStatic:
            respond(staticFile(match, request, app: app), request: request)
        case .extensionStatic:
            // No extension packages are installed: every extension path is unknown.
            respond(HTTPResponses.error(404), keepAlive: head.keepAlive)
        }
    }

    private func upgrade(_ request: HTTPRequest, app: ApplicationContext) {
        let head = request.head
        if head.isUpgrade {
            let decision = server.originPolicy.evaluate(
                origin: head.headers["Origin"] ?? head.headers["Sec-WebSocket-Origin"], host: head.headers["Host"],
                secFetchSite: head.headers["Sec-Fetch-Site"])
            if case .rejected(let rejection) = decision {
                log.error(rejection.logMessage)
                var response = HTTPResponses.error(rejection.status, reason: rejection.reason)
                response.body = Array(rejection.body.utf8)
                return respond(response, keepAlive: false)
            }
        }
        authenticated(request, websocket: true) { [self] user in handshake(request, app: app, user: user) }
    }

    private func handshake(_ request: HTTPRequest, app: ApplicationContext, user: AuthenticatedUser?) {
        let head = request.head
        let policy = server.websocketPolicy
        switch WebSocketServerHandshake.respond(to: head, policy: policy) {
        case .reject(let response):
            respond(response, keepAlive: false)
        case .accept(let acceptance):
            done = true
            timer?.cancel()
            untrack()
            var extra = HTTPHeaders()
            extra.add(name: "Server", value: HTTPResponses.serverHeader)
            WebSocketChannel.accept(
                acceptance, of: head, on: connection, policy: policy, configuration: server.channelConfiguration,
                extraHeaders: extra, bufferedBytes: parser.takeRemainingBytes()
            ) { channel in
                WebSocketEndpoint.open(
                    channel, offered: acceptance.offeredSubprotocols, app: app, server: server, user: user)
            }
        }
    }

    /// Why a request naming `host` is refused (the log line), nil when it is allowed: see
    /// ``ServerConfiguration/Network-swift.struct/checkHost``.
    func hostRefusal(_ host: String?) -> String? {
        guard server.configuration.network.checkHost, let host, !host.isEmpty else { return nil }
        let lowered = host.lowercased()
        if HostName.isIPLiteral(lowered) { return nil }
        let allowed = server.hostAllowlist
        if allowed.allows(host: lowered) { return nil }
        let shown = String(PythonLiteral.quoted(host).dropFirst().dropLast())
        return "Refusing request for Host '\(shown)': use --allow-host=\(shown) (or --allow-websocket-origin) to "
            + "permit it; currently we allow hosts \(allowed.pythonDescription) and IP addresses"
    }

    /// Writes `response`. `headOnly` (HEAD requests) sends the head with the body's length and no body;
    /// statuses that forbid a body (304) send neither.
    func respond(_ response: HTTPResponse, keepAlive: Bool, headOnly: Bool = false) {
        guard connection.isOpen else { return }
        var head = response.head
        head.headers.replaceOrAdd(name: "Server", value: HTTPResponses.serverHeader)
        if !head.headers.contains(name: "Date") {
            head.headers.add(
                name: "Date", value: HTTPDate.format(secondsSince1970: Int64(server.clock.wholeUnixSeconds)))
        }
        var body = response.body
        if head.status.forbidsBody {
            head.headers.remove(name: "Content-Length")
            body = []
        } else {
            head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
            if headOnly { body = [] }
        }
        if !keepAlive { head.headers.replaceOrAdd(name: "Connection", value: "close") }
        connection.write(
            headOnly || head.status.forbidsBody ? HTTPWriter.head(head) : HTTPWriter.response(head, body: body))
        if keepAlive {
            armTimer()
        } else {
            done = true
            timer?.cancel()
            connection.close()
        }
    }
}

/// Canned responses in Tornado's shape.
enum HTTPResponses {
    static let serverHeader = "TornadoServer/6.6.1"

    /// Tornado's default error page; a custom reason replaces the phrase in the status line too.
    static func error(_ code: Int, reason: String? = nil) -> HTTPResponse {
        let status = HTTPStatus(code: code, reason: reason)
        let body = "<html><title>\(code): \(status.reason)</title><body>\(code): \(status.reason)</body></html>"
        var response = HTTPResponse(head: HTTPResponseHead(status: status), body: Array(body.utf8))
        response.head.headers.add(name: "Content-Type", value: "text/html; charset=UTF-8")
        return response
    }

    static func ok(_ body: [UInt8], contentType: String) -> HTTPResponse {
        var response = HTTPResponse(head: HTTPResponseHead(status: .ok), body: body)
        response.head.headers.add(name: "Content-Type", value: contentType)
        return response
    }
}

/// Host header forms.
enum HostName {
    /// Whether `host` (`host[:port]`, IPv6 in brackets) names an IP address rather than a name: no DNS rebinding
    /// can make a browser send one for an attacker's page.
    static func isIPLiteral(_ host: String) -> Bool {
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let rest = host[host.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber)) else { return false }
            return AddressRange.parse(String(host[host.index(after: host.startIndex)..<close])) != nil
        }
        let parts = host.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, !parts[1].allSatisfy(\.isNumber) { return false }
        let name = String(parts[0])
        return name.split(separator: ".").count == 4 && AddressRange.parse(name)?.count == 4
    }
}
