import Foundation
import DocumentModel

extension Application {
    /// The benchmark application (see the shared `bench_app.md`): a slider, a status `Div` and a
    /// `ColumnDataSource` with `rows` float64 rows; slider changes set `status.text = "value=<v>"`; with
    /// `stream=1` a 100 ms periodic callback streams 10 rows (rollover 10 000).
    public static func bench() -> Application {
        Application { document, context in
            let rows = BenchParameters.rows(context.argument("rows"))
            let stream = context.argument("stream") == "1"
            let x = (0..<rows).map { Double($0) }
            let y = x.map { sin(0.01 * $0) }
            let slider = Model(
                "Slider",
                [
                    "name": .string("slider"), "title": .string("value"), "start": .int(0), "end": .int(100),
                    "value": .int(0),
                ])
            let status = Model("Div", ["name": .string("status"), "text": .string("value=0")])
            let source = Model(
                "ColumnDataSource",
                [
                    "name": .string("source"),
                    "selected": .model(Model("Selection", ["indices": .list([]), "line_indices": .list([])])),
                    "selection_policy": .model(Model("UnionRenderers")),
                    "data": .map(["x": .ndarray(NDArray(.float64(x))), "y": .ndarray(NDArray(.float64(y)))]),
                ])
            context.onChange(of: slider, attribute: "value") { _, _, new in
                status.set("text", .string("value=" + BenchParameters.pythonString(new)))
            }
            document.setTitle("bench")
            document.addRoot(slider)
            document.addRoot(status)
            document.addRoot(source)
            if stream {
                var next = rows
                context.addPeriodicCallback(every: .milliseconds(BenchParameters.streamPeriodMilliseconds)) {
                    document in
                    let xs = (next..<next + BenchParameters.streamRows).map { Double($0) }
                    next += BenchParameters.streamRows
                    let now = Date().timeIntervalSince1970
                    let ys = [Double](repeating: now, count: BenchParameters.streamRows)
                    try document.stream(
                        to: source, ["x": .ndarray(NDArray(.float64(xs))), "y": .ndarray(NDArray(.float64(ys)))],
                        rollover: BenchParameters.rollover)
                }
            }
        }
    }
}

enum BenchParameters {
    static let defaultRows = 1000
    static let maxRows = 5_000_000
    static let streamRows = 10
    static let streamPeriodMilliseconds = 100
    static let rollover = 10_000

    /// `rows`, clamped to 1…5 000 000; missing or unparsable gives the default.
    static func rows(_ text: String?) -> Int {
        guard let text, let n = Int(text.trimmingCharacters(in: .whitespaces)) else { return defaultRows }
        return max(1, min(maxRows, n))
    }

    /// Python's `str()` of a decoded JSON number: `5`, `5.5`, `5.0`.
    static func pythonString(_ value: Value) -> String {
        switch value {
        case .int(let i): return String(i)
        case .float(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d < 0 ? "-inf" : "inf" }
            // trap-safe: integral and below 1e16
            if d == d.rounded(), abs(d) < 1e16 { return "\(Int(d)).0" }
            return "\(d)"
        default: return "\(value)"
        }
    }
}
