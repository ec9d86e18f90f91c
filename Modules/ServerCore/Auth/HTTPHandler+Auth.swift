import Foundation
import DocumentModel
import Protocol
import Routing
import Wire

extension HTTPHandler {
    /// Runs `next` with the request's user once the server's ``AuthenticationPolicy`` accepts it (at once, with
    /// nil, when there is no policy). Otherwise answers as Tornado's `@authenticated`: a `GET`/`HEAD` is
    /// redirected to the login URL with `next=`, or gets 401 without one; other methods and WebSocket upgrades
    /// get 403. A policy that throws gets 500. On the loop; requests pipelined behind this one wait meanwhile.
    func authenticated(
        _ request: HTTPRequest, websocket: Bool = false, _ next: @escaping (AuthenticatedUser?) -> Void
    ) {
        guard let policy = server.authPolicy else { return next(nil) }
        let incoming = authRequest(request.head)
        let wantsLogin = !websocket && (request.head.method == .get || request.head.method == .head)
        let box = LoopBound(self, eventLoop: connection.eventLoop)
        let loop = connection.eventLoop
        let cookieNext = LoopBound(next, eventLoop: loop)
        busy = true
        timer?.cancel()
        Task {
            let outcome: Result<AuthenticatedUser?, any Error>
            do { outcome = .success(try await policy.authenticate(incoming)) } catch { outcome = .failure(error) }
            let login: String?
            if case .success(nil) = outcome, wantsLogin {
                login = await policy.loginURL(for: incoming)
            } else {
                login = nil
            }
            loop.execute {
                let handler = box.value
                handler.busy = false
                guard !handler.done, handler.connection.isOpen else { return }
                handler.finishAuthentication(request, outcome: outcome, login: login, websocket: websocket) {
                    cookieNext.value($0)
                }
                handler.resumeLater()
            }
        }
    }

    private func finishAuthentication(
        _ request: HTTPRequest, outcome: Result<AuthenticatedUser?, any Error>, login: String?, websocket: Bool,
        next: (AuthenticatedUser?) -> Void
    ) {
        let head = request.head
        switch outcome {
        case .failure(let error):
            log.error("the authentication policy failed for \(head.method) \(head.path): \(error)")
            respond(HTTPResponses.error(500), request: request)
        case .success(let user?):
            next(user)
        case .success(nil):
            let remote = connection.remoteAddress?.host ?? "-"
            if websocket {
                log.warning("refused an unauthenticated WebSocket for \(head.path) from \(remote)")
                return respond(HTTPResponses.error(403), keepAlive: false)
            }
            guard head.method == .get || head.method == .head else {
                return respond(HTTPResponses.error(403), request: request)
            }
            guard let login else { return respond(HTTPResponses.error(401), request: request) }
            let location = AuthURL.loginRedirect(
                AuthURL.join(prefix: server.router.table.prefix, login), request: authRequest(head))
            var response = HTTPResponse(head: HTTPResponseHead(status: .found))
            response.head.headers.add(name: "Location", value: location)
            response.head.headers.add(name: "Content-Type", value: "text/html; charset=UTF-8")
            respond(response, request: request)
        }
    }

    /// With XSRF cookies on, why a state-changing request is refused (Tornado's reason), nil when it may go on.
    func xsrfRefusal(_ request: HTTPRequest) -> String? {
        let head = request.head
        guard server.configuration.auth.xsrfCookies, [.post, .put, .patch, .delete].contains(head.method) else {
            return nil
        }
        let view = ExtraRequest(
            route: "", method: "\(head.method)", path: String(head.path), query: String(head.query),
            arguments: QueryString.parsePairs(head.query).map {
                ($0.name, [String(decoding: $0.value, as: UTF8.self)])
            },
            headers: head.headers.map { (name: $0.name, value: $0.value) }, body: request.body)
        let submitted =
            view.formArgument(XSRFToken.cookieName) ?? view.header("X-Xsrftoken") ?? view.header("X-Csrftoken")
        let reason = XSRFToken.check(submitted: submitted, cookie: view.cookie(XSRFToken.cookieName))
        if let reason { log.warning("403 \(head.method) \(head.path): \(reason)") }
        return reason
    }

    /// Parses what waits in the parser on the loop's next turn (after an asynchronous answer), unless another
    /// answer is still being made.
    func resumeLater() {
        let box = LoopBound(self, eventLoop: connection.eventLoop)
        connection.eventLoop.execute {
            let handler = box.value
            if !handler.done, !handler.busy { handler.received([]) }
        }
    }

    /// What an ``AuthenticationPolicy`` (and a `process_request` hook) sees of `head`: every header and cookie,
    /// unfiltered, the query arguments, the client and peer addresses.
    /// With `snapshot`, its (filtered) headers, cookies and arguments instead of the request's own.
    func authRequest(_ head: HTTPRequestHead, user: AuthenticatedUser? = nil, snapshot: RequestSnapshot? = nil)
        -> IncomingRequest
    {
        let trusted = server.configuration.network.useXheaders
        var cookies: [(name: String, value: String)] = []
        for value in head.headers.values(name: "Cookie") { cookies += CookieParser.parsePairs(value) }
        let peer = peerAddress
        var request = IncomingRequest(
            method: "\(head.method)", path: String(head.path),
            headers: snapshot?.headers ?? head.headers.map { ($0.name, $0.value) },
            cookies: snapshot?.cookies ?? cookies,
            arguments: snapshot?.arguments.map { ($0.name, $0.values.map { String(decoding: $0, as: UTF8.self) }) }
                ?? Self.groupedArguments(head.query),
            remoteAddress: ForwardedHeaders.clientAddress(
                head.headers, peer: connection.remoteAddress?.host ?? "-", trusted: trusted))
        request.scheme = ForwardedHeaders.scheme(head.headers, tls: server.tls != nil, trusted: trusted)
        request.host = ForwardedHeaders.host(head.headers, trusted: trusted)
        request.query = String(head.query)
        request.peerAddress = peer
        request.user = user
        return request
    }

    /// A query's arguments, each name once with all its values (UTF-8 text), in order.
    static func groupedArguments(_ query: Substring) -> [(name: String, values: [String])] {
        var arguments: [(name: String, values: [String])] = []
        for (name, value) in QueryString.parsePairs(query) {
            let text = String(decoding: value, as: UTF8.self)
            if let i = arguments.firstIndex(where: { $0.name == name }) {
                arguments[i].values.append(text)
            } else {
                arguments.append((name, [text]))
            }
        }
        return arguments
    }

    /// The socket peer's address; `unix` for a Unix-domain socket.
    var peerAddress: String? {
        guard let address = connection.remoteAddress else { return nil }
        if case .unix = address.kind { return "unix" }
        return address.host
    }
}
