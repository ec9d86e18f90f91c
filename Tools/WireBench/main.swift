// Throughput of Wire's codecs: HTTP request parsing, WebSocket frame decode/encode, permessage-deflate.
// Run in release mode: `swift run -c release wire-bench [seconds-per-case] [name filter]`.
import Foundation
import Wire

let secondsPerCase = CommandLine.arguments.dropFirst().first.flatMap(Double.init) ?? 1.0
/// Only cases whose name contains this text run (second argument).
let filter = CommandLine.arguments.dropFirst(2).first ?? ""

/// Runs `body` (which processes `bytesPerRun` bytes) repeatedly for about `secondsPerCase` and prints MB/s.
func measure(_ name: String, bytesPerRun: Int, _ body: () -> Void) {
    guard filter.isEmpty || name.contains(filter) else { return }
    let clock = ContinuousClock()
    for _ in 0..<3 { body() }  // warm up
    var runs = 0
    let start = clock.now
    var elapsed: Duration = .zero
    repeat {
        for _ in 0..<8 { body() }
        runs += 8
        elapsed = clock.now - start
    } while elapsed < .seconds(secondsPerCase)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let mbps = Double(runs * bytesPerRun) / seconds / 1e6
    let perRun = seconds / Double(runs) * 1e6
    print(
        "\(name.padding(toLength: 52, withPad: " ", startingAt: 0)) \(String(format: "%9.1f", mbps)) MB/s  \(String(format: "%10.2f", perRun)) µs/run"
    )
}

@inline(never) func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }

var rng = SystemRandomNumberGenerator()

// HTTP: a realistic Bokeh page request, 100 pipelined per run.
let pageRequest = Array(
    ("GET /app/?bokeh-session-id=JMqAIo47TMKqIHHmJBGYIpt8z2DCqODpMrQ8cxNSzxvA HTTP/1.1\r\nHost: 127.0.0.1:5006\r\n"
        + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36\r\n"
        + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.9\r\n"
        + "Accept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\nCookie: a=1; b=2\r\nSec-Fetch-Site: none\r\n\r\n")
        .utf8)
let pipelined = Array([[UInt8]](repeating: pageRequest, count: 100).joined())
measure("HTTP request parse (\(pageRequest.count) B request, x100)", bytesPerRun: pipelined.count) {
    var p = HTTPRequestParser()
    p.feed(pipelined)
    var n = 0
    while let r = try? p.next() { n += r.head.headers.count }
    blackHole(n)
}

// WebSocket frames.
for size in [125, 16 * 1024, 64 * 1024, 1024 * 1024] {
    let payload = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
    let count = max(1, (4 * 1024 * 1024) / (size + 14))
    var masked: [UInt8] = []
    for _ in 0..<count {
        WebSocketFrameEncoder.append(
            WebSocketFrame(opcode: .binary, payload: payload), maskingKey: .random(), to: &masked)
    }
    do {
        var d = WebSocketFrameDecoder(role: .server)
        d.feed(masked)
        var frames = 0
        while (try? d.next()) != nil { frames += 1 }
        precondition(frames == count, "decoded \(frames) of \(count) frames")
    }
    measure("frame decode, masked binary \(size) B (server)", bytesPerRun: masked.count) {
        var d = WebSocketFrameDecoder(role: .server)
        d.feed(masked)
        var n = 0
        while let f = try? d.next() { n &+= f.payload.count }
        blackHole(n)
    }
    let frame = WebSocketFrame(opcode: .binary, payload: payload)
    let key = WebSocketMaskingKey.random()
    measure("frame encode, masked binary \(size) B (client)", bytesPerRun: (size + 14) * count) {
        var out: [UInt8] = []
        out.reserveCapacity((size + 14) * count)
        for _ in 0..<count { WebSocketFrameEncoder.append(frame, maskingKey: key, to: &out) }
        blackHole(out)
    }
    measure("frame encode, unmasked binary \(size) B (server)", bytesPerRun: (size + 14) * count) {
        var out: [UInt8] = []
        out.reserveCapacity((size + 14) * count)
        for _ in 0..<count { WebSocketFrameEncoder.append(frame, to: &out) }
        blackHole(out)
    }
}

// Connection: masked 64 KiB frames through the whole state machine (decode, reassembly, delivery).
do {
    let payload = (0..<(64 * 1024)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    var wire: [UInt8] = []
    for _ in 0..<64 {
        WebSocketFrameEncoder.append(
            WebSocketFrame(opcode: .binary, payload: payload), maskingKey: .random(), to: &wire)
    }
    // Fed in 64 KiB reads, as a socket would deliver them; actions are handled as they come.
    let reads = stride(from: 0, to: wire.count, by: 65536).map { Array(wire[$0..<min(wire.count, $0 + 65536)]) }
    measure("connection receive, masked binary 64 KiB messages", bytesPerRun: wire.count) {
        var c = WebSocketStateMachine(role: .server)
        var delivered = 0
        for read in reads {
            for case .deliver(.binary(let m)) in c.receive(read) { delivered &+= m.count }
        }
        blackHole(delivered)
    }
}

// permessage-deflate on Bokeh-like JSON (a PATCH-DOC content).
do {
    var json = "{\"events\":["
    for i in 0..<2000 {
        json +=
            "{\"kind\":\"ModelChanged\",\"model\":{\"id\":\"p\(1000 + i % 50)\"},\"attr\":\"value\",\"new\":\(Double(i) * 0.37)},"
    }
    json += "{\"kind\":\"TitleChanged\",\"title\":\"done\"}]}"
    let bytes = Array(json.utf8)
    let params = PerMessageDeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: true)
    var sender = WebSocketStateMachine(role: .server, deflate: (params, PerMessageDeflateConfiguration()))
    let compressed = (try? sender.send(.text(json))) ?? []
    print(
        "deflate ratio on \(bytes.count) B of PATCH-DOC JSON: \(compressed.count) B (\(String(format: "%.1f", Double(bytes.count) / Double(max(1, compressed.count))))x)"
    )
    measure("deflate compress, \(bytes.count) B JSON, level 6", bytesPerRun: bytes.count) {
        var s = WebSocketStateMachine(role: .server, deflate: (params, PerMessageDeflateConfiguration()))
        blackHole(try? s.send(.text(json)))
    }
    measure("deflate decompress, same message (uncompressed MB/s)", bytesPerRun: bytes.count) {
        var r = WebSocketStateMachine(role: .client, deflate: (params, PerMessageDeflateConfiguration()))
        blackHole(r.receive(compressed).count)
    }
}
