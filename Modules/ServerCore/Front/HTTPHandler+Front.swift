import Foundation
import DocumentModel
import Protocol
import Routing
import Wire

/// The browser-facing routes: application pages, autoload.js, static BokehJS files and the favicon.
extension HTTPHandler {
    /// `GET PFX/APP`: resolves or creates the session (reference §2.4), then renders the application's page
    /// template with the session token and the document's roots.
    func documentPage(_ request: HTTPRequest, app: ApplicationContext, user: AuthenticatedUser?) {
        let server = self.server
        withSession(request, app: app, user: user) { session, token in
            var page = session.withDocumentLockedOnLoop { document in
                var content = server.pageContent(document: document, token: token)
                content.documentVariables = document.templateVariables
                return content
            }
            let template = app.application.template ?? .standard
            page.variables = app.application.templateVariables
            do {
                return HTTPResponses.ok(Array(try page.render(with: template).utf8), contentType: "text/html")
            } catch {
                log.error("the page template of \(app.path) failed: \(error)")
                return HTTPResponses.error(500)
            }
        }
    }

    /// `GET`/`OPTIONS PFX/APP/autoload.js` (reference §1.6): CORS headers, the session (created before the
    /// element check, as Bokeh does), then the script.
    func autoload(_ request: HTTPRequest, app: ApplicationContext, user: AuthenticatedUser?) {
        let head = request.head
        let cors = corsHeaders(origin: head.headers["Origin"])
        if head.method == .options {
            var response = HTTPResponse(head: HTTPResponseHead(status: .ok))
            for (name, value) in cors { response.head.headers.add(name: name, value: value) }
            response.head.headers.add(name: "Access-Control-Allow-Methods", value: "PUT, GET, OPTIONS")
            return respond(response, keepAlive: head.keepAlive)
        }
        let arguments = QueryString.parsePairs(head.query)
        func argument(_ name: String) -> String? {
            arguments.last { $0.name == name }.map { String(decoding: $0.value, as: UTF8.self) }
        }
        let resources = server.resources
        let element = argument("bokeh-autoload-element")
        let absoluteURL = argument("bokeh-absolute-url").flatMap { $0.isEmpty ? nil : $0 }
        let appPath = argument("bokeh-app-path") ?? "/"
        let loadResources = argument("resources") != "none"
        let logLevel = server.configuration.front.bokehJSLogLevel
        let configuredAbsoluteURL = server.configuration.front.absoluteURL
        withSession(request, app: app, user: user, extraHeaders: cors) { _, token in
            guard let element, !element.isEmpty else {
                return HTTPResponses.error(400, reason: "No bokeh-autoload-element query parameter")
            }
            let base = (absoluteURL ?? configuredAbsoluteURL).flatMap(BokehResources.origin(of:))
            var script = AutoloadScript(
                elementID: element, jsURLs: loadResources ? resources.jsURLs(base: base) : [],
                cssURLs: loadResources ? resources.cssURLs(base: base) : [], token: token,
                appPath: appPath, absoluteURL: absoluteURL)
            script.logLevel = logLevel
            return HTTPResponses.ok(Array(script.text.utf8), contentType: "application/javascript")
        }
    }

    /// Bokeh's autoload CORS headers: `*`, or the exact origin (with `Vary: Origin`) when the websocket
    /// allowlist accepts it.
    func corsHeaders(origin: String?) -> [(String, String)] {
        var headers = [
            ("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "*"),
            ("Access-Control-Allow-Credentials", "true"),
        ]
        if let allowed = server.originPolicy.corsOrigin(for: origin) {
            headers[0].1 = allowed
            headers.append(("Vary", "Origin"))
        }
        return headers
    }

    /// Resolves the request's session, creates it if needed, and answers with what `render` makes of it
    /// (called on the session's loop). Refusals and failures answer Tornado's error pages.
    private func withSession(
        _ request: HTTPRequest, app: ApplicationContext, user: AuthenticatedUser?,
        extraHeaders: [(String, String)] = [],
        render: @escaping @Sendable (ServerSession, String) -> HTTPResponse
    ) {
        let head = request.head
        @Sendable func finish(_ response: HTTPResponse) -> HTTPResponse {
            var response = response
            for (name, value) in extraHeaders { response.head.headers.add(name: name, value: value) }
            return response
        }
        var snapshot = server.snapshot(of: head)
        if let hook = app.application.processRequest {
            // Bokeh's process_request: its members join the token payload (after the request's own).
            do {
                let added = try hook(incomingRequest(head, snapshot: snapshot, user: user))
                for member in added.members where !["session_id", "session_expiry"].contains(member.key) {
                    snapshot.extra[member.key] = member.value
                }
            } catch {
                log.error("process_request of \(app.path) failed: \(error)")
                return respond(finish(HTTPResponses.error(500)), request: request)
            }
        }
        let now = server.clock.wholeUnixSeconds
        // Short tokens: the request stays here, the token names it.
        let carried =
            server.requestStore.map { store in
                let id = store.store(snapshot.payload, expiry: now + server.signer.expiration, now: now)
                return [RequestStore.payloadKey: JSONValue.string(id)]
            } ?? snapshot.payload
        let resolution = SessionResolution.resolve(
            arguments: QueryString.parsePairs(head.query), headerSessionID: head.headers["Bokeh-Session-Id"],
            signer: server.signer, generateSessionIDs: server.configuration.sessions.generateSessionIDs,
            extraPayload: carried, now: now)
        let sessionID: String
        let token: String
        switch resolution {
        case .refused(let status, let reason):
            if let reason { log.info("\(status) \(head.method) \(head.path): \(reason)") }
            return respond(finish(HTTPResponses.error(status, reason: reason)), request: request)
        case .session(let id, let t): (sessionID, token) = (id, t)
        }
        // The session sees this request as the token carries it (a token given as an argument: its own).
        let given = QueryString.parsePairs(head.query).contains { $0.name == "bokeh-token" }
        let payload = (try? SessionToken(decoding: token)).map {
            server.tokenRequest($0, trusted: !given || server.trustsTokenRequests)
        }
        let loop = connection.eventLoop
        let box = LoopBound(self, eventLoop: loop)
        // Until the answer is written, later requests on this connection wait.
        busy = true
        timer?.cancel()
        app.createSessionIfNeeded(
            id: sessionID, token: token, request: payload?.request ?? snapshot, tokenPayload: payload?.payload ?? [:],
            user: user, on: loop
        ) { result in
            // `render` reads the document, so it runs here, on the session's loop.
            let response: HTTPResponse
            switch result {
            case .success(let session):
                response = finish(render(session, token))
            case .failure(let error):
                log.error("session creation failed: \(error)")
                response = finish(HTTPResponses.error(500))
            }
            loop.run {
                let handler = box.value
                handler.busy = false
                handler.respond(response, request: request)
                handler.resumeLater()
            }
        }
    }

    /// What a `process_request` hook sees of `head`: the snapshot's headers, cookies and arguments.
    private func incomingRequest(_ head: HTTPRequestHead, snapshot: RequestSnapshot, user: AuthenticatedUser?)
        -> IncomingRequest
    {
        authRequest(head, user: user, snapshot: snapshot)
    }

    /// `GET /favicon.ico`: Bokeh's icon (built in), the configured icon file, or 404 for `--ico-path none` or a
    /// file that cannot be read.
    func favicon() -> HTTPResponse {
        switch server.configuration.front.favicon {
        case .bokeh: return HTTPResponses.ok(BokehIcon.bytes, contentType: "image/x-icon")
        case .none: return HTTPResponses.error(404)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else { return HTTPResponses.error(404) }
            return HTTPResponses.ok([UInt8](data), contentType: "image/x-icon")
        }
    }

    /// `PFX/static/…`: the BokehJS directory; `PFX/APP/static/…`: the application's own static directory, or
    /// the BokehJS one for an application without (as Bokeh's `create_static_handler`); 404 without either.
    func staticFile(_ match: RouteMatch, _ request: HTTPRequest, app: ApplicationContext? = nil) -> HTTPResponse {
        let files = app.flatMap { server.applicationStaticFiles[$0.path] } ?? server.staticFiles
        guard let files, let relative = match.captures.first else {
            return HTTPResponses.error(404)
        }
        let head = request.head
        return files.response(
            to: relative, query: head.query, headers: head.headers, now: Int64(server.clock.wholeUnixSeconds))
    }

    /// Writes `response` for `request`: a HEAD request gets the head only; a `200` GET that is not a static
    /// file gets Tornado's `Etag` (SHA-1 of the body) and `304` when `If-None-Match` matches it.
    func respond(_ response: HTTPResponse, request: HTTPRequest) {
        var response = response
        let head = request.head
        if response.head.status.code == 200, !response.head.headers.contains(name: "Etag"), head.method == .get,
            !response.body.isEmpty
        {
            let etag = "\"\(Digest.hex(Digest.sha1(response.body)))\""
            response.head.headers.add(name: "Etag", value: etag)
            if let ifNoneMatch = head.headers["If-None-Match"], StaticFiles.etagMatches(ifNoneMatch, etag) {
                response.head.status = .notModified
                response.body = []
            }
        }
        accessLog(request, status: response.head.status.code)
        respond(response, keepAlive: head.keepAlive, headOnly: head.method == .head)
    }

    /// Tornado's access log line (`200 GET /demo_app (127.0.0.1)`); with `--use-xheaders` the client address
    /// comes from `X-Real-Ip` / `X-Forwarded-For`.
    private func accessLog(_ request: HTTPRequest, status: Int) {
        let level: LogLevel = status < 400 ? .debug : status < 500 ? .warning : .error
        guard log.isEnabled(level) else { return }
        let head = request.head
        let remote = ForwardedHeaders.clientAddress(
            head.headers, peer: connection.remoteAddress?.host ?? "-", trusted: server.configuration.network.useXheaders
        )
        log.log(level, "\(status) \(head.method) \(head.target) (\(remote))")
    }
}

/// Proxy headers honoured with `--use-xheaders` (Tornado's `xheaders=True`).
enum ForwardedHeaders {
    /// The client address: the last `X-Forwarded-For` entry, else `X-Real-Ip`, else the peer.
    static func clientAddress(_ headers: HTTPHeaders, peer: String, trusted: Bool) -> String {
        guard trusted else { return peer }
        let forwarded = headers["X-Forwarded-For"]?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces)
        let candidate = headers["X-Real-Ip"] ?? forwarded
        guard let candidate, !candidate.isEmpty, candidate.count <= 64 else { return peer }
        return candidate
    }

    /// The request's scheme: `https` on a TLS connection, else `http`; with `trusted` (`--use-xheaders`), the
    /// last `X-Scheme` or else `X-Forwarded-Proto` entry when it is `http` or `https`, as Tornado's xheaders.
    static func scheme(_ headers: HTTPHeaders, tls: Bool, trusted: Bool) -> String {
        let own = tls ? "https" : "http"
        guard trusted else { return own }
        let claimed = (headers["X-Scheme"] ?? headers["X-Forwarded-Proto"])?.split(separator: ",").last
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let claimed, claimed == "http" || claimed == "https" else { return own }
        return claimed
    }

    /// The host the client asked for: `Host`; with `trusted`, the last `X-Forwarded-Host` entry first (which
    /// Tornado's xheaders leave out: a proxy that rewrites `Host` says the original there).
    static func host(_ headers: HTTPHeaders, trusted: Bool) -> String? {
        if trusted,
            let forwarded = headers["X-Forwarded-Host"]?.split(separator: ",").last?
                .trimmingCharacters(in: .whitespaces), !forwarded.isEmpty, forwarded.count <= 255,
            !forwarded.contains(where: { $0 == "/" || $0 == "\\" || $0 == "@" || $0.isWhitespace })
        {
            return forwarded
        }
        return headers["Host"]
    }
}

extension Server {
    /// The page content for `document`: fresh element ids for each root.
    func pageContent(document: Document, token: String) -> PageContent {
        let roots = document.roots.map { root in
            PageContent.Root(id: root.id, name: root.name, elementID: UUID().uuidString.lowercased())
        }
        return PageContent(
            title: document.title, jsURLs: resources.jsURLs(), cssURLs: resources.cssURLs(), roots: roots,
            token: token, logLevel: configuration.front.bokehJSLogLevel, docsJSONID: UUID().uuidString.lowercased())
    }
}
