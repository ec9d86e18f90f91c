// wire-autobahn-client: our WebSocket client against Autobahn's fuzzingserver, and an interop probe.
//
//   wire-autobahn-client URL                  echo every message until the server closes (one Autobahn case)
//   wire-autobahn-client --driver BASE AGENT  run every case: /getCaseCount, /runCase?case=N, /updateReports
//   wire-autobahn-client --probe URL [--cafile F] [--no-deflate]
//                                             send a fixed set of messages, check the echoes, close with 1000
//
// Permessage-deflate is offered unless --no-deflate. Exit status 0 on success.
import Dispatch
import Foundation
import Glibc
import Locking
import Wire

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("wire-autobahn-client: \(message)\n".utf8))
    exit(2)
}

func parseFlags() -> (arguments: [String], offerDeflate: Bool, caFile: String?) {
    var arguments = Array(CommandLine.arguments.dropFirst())
    var offerDeflate = true
    var caFile: String?
    if let i = arguments.firstIndex(of: "--no-deflate") {
        offerDeflate = false
        arguments.remove(at: i)
    }
    if let i = arguments.firstIndex(of: "--cafile") {
        guard i + 1 < arguments.count else { fail("--cafile needs a path") }
        caFile = arguments[i + 1]
        arguments.removeSubrange(i...(i + 1))
    }
    return (arguments, offerDeflate, caFile)
}
let (arguments, offerDeflate, caFile) = parseFlags()
signal(SIGPIPE, SIG_IGN)

func makeLoop() -> EventLoop {
    do { return try EventLoop(name: "client") } catch { fail("\(error)") }
}
let loop = makeLoop()

func makeConfiguration() -> WebSocketClientConfiguration {
    var c = WebSocketClientConfiguration()
    if offerDeflate { c.deflate = PerMessageDeflateConfiguration() }
    c.channel.closeTimeout = .seconds(2)
    if let caFile {
        do { c.tls = try TLSContext(.client(trustRoots: .file(caFile))) } catch { fail("\(error)") }
    }
    return c
}

/// Runs on the loop: connects to `url`, calls `onOpen` with the channel, and `done` when it is closed.
final class Session: Sendable {
    let finished = DispatchSemaphore(value: 0)
    let outcome = Lock<String?>(nil)

    func finish(_ text: String?) {
        let first = outcome.withLock { o -> Bool in
            if o != nil { return false }
            o = text ?? "ok"
            return true
        }
        if first { finished.signal() }
    }

    func wait() -> String {
        finished.wait()
        return outcome.withLock { $0 ?? "ok" }
    }
}

/// Connects and echoes until closed. Returns nil on success or an error description.
func echo(_ url: String) -> String? {
    let session = Session()
    let configuration = makeConfiguration()
    loop.execute {
        WebSocketClient.connect(to: url, on: loop, configuration: configuration) { result in
            switch result {
            case .failure(let error):
                session.finish("connect \(url): \(error)")
            case .success(let channel):
                channel.onMessage = { [weak channel] m in channel?.send(m) }
                channel.onClose = { _ in session.finish(nil) }
            }
        }
    }
    let r = session.wait()
    return r == "ok" ? nil : r
}

/// Connects and returns the first text message.
func fetchText(_ url: String) -> String? {
    let session = Session()
    let text = Lock<String?>(nil)
    let configuration = makeConfiguration()
    loop.execute {
        WebSocketClient.connect(to: url, on: loop, configuration: configuration) { result in
            switch result {
            case .failure(let error):
                session.finish("\(error)")
            case .success(let channel):
                channel.onMessage = { m in
                    if case .text(let t) = m { text.withLock { $0 = t } }
                }
                channel.onClose = { _ in session.finish(nil) }
            }
        }
    }
    _ = session.wait()
    return text.withLock { $0 }
}

func probe(_ url: String) -> Int32 {
    let session = Session()
    let configuration = makeConfiguration()
    var big = [UInt8](repeating: 0, count: 1 << 20)
    for i in big.indices { big[i] = UInt8(truncatingIfNeeded: i &* 31 &+ i >> 8) }
    let messages: [WebSocketMessage] = [
        .text("hello"), .text(""), .text("héllo wörld ✓ 🚀"), .binary(Array(0...255)), .binary([]), .binary(big),
        .text(String(repeating: "bokeh ", count: 20_000)),
    ]
    loop.execute {
        WebSocketClient.connect(to: url, on: loop, configuration: configuration) { result in
            switch result {
            case .failure(let error):
                session.finish("connect: \(error)")
            case .success(let channel):
                var received = 0
                print("probe: connected to \(url), deflate \(channel.deflateParameters.map { "\($0)" } ?? "off")")
                channel.onMessage = { [weak channel] m in
                    guard let channel else { return }
                    guard m == messages[received] else {
                        session.finish("message \(received) came back different")
                        channel.close(code: .policyViolation)
                        return
                    }
                    received += 1
                    if received == messages.count { channel.close(code: .normalClosure, reason: "done") }
                }
                channel.onClose = { info in
                    if received == messages.count && info.code == .normalClosure {
                        session.finish(nil)
                    } else {
                        session.finish("closed after \(received)/\(messages.count) messages: \(info)")
                    }
                }
                for m in messages { channel.send(m) }
            }
        }
    }
    let r = session.wait()
    if r == "ok" {
        print("probe: OK, \(messages.count) messages echoed, closed with 1000")
        return 0
    }
    print("probe: FAILED: \(r)")
    return 1
}

var status: Int32 = 0
switch arguments.first {
case "--driver":
    guard arguments.count == 3 else { fail("usage: --driver BASE AGENT") }
    let base = arguments[1], agent = arguments[2]
    guard let countText = fetchText("\(base)/getCaseCount"), let count = Int(countText) else {
        fail("could not read the case count from \(base)")
    }
    for n in 1...max(1, count) {
        if let error = echo("\(base)/runCase?case=\(n)&agent=\(agent)") {
            FileHandle.standardError.write(Data("case \(n): \(error)\n".utf8))
        }
    }
    _ = fetchText("\(base)/updateReports?agent=\(agent)")
case "--probe":
    guard arguments.count == 2 else { fail("usage: --probe URL") }
    status = probe(arguments[1])
case .some(let url) where arguments.count == 1:
    if let error = echo(url) {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        status = 1
    }
default:
    fail("usage: wire-autobahn-client URL | --driver BASE AGENT | --probe URL [--cafile F] [--no-deflate]")
}
loop.shutdown()
exit(status)
