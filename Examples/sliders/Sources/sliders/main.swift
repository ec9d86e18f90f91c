// The sliders function explorer (Bokeh's examples/server/app/sliders.py): a sine wave whose title, offset,
// amplitude, phase and frequency five widgets set. `swift run sliders` serves it at http://localhost:5006/.
import DocumentModel
import Foundation
import ServerCore

let app = Application { document, context in
    let n = 200
    let span = 4 * Double.pi
    let x = (0..<n).map { Double($0) * span / Double(n - 1) }
    let source = ColumnDataSource()
    source.name = "source"
    source.data = ["x": x, "y": x.map { sin($0) }]

    let plot = figure(
        title: "my sine wave", width: 400, height: 400, xRange: [0, 4 * .pi], yRange: -2.5...2.5,
        tools: "crosshair,pan,reset,save,wheel_zoom")
    plot.line(x: "x", y: "y", source: source, lineWidth: 3, .lineAlpha(0.6))

    let text = TextInput(.title("title"), .value("my sine wave"))
    let offset = Slider(start: -5, end: 5, value: 0, .title("offset"), .step(0.1))
    let amplitude = Slider(start: -5, end: 5, value: 1, .title("amplitude"), .step(0.1))
    let phase = Slider(start: 0, end: 2 * .pi, value: 0, .title("phase"))
    let freq = Slider(start: 0.1, end: 5.1, value: 1, .title("frequency"), .step(0.1))
    freq.name = "frequency"

    context.onChange(of: text, \.value) { _, title in plot.title?.update(.text(title)) }
    for slider in [offset, amplitude, phase, freq] {
        context.onChange(of: slider, \.value) { _, _ in
            let (a, b, w, k) = (amplitude.value, offset.value, phase.value, freq.value)
            source.data = ["x": x, "y": x.map { a * sin(k * $0 + w) + b }]
        }
    }
    document.addRoot(row(column(text, offset, amplitude, phase, freq), plot, width: 800))
    document.title = "Sliders"
}

ServeCommand(app).main()
