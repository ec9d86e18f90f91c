import Foundation

/// The whole `swift-bokeh serve` command line for your own applications (Python's `bokeh serve`): every flag
/// and environment variable it reads, `--help`, and application arguments after `--args`.
///
/// An app package's `main.swift`:
///
/// ```swift
/// import DocumentModel
/// import ServerCore
///
/// let app = Application { document, context in
///     document.addRoot(Div(.text("Hello from \(context.arguments)")))
/// }
/// ServeCommand(app).main()   // swift run myapp -- --port 5007 --args one two
/// ```
///
/// `swift-bokeh serve` is this same command with a resolver for its built-in apps and `.json` documents.
public struct ServeCommand: Sendable {
    /// Turns a positional `APP` argument into the applications it names, or throws why it cannot.
    public typealias Resolver = @Sendable (String) throws -> [(path: String, application: Application)]

    /// The program name the usage text shows.
    public var name: String
    /// Served whatever the command line says, in mounting order.
    public var applications: [(path: String, application: Application)]
    /// Resolves positional `APP` arguments; nil: the command takes none.
    public var resolver: Resolver?
    /// What `APP` means, for the usage text (only shown with a ``resolver``).
    public var applicationHelp: String
    /// Settings of your own, applied after the flags and the environment: what a command line cannot say, such
    /// as an ``AuthenticationPolicy`` written in Swift. See ``configuring(_:)``.
    public var configure: (@Sendable (inout ServerConfiguration) throws -> Void)? = nil

    /// This command with `body` applied to the configuration after the flags and the environment:
    ///
    /// ```swift
    /// ServeCommand(app).configuring { configuration in
    ///     configuration.auth.policy = AuthPolicy { request in request.header("X-User").map { AuthenticatedUser($0) } }
    /// }.main()
    /// ```
    public func configuring(_ body: @escaping @Sendable (inout ServerConfiguration) throws -> Void) -> ServeCommand {
        var command = self
        let earlier = configure
        command.configure = { configuration in
            try earlier?(&configuration)
            try body(&configuration)
        }
        return command
    }

    /// - Parameters:
    ///   - name: the program name in the usage text; nil: the executable's file name.
    ///   - applications: paths (`/` for a single root application, `/name` otherwise) and their applications.
    ///   - resolver: turns positional `APP` arguments into applications; nil: there are none.
    ///   - applicationHelp: what `APP` may be, shown under the usage line.
    public init(
        name: String? = nil, applications: [(path: String, application: Application)] = [],
        resolver: Resolver? = nil, applicationHelp: String = ""
    ) {
        self.name = name ?? ServeCommand.executableName
        self.applications = applications
        self.resolver = resolver
        self.applicationHelp = applicationHelp
    }

    /// One application served at `path` (default `/`).
    public init(_ application: Application, path: String = "/", name: String? = nil) {
        self.init(name: name, applications: [(path, application)])
    }

    /// Applications by path: `["/sliders": sliders, "/stream": stream]`, mounted in path order.
    public init(_ applications: [String: Application], name: String? = nil) {
        self.init(name: name, applications: applications.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    static var executableName: String {
        CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "serve"
    }

    /// What one command line asks for.
    public struct Invocation: Sendable {
        /// The server settings: flags, then the environment (as ``ServerConfiguration/applyingEnvironment(_:)``),
        /// then BokehJS discovery (``BokehJSLocation``) when no `--static-dir` was given.
        public var configuration: ServerConfiguration
        /// What to serve: the command's own applications, then those the `APP` arguments named.
        public var applications: [(path: String, application: Application)]
        /// `--show`: open the first application in a browser once listening.
        public var show: Bool
        /// `--log-level`, else `BOKEH_PY_LOG_LEVEL`, else `info`.
        public var logLevel: LogLevel
        /// `--log-format` (default Bokeh's `%(asctime)s %(message)s`).
        public var logFormat: LogFormat = .bokeh
        /// `--log-file`: lines go to this file instead of standard error.
        public var logFile: String?
        /// `-h`/`--help` was given: print ``ServeCommand/usage`` and serve nothing.
        public var help: Bool
        /// Where BokehJS comes from and why (nil with `--help`).
        public var bokehJS: BokehJSLocation?
        /// The application paths `--show` opens in a browser: every one, as `bokeh serve --show` does.
        public var pathsToShow: [String] { show ? applications.map(\.path) : [] }
        /// The browser `--show` starts (`BOKEH_BROWSER`, Bokeh's `settings.browser()`); nil: `$BROWSER`, else the
        /// system's opener.
        public var browser: String?
        /// The `--port` default (`BOKEH_DEFAULT_SERVER_PORT`, else 5006): `--unix-socket` refuses any other port.
        public var defaultPort = 5006
    }

    /// Parses `arguments` (without the program name).
    /// - Parameters:
    ///   - arguments: the command line after the program name.
    ///   - environment: the variables to read; nil reads the process's.
    /// - Throws: ``ServeCommandError`` with argparse's wording for a bad flag or value.
    public func parse(_ arguments: [String], environment: [String: String]? = nil) throws(ServeCommandError)
        -> Invocation
    {
        var environment = environment ?? ProcessInfo.processInfo.environment
        if let config = try ServeConfigFile.path(in: arguments) {
            environment = try ServeConfigFile.overlay(config, on: environment)
        }
        var parser = ServeArgumentParser(arguments: arguments)
        var invocation = Invocation(
            configuration: ServerConfiguration(), applications: applications, show: false, logLevel: .info,
            help: false, bokehJS: nil)
        // Bokeh's settings that are a flag's default: read first, so that a flag given wins.
        let useCDN = try applyEnvironmentDefaults(environment, to: &invocation)
        var positional: [String] = []
        try parser.parse(into: &invocation, positional: &positional)
        if invocation.help { return invocation }
        if !positional.isEmpty {
            guard let resolver else {
                throw ServeCommandError("unrecognized arguments: \(positional.joined(separator: " "))")
            }
            for argument in positional {
                do { invocation.applications += try resolver(argument) } catch {
                    throw ServeCommandError("\(error)")
                }
            }
        }
        if invocation.applications.isEmpty { invocation.applications = [("/", Application { _, _ in })] }
        do { invocation.configuration = try invocation.configuration.applyingEnvironment(environment) } catch {
            throw ServeCommandError("\(error)")
        }
        parser.applySessionIDs(to: &invocation.configuration)
        try parser.applyAuth(to: &invocation.configuration)
        if let configure {
            do { try configure(&invocation.configuration) } catch { throw ServeCommandError("\(error)") }
        }
        // `bokeh serve` compares --port with DEFAULT_SERVER_PORT for a Unix socket; the configuration checks 5006.
        if invocation.configuration.network.unixSocket != nil {
            if invocation.configuration.network.port != invocation.defaultPort {
                throw ServeCommandError("--port arg is not supported with a unix socket")
            }
            invocation.configuration.network.port = 5006
        }
        let location =
            useCDN && invocation.configuration.front.staticDirectory == nil
            ? BokehJSLocation(directory: nil, source: .cdn, reason: "BOKEH_RESOURCES=cdn")
            : BokehJSLocation.discover(flag: invocation.configuration.front.staticDirectory, environment: environment)
        invocation.configuration.front.staticDirectory = location.directory
        invocation.bokehJS = location
        return invocation
    }

    /// The environment variables of Bokeh's settings that stand in for a flag (`bokeh serve` reads them through
    /// `settings.X(flag_value)`): `BOKEH_PY_LOG_LEVEL` (`--log-level`), `BOKEH_LOG_LEVEL` (BokehJS's level in
    /// pages), `BOKEH_SSL_CERTFILE`, `BOKEH_SSL_KEYFILE`, `BOKEH_SSL_PASSWORD` (no flag), `BOKEH_ICO_PATH` and `BOKEH_RESOURCES` (`cdn` or
    /// `server`). Returns whether pages must load BokehJS from the CDN.
    private func applyEnvironmentDefaults(_ environment: [String: String], to invocation: inout Invocation)
        throws(ServeCommandError) -> Bool
    {
        if let value = environment["BOKEH_PY_LOG_LEVEL"], !value.isEmpty {
            guard let level = LogLevel(name: value) else {
                throw ServeCommandError("BOKEH_PY_LOG_LEVEL: invalid choice: '\(value)'")
            }
            invocation.logLevel = level
        }
        if let value = environment["BOKEH_LOG_LEVEL"], !value.isEmpty {
            guard ServerConfiguration.Front.bokehJSLogLevels.contains(value.lowercased()) else {
                throw ServeCommandError(
                    "BOKEH_LOG_LEVEL: invalid choice: '\(value)' (choose from \(ServerConfiguration.Front.bokehJSLogLevels.joined(separator: ", ")))"
                )
            }
            invocation.configuration.front.bokehJSLogLevel = value.lowercased()
        }
        if let value = environment["BOKEH_SSL_CERTFILE"], !value.isEmpty {
            invocation.configuration.tls.certificateFile = value
        }
        if let value = environment["BOKEH_SSL_KEYFILE"], !value.isEmpty { invocation.configuration.tls.keyFile = value }
        // Bokeh's `DEFAULT_SERVER_PORT` (the `--port` default) comes from `settings.default_server_port()`.
        if let value = environment["BOKEH_DEFAULT_SERVER_PORT"], !value.isEmpty {
            guard let port = Int(value), (0...65535).contains(port) else {
                throw ServeCommandError("BOKEH_DEFAULT_SERVER_PORT: invalid int value: '\(value)'")
            }
            invocation.configuration.network.port = port
            invocation.defaultPort = port
        }
        if let value = environment["BOKEH_BROWSER"], !value.isEmpty { invocation.browser = value }
        if let value = environment["BOKEH_DEFAULT_SERVER_HOST"], !value.isEmpty {
            invocation.configuration.network.defaultHost = value
        }
        if let value = environment["BOKEH_MINIFIED"], !value.isEmpty {
            switch value.lowercased() {
            case "yes", "1", "on", "true": invocation.configuration.front.minified = true
            case "no", "0", "off", "false": invocation.configuration.front.minified = false
            default: throw ServeCommandError("BOKEH_MINIFIED: Cannot convert \(value) to boolean value")
            }
        }
        if let value = environment["BOKEH_CDN_VERSION"], !value.isEmpty {
            invocation.configuration.front.cdnVersion = value
        }
        // The key's passphrase has no flag, only the environment (as Bokeh's `settings.ssl_password()`).
        if let value = environment["BOKEH_SSL_PASSWORD"], !value.isEmpty {
            invocation.configuration.tls.keyPassword = value
        }
        if let value = environment["BOKEH_ICO_PATH"], !value.isEmpty {
            invocation.configuration.front.favicon = value == "default" ? .bokeh : Favicon(icoPath: value)
        }
        switch environment["BOKEH_RESOURCES"]?.lowercased() {
        case nil, "", "server", "server-dev": return false
        case "cdn": return true
        case let other?:
            throw ServeCommandError("BOKEH_RESOURCES=\(other) is not served: use cdn or server")
        }
    }

    /// Parses the process's arguments, then serves until SIGINT or SIGTERM and exits: 0 after a clean
    /// shutdown or `--help`, 2 for a bad command line (as argparse), 1 when the server cannot start.
    public func main(_ arguments: [String]? = nil) -> Never {
        exit(run(arguments ?? Array(CommandLine.arguments.dropFirst())))
    }

    /// ``main(_:)`` without the exit: returns the exit status.
    public func run(_ arguments: [String]) -> Int32 {
        // A peer that resets while a write is queued must cost that connection, not the process: Wire writes
        // with write(2)/writev(2), which raise SIGPIPE on a reset socket.
        signal(SIGPIPE, SIG_IGN)
        let invocation: Invocation
        do { invocation = try parse(arguments) } catch {
            FileHandle.standardError.write(Data("usage: \(usageLine)\n\(name): error: \(error)\n".utf8))
            return 2
        }
        if invocation.help {
            print(usage)
            return 0
        }
        ServerLog.shared.level = invocation.logLevel
        ServerLog.shared.format = invocation.logFormat
        do {
            try ServerLog.shared.setFile(invocation.logFile)
            if let location = invocation.bokehJS { ServerLog.shared.log(.info, "BokehJS: \(location)") }
            let server = try Server(applications: invocation.applications, configuration: invocation.configuration)
            try server.start()
            // `bokeh serve --show` opens every application.
            for path in invocation.pathsToShow {
                do { try server.show(appPath: path, browser: invocation.browser) } catch {
                    ServerLog.shared.log(.warning, "\(error)")
                }
            }
            try server.runUntilShutdown()
            return 0
        } catch {
            FileHandle.standardError.write(Data("ERROR: \(error)\n".utf8))
            return 1
        }
    }
}

/// A command line the serve command cannot take; the description is argparse's wording.
public struct ServeCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
