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

    init(connection: Connection, server: Server) {
        self.connection = connection
        self.server = server
        var limits = HTTPParserLimits.default
        limits.maxHeaderBytes = server.configuration.maxRequestHeaderBytes
        parser = HTTPRequestParser(limits: limits)
    }

    func start() {
        connection.onRead = { [self] bytes in self.received(bytes) }
        connection.onClose = { [self] _ in
            self.done = true
            self.timer?.cancel()
        }
        armTimer()
    }

    private func armTimer() {
        timer?.cancel()
        timer = connection.eventLoop.scheduleLocal(in: server.configuration.requestTimeout) { [weak self] in
            guard let self, !self.done else { return }
            self.done = true
            self.connection.abort()
        }
    }

    private func received(_ bytes: [UInt8]) {
        guard !done else { return }
        parser.feed(bytes)
        while !done {
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
        let path = String(head.path)
        let resolution = server.router.resolve(method: HTTPMethod(rawValue: head.method), path: path)
        log.debug("\(head.method) \(head.target)")
        switch resolution {
        case .notFound: respond(HTTPResponses.error(404), keepAlive: head.keepAlive)
        case .methodNotAllowed: respond(HTTPResponses.error(405), keepAlive: head.keepAlive)
        case .badRequest(let message):
            log.warning(message)
            respond(HTTPResponses.error(400), keepAlive: head.keepAlive)
        case .redirect(let location, _):
            var response = HTTPResponse(head: HTTPResponseHead(status: .found))
            response.head.headers.add(name: "Location", value: location)
            response.head.headers.add(name: "Content-Type", value: "text/html; charset=UTF-8")
            respond(response, keepAlive: head.keepAlive)
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
            let json: JSONValue = .object(["url": .string(app.path), "data": app.application.metadata])
            let body = (try? JSONWriter(options: .pythonDefault).string(json)) ?? "{}"
            respond(HTTPResponses.ok(Array(body.utf8), contentType: "application/json"), keepAlive: head.keepAlive)
        case .documentPage:
            guard let app else { return respond(HTTPResponses.error(404), keepAlive: head.keepAlive) }
            documentPage(request, app: app)
        case .rootIndex:
            respond(HTTPResponses.ok(Array(server.indexPage().utf8), contentType: "text/html; charset=UTF-8"), keepAlive: head.keepAlive)
        case .extra(let identifier):
            if let handler = server.configuration.extraHandler {
                let r = handler(identifier, String(head.path))
                var response = HTTPResponse(head: HTTPResponseHead(status: HTTPStatus(code: r.status)), body: r.body)
                response.head.headers.add(name: "Content-Type", value: r.contentType)
                respond(response, keepAlive: head.keepAlive)
            } else {
                respond(HTTPResponses.error(404), keepAlive: head.keepAlive)
            }
        case .favicon, .autoloadJS, .applicationStatic, .extensionStatic, .bokehStatic:
            // Pages, autoload.js and static files are served by a later layer.
            respond(HTTPResponses.error(404), keepAlive: head.keepAlive)
        }
    }

    /// `GET PFX/APP`: resolves or creates the session (Bokeh's rules, §2.4 of the reference) and answers a
    /// small page carrying the session token.
    private func documentPage(_ request: HTTPRequest, app: ApplicationContext) {
        let head = request.head
        let keepAlive = head.keepAlive
        let arguments = QueryString.parsePairs(head.query)
        let argumentID = arguments.last { $0.name == "bokeh-session-id" }.map { String(decoding: $0.value, as: UTF8.self) }
        let headerID = head.headers["Bokeh-Session-Id"]
        let tokenArgument = arguments.last { $0.name == "bokeh-token" }.map { String(decoding: $0.value, as: UTF8.self) }
        if argumentID != nil && headerID != nil {
            return respond(HTTPResponses.error(403, reason: "session ID was provided as an argument and header"), keepAlive: keepAlive)
        }
        let givenID = argumentID ?? headerID
        if tokenArgument != nil && givenID != nil {
            return respond(HTTPResponses.error(403, reason: "Both token and session ID were provided"), keepAlive: keepAlive)
        }
        let signer = server.signer
        let token: String
        let sessionID: String
        let snapshot = server.snapshot(of: head)
        if let tokenArgument {
            token = tokenArgument
            guard let decoded = try? SessionToken(decoding: tokenArgument) else {
                return respond(HTTPResponses.error(403, reason: "Invalid token or session ID"), keepAlive: keepAlive)
            }
            sessionID = decoded.sessionID
        } else {
            if let givenID {
                sessionID = givenID
            } else {
                guard server.configuration.generateSessionIDs else {
                    return respond(HTTPResponses.error(403, reason: "No bokeh-session-id provided"), keepAlive: keepAlive)
                }
                sessionID = signer.generateSessionID()
            }
            guard let minted = try? signer.makeToken(sessionID: sessionID, now: unixSeconds(), request: snapshot) else {
                return respond(HTTPResponses.error(500), keepAlive: keepAlive)
            }
            token = minted
        }
        guard signer.checkTokenSignature(token) else {
            return respond(HTTPResponses.error(403, reason: "Invalid token or session ID"), keepAlive: keepAlive)
        }
        let payload = (try? SessionToken(decoding: token))?.payload ?? [:]
        let loop = connection.eventLoop
        let box = LoopBound(self, eventLoop: loop)
        app.createSessionIfNeeded(
            id: sessionID, token: token, request: RequestSnapshot(payload: payload), tokenPayload: payload, on: loop
        ) { result in
            let page: HTTPResponse
            switch result {
            case .success(let session):
                log.debug("page for session '\(session.id)'")
                page = HTTPResponses.ok(Array(HTTPResponses.sessionPage(token: token).utf8), contentType: "text/html")
            case .failure:
                page = HTTPResponses.error(500)
            }
            if loop.inEventLoop {
                box.value.respond(page, keepAlive: keepAlive)
            } else {
                loop.execute { box.value.respond(page, keepAlive: keepAlive) }
            }
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
        let policy = server.websocketPolicy
        switch WebSocketServerHandshake.respond(to: head, policy: policy) {
        case .reject(let response):
            respond(response, keepAlive: false)
        case .accept(let acceptance):
            done = true
            timer?.cancel()
            var response = acceptance.response
            response.headers.add(name: "Server", value: HTTPResponses.serverHeader)
            guard connection.write(HTTPWriter.head(response)) else { return }
            let deflate = acceptance.deflate.flatMap { params in policy.deflate.map { (params, $0) } }
            let channelConfiguration = server.channelConfiguration
            let machine = WebSocketConnection(role: .server, configuration: channelConfiguration.websocket, deflate: deflate)
            let channel = WebSocketChannel(
                connection: connection, machine: machine, configuration: channelConfiguration,
                subprotocol: acceptance.subprotocol, request: head)
            let remaining = parser.takeRemainingBytes()
            connection.onRead = nil
            connection.onClose = nil
            WebSocketEndpoint.open(channel, offered: acceptance.offeredSubprotocols, app: app, server: server)
            channel.start(initialBytes: remaining)
        }
    }

    private func respond(_ response: HTTPResponse, keepAlive: Bool) {
        guard connection.isOpen else { return }
        var head = response.head
        head.headers.replaceOrAdd(name: "Server", value: HTTPResponses.serverHeader)
        if !head.headers.contains(name: "Date") {
            head.headers.add(name: "Date", value: HTTPDate.format(secondsSince1970: Int64(unixSeconds())))
        }
        head.headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { head.headers.replaceOrAdd(name: "Connection", value: "close") }
        connection.write(HTTPWriter.response(head, body: response.body))
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

    /// A minimal document page: the session token (the full BokehJS page is served by a later layer).
    static func sessionPage(token: String) -> String {
        let items = "[{\"token\":\"\(token)\",\"roots\":{},\"root_ids\":[],\"use_for_title\":true}]"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Bokeh Application</title></head>
            <body><script type="application/json" id="render-items">\(items)</script></body></html>

            """
    }
}
