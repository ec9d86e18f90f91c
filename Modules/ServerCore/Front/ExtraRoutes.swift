import Foundation
import Routing
import Wire

/// A request to one of ``ServerConfiguration/Front-swift.struct/extraRoutes`` (Bokeh's `extra_patterns`: a
/// handler of your own next to the applications).
public struct ExtraRequest: Sendable {
    /// The route's ``Routing/ExtraRoute/identifier``.
    public let route: String
    /// `GET`, `POST`, ...
    public let method: String
    /// The path, without the query.
    public let path: String
    /// The raw query string, without `?`.
    public let query: String
    /// Query arguments, each name with all its values (UTF-8 text), in order.
    public let arguments: [(name: String, values: [String])]
    /// Header name and value pairs as received.
    public let headers: [(name: String, value: String)]
    /// The request body (a `Content-Length` or chunked body, at most
    /// ``ServerConfiguration/Network-swift.struct/maxRequestBytes``).
    public let body: [UInt8]
    /// The route pattern's capturing groups, percent-decoded (Tornado passes them as handler arguments).
    public let captures: [String]
    /// The named groups (`(?P<name>…)`), by name.
    public let namedCaptures: [String: String]
    /// The client's address (with `--use-xheaders`, as the proxy headers say).
    public let remoteAddress: String?
    /// `http` or `https` (with `--use-xheaders`, as the proxy headers say).
    public let scheme: String
    /// The server's URL prefix (`--prefix`), `""` or `/path`: where redirects to the server's own pages start.
    public var prefix: String = ""
    /// The XSRF token to embed in forms (``XSRFToken/formHTML()``) when the server checks XSRF cookies
    /// (``ServerConfiguration/Auth-swift.struct/xsrfCookies``); nil when it does not.
    public var xsrfToken: XSRFToken?

    public init(
        route: String, method: String, path: String, query: String = "",
        arguments: [(name: String, values: [String])] = [], headers: [(name: String, value: String)] = [],
        body: [UInt8] = [], captures: [String] = [], namedCaptures: [String: String] = [:],
        remoteAddress: String? = nil, scheme: String = "http"
    ) {
        self.route = route
        self.method = method
        self.path = path
        self.query = query
        self.arguments = arguments
        self.headers = headers
        self.body = body
        self.captures = captures
        self.namedCaptures = namedCaptures
        self.remoteAddress = remoteAddress
        self.scheme = scheme
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
    /// The last value of query argument `name` (Tornado's `get_argument`).
    public func argument(_ name: String) -> String? { arguments.first { $0.name == name }?.values.last }

    /// The request's cookies, name and value pairs in order.
    public var cookies: [(name: String, value: String)] {
        headers.filter { $0.name.caseInsensitiveCompare("Cookie") == .orderedSame }
            .flatMap { CookieParser.parsePairs($0.value) }
    }
    /// The last cookie named `name`.
    public func cookie(_ name: String) -> String? { cookies.last { $0.name == name }?.value }

    /// The body's form fields when it is `application/x-www-form-urlencoded`, else none.
    public var formArguments: [(name: String, value: String)] {
        guard let type = header("Content-Type")?.lowercased(),
            type.hasPrefix("application/x-www-form-urlencoded")
        else { return [] }
        return QueryString.parsePairs(String(decoding: body, as: UTF8.self)).map {
            ($0.name, String(decoding: $0.value, as: UTF8.self))
        }
    }
    /// The last value named `name` in the body's form fields or the query (Tornado's `get_argument`, which
    /// reads both).
    public func formArgument(_ name: String) -> String? {
        formArguments.last { $0.name == name }?.value ?? argument(name)
    }
}

/// What an extra route's handler answers: a status, headers and a body, whole or streamed.
public struct ExtraResponse: Sendable {
    public enum Body: Sendable {
        /// The whole body, sent with its `Content-Length`.
        case bytes([UInt8])
        /// A body produced piece by piece, sent with chunked transfer coding: the server asks for the next
        /// piece only once the previous one has been taken by the socket, so a slow client holds back the
        /// producer instead of filling memory. `nil` ends the body; an error aborts the connection.
        case stream(@Sendable () async throws -> [UInt8]?)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
    }

    public init(
        status: Int = 200, headers: [(name: String, value: String)] = [],
        stream next: @escaping @Sendable () async throws -> [UInt8]?
    ) {
        self.status = status
        self.headers = headers
        self.body = .stream(next)
    }

    /// A text body with its content type (`text/plain; charset=utf-8` unless given).
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8")
        -> ExtraResponse
    {
        ExtraResponse(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }
}

/// Answers the requests of ``ServerConfiguration/Front-swift.struct/extraRoutes``.
public typealias ExtraRequestHandler = @Sendable (ExtraRequest) async throws -> ExtraResponse

extension HTTPHandler {
    /// An extra route: the async handler's answer (500 when it throws), or the older synchronous
    /// `extraHandler`'s, or 404 when there is neither.
    func extra(_ identifier: String, match: RouteMatch, _ request: HTTPRequest) {
        let head = request.head
        let front = server.configuration.front
        let policyRoute = server.authRoutes[identifier]
        guard let handler = policyRoute?.handler ?? front.extraRequestHandler else {
            guard let legacy = front.legacyExtraHandler else {
                return respond(HTTPResponses.error(404), keepAlive: head.keepAlive)
            }
            let r = legacy(identifier, String(head.path))
            var response = HTTPResponse(head: HTTPResponseHead(status: HTTPStatus(code: r.status)), body: r.body)
            response.head.headers.add(name: "Content-Type", value: r.contentType)
            return respond(response, keepAlive: head.keepAlive)
        }
        let trusted = server.configuration.network.useXheaders
        let arguments = Self.groupedArguments(head.query)
        var extraRequest = ExtraRequest(
            route: identifier, method: "\(head.method)", path: String(head.path), query: String(head.query),
            arguments: arguments, headers: head.headers.map { (name: $0.name, value: $0.value) }, body: request.body,
            captures: match.captures, namedCaptures: match.namedCaptures,
            remoteAddress: ForwardedHeaders.clientAddress(
                head.headers, peer: connection.remoteAddress?.host ?? "-", trusted: trusted),
            scheme: ForwardedHeaders.scheme(head.headers, tls: server.tls != nil, trusted: trusted))
        extraRequest.prefix = server.router.table.prefix
        // Tornado's xsrf_cookies: a state-changing request carries the cookie's token, or is refused.
        var setXSRFCookie: String?
        if server.configuration.auth.xsrfCookies {
            let cookie = extraRequest.cookie(XSRFToken.cookieName)
            if xsrfRefusal(request) != nil { return respond(HTTPResponses.error(403), request: request) }
            if let token = cookie.flatMap(XSRFToken.init(decoding:)), !token.token.isEmpty {
                extraRequest.xsrfToken = token
            } else {
                let token = XSRFToken.generate(now: server.clock.wholeUnixSeconds)
                extraRequest.xsrfToken = token
                setXSRFCookie = "\(XSRFToken.cookieName)=\(token.encoded()); Path=/; SameSite=Lax"
            }
        }
        let box = LoopBound(self, eventLoop: connection.eventLoop)
        let loop = connection.eventLoop
        // Until the answer is written, later requests on this connection wait, and the request timeout is off.
        busy = true
        timer?.cancel()
        Task {
            var response: ExtraResponse
            do { response = try await handler(extraRequest) } catch {
                log.error("extra route \(identifier) failed for \(head.method) \(head.path): \(error)")
                response = ExtraResponse(status: 500, headers: [], body: Array(HTTPResponses.error(500).body))
            }
            if let setXSRFCookie { response.headers.append(("Set-Cookie", setXSRFCookie)) }
            let answer = response
            loop.execute { box.value.sendExtra(answer, for: request) }
        }
    }

    /// Writes a handler's response: whole, or streamed in chunks as the socket takes them.
    private func sendExtra(_ response: ExtraResponse, for request: HTTPRequest) {
        let head = request.head
        var responseHead = HTTPResponseHead(status: HTTPStatus(code: response.status))
        for (name, value) in response.headers { responseHead.headers.add(name: name, value: value) }
        if !responseHead.headers.contains(name: "Content-Type") {
            responseHead.headers.add(name: "Content-Type", value: "text/html; charset=UTF-8")
        }
        switch response.body {
        case .bytes(let body):
            busy = false
            respond(
                HTTPResponse(head: responseHead, body: body), keepAlive: head.keepAlive, headOnly: head.method == .head)
            if !done { received([]) }
        case .stream(let next):
            guard connection.isOpen else { return }
            responseHead.headers.remove(name: "Content-Length")
            if HTTPStatus(code: response.status).forbidsBody {
                return sendExtra(ExtraResponse(status: response.status), for: request)
            }
            responseHead.headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            responseHead.headers.replaceOrAdd(name: "Server", value: HTTPResponses.serverHeader)
            responseHead.headers.replaceOrAdd(
                name: "Date", value: HTTPDate.format(secondsSince1970: Int64(server.clock.wholeUnixSeconds)))
            if !head.keepAlive { responseHead.headers.replaceOrAdd(name: "Connection", value: "close") }
            timer?.cancel()
            connection.write(HTTPWriter.head(responseHead))
            if head.method == .head { return finishStream(keepAlive: head.keepAlive, ended: false) }
            pump(next, keepAlive: head.keepAlive)
        }
    }

    /// Asks for the next piece, writes it, and asks again once the socket has room. On the loop.
    private func pump(_ next: @escaping @Sendable () async throws -> [UInt8]?, keepAlive: Bool) {
        let box = LoopBound(self, eventLoop: connection.eventLoop)
        let loop = connection.eventLoop
        Task {
            let piece: Result<[UInt8]?, any Error>
            do { piece = .success(try await next()) } catch { piece = .failure(error) }
            loop.execute {
                let handler = box.value
                guard handler.connection.isOpen else { return }
                switch piece {
                case .failure(let error):
                    log.error("streamed response failed: \(error)")
                    handler.connection.abort()
                case .success(nil):
                    handler.finishStream(keepAlive: keepAlive, ended: true)
                case .success(let bytes?):
                    if !bytes.isEmpty { handler.connection.write(HTTPWriter.chunk(bytes)) }
                    if handler.connection.isBackpressured {
                        handler.whenWritable { handler.pump(next, keepAlive: keepAlive) }
                    } else {
                        handler.pump(next, keepAlive: keepAlive)
                    }
                }
            }
        }
    }

    private func finishStream(keepAlive: Bool, ended: Bool) {
        if ended { connection.write(HTTPWriter.lastChunk()) }
        busy = false
        if keepAlive {
            armTimer()
            received([])
        } else {
            done = true
            connection.close()
        }
    }

    /// Runs `body` once the connection's write queue drains (or never, if it closes first). On the loop.
    private func whenWritable(_ body: @escaping () -> Void) {
        connection.onWritable = { [weak self] in
            self?.connection.onWritable = nil
            body()
        }
    }
}
