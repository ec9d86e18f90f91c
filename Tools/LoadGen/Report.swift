// The JSON line and the process figures that go into it.
import DocumentModel
import Foundation
import Glibc

/// An ordered JSON object under construction, with loadgen.py's rounding helpers.
struct Report {
    private(set) var object = JSONObject()

    init() {}

    subscript(key: String) -> JSONValue? {
        get { object[key] }
        set { object[key] = newValue ?? .null }
    }

    mutating func set(_ key: String, _ value: JSONValue) { object[key] = value }
    mutating func set(_ key: String, _ value: Int?) { object[key] = value.map(JSONValue.int) ?? .null }
    mutating func set(_ key: String, _ value: String?) { object[key] = value.map(JSONValue.string) ?? .null }
    /// `round(value, digits)` or null.
    mutating func set(_ key: String, _ value: Double?, digits: Int) {
        object[key] = value.map { .double(Stats.round($0, digits)) } ?? .null
    }

    /// loadgen.py's `lat_summary`: p50, p90, p99, max and mean in ms, rounded to 3 decimals.
    mutating func latencies(_ values: [Double], prefix: String = "lat") {
        let v = values.sorted()
        func ms(_ x: Double?) -> JSONValue { x.map { .double(Stats.round($0 * 1000.0, 3)) } ?? .null }
        set("\(prefix)_p50_ms", ms(Stats.percentile(sorted: v, 50)))
        set("\(prefix)_p90_ms", ms(Stats.percentile(sorted: v, 90)))
        set("\(prefix)_p99_ms", ms(Stats.percentile(sorted: v, 99)))
        set("\(prefix)_max_ms", ms(v.last))
        set("\(prefix)_mean_ms", ms(v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)))
    }

    /// `error_sample`: the first three error strings.
    mutating func errorSample(_ errors: [String]) {
        if !errors.isEmpty { set("error_sample", .array(errors.prefix(3).map(JSONValue.string))) }
    }

    var hasError: Bool { object["error"] != nil }

    /// Python's `json.dumps` layout (`", "` and `": "`, ASCII only).
    func line() -> String {
        (try? JSONWriter(options: .pythonDefault).string(.object(object))) ?? #"{"error": "unencodable report"}"#
    }
}

/// CPU time and RSS of the server process from /proc, as loadgen.py's `ProcStats`.
struct ProcStats {
    let pid: Int32?
    private let ticks: Double

    init(pid: Int32?) {
        if let pid, FileManager.default.fileExists(atPath: "/proc/\(pid)/stat") {
            self.pid = pid
        } else {
            if let pid {
                FileHandle.standardError.write(Data("loadgen: no /proc/\(pid); server figures omitted\n".utf8))
            }
            self.pid = nil
        }
        let t = sysconf(Int32(_SC_CLK_TCK))
        ticks = t > 0 ? Double(t) : 100
    }

    /// utime + stime in seconds.
    func cpu() -> Double? {
        guard let pid, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let paren = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: paren)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count > 12, let u = Int(fields[11]), let s = Int(fields[12]) else { return nil }
        return Double(u + s) / ticks
    }

    /// VmRSS in KiB.
    func rssKiB() -> Int? {
        guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else {
            return nil
        }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }
}

/// This process's user + system CPU seconds (`getrusage(RUSAGE_SELF)`).
func selfCPU() -> Double {
    var r = rusage()
    getrusage(RUSAGE_SELF.rawValue, &r)
    return Double(r.ru_utime.tv_sec) + Double(r.ru_utime.tv_usec) * 1e-6 + Double(r.ru_stime.tv_sec)
        + Double(r.ru_stime.tv_usec) * 1e-6
}

/// Monotonic seconds (loadgen.py's `time.perf_counter`).
@inline(__always) func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Wall-clock Unix seconds (`time.time`).
@inline(__always) func wallNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func diagnostic(_ message: String) {
    FileHandle.standardError.write(Data("loadgen: \(message)\n".utf8))
}
