import Foundation
public import DocumentModel
public import Routing
public import Wire

/// Who a request comes from, as an ``AuthenticationPolicy`` decided: an identifier and whatever else the
/// policy knows (claims). Application code reads it as ``SessionContext/user``; a ``Application/processRequest``
/// hook as ``IncomingRequest/user``.
public struct AuthenticatedUser: Sendable, Equatable, CustomStringConvertible {
    /// The user's identifier (a user name, an e-mail address, an OIDC subject).
    public var id: String
    /// What else the policy knows: groups, an e-mail address, the proxy's headers.
    public var claims: JSONObject

    public init(_ id: String, claims: JSONObject = [:]) {
        self.id = id
        self.claims = claims
    }

    public var description: String { id }
}

/// Decides who may see the applications (Bokeh's `AuthPolicy`, and its `--auth-module` hooks).
///
/// A server with a policy (``ServerConfiguration/Auth-swift.struct/policy``) authenticates every application
/// page, `autoload.js`, `metadata`, the index and every WebSocket upgrade before anything else happens, under
/// `--prefix` too:
/// - an unauthenticated `GET`/`HEAD` is redirected to ``loginURL(for:)`` with `next=` the URL asked for (as
///   Tornado's `@authenticated`), or answered 401 when there is no login URL; other methods get 403;
/// - an unauthenticated WebSocket upgrade gets 403, before any session exists;
/// - BokehJS's static files stay public, as in Bokeh.
///
/// Only ``authenticate(_:)`` is required. It runs in a task of its own, off the event loops: it may block or
/// await (a database, an identity provider).
public protocol AuthenticationPolicy: Sendable {
    /// The request's user, or nil to refuse it (Bokeh's `get_user` / `get_user_async`). What it throws is
    /// logged and answered with 500.
    func authenticate(_ request: IncomingRequest) async throws -> AuthenticatedUser?
    /// Where an unauthenticated `GET` or `HEAD` is sent to log in (Bokeh's `login_url` or `get_login_url`): a
    /// path relative to the prefix (`/login`, served at `PREFIX/login`) or an absolute URL. nil: 401.
    /// The default is nil.
    func loginURL(for request: IncomingRequest) async -> String?
    /// Where a logged-in user logs out (Bokeh's `logout_url`), relative to the prefix or absolute; what
    /// ``SessionContext/logoutURL`` says. The default is nil.
    var logoutURL: String? { get }
    /// Routes the policy answers itself, public (Bokeh's `LoginHandler` and `LogoutHandler`), mounted under
    /// the prefix. The default is none.
    var routes: [AuthRoute] { get }
}

extension AuthenticationPolicy {
    public func loginURL(for request: IncomingRequest) async -> String? { nil }
    public var logoutURL: String? { nil }
    public var routes: [AuthRoute] { [] }
}

/// A route an ``AuthenticationPolicy`` answers itself, such as its login page: a path relative to the prefix,
/// the methods it takes, and its handler. It is public: no authentication is asked for it. With XSRF cookies on
/// (``ServerConfiguration/Auth-swift.struct/xsrfCookies``), a `POST`, `PUT`, `PATCH` or `DELETE` reaches the
/// handler only with a matching `_xsrf` token.
public struct AuthRoute: Sendable {
    /// The route's path relative to the prefix, such as `/login`.
    public var path: String
    public var methods: Set<Routing.HTTPMethod>
    public var handler: ExtraRequestHandler

    public init(
        path: String, methods: Set<Routing.HTTPMethod> = [.get], handler: @escaping ExtraRequestHandler
    ) {
        self.path = path
        self.methods = methods
        self.handler = handler
    }
}

/// An ``AuthenticationPolicy`` made of closures: Bokeh's framework-neutral `AuthPolicy`.
///
/// ```swift
/// configuration.auth.policy = AuthPolicy(loginURL: "/login", logoutURL: "/logout") { request in
///     guard let name = request.cookie("user") else { return nil }
///     return AuthenticatedUser(name)
/// }
/// ```
///
/// The authenticator may be synchronous or `async`; either way it runs off the event loops.
public struct AuthPolicy: AuthenticationPolicy {
    /// Where unauthenticated users are sent.
    public enum LoginURL: Sendable, ExpressibleByStringLiteral {
        /// Always this URL (Bokeh's `login_url`).
        case fixed(String)
        /// A URL made for each request, nil for 401 (Bokeh's `get_login_url`).
        case perRequest(@Sendable (IncomingRequest) async -> String?)

        public init(stringLiteral value: String) { self = .fixed(value) }
    }

    public typealias Authenticator = @Sendable (IncomingRequest) async throws -> AuthenticatedUser?

    private let authenticator: Authenticator
    private let login: LoginURL?
    public let logoutURL: String?
    public let routes: [AuthRoute]

    /// - Parameters:
    ///   - loginURL: where unauthenticated `GET`s go; nil answers 401.
    ///   - logoutURL: what ``SessionContext/logoutURL`` says.
    ///   - routes: login and logout handlers of your own, mounted under the prefix.
    ///   - authenticate: the request's user, or nil.
    public init(
        loginURL: LoginURL? = nil, logoutURL: String? = nil, routes: [AuthRoute] = [],
        authenticate: @escaping Authenticator
    ) {
        self.authenticator = authenticate
        self.login = loginURL
        self.logoutURL = logoutURL
        self.routes = routes
    }

    public func authenticate(_ request: IncomingRequest) async throws -> AuthenticatedUser? {
        try await authenticator(request)
    }

    public func loginURL(for request: IncomingRequest) async -> String? {
        switch login {
        case nil: return nil
        case .fixed(let url)?: return url
        case .perRequest(let make)?: return await make(request)
        }
    }
}

/// An authentication setting that cannot work: a missing cookie secret, an unreadable password file, a bad
/// hash, a malformed proxy address.
public struct AuthConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Auth URLs as Bokeh places them: a relative URL joins the prefix (Python's
/// `urljoin(prefix + "/", url.lstrip("/"))`), an absolute one stays.
enum AuthURL {
    static func isAbsolute(_ url: String) -> Bool {
        url.hasPrefix("http://") || url.hasPrefix("https://") || url.hasPrefix("//")
    }

    static func join(prefix: String, _ url: String) -> String {
        if isAbsolute(url) { return url }
        var relative = Substring(url)
        while relative.first == "/" { relative = relative.dropFirst() }
        return prefix + "/" + relative
    }

    /// Tornado's `@authenticated` redirect: `login?next=<uri>` (the full URL when the login URL is absolute),
    /// unless the login URL already has a query.
    static func loginRedirect(_ login: String, request: IncomingRequest) -> String {
        guard !login.contains("?") else { return login }
        let next = isAbsolute(login) ? (request.fullURL ?? request.uri) : request.uri
        return login + "?next=" + formEncode(next)
    }

    /// Python's `urlencode` of one value (`quote_plus`): unreserved characters stay, space is `+`.
    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
                UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: " "): out.append("+")
            default: out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// Whether `target` is a path on this server (`/x`, not `//host` or `/\host`): where a login may send its
    /// user back without being an open redirect.
    static func isLocalPath(_ target: String) -> Bool {
        guard target.hasPrefix("/"), !target.hasPrefix("//"), !target.hasPrefix("/\\") else { return false }
        return !target.contains(where: { $0.isNewline || $0 == "\0" })
    }
}
