import Foundation
import DocumentModel

extension Application {
    /// A streaming application: the demo figure over a `ColumnDataSource` named `source`, fed by a periodic
    /// callback that streams one point per tick (rollover ``StreamParameters/rollover``), and a `Div` named
    /// `status` showing `streamed=<n>` (the number of points streamed so far).
    ///
    /// Point n is `x = (n mod 120) / 10`, `y = 6 + 5 sin(n / 8)`.
    public static func stream(periodMilliseconds: Int = StreamParameters.periodMilliseconds) -> Application {
        Application { document, context in
            let source = Model(
                "ColumnDataSource",
                [
                    "name": .string("source"),
                    "selected": .model(Model("Selection", ["indices": .list([]), "line_indices": .list([])])),
                    "selection_policy": .model(Model("UnionRenderers")),
                    "data": .map([
                        "x": .list([.float(StreamParameters.x(0))]), "y": .list([.float(StreamParameters.y(0))]),
                    ]),
                ])
            let plot = DemoFigure.make(source: source, title: "stream")
            let status = Model("Div", ["name": .string("status"), "text": .string("streamed=0")])
            document.addRoot(
                Model("Column", ["name": .string("layout"), "children": .list([.model(plot), .model(status)])]))
            document.setTitle("Bokeh streaming demo")
            var streamed = 0
            context.addPeriodicCallback(every: .milliseconds(max(1, periodMilliseconds))) { document in
                streamed += 1
                let n = streamed
                try document.stream(
                    to: source,
                    ["x": .list([.float(StreamParameters.x(n))]), "y": .list([.float(StreamParameters.y(n))])],
                    rollover: StreamParameters.rollover)
                status.set("text", .string("streamed=\(n)"))
            }
        }
    }
}

public enum StreamParameters {
    public static let periodMilliseconds = 200
    public static let rollover = 100

    static func x(_ n: Int) -> Double { Double(n % 120) / 10 }
    static func y(_ n: Int) -> Double { 6 + 5 * sin(Double(n) / 8) }
}
