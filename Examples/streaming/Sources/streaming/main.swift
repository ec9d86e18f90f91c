// A streaming app: a periodic callback appends one point of a random walk every 100 ms and the plot keeps the
// last `--args ROLLOVER` of them (default 200), as Bokeh's `source.stream(new, rollover=N)`.
// `swift run streaming -- --args 500` serves it at http://localhost:5006/ keeping 500 points.
import DocumentModel
import Foundation
import ServerCore

let app = Application { document, context in
    let rollover = context.arguments.first.flatMap { Int($0) } ?? 200
    let source = ColumnDataSource()
    source.name = "source"
    source.data = ["t": [Double](), "y": [Double]()]

    let plot = figure(
        title: "random walk (last \(rollover) points)", width: 700, height: 350, tools: "xpan,xwheel_zoom,reset")
    if let range = plot.xRange as? DataRange1d {
        range.follow = .end
        range.followInterval = Double(rollover)
    }
    plot.line(x: "t", y: "y", source: source, lineWidth: 2, color: "navy")
    let status = Div(.text("streamed=0"))
    status.name = "status"
    let pause = Toggle(.label("pause"))

    var t = 0
    var y = 0.0
    var generator = SystemRandomNumberGenerator()
    context.addPeriodicCallback(every: .milliseconds(100)) { _ in
        if pause.active { return }
        y += Double.random(in: -1...1, using: &generator)
        try source.stream(["t": [Double(t)], "y": [y]], rollover: rollover)
        t += 1
        status.text = "streamed=\(t)"
    }
    document.addRoot(column(row(pause, status), plot))
    document.title = "Streaming"
}

ServeCommand(app).main()
