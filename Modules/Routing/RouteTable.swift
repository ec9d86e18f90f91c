public import Wire

/// The ordered route list of a Bokeh server, built the way `BokehTornado` builds its Tornado rules.
///
/// Registration order, which is also match precedence (the first pattern that matches the whole
/// path wins):
///
/// 1. `/favicon.ico`, never prefixed.
/// 2. For each application in insertion order: `PFX+APP/?` (page), `PFX+APP/ws`, `PFX+APP/metadata`,
///    `PFX+APP/autoload.js`, and `PFX+APP/static/(.*)` if the application has a `static/` directory.
///    For the application at `/`, `APP` is empty: `PFX/?`, `PFX/ws`, … — so it shadows the index.
/// 3. Extra routes (user patterns, auth login/logout handlers), each prefixed with `PFX`.
/// 4. `PFX/?` (index), only when `useIndex`.
/// 5. `PFX/static/extensions/(.*)`, then `PFX/static/(.*)`.
///
/// The prefix and application paths are matched literally; the built-in suffixes are Bokeh's own
/// regular expressions (so `/autoload.js` also matches `/autoload_js`, as in Bokeh).
public struct RouteTable: Hashable, Sendable {
    /// The normalised prefix: `""` or `/name` (see ``normalizePrefix(_:)``).
    public let prefix: String
    /// The mounted applications, in insertion order.
    public let applications: [ApplicationMount]
    /// The routes in precedence order.
    public let routes: [Route]
    /// Where `GET PFX/` redirects (`302`): `PFX+APP` when redirecting is enabled and there is exactly
    /// one application; `nil` when the index is shown instead.
    public let rootRedirectLocation: String?

    /// Builds the table.
    ///
    /// - Parameters:
    ///   - prefix: The `--prefix` value, normalised with ``normalizePrefix(_:)``.
    ///   - applications: The applications, in insertion order; paths start with `/`.
    ///   - extraRoutes: Extra patterns, relative to the prefix.
    ///   - useIndex: Whether `PFX/` serves the index (`--disable-index` turns it off → 404).
    ///   - redirectRoot: Whether `GET PFX/` redirects to the only application
    ///     (`--disable-index-redirect` turns it off).
    /// - Throws: ``RoutingError/invalidApplicationPath(_:)``, ``RoutingError/duplicateApplicationPath(_:)``,
    ///   or ``RoutingError/unsupportedPattern(_:offset:reason:)`` for an extra pattern.
    public init(
        prefix: String? = nil, applications: [ApplicationMount], extraRoutes: [ExtraRoute] = [],
        useIndex: Bool = true, redirectRoot: Bool = true
    ) throws(RoutingError) {
        let prefix = Self.normalizePrefix(prefix)
        var seen = Set<String>()
        for application in applications {
            guard application.path.hasPrefix("/") else { throw .invalidApplicationPath(application.path) }
            guard seen.insert(application.path).inserted else { throw .duplicateApplicationPath(application.path) }
        }
        let escapedPrefix = URLPattern.escape(prefix)
        let readOnly: Set<HTTPMethod> = [.get]
        let files: Set<HTTPMethod> = [.get, .head]

        var routes = [try Route(pattern: URLPattern("/favicon.ico"), handler: .favicon, methods: readOnly)]
        for application in applications {
            let base = escapedPrefix + (application.path == "/" ? "" : URLPattern.escape(application.path))
            var perApplication: [(String, HandlerKind, Set<HTTPMethod>)] = [
                ("/?", .documentPage, readOnly),
                ("/ws", .websocket, readOnly),
                ("/metadata", .metadata, readOnly),
                ("/autoload.js", .autoloadJS, [.get, .options]),
            ]
            if application.hasStaticDirectory { perApplication.append(("/static/(.*)", .applicationStatic, files)) }
            for (suffix, handler, methods) in perApplication {
                routes.append(
                    Route(
                        pattern: try URLPattern(base + suffix), handler: handler, methods: methods,
                        applicationPath: application.path))
            }
        }
        for extra in extraRoutes {
            routes.append(
                Route(
                    pattern: try URLPattern(escapedPrefix + extra.pattern), handler: .extra(extra.identifier),
                    methods: extra.methods))
        }
        var topLevel: [(String, HandlerKind, Set<HTTPMethod>)] = []
        if useIndex { topLevel.append(("/?", .rootIndex, readOnly)) }
        topLevel.append(("/static/extensions/(.*)", .extensionStatic, files))
        topLevel.append(("/static/(.*)", .bokehStatic, files))
        for (suffix, handler, methods) in topLevel {
            routes.append(Route(pattern: try URLPattern(escapedPrefix + suffix), handler: handler, methods: methods))
        }

        self.prefix = prefix
        self.applications = applications
        self.routes = routes
        self.rootRedirectLocation =
            redirectRoot && applications.count == 1 ? applications.first.map { prefix + $0.path } : nil
    }

    /// Builds the table for applications given by path only (none has a `static/` directory).
    public init(
        prefix: String? = nil, applicationPaths: [String], extraRoutes: [ExtraRoute] = [],
        useIndex: Bool = true, redirectRoot: Bool = true
    ) throws(RoutingError) {
        try self.init(
            prefix: prefix, applications: applicationPaths.map { ApplicationMount(path: $0) },
            extraRoutes: extraRoutes, useIndex: useIndex, redirectRoot: redirectRoot)
    }

    /// Normalises a `--prefix` value as Bokeh does: strip every leading and trailing `/`, then add one
    /// leading `/` unless nothing is left (`/pre/` → `/pre`, `/` → `""`, `nil` → `""`).
    public static func normalizePrefix(_ prefix: String?) -> String {
        guard let prefix else { return "" }
        let stripped = prefix.drop { $0 == "/" }
        let trimmed = stripped.reversed().drop { $0 == "/" }.reversed()
        return trimmed.isEmpty ? "" : "/" + String(trimmed)
    }

    /// The first route whose pattern matches the whole of `path`, with its raw captures.
    public func firstMatch(for path: String) -> (route: Route, captures: [Substring])? {
        for route in routes {
            if let captures = route.pattern.match(path) { return (route, captures) }
        }
        return nil
    }
}

/// An application mounted on the server.
public struct ApplicationMount: Hashable, Sendable, ExpressibleByStringLiteral {
    /// The application path: `/` + script stem or directory name, or `/` for a single unnamed app.
    public let path: String
    /// Whether the application is a directory with a `static/` folder, which gets `PFX+APP/static/(.*)`.
    public let hasStaticDirectory: Bool

    /// Mounts an application at `path`.
    public init(path: String, hasStaticDirectory: Bool = false) {
        self.path = path
        self.hasStaticDirectory = hasStaticDirectory
    }

    public init(stringLiteral value: String) { self.init(path: value) }
}

/// A user-supplied route, registered after the applications and before the index.
public struct ExtraRoute: Hashable, Sendable {
    /// A pattern relative to the prefix (no leading `^`), e.g. `/login` or `/api/([^/]+)`.
    public let pattern: String
    /// Identifies the handler to the server.
    public let identifier: String
    /// Methods the handler implements.
    public let methods: Set<HTTPMethod>

    /// Creates an extra route.
    public init(pattern: String, identifier: String, methods: Set<HTTPMethod> = [.get]) {
        self.pattern = pattern
        self.identifier = identifier
        self.methods = methods
    }
}
