// `swift-bokeh init NAME`: a new app package that depends on this SwiftBokeh checkout (or a git URL), with a
// sample app, README and .gitignore, that builds and serves with `swift run NAME`.
import Foundation

/// The SwiftBokeh checkout this executable was built from: the directory above `.build` holding a
/// Package.swift named "SwiftBokeh", found from the executable's path, else from this source file's.
func swiftBokehCheckout() -> String? {
    func isCheckout(_ dir: URL) -> Bool {
        guard let manifest = try? String(contentsOf: dir.appendingPathComponent("Package.swift"), encoding: .utf8)
        else { return false }
        return manifest.contains("name: \"SwiftBokeh\"")
    }
    var candidates: [URL] = []
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var dir = executable.deletingLastPathComponent()
    while dir.path != "/" {
        candidates.append(dir)
        dir = dir.deletingLastPathComponent()
    }
    // Tools/SwiftBokeh/InitCommand.swift → the checkout.
    candidates.append(
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent())
    return candidates.first(where: isCheckout)?.standardizedFileURL.path
}

/// SwiftPM's identity of a package dependency: the last path component of its path or URL, without `.git`
/// (SwiftPM compares it case-insensitively). `.product(name:package:)` must name it, so it depends on the folder
/// a checkout was cloned into.
func packageIdentity(of location: String) -> String {
    var last = location.split(separator: "/").last.map(String.init) ?? location
    if last.hasSuffix(".git") { last.removeLast(4) }
    return last
}

/// The module name SwiftPM gives a target named `name` (C99 identifier: other characters become `_`).
func moduleName(_ name: String) -> String {
    var out = String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    if let first = out.first, first.isNumber { out = "_" + out }
    return out
}

/// The files of a new app package, by relative path.
func scaffold(name: String, dependency: String) -> [(path: String, text: String)] {
    let isURL = dependency.contains("://") || dependency.hasPrefix("git@")
    let identity = packageIdentity(of: dependency)
    let packageLine =
        isURL ? ".package(url: \"\(dependency)\", branch: \"main\")" : ".package(path: \"\(dependency)\")"
    let manifest = """
        // swift-tools-version:6.0
        import PackageDescription

        let package = Package(
            name: "\(name)",
            dependencies: [
                // SwiftBokeh. A path dependency's package name is its folder's name ("\(identity)" here).
                \(packageLine)
            ],
            targets: [
                .executableTarget(
                    name: "\(name)",
                    dependencies: [.product(name: "ServerCore", package: "\(identity)")],
                    path: "Sources/\(name)"
                )
            ],
            swiftLanguageModes: [.v6]
        )

        """
    let main = """
        // \(name): a sine wave whose frequency and amplitude two sliders set. `swift run \(name)` serves it at
        // http://localhost:5006/ (`swift run \(name) --help` lists every option).
        import DocumentModel
        import Foundation
        import ServerCore

        let app = Application { document, context in
            let span = 4 * Double.pi
            let x = (0..<200).map { Double($0) * span / 199 }
            let source = ColumnDataSource()
            source.name = "source"
            source.data = ["x": x, "y": x.map { sin($0) }]

            let plot = figure(title: "y = a·sin(f·x)", width: 600, height: 400, tools: "pan,wheel_zoom,reset,save")
            plot.line(x: "x", y: "y", source: source, lineWidth: 3, .lineAlpha(0.7))

            let frequency = Slider(start: 0.1, end: 5, value: 1, .step(0.1), .title("frequency"))
            let amplitude = Slider(start: 0, end: 2, value: 1, .step(0.1), .title("amplitude"))
            for slider in [frequency, amplitude] {
                context.onChange(of: slider, \\.value) { _, _ in
                    let (f, a) = (frequency.value, amplitude.value)
                    source.data = ["x": x, "y": x.map { a * sin(f * $0) }]
                }
            }
            document.addRoot(column(frequency, amplitude, plot))
            document.title = "\(name)"
        }

        // The whole `swift-bokeh serve` command line: --port, --address, --prefix, ..., --args for the app.
        ServeCommand(app).main()

        """
    let readme = """
        # \(name)

        A Bokeh app in Swift, served by [SwiftBokeh](\(isURL ? dependency : "file://" + dependency)).

        ```sh
        swift run \(name)                      # http://localhost:5006/
        swift run \(name) --port 8080 --show   # every `bokeh serve` option: swift run \(name) --help
        swift-bokeh dev                        # rebuild and restart on every change to Sources/
        ```

        BokehJS is served from the per-user cache when `swift-bokeh bokehjs` has filled it (or from
        `--static-dir DIR`); otherwise pages load it from cdn.bokeh.org.

        The app is `Sources/\(name)/main.swift`.

        """
    let gitignore = """
        .build/
        .swiftpm/
        Package.resolved
        *.xcodeproj

        """
    return [
        ("Package.swift", manifest), ("Sources/\(name)/main.swift", main), ("README.md", readme),
        (".gitignore", gitignore),
    ]
}

/// `swift-bokeh init NAME [--path DIR] [--swiftbokeh PATH|URL]`.
func runInit(_ arguments: [String]) -> Int32 {
    var name: String?
    var directory: String?
    var dependency: String?
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        index += 1
        func value() -> String {
            guard index < arguments.count else { fail("argument \(argument): expected one argument") }
            defer { index += 1 }
            return arguments[index]
        }
        switch argument {
        case "--path": directory = value()
        case "--swiftbokeh": dependency = value()
        case "-h", "--help":
            print(
                """
                usage: swift-bokeh init NAME [--path DIR] [--swiftbokeh PATH|URL]

                Creates the app package NAME in DIR (default ./NAME): Package.swift, Sources/NAME/main.swift, README.md,
                .gitignore. It depends on SwiftBokeh at PATH (default: the checkout this swift-bokeh was built from) or
                on the git repository at URL.
                """)
            return 0
        default:
            if argument.hasPrefix("-") || name != nil { fail("unrecognized arguments: \(argument)") }
            name = argument
        }
    }
    guard let name, !name.isEmpty else { fail("swift-bokeh init needs a NAME") }
    guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), moduleName(name) == name
    else {
        fail("'\(name)' is not a valid app name: use letters, digits and _, not starting with a digit")
    }
    let target = URL(fileURLWithPath: directory ?? name).standardizedFileURL
    let fm = FileManager.default
    if fm.fileExists(atPath: target.path),
        let contents = try? fm.contentsOfDirectory(atPath: target.path), !contents.isEmpty
    {
        fail("\(target.path) exists and is not empty")
    }
    var location = dependency
    if location == nil { location = swiftBokehCheckout() }
    guard var location else {
        fail("cannot find the SwiftBokeh checkout this swift-bokeh came from: give --swiftbokeh PATH or URL")
    }
    if !(location.contains("://") || location.hasPrefix("git@")) {
        location = URL(fileURLWithPath: location).standardizedFileURL.path
    }
    do {
        for file in scaffold(name: name, dependency: location) {
            let url = target.appendingPathComponent(file.path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.text.utf8).write(to: url)
        }
    } catch {
        fail("cannot write \(target.path): \(error.localizedDescription)")
    }
    print(
        """
        Created \(target.path) (depends on SwiftBokeh at \(location)).

            cd \(directory ?? name) && swift run \(name)

        then open http://localhost:5006/. Without network access, first run `swift-bokeh bokehjs` (or pass
        --static-dir) so that pages load BokehJS from this machine.
        """)
    return 0
}
