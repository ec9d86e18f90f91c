// ClientInterop: checks the Swift Bokeh client against a running Bokeh server serving the demo app
// (`bokeh serve demo_app.py` or `swift-bokeh serve demo_app`), with Python's bokeh.client as the
// second opinion on pushed documents.
//
// usage: ClientInterop APP_URL PYTHON            run the checks, print "N passed, M failed"
//        ClientInterop APP_URL PYTHON --bench N  also time N forceRoundtrip calls (median, p99)
import Client
import DocumentModel
import Foundation
import Protocol

/// Prints unbuffered, so a crash cannot swallow earlier results.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: ClientInterop APP_URL PYTHON [--bench N]\n".utf8))
    exit(2)
}
let appURL = arguments[1]
let python = arguments[2]
var benchCount: Int?
if arguments.count >= 5, arguments[3] == "--bench" { benchCount = Int(arguments[4]) }
/// Every wait in the checks is bounded by this.
let timeout = Duration.seconds(5)

struct CheckFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw CheckFailure(message()) }
}

var passed = 0
var failed = 0

@MainActor
func check(_ name: String, _ body: () async throws -> Void) async {
    let start = ContinuousClock.now
    do {
        try await body()
        passed += 1
        say("PASS \(name) (\(ContinuousClock.now - start))")
    } catch {
        failed += 1
        say("FAIL \(name): \(error)")
    }
}

func text(of name: String, in session: ClientSession) async throws -> String? {
    try await session.withDocument { document in document.model(named: name)?["text"]?.stringValue }
}

func newSession(id: String? = nil, url: String = appURL) throws -> ClientSession {
    try ClientSession(sessionID: id, websocketURL: ClientURL.websocketURL(fromServerURL: url), timeout: timeout)
}

/// Runs Python's bokeh.client: pulls session `id` and prints a summary of its named models.
func pythonPull(sessionID: String) throws -> JSONValue {
    let script = """
        import json, sys
        from bokeh.client import pull_session
        s = pull_session(session_id=sys.argv[2], url=sys.argv[1])
        d = s.document
        out = {"title": d.title, "models": {}}
        for m in d.models:
            if not m.name:
                continue
            props = {k: v for k, v in m.properties_with_values(include_defaults=False).items()
                     if isinstance(v, (str, int, float, bool))}
            if hasattr(m, "data") and isinstance(m.data, dict):
                props["data"] = {k: list(v) for k, v in m.data.items()}
            out["models"][m.name] = {"type": type(m).__name__, "props": props}
        s.close()
        print(json.dumps(out))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script, appURL, sessionID]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let pid = process.processIdentifier
    let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    watchdog.cancel()
    guard process.terminationStatus == 0 else {
        throw CheckFailure("python pull exited \(process.terminationStatus): \(errorText.suffix(600))")
    }
    return try JSONReader.parse(Array(data))
}

/// `json` with every object's members sorted by key: servers may write attributes in another order.
func canonical(_ json: JSONValue) -> JSONValue {
    switch json {
    case .object(let object):
        return .object(JSONObject(object.members.map { ($0.key, canonical($0.value)) }.sorted { $0.0 < $1.0 }))
    case .array(let items):
        return .array(items.map(canonical))
    default:
        return json
    }
}

/// The document pushed by the push checks: a titled column with a Div and a slider, and a data source.
/// The source carries its `selected` and `selection_policy` models, and the selection its empty lists, as
/// Bokeh writes them (model- and list-valued defaults are always serialized, so a reader never creates
/// its own models with clashing ids).
func makePushedDocument(text: String) -> Document {
    let document = Document(title: "pushed from swift")
    let source = Model(
        "ColumnDataSource",
        [
            "name": .string("pushed_source"),
            "selected": .model(Model("Selection", ["indices": .list([]), "line_indices": .list([])])),
            "selection_policy": .model(Model("UnionRenderers")),
            "data": .map(["x": .list([.int(1), .int(2), .int(3)]), "y": .list([.int(4), .int(5), .int(6)])]),
        ])
    let div = Model("Div", ["name": .string("pushed_div"), "text": .string(text)])
    let slider = Model(
        "Slider",
        ["name": .string("pushed_slider"), "start": .int(0), "end": .int(5), "value": .int(2), "title": .string("s")])
    let plot = Model("Column", ["name": .string("pushed_column"), "children": .list([.model(div), .model(slider)])])
    document.addRoot(plot)
    document.addRoot(source)
    return document
}

say("client interop against \(appURL)")

await check("server info reports Bokeh 3.10.2") {
    let session = try newSession()
    defer { session.close() }
    try await session.connect()
    let info = try await session.requestServerInfo()
    try expect(info.bokeh == "3.10.2" && info.server == "3.10.2", "got \(info)")
}

await check("pull loads the demo document") {
    let session = try await pullSession(url: appURL, timeout: timeout)
    defer { session.close() }
    try expect(session.connected, "not connected after pull")
    let summary = try await session.withDocument { document in
        (
            document.title, document.roots.count, document.model(named: "slider")?["value"]?.doubleValue,
            document.model(named: "status")?["text"]?.stringValue, document.model(named: "source") != nil
        )
    }
    try expect(summary.0 == "Bokeh browser harness demo", "title \(summary.0)")
    try expect(summary.1 == 1, "\(summary.1) roots")
    try expect(summary.2 == 1, "slider value \(String(describing: summary.2))")
    try expect(summary.3 == "ready", "status text \(String(describing: summary.3))")
    try expect(summary.4, "no model named source")
}

await check("slider change runs the server callback; the status text comes back") {
    let session = try await pullSession(url: appURL, timeout: timeout)
    defer { session.close() }
    for value in [7, 3] {
        try await session.withDocument { document in
            guard let slider = document.model(named: "slider") else { throw CheckFailure("no slider") }
            slider.set("value", .int(value))
        }
        try await session.forceRoundtrip()
        let status = try await text(of: "status", in: session)
        try expect(status == "slider=\(value)", "status text \(String(describing: status)) after slider=\(value)")
    }
    let errors = session.patchErrors
    try expect(errors.isEmpty, "patch errors: \(errors)")
}

await check("push a document; Python's bokeh.client pulls it back equal") {
    let session = try await pushSession(makePushedDocument(text: "hello from swift"), url: appURL, timeout: timeout)
    defer { session.close() }
    try await session.forceRoundtrip()
    var pulled = try pythonPull(sessionID: session.id)
    try expect(pulled["title"]?.stringValue == "pushed from swift", "title \(String(describing: pulled["title"]))")
    try expect(pulled["models"]?["pushed_div"]?["props"]?["text"]?.stringValue == "hello from swift", "div \(pulled)")
    try expect(pulled["models"]?["pushed_div"]?["type"]?.stringValue == "Div", "div type \(pulled)")
    try expect(pulled["models"]?["pushed_slider"]?["props"]?["value"] == .int(2), "slider \(pulled)")
    try expect(
        pulled["models"]?["pushed_source"]?["props"]?["data"] == .object(["x": [1, 2, 3], "y": [4, 5, 6]]),
        "source data \(pulled)")
    // The pushed document stays in sync: a local change reaches the server.
    try await session.withDocument { document in
        document.model(named: "pushed_div")?.set("text", .string("changed by swift"))
    }
    try await session.forceRoundtrip()
    pulled = try pythonPull(sessionID: session.id)
    try expect(
        pulled["models"]?["pushed_div"]?["props"]?["text"]?.stringValue == "changed by swift", "after change \(pulled)")
}

await check("push then pull with the Swift client gives the same document") {
    let document = makePushedDocument(text: "round trip")
    let expected = document.toJSON().json
    let pusher = try await pushSession(document, url: appURL, timeout: timeout)
    defer { pusher.close() }
    let puller = try await pullSession(sessionID: pusher.id, url: appURL, timeout: timeout)
    defer { puller.close() }
    let pulled = try await puller.withDocument { $0.toJSON().json }
    let (a, b) = (canonical(pulled), canonical(expected))
    let writer = JSONWriter()
    try expect(a == b, "pulled \((try? writer.string(a)) ?? "")\nexpected \((try? writer.string(b)) ?? "")")
}

await check("two Swift clients on one session see each other's changes") {
    let first = try await pullSession(url: appURL, timeout: timeout)
    defer { first.close() }
    let second = try await pullSession(sessionID: first.id, url: appURL, timeout: timeout)
    defer { second.close() }
    try await first.withDocument { document in document.model(named: "slider")?.set("value", .int(9)) }
    try await first.forceRoundtrip()
    try await second.forceRoundtrip()
    let seen = try await second.withDocument { document in
        (document.model(named: "slider")?["value"]?.doubleValue, document.model(named: "status")?["text"]?.stringValue)
    }
    try expect(seen.0 == 9 && seen.1 == "slider=9", "second client sees \(seen)")
    try await second.withDocument { document in document.model(named: "status")?.set("text", .string("from second")) }
    try await second.forceRoundtrip()
    try await first.forceRoundtrip()
    let status = try await text(of: "status", in: first)
    try expect(status == "from second", "first client sees status \(String(describing: status))")
}

await check("connection refused fails fast with a network error") {
    let port = try freePort()
    let session = try newSession(url: "http://127.0.0.1:\(port)/demo_app")
    let start = ContinuousClock.now
    do {
        try await session.pull()
        throw CheckFailure("pull succeeded")
    } catch let error as ClientError {
        try expect(error.isConnectionFailure && error.reason == .networkError, "error \(error)")
    }
    try expect(
        !session.connected && session.connection.errorReason == .networkError, "state \(session.connection.state)")
    try expect(ContinuousClock.now - start < timeout, "took \(ContinuousClock.now - start)")
    try expect((try? session.checkConnectionErrors()) == nil, "checkConnectionErrors did not throw")
}

await check("unknown application fails with HTTP 404") {
    let session = try newSession(url: appURL + "_missing")
    do {
        try await session.connect()
        throw CheckFailure("connect succeeded")
    } catch let error as ClientError {
        try expect(error.reason == .httpError && error.code == 404, "error \(error)")
    }
    try expect(session.connection.errorCode == 404, "errorCode \(String(describing: session.connection.errorCode))")
}

/// Connects with `token` and expects the server to refuse the session, fast and as an error.
func expectRefused(token: @escaping @Sendable () -> String, label: String) async throws {
    let connection = try ClientConnection(
        websocketURL: ClientURL.websocketURL(fromServerURL: appURL), token: token, timeout: timeout)
    let start = ContinuousClock.now
    do {
        try await connection.connect()
        try await connection.forceRoundtrip()
        throw CheckFailure("connected with \(label)")
    } catch let error as ClientError {
        try expect(error.isConnectionFailure || error.isConnectionLost, "error \(error)")
        say("  \(label): \(error)")
    }
    try expect(ContinuousClock.now - start < timeout * 2, "took \(ContinuousClock.now - start)")
    try expect(!connection.connected, "still connected: \(connection.state)")
}

await check("expired token: the server refuses the session, surfaced as an error") {
    let signer = try ClientSession.environmentSigner()
    try await expectRefused(
        token: { (try? signer.makeToken(sessionID: signer.generateSessionID(), now: 1_000_000)) ?? "" },
        label: "an expired token")
}

await check("malformed token: the server refuses the session, surfaced as an error") {
    try await expectRefused(token: { "not-a-token" }, label: "a malformed token")
}

await check("server closing the connection surfaces its close code and reason") {
    let session = try await pullSession(url: appURL, timeout: timeout)
    defer { session.close() }
    // A message of an unknown type makes the server close with 10000/10001 (Python's _protocol_error/_internal_error).
    session.connection.sendFragments([.text(#"{"msgid":"x1","msgtype":"NOT-A-TYPE"}"#), .text("{}"), .text("{}")])
    let closed = await session.loopUntilClosed(timeout: timeout)
    try expect(closed, "still open after \(timeout)")
    let code = session.connection.errorCode
    try expect(
        code == 10000 || code == 10001,
        "close code \(String(describing: code)), detail \(session.connection.errorDetail)")
    try expect(!session.connection.errorDetail.isEmpty, "empty close reason")
    say("  closed by the server: code \(code ?? 0), reason \(session.connection.errorDetail)")
    do {
        try await session.forceRoundtrip()
        throw CheckFailure("round trip after close succeeded")
    } catch let error as ClientError {
        try expect(error.isConnectionLost && error.code == code, "error \(error)")
    }
}

await check("close() ends the session cleanly") {
    let session = try await pullSession(url: appURL, timeout: timeout)
    await session.close(why: "done")
    try expect(!session.connected && session.connection.errorReason == .noError, "state \(session.connection.state)")
}

func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw CheckFailure("cannot find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Times `count` forceRoundtrip calls, async and blocking, and prints the median and p99.
func bench(count: Int) async throws {
    let session = try await pullSession(url: appURL, timeout: timeout)
    for _ in 0..<min(50, count) { try await session.forceRoundtrip() }
    var samples: [Duration] = []
    samples.reserveCapacity(count)
    for _ in 0..<count {
        let start = ContinuousClock.now
        try await session.forceRoundtrip()
        samples.append(ContinuousClock.now - start)
    }
    var blocking: [Duration] = []
    for _ in 0..<count {
        let start = ContinuousClock.now
        _ = try session.connection.sendRequestBlocking(.serverInfoRequest())
        blocking.append(ContinuousClock.now - start)
    }
    await session.close()
    func micros(_ d: Duration) -> String {
        let (s, atto) = d.components
        return String(format: "%.1f", Double(s) * 1e6 + Double(atto) / 1e12)
    }
    for (name, list) in [("async", samples.sorted()), ("blocking", blocking.sorted())] {
        let median = list[list.count / 2]
        let p99 = list[min(list.count - 1, (list.count * 99) / 100)]
        say("forceRoundtrip \(name) x\(count): median \(micros(median)) us, p99 \(micros(p99)) us")
    }
}

if let count = benchCount, count > 0 {
    do { try await bench(count: count) } catch {
        say("bench failed: \(error)")
        failed += 1
    }
}

say("\(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
