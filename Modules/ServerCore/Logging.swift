import Wire
import Foundation
import Locking
import Synchronization

/// Severity of a log line, ordered as Python's logging levels (`trace` is Bokeh's extra level below debug).
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case trace = 5, debug = 10, info = 20, warning = 30, error = 40, critical = 50

    /// Parses a `--log-level` value (`trace`, `debug`, `info`, `warning`, `error`, `critical`).
    public init?(name: String) {
        switch name.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        case "critical": self = .critical
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// The server's logger: lines go to standard error (or a ``setFile(_:)`` file) as ``format`` says (by default
/// `<timestamp> <LEVEL> <message>`) when at or above the threshold. A sink can be installed to route the lines to your own logger (``setSink(_:)``). Any thread.
public final class ServerLog: Sendable {
    public static let shared = ServerLog()

    private let threshold = Atomic<Int>(LogLevel.info.rawValue)
    private let sink = Lock<(@Sendable (LogLevel, String) -> Void)?>(nil)
    /// The line format and where lines go (nil: standard error).
    private let output = Lock<(format: LogFormat, file: FileHandle?)>((.standard, nil))

    public init() {}

    /// The lowest level written.
    public var level: LogLevel {
        get { LogLevel(rawValue: threshold.load(ordering: .relaxed)) ?? .info }
        set { threshold.store(newValue.rawValue, ordering: .relaxed) }
    }

    /// Replaces standard error with `sink` (nil restores it).
    public func setSink(_ sink: (@Sendable (LogLevel, String) -> Void)?) {
        self.sink.withLock { $0 = sink }
    }

    /// How lines are written (`--log-format`); ``LogFormat/standard`` unless set.
    public var format: LogFormat {
        get { output.withLock { $0.format } }
        set { output.withLock { $0.format = newValue } }
    }

    /// Appends the lines to `path` instead of standard error (`--log-file`, opened as Python's
    /// `logging.basicConfig(filename=)` opens it: created if missing, appended to); nil restores standard error.
    /// - Throws: ``ConfigurationError`` when the file cannot be opened for writing.
    public func setFile(_ path: String?) throws(ConfigurationError) {
        guard let path else {
            output.withLock { $0.file = nil }
            return
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .invalidValue(
                setting: "log_file", "--log-file: cannot open \(path): \(String(cString: strerror(errno)))")
        }
        output.withLock { $0.file = FileHandle(fileDescriptor: fd, closeOnDealloc: true) }
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level.rawValue >= threshold.load(ordering: .relaxed) }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard isEnabled(level) else { return }
        let text = message()
        if let sink = sink.withLock({ $0 }) {
            sink(level, text)
            return
        }
        var tv = timeval()
        gettimeofday(&tv, nil)
        let (format, file) = output.withLock { ($0.format, $0.file) }
        let time = Double(tv.tv_sec) + Double(tv.tv_usec) / 1_000_000
        let line = format.line(level, text, time: time, timestamp: Self.timestamp(tv)) + "\n"
        (file ?? FileHandle.standardError).write(Data(line.utf8))
    }

    public func trace(_ m: @autoclosure () -> String) { log(.trace, m()) }
    public func debug(_ m: @autoclosure () -> String) { log(.debug, m()) }
    public func info(_ m: @autoclosure () -> String) { log(.info, m()) }
    public func warning(_ m: @autoclosure () -> String) { log(.warning, m()) }
    public func error(_ m: @autoclosure () -> String) { log(.error, m()) }

    private static func timestamp(_ tv: timeval) -> String {
        var t = time_t(tv.tv_sec)
        var parts = tm()
        localtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d,%03d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, Int(tv.tv_usec / 1000))
    }
}

let log = ServerLog.shared

extension LoopClock {
    /// Milliseconds on the clock's monotonic scale, for session bookkeeping.
    var monotonicMilliseconds: Double { Double(monotonicNanoseconds()) / 1_000_000 }

    /// Whole Unix seconds, for token expiry and HTTP dates.
    var wholeUnixSeconds: Int { Int(clamping: Int64(exactly: unixSeconds().rounded(.down)) ?? 0) }
}
