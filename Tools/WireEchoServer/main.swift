// wire-echo-server: a WebSocket server that echoes every message back (Autobahn's fuzzingclient target,
// interop tests, connection-count benchmarks).
//
//   wire-echo-server [--host 127.0.0.1] [--port 9001] [--threads N] [--no-deflate]
//                    [--tls-cert chain.pem --tls-key key.pem] [--ping-interval SECONDS]
//
// Prints `listening on ws[s]://HOST:PORT` once bound (port 0 picks a free port), then serves until
// SIGINT or SIGTERM.
import Dispatch
import Foundation
import Glibc
import Wire

func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("wire-echo-server: \(message)\n".utf8))
    exit(2)
}

struct Options {
    var host = "127.0.0.1"
    var port = 9001
    var threads = EventLoopGroup.coreCount
    var deflate = true
    var certificate: String?
    var key: String?
    var pingInterval: Duration?
}

func parseOptions() -> Options {
    var o = Options()
    var arguments = CommandLine.arguments.dropFirst()
    func value(_ flag: String) -> String {
        guard let v = arguments.popFirst() else { usage("\(flag) needs a value") }
        return v
    }
    while let arg = arguments.popFirst() {
        switch arg {
        case "--host": o.host = value(arg)
        case "--port": guard let p = Int(value(arg)) else { usage("bad --port") }; o.port = p
        case "--threads": guard let t = Int(value(arg)), t > 0 else { usage("bad --threads") }; o.threads = t
        case "--no-deflate": o.deflate = false
        case "--tls-cert": o.certificate = value(arg)
        case "--tls-key": o.key = value(arg)
        case "--ping-interval":
            guard let s = Double(value(arg)), s > 0 else { usage("bad --ping-interval") }
            o.pingInterval = .milliseconds(Int64(s * 1000))
        case "-h", "--help":
            usage(
                "usage: wire-echo-server [--host H] [--port P] [--threads N] [--no-deflate] [--tls-cert F --tls-key F] [--ping-interval S]"
            )
        default: usage("unknown argument \(arg)")
        }
    }
    return o
}

let options = parseOptions()
let host = options.host, port = options.port, threads = options.threads, deflate = options.deflate
let certificate = options.certificate, key = options.key, pingInterval = options.pingInterval

do {
    let group = try EventLoopGroup(numberOfThreads: threads, name: "echo")
    var tls: TLSContext?
    if let certificate, let key {
        tls = try TLSContext(.server(certificateChainFile: certificate, privateKeyFile: key))
    } else if certificate != nil || key != nil {
        usage("--tls-cert and --tls-key go together")
    }
    var configuration = WebSocketServerConfiguration()
    if deflate { configuration.policy.deflate = PerMessageDeflateConfiguration() }
    configuration.channel.pingInterval = pingInterval
    configuration.listener.backlog = 4096
    let server = try WebSocketServer(
        bindTo: try SocketAddress(host: host, port: port), group: group, configuration: configuration, tls: tls
    ) { channel in
        channel.onMessage = { [weak channel] message in channel?.send(message) }
    }
    let scheme = tls == nil ? "ws" : "wss"
    let shownHost = server.localAddress.host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? host
    FileHandle.standardOutput.write(
        Data("listening on \(scheme)://\(shownHost):\(server.localAddress.port ?? port)\n".utf8))

    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    signal(SIGPIPE, SIG_IGN)
    let stop = DispatchSemaphore(value: 0)
    let sources = [SIGINT, SIGTERM].map { sig in
        let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        s.setEventHandler { stop.signal() }
        s.resume()
        return s
    }
    stop.wait()
    sources.forEach { $0.cancel() }
    server.close()
    group.shutdown()
} catch {
    FileHandle.standardError.write(Data("wire-echo-server: \(error)\n".utf8))
    exit(1)
}
