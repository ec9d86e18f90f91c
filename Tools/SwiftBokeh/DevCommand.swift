// `swift-bokeh dev` (Python's `bokeh serve --dev`): inside an app package, build its executable, serve with it,
// and on every change to its sources rebuild and restart. A failed build is printed and the running server
// keeps serving; open pages reconnect on their own (BokehJS retries) and show the new app.
import Foundation
import Locking

/// The files a rebuild depends on, with their modification times: Package.swift and everything under
/// Sources/ (a new, changed or deleted file is a change).
func sourceSnapshot(of package: String) -> [String: Date] {
    let fm = FileManager.default
    var snapshot: [String: Date] = [:]
    func add(_ path: String) {
        if let date = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date { snapshot[path] = date }
    }
    add(package + "/Package.swift")
    for folder in ["Sources"] {
        let root = package + "/" + folder
        guard let walker = fm.enumerator(atPath: root) else { continue }
        while let relative = walker.nextObject() as? String {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            add(root + "/" + relative)
        }
    }
    return snapshot
}

/// The executable products of the package in `directory` (`swift package describe --type json`).
func executableProducts(in directory: String) -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["swift", "package", "describe", "--type", "json"]
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { return [] }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let products = json["products"] as? [[String: Any]]
    else { return [] }
    return products.compactMap { product in
        guard let type = product["type"] as? [String: Any], type["executable"] != nil else { return nil }
        return product["name"] as? String
    }
}

/// `swift-bokeh dev [--product NAME] [--package-path DIR] [--scratch-path DIR] [--poll-ms N] [serve options ...]`.
func runDev(_ arguments: [String]) -> Int32 {
    var product: String?
    var scratch: String?
    var package = FileManager.default.currentDirectoryPath
    var poll = 500
    var serveArguments: [String] = []
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
        case "--product": product = value()
        case "--package-path": package = URL(fileURLWithPath: value()).standardizedFileURL.path
        case "--scratch-path": scratch = URL(fileURLWithPath: value()).standardizedFileURL.path
        case "--poll-ms":
            let text = value()
            guard let n = Int(text), n > 0 else { fail("argument --poll-ms: invalid int value: '\(text)'") }
            poll = n
        case "-h", "--help":
            print(
                """
                usage: swift-bokeh dev [--product NAME] [--package-path DIR] [--scratch-path DIR] [--poll-ms N]
                                       [serve options ...]

                In an app package (default: the working directory): builds the executable product NAME (default: the
                package's only one), runs it with the serve options, and rebuilds and restarts it whenever Package.swift
                or a file under Sources/ changes (checked every N ms, default 500). A failed build is printed and the
                running server keeps serving. --scratch-path is passed to swift build. Ctrl-C stops both.
                """)
            return 0
        default: serveArguments.append(argument)
        }
    }
    guard FileManager.default.fileExists(atPath: package + "/Package.swift") else {
        fail("\(package) is not a Swift package (no Package.swift): run swift-bokeh dev inside your app package")
    }
    if product == nil {
        let products = executableProducts(in: package)
        guard products.count == 1 else {
            fail(
                products.isEmpty
                    ? "no executable product in \(package)"
                    : "several executable products (\(products.joined(separator: ", "))): give --product NAME")
        }
        product = products[0]
    }
    guard let product else { fail("no product") }
    let dev = DevLoop(package: package, product: product, scratch: scratch, serveArguments: serveArguments)
    return dev.run(poll: .milliseconds(poll))
}

/// The build–serve–watch loop of `swift-bokeh dev`.
final class DevLoop: Sendable {
    let package: String
    let product: String
    /// `swift build --scratch-path`, if given.
    let scratch: String?
    let serveArguments: [String]
    private let child = Lock<Process?>(nil)

    init(package: String, product: String, scratch: String?, serveArguments: [String]) {
        self.package = package
        self.product = product
        self.scratch = scratch
        self.serveArguments = serveArguments
    }

    /// The `swift build` options every build and query here uses.
    var buildOptions: [String] { scratch.map { ["--scratch-path", $0] } ?? [] }

    func say(_ text: String) { FileHandle.standardError.write(Data("[swift-bokeh dev] \(text)\n".utf8)) }

    /// `swift build --product`; its output goes to the terminal.
    func build() -> Bool {
        say("building \(product)")
        return runProcess("swift", ["build", "--product", product] + buildOptions, directory: package)
    }

    var binary: String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "build", "--show-bin-path"] + buildOptions
        process.currentDirectoryURL = URL(fileURLWithPath: package)
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return path.isEmpty ? nil : path + "/" + product
    }

    /// Stops the running server (SIGTERM: it closes its WebSockets with 1001 and exits), then starts the new
    /// build. The new one binds the same port once the old one has let go of it.
    func restart(_ binary: String) {
        stop()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = serveArguments
        process.currentDirectoryURL = URL(fileURLWithPath: package)
        do {
            try process.run()
            child.withLock { $0 = process }
            say("serving with \(product) (pid \(process.processIdentifier))")
        } catch {
            say("cannot start \(binary): \(error.localizedDescription)")
        }
    }

    func stop() {
        guard
            let old = child.withLock({ p -> Process? in
                defer { p = nil }
                return p
            })
        else { return }
        if old.isRunning {
            old.terminate()
            old.waitUntilExit()
        }
    }

    func run(poll: Duration) -> Int32 {
        let signals = [SIGINT, SIGTERM].map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                say("stopping")
                stop()
                exit(0)
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        var snapshot = sourceSnapshot(of: package)
        if build(), let binary { restart(binary) } else { say("build failed: fix it and save; watching for changes") }
        while true {
            Thread.sleep(forTimeInterval: Double(poll.components.seconds) + Double(poll.components.attoseconds) / 1e18)
            let now = sourceSnapshot(of: package)
            if now == snapshot {
                if let process = child.withLock({ $0 }), !process.isRunning {
                    say("\(product) exited with status \(process.terminationStatus); waiting for a change")
                    child.withLock { $0 = nil }
                }
                continue
            }
            snapshot = now
            say("change detected")
            if build(), let binary {
                restart(binary)
            } else {
                say("build failed: the previous server keeps serving")
            }
        }
    }
}
