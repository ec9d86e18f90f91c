import Foundation

/// How a log line is written: a Python `logging` format string (`bokeh serve --log-format`), such as Bokeh's
/// default `%(asctime)s %(message)s` or `%(asctime)s %(levelname)-8s %(message)s`.
///
/// Fields: `asctime` (`2026-12-03 11:01:29,675`), `message`, `levelname`, `levelno`, `name` (`bokeh`),
/// `process`, `msecs`, `created`; each as `%(field)s`/`d`/`f` with optional flags, width and precision
/// (`%(levelname)-8s`), and `%%` for a percent sign.
public struct LogFormat: Sendable, Equatable, CustomStringConvertible {
    enum Field: String, Sendable {
        case asctime, message, levelname, levelno, name, process, msecs, created
    }
    enum Piece: Sendable, Equatable {
        case text(String)
        case field(Field, leftAlign: Bool, width: Int, precision: Int?, conversion: Character)
    }

    let pieces: [Piece]
    /// The format string as given.
    public let description: String

    /// Bokeh's default, `%(asctime)s %(message)s`.
    public static let bokeh = LogFormat(validated: "%(asctime)s %(message)s")
    /// The server's own default: the level between the time and the message.
    public static let standard = LogFormat(validated: "%(asctime)s %(levelname)s %(message)s")

    private init(validated format: String) {
        self.description = format
        self.pieces = (try? Self.parse(format)) ?? [.text(format)]
    }

    /// - Throws: ``ConfigurationError`` naming the field or the position that is not a format.
    public init(_ format: String) throws(ConfigurationError) {
        self.description = format
        self.pieces = try Self.parse(format)
    }

    private static func parse(_ format: String) throws(ConfigurationError) -> [Piece] {
        func bad(_ why: String) -> ConfigurationError { .invalidValue(setting: "log_format", "--log-format: \(why)") }
        var pieces: [Piece] = []
        var text = ""
        var rest = Substring(format)
        while let c = rest.first {
            rest = rest.dropFirst()
            guard c == "%" else {
                text.append(c)
                continue
            }
            if rest.first == "%" {
                text.append("%")
                rest = rest.dropFirst()
                continue
            }
            guard rest.first == "(", let close = rest.firstIndex(of: ")") else {
                throw bad("a % must start %(field)s or be %% in \(format.debugDescription)")
            }
            let name = String(rest[rest.index(after: rest.startIndex)..<close])
            guard let field = Field(rawValue: name) else { throw bad("unknown field '\(name)'") }
            rest = rest[rest.index(after: close)...]
            var flags = ""
            while let f = rest.first, "-#0 +".contains(f) {
                flags.append(f)
                rest = rest.dropFirst()
            }
            let width = Int(String(rest.prefix { $0.isNumber })) ?? 0
            rest = rest.drop { $0.isNumber }
            var precision: Int?
            if rest.first == "." {
                rest = rest.dropFirst()
                precision = Int(String(rest.prefix { $0.isNumber })) ?? 0
                rest = rest.drop { $0.isNumber }
            }
            guard let conversion = rest.first, "sdif".contains(conversion) else {
                throw bad("field '\(name)' needs a conversion (s, d, i or f)")
            }
            rest = rest.dropFirst()
            guard width <= 1000, (precision ?? 0) <= 100 else { throw bad("field '\(name)' is too wide") }
            if !text.isEmpty { pieces.append(.text(text)) }
            text = ""
            pieces.append(
                .field(
                    field, leftAlign: flags.contains("-"), width: width, precision: precision, conversion: conversion))
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        return pieces
    }

    /// One line for `message` at `level`, logged at `time` (Unix seconds).
    func line(_ level: LogLevel, _ message: String, time: Double, timestamp: String) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let text): out += text
            case .field(let field, let leftAlign, let width, let precision, let conversion):
                var value: String
                switch field {
                case .asctime: value = timestamp
                case .message: value = message
                case .levelname: value = level.name
                case .levelno: value = String(level.rawValue)
                case .name: value = "bokeh"
                case .process: value = String(ProcessInfo.processInfo.processIdentifier)
                case .msecs: value = String(format: "%.\(precision ?? 6)f", (time - time.rounded(.down)) * 1000)
                case .created: value = String(format: "%.\(precision ?? 6)f", time)
                }
                if conversion == "s", let precision, field != .msecs, field != .created {
                    value = String(value.prefix(precision))
                }
                if value.count < width {
                    let pad = String(repeating: " ", count: width - value.count)
                    value = leftAlign ? value + pad : pad + value
                }
                out += value
            }
        }
        return out
    }
}
