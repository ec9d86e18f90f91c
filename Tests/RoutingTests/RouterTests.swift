import Routing
import Wire
import Testing

/// What the router should decide for one request.
enum Expected: Hashable, Sendable, CustomStringConvertible {
    case handler(HandlerKind, app: String? = nil, captures: [String] = [])
    case redirect(String)
    case status(Int)

    var description: String {
        switch self {
        case .handler(let kind, let app, let captures): "\(kind) app=\(app ?? "-") \(captures)"
        case .redirect(let location): "302 → \(location)"
        case .status(let status): "\(status)"
        }
    }
}

/// One request against a route table.
struct RequestCase: Sendable, CustomStringConvertible {
    let method: HTTPMethod
    let path: String
    let expected: Expected
    init(_ method: HTTPMethod, _ path: String, _ expected: Expected) {
        self.method = method
        self.path = path
        self.expected = expected
    }
    var description: String { "\(method) \(path) → \(expected)" }
}

func outcome(_ resolution: RouteResolution) -> Expected {
    switch resolution {
    case .matched(let match): .handler(match.handler, app: match.applicationPath, captures: match.captures)
    case .redirect(let location, _): .redirect(location)
    case .methodNotAllowed, .notFound, .badRequest: .status(resolution.status ?? 0)
    }
}

@Suite("Router")
struct RouterTests {
    /// server.md §1.1 consequences: `--prefix /pre/` with applications `/foo` and `/bar`.
    static let prefixed: [RequestCase] = [
        .init(.get, "/pre", .handler(.rootIndex)),
        .init(.get, "/pre/", .handler(.rootIndex)),
        .init(.get, "/pre/foo", .handler(.documentPage, app: "/foo")),
        .init(.get, "/pre/foo/", .handler(.documentPage, app: "/foo")),
        .init(.get, "/pre/bar", .handler(.documentPage, app: "/bar")),
        .init(.get, "/", .status(404)),
        .init(.get, "/foo", .status(404)),
        .init(.get, "/static/js/bokeh.min.js", .status(404)),
        .init(.get, "/pre/static/js/bokeh.min.js", .handler(.bokehStatic, captures: ["js/bokeh.min.js"])),
        .init(.get, "/favicon.ico", .handler(.favicon)),
        .init(.get, "/pre/favicon.ico", .status(404)),
        .init(.get, "/pre/foo/ws", .handler(.websocket, app: "/foo")),
        .init(.get, "/pre/foo/ws/", .status(404)),
        .init(.get, "/pre/foo/metadata", .handler(.metadata, app: "/foo")),
        .init(.get, "/pre/foo/autoload.js", .handler(.autoloadJS, app: "/foo")),
        .init(.options, "/pre/foo/autoload.js", .handler(.autoloadJS, app: "/foo")),
        .init(.put, "/pre/foo/autoload.js", .status(405)),
        .init(.post, "/pre/foo", .status(405)),
        .init(.head, "/pre/foo", .status(405)),
        .init(.options, "/pre/foo", .status(405)),
        .init(.post, "/pre", .status(405)),
        .init(.delete, "/pre/foo/ws", .status(405)),
        .init("get", "/pre/foo", .status(405)),
        .init("BREW", "/pre/foo", .status(405)),
        .init(.post, "/nowhere", .status(404)),
        .init(.head, "/pre/static/js/bokeh.min.js", .handler(.bokehStatic, captures: ["js/bokeh.min.js"])),
        .init(.get, "/pre/static/extensions/ext/a.js", .handler(.extensionStatic, captures: ["ext/a.js"])),
        .init(.get, "/pre/foo/static/x.css", .status(404)),
        .init(.get, "/pre/foo?bokeh-session-id=abc", .handler(.documentPage, app: "/foo")),
        .init(.get, "/pre/foo/ws?x=/", .handler(.websocket, app: "/foo")),
        .init(.get, "/pre/static/a%20b.js", .handler(.bokehStatic, captures: ["a b.js"])),
        .init(.get, "/pre/static/a+b%zz.js", .handler(.bokehStatic, captures: ["a+b%zz.js"])),
        .init(.get, "/pre/static/%C3%A9.js", .handler(.bokehStatic, captures: ["é.js"])),
        .init(.get, "/pre/static/%ff.js", .status(400)),
        .init(.get, "/PRE/foo", .status(404)),
        .init(.get, "/prefoo", .status(404)),
    ]

    @Test(arguments: prefixed)
    func resolvesPrefixedServer(_ row: RequestCase) throws {
        let router = Router(table: try RouteTable(prefix: "/pre/", applicationPaths: ["/foo", "/bar"]))
        #expect(outcome(router.resolve(method: row.method, path: row.path)) == row.expected)
    }

    /// §1.1: an application at `/` (bokeh serve with no files) shadows the index.
    static let rootApplication: [RequestCase] = [
        .init(.get, "/", .handler(.documentPage, app: "/")),
        .init(.get, "/ws", .handler(.websocket, app: "/")),
        .init(.get, "/metadata", .handler(.metadata, app: "/")),
        .init(.get, "/autoload.js", .handler(.autoloadJS, app: "/")),
        .init(.get, "/static/js/bokeh.min.js", .handler(.bokehStatic, captures: ["js/bokeh.min.js"])),
        .init(.get, "/favicon.ico", .handler(.favicon)),
        .init(.post, "/", .status(405)),
        .init(.get, "/foo", .status(404)),
    ]

    @Test(arguments: rootApplication)
    func rootApplicationShadowsIndex(_ row: RequestCase) throws {
        let router = Router(table: try RouteTable(applicationPaths: ["/"]))
        #expect(outcome(router.resolve(method: row.method, path: row.path)) == row.expected)
    }

    /// §1.2: `GET /` redirects to the only application; other methods stay 405.
    static let singleApplication: [RequestCase] = [
        .init(.get, "/pre", .redirect("/pre/foo")),
        .init(.get, "/pre/", .redirect("/pre/foo")),
        .init(.post, "/pre", .status(405)),
        .init(.head, "/pre/", .status(405)),
        .init(.get, "/pre/foo", .handler(.documentPage, app: "/foo")),
    ]

    @Test(arguments: singleApplication)
    func redirectsRootToTheOnlyApplication(_ row: RequestCase) throws {
        let router = Router(table: try RouteTable(prefix: "pre", applicationPaths: ["/foo"]))
        #expect(outcome(router.resolve(method: row.method, path: row.path)) == row.expected)
    }

    @Test
    func redirectsWithoutPrefix() throws {
        let router = Router(table: try RouteTable(applicationPaths: ["/foo"]))
        #expect(outcome(router.resolve(method: .get, path: "/")) == .redirect("/foo"))
    }

    @Test
    func disableIndexRedirectShowsTheIndex() throws {
        let router = Router(table: try RouteTable(applicationPaths: ["/foo"], redirectRoot: false))
        #expect(router.table.rootRedirectLocation == nil)
        #expect(outcome(router.resolve(method: .get, path: "/")) == .handler(.rootIndex))
    }

    @Test(arguments: [nil, "/pre"] as [String?])
    func disableIndexRemovesTheRoute(_ prefix: String?) throws {
        let router = Router(table: try RouteTable(prefix: prefix, applicationPaths: ["/foo"], useIndex: false))
        let root = (prefix ?? "") + "/"
        #expect(outcome(router.resolve(method: .get, path: root)) == .status(404))
        #expect(outcome(router.resolve(method: .post, path: root)) == .status(404))
        #expect(!router.table.routes.contains { $0.handler == .rootIndex })
    }

    @Test
    func applicationStaticDirectoryGetsItsOwnRoute() throws {
        let table = try RouteTable(
            prefix: "/pre", applications: [ApplicationMount(path: "/foo", hasStaticDirectory: true), "/bar"])
        let router = Router(table: table)
        #expect(
            outcome(router.resolve(method: .get, path: "/pre/foo/static/a.css"))
                == .handler(.applicationStatic, app: "/foo", captures: ["a.css"]))
        #expect(outcome(router.resolve(method: .get, path: "/pre/bar/static/a.css")) == .status(404))
        let root = Router(table: try RouteTable(applications: [ApplicationMount(path: "/", hasStaticDirectory: true)]))
        #expect(
            outcome(root.resolve(method: .head, path: "/static/a.css"))
                == .handler(.applicationStatic, app: "/", captures: ["a.css"]))
    }

    @Test
    func registersRoutesInBokehOrder() throws {
        let table = try RouteTable(
            prefix: "/pre", applications: ["/foo", ApplicationMount(path: "/", hasStaticDirectory: true)],
            extraRoutes: [ExtraRoute(pattern: "/login", identifier: "login", methods: [.get, .post])])
        #expect(
            table.routes.map(\.pattern.source) == [
                "/favicon.ico",
                "/pre/foo/?", "/pre/foo/ws", "/pre/foo/metadata", "/pre/foo/autoload.js",
                "/pre/?", "/pre/ws", "/pre/metadata", "/pre/autoload.js", "/pre/static/(.*)",
                "/pre/login",
                "/pre/?", "/pre/static/extensions/(.*)", "/pre/static/(.*)",
            ])
        #expect(
            table.routes.map(\.handler) == [
                .favicon, .documentPage, .websocket, .metadata, .autoloadJS,
                .documentPage, .websocket, .metadata, .autoloadJS, .applicationStatic,
                .extra("login"), .rootIndex, .extensionStatic, .bokehStatic,
            ])
        #expect(table.routes[4].methods == [.get, .options])
        #expect(table.routes[9].methods == [.get, .head])
        #expect(table.routes[0].description == "/favicon.ico -> favicon [GET]")
    }

    /// Precedence: applications before extras, extras before the index and static routes,
    /// and among applications the one inserted first.
    static let precedence: [RequestCase] = [
        .init(.get, "/foo", .handler(.documentPage, app: "/foo")),
        .init(.get, "/", .handler(.extra("home"))),
        .init(.get, "/static/mine.js", .handler(.extra("static"), captures: ["mine.js"])),
        .init(.get, "/static/extensions/e/x.js", .handler(.extra("static"), captures: ["extensions/e/x.js"])),
        .init(.get, "/foo/ws", .handler(.websocket, app: "/foo")),
        .init(.get, "/foo/ws/", .handler(.documentPage, app: "/foo/ws")),
        .init(.post, "/api/42", .handler(.extra("api"), captures: ["42"])),
        .init(.get, "/api/42", .status(405)),
    ]

    @Test(arguments: precedence)
    func firstRegisteredRouteWins(_ row: RequestCase) throws {
        let table = try RouteTable(
            applicationPaths: ["/foo", "/foo/ws"],
            extraRoutes: [
                ExtraRoute(pattern: "/foo", identifier: "shadowed"),
                ExtraRoute(pattern: "/?", identifier: "home"),
                ExtraRoute(pattern: "/static/(.*)", identifier: "static"),
                ExtraRoute(pattern: "/api/(?P<id>[0-9]+)", identifier: "api", methods: [.post]),
            ])
        #expect(outcome(Router(table: table).resolve(method: row.method, path: row.path)) == row.expected)
    }

    @Test
    func extraRoutesArePrefixedAndExposeNamedCaptures() throws {
        let table = try RouteTable(
            prefix: "/px", applicationPaths: ["/foo"],
            extraRoutes: [ExtraRoute(pattern: "/api/(?P<id>[^/]+)", identifier: "api")])
        let resolution = Router(table: table).resolve(method: .get, path: "/px/api/a%2Fb")
        #expect(resolution.match?.namedCaptures == ["id": "a/b"])
        #expect(resolution.match?.captures == ["a/b"])
        #expect(outcome(Router(table: table).resolve(method: .get, path: "/api/x")) == .status(404))
    }

    @Test
    func treatsPrefixAndApplicationPathsLiterally() throws {
        let router = Router(table: try RouteTable(prefix: "/a.b", applicationPaths: ["/my.app"]))
        #expect(outcome(router.resolve(method: .get, path: "/a.b/my.app")) == .handler(.documentPage, app: "/my.app"))
        #expect(outcome(router.resolve(method: .get, path: "/aXb/my.app")) == .status(404))
        #expect(outcome(router.resolve(method: .get, path: "/a.b/myXapp")) == .status(404))
        let odd = Router(table: try RouteTable(prefix: "/(x)+", applicationPaths: ["/[y]"]))
        #expect(outcome(odd.resolve(method: .get, path: "/(x)+/[y]/ws")) == .handler(.websocket, app: "/[y]"))
    }

    @Test
    func reportsUndecodablePathArguments() throws {
        let router = Router(table: try RouteTable(applicationPaths: ["/foo"]))
        #expect(
            router.resolve(method: .get, path: "/static/%ff%27")
                == .badRequest(logMessage: "Invalid unicode in url: b\"\\xff'\""))
    }

    @Test(
        arguments: [
            (nil, ""), ("", ""), ("/", ""), ("//", ""), ("pre", "/pre"), ("/pre", "/pre"), ("/pre/", "/pre"),
            ("//pre//", "/pre"), ("a/b/", "/a/b"),
        ] as [(String?, String)])
    func normalisesPrefixLikeBokeh(_ prefix: String?, _ expected: String) throws {
        #expect(RouteTable.normalizePrefix(prefix) == expected)
        #expect(try RouteTable(prefix: prefix, applicationPaths: ["/foo"]).prefix == expected)
    }

    @Test
    func rejectsBadApplicationsAndPatterns() {
        #expect(throws: RoutingError.invalidApplicationPath("foo")) { try RouteTable(applicationPaths: ["foo"]) }
        #expect(throws: RoutingError.duplicateApplicationPath("/foo")) {
            try RouteTable(applicationPaths: ["/foo", "/bar", "/foo"])
        }
        #expect(throws: RoutingError.self) {
            try RouteTable(applicationPaths: ["/foo"], extraRoutes: [ExtraRoute(pattern: "/(a|b)", identifier: "x")])
        }
        #expect(
            RoutingError.invalidApplicationPath("foo").description == "Application path \"foo\" must start with \"/\"")
    }

    @Test
    func resolvesWithNoApplications() throws {
        let router = Router(table: try RouteTable(applicationPaths: []))
        #expect(router.table.rootRedirectLocation == nil)
        #expect(outcome(router.resolve(method: .get, path: "/")) == .handler(.rootIndex))
    }
}
