// Command line, in the shape of loadgen.py's argparse parser.
import Foundation
import Glibc

enum Command {
    case open(sessions: Int, concurrency: Int, warmup: Int)
    case patch(count: Int, concurrency: Int, warmup: Int)
    case fanout(clients: Int, duration: Double, settle: Double, shared: Bool, openConcurrency: Int, periodMs: Double)
    case idle(sessions: Int, hold: Double, openConcurrency: Int, warmup: Int)
    case bigpull(rows: Int, repeats: Int, warmup: Int)
    case dump(args: [(String, String)])
    case wait

    var name: String {
        switch self {
        case .open: "open"
        case .patch: "patch"
        case .fanout: "fanout"
        case .idle: "idle"
        case .bigpull: "bigpull"
        case .dump: "dump"
        case .wait: "wait"
        }
    }

    /// Connections the command may hold at once (for the descriptor limit check).
    var connections: Int {
        switch self {
        case .open(_, let c, _), .patch(_, let c, _): c
        case .fanout(let n, _, _, _, _, _): n
        case .idle(let n, _, _, _): n
        default: 1
        }
    }
}

struct Options {
    var url = ""
    var pid: Int32?
    var maxTime = 60.0
    var tag: String?
    var command = Command.wait

    static let usage = """
        usage: bokeh-loadgen --url http://127.0.0.1:PORT/APP [--pid PID] [--max-time S] [--tag T] COMMAND ...
          open    [-k/--sessions 200] [-c/--concurrency 4] [--warmup 3]
          patch   [-n/--count 2000] [-c/--concurrency 1] [--warmup 3]
          fanout  [-n/--clients 50] [-t/--duration 10] [--settle 1] [--shared] [--open-concurrency 16] [--period-ms 100]
          idle    [-n/--sessions 500] [--hold 5] [--open-concurrency 16] [--warmup 5]
          bigpull [-m/--rows 1000000] [-r/--repeat 3] [--warmup 1]
          dump    [key=value ...]
          wait
        Prints one JSON line on stdout (loadgen.py's keys plus "loadgen" and "loadgen_cpu_s").
        """

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("\(usage)\nbokeh-loadgen: error: \(message)\n".utf8))
        exit(2)
    }

    /// Parses `arguments` (without the program name). Exits with status 2 on a usage error, as argparse does.
    static func parse(_ arguments: [String]) -> Options {
        var o = Options()
        // Split `--flag=value` into two words.
        var words: [String] = []
        for a in arguments {
            if a.hasPrefix("--"), let eq = a.firstIndex(of: "=") {
                words.append(String(a[..<eq]))
                words.append(String(a[a.index(after: eq)...]))
            } else {
                words.append(a)
            }
        }
        var it = words[...]
        func value(_ flag: String) -> String {
            guard let v = it.popFirst() else { fail("argument \(flag): expected one argument") }
            return v
        }
        func int(_ flag: String) -> Int {
            let v = value(flag)
            guard let i = Int(v) else { fail("argument \(flag): invalid int value: '\(v)'") }
            return i
        }
        func double(_ flag: String) -> Double {
            let v = value(flag)
            guard let d = Double(v), d.isFinite else { fail("argument \(flag): invalid float value: '\(v)'") }
            return d
        }
        var commandName: String?
        while let a = it.popFirst() {
            switch a {
            case "--url": o.url = value(a)
            case "--pid": o.pid = Int32(int(a))
            case "--max-time": o.maxTime = double(a)
            case "--tag": o.tag = value(a)
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                guard !a.hasPrefix("-") else { fail("unrecognized arguments: \(a)") }
                commandName = a
            }
            if commandName != nil { break }
        }
        guard !o.url.isEmpty else { fail("the following arguments are required: --url") }
        guard let commandName else { fail("the following arguments are required: cmd") }
        var flags: [String: String] = [:]
        var positional: [(String, String)] = []
        var shared = false
        let known: [String: [String: String]] = [
            "open": [
                "-k": "sessions", "--sessions": "sessions", "-c": "concurrency", "--concurrency": "concurrency",
                "--warmup": "warmup",
            ],
            "patch": [
                "-n": "count", "--count": "count", "-c": "concurrency", "--concurrency": "concurrency",
                "--warmup": "warmup",
            ],
            "fanout": [
                "-n": "clients", "--clients": "clients", "-t": "duration", "--duration": "duration",
                "--settle": "settle", "--open-concurrency": "open-concurrency", "--period-ms": "period-ms",
            ],
            "idle": [
                "-n": "sessions", "--sessions": "sessions", "--hold": "hold",
                "--open-concurrency": "open-concurrency", "--warmup": "warmup",
            ],
            "bigpull": ["-m": "rows", "--rows": "rows", "-r": "repeat", "--repeat": "repeat", "--warmup": "warmup"],
            "dump": [:], "wait": [:],
        ]
        guard let table = known[commandName] else {
            fail(
                "argument cmd: invalid choice: '\(commandName)' (choose from open, patch, fanout, idle, bigpull, dump, wait)"
            )
        }
        while let a = it.popFirst() {
            if commandName == "fanout" && a == "--shared" {
                shared = true
            } else if let key = table[a] {
                flags[key] = value(a)
            } else if a == "-h" || a == "--help" {
                print(usage)
                exit(0)
            } else if commandName == "dump" && !a.hasPrefix("-") {
                guard let eq = a.firstIndex(of: "=") else { fail("dump arguments are key=value, got '\(a)'") }
                positional.append((String(a[..<eq]), String(a[a.index(after: eq)...])))
            } else {
                fail("unrecognized arguments: \(a)")
            }
        }
        func i(_ key: String, _ d: Int) -> Int {
            guard let v = flags[key] else { return d }
            guard let x = Int(v) else { fail("argument --\(key): invalid int value: '\(v)'") }
            return x
        }
        func f(_ key: String, _ d: Double) -> Double {
            guard let v = flags[key] else { return d }
            guard let x = Double(v), x.isFinite else { fail("argument --\(key): invalid float value: '\(v)'") }
            return x
        }
        func atLeastOne(_ name: String, _ v: Int) -> Int {
            if v < 1 { fail("--\(name) must be >= 1") }
            return v
        }
        switch commandName {
        case "open":
            o.command = .open(
                sessions: atLeastOne("sessions", i("sessions", 200)),
                concurrency: atLeastOne("concurrency", i("concurrency", 4)),
                warmup: i("warmup", 3))
        case "patch":
            o.command = .patch(
                count: atLeastOne("count", i("count", 2000)),
                concurrency: atLeastOne("concurrency", i("concurrency", 1)),
                warmup: i("warmup", 3))
        case "fanout":
            o.command = .fanout(
                clients: atLeastOne("clients", i("clients", 50)), duration: f("duration", 10), settle: f("settle", 1),
                shared: shared, openConcurrency: Swift.max(1, i("open-concurrency", 16)), periodMs: f("period-ms", 100))
        case "idle":
            o.command = .idle(
                sessions: atLeastOne("sessions", i("sessions", 500)), hold: f("hold", 5),
                openConcurrency: Swift.max(1, i("open-concurrency", 16)), warmup: i("warmup", 5))
        case "bigpull":
            o.command = .bigpull(
                rows: i("rows", 1_000_000), repeats: atLeastOne("repeat", i("repeat", 3)), warmup: i("warmup", 1))
        case "dump":
            o.command = .dump(args: positional)
        default:
            o.command = .wait
        }
        o.maxTime = Swift.max(1.0, Swift.min(o.maxTime, 300.0))
        return o
    }
}
