import DocumentModel
import Foundation
import Protocol
import ServerCore
import Testing

// Two of Bokeh's gallery server apps ported to Swift as the porting guide (ServerCore.docc/PortingABokehApp.md)
// shows them: the sliders function explorer and the streaming OHLC app. Each is the guide's code; the tests
// drive them through a session as a browser would.

/// `examples/server/app/sliders.py`.
let slidersApp = Application { document, context in
    let n = 200
    let span = 4 * Double.pi
    let x = (0..<n).map { Double($0) * span / Double(n - 1) }
    let source = ColumnDataSource()
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

/// `examples/server/app/ohlc/main.py`: random prices streamed every `period`, the last 300 points kept.
func ohlcApp(period: Duration = .milliseconds(100)) -> Application {
    Application { document, context in
        let (ma12, ma26, ema12, ema26) = ("12-tick Moving Avg", "26-tick Moving Avg", "12-tick EMA", "26-tick EMA")
        let empty: [Value] = []  // Python's empty lists
        let source = ColumnDataSource()
        source.data = [
            "time": empty, "average": empty, "low": empty, "high": empty, "open": empty, "close": empty, "ma": empty,
            "macd": empty, "macd9": empty, "macdh": empty, "color": empty,
        ]

        let p = figure(height: 500, xAxisType: nil, yAxisLocation: .right, tools: "xpan,xwheel_zoom,xbox_zoom,reset")
        if let range = p.xRange as? DataRange1d {
            range.follow = .end
            range.followInterval = 100
            range.rangePadding = 0
        }
        p.line(x: "time", y: "average", source: source, lineWidth: 3, color: "navy", alpha: 0.2)
        p.line(x: "time", y: "ma", source: source, lineWidth: 2, color: "orange", alpha: 0.8)
        p.segment(x0: "time", y0: "low", x1: "time", y1: "high", source: source, color: "black", .lineWidth(2))
        p.segment(x0: "time", y0: "open", x1: "time", y1: "close", source: source, color: "color", .lineWidth(8))

        let p2 = figure(height: 250, xRange: p.xRange, yAxisLocation: .right, tools: "xpan,xwheel_zoom,xbox_zoom,reset")
        p2.line(x: "time", y: "macd", source: source, color: "red")
        p2.line(x: "time", y: "macd9", source: source, color: "blue")
        p2.segment(
            x0: "time", y0: 0, x1: "time", y1: "macdh", source: source, color: "black", alpha: 0.5, .lineWidth(6))

        let mean = Slider(start: -0.01, end: 0.01, value: 0, .title("mean"), .step(0.001))
        let stddev = Slider(start: 0.01, end: 0.1, value: 0.04, .title("stddev"), .step(0.01))
        let mavg = Select(options: [ma12, ma26, ema12, ema26], value: ma12)

        document.addRoot(column(row(mean, stddev, mavg), gridplot([[p], [p2]], width: 1000, toolbarLocation: .left)))
        document.title = "OHLC"
        document.theme = try Theme(yaml: "attrs:\n  Plot:\n    background_fill_color: '#eeeeee'\n")

        func movingAverage(_ prices: ArraySlice<Double>, _ days: Int) -> Double {
            prices.count < days ? 100 : prices.suffix(days).reduce(0, +) / Double(days)
        }
        func ema(_ prices: ArraySlice<Double>, _ days: Int) -> Double {
            guard prices.count >= days, days >= 2, let last = prices.last else { return prices.last ?? 0 }
            let a = 2 / Double(days + 1)
            // Weights a(1-a)^i for the i-th newest price, the oldest one taking the rest (sums to one).
            var total = 0.0
            for (i, price) in prices.suffix(days).reversed().enumerated() {
                total += (i == days - 1 ? pow(1 - a, Double(i)) : a * pow(1 - a, Double(i))) * price
            }
            return total.isFinite ? total : last
        }

        var t = 0
        context.addPeriodicCallback(every: period) { _ in
            let closes = source.data["close", as: Double.self] ?? []
            let lastAverage = source.data["average", as: Double.self]?.last ?? 100
            let average = lastAverage * exp(mean.value + stddev.value * gaussian())
            let high = average * exp(-0.03 * log(Double.random(in: Double.ulpOfOne..<1)))
            let low = average / exp(-0.03 * log(Double.random(in: Double.ulpOfOne..<1)))
            let open = low + (high - low) * Double.random(in: 0.05...0.95)
            let close = low + (high - low) * Double.random(in: 0.05...0.95)
            let allCloses = (closes + [close])[...]
            let averages = [
                ma12: movingAverage(allCloses, 12), ma26: movingAverage(allCloses, 26), ema12: ema(allCloses, 12),
                ema26: ema(allCloses, 26),
            ]
            let macd = ema(allCloses, 12) - ema(allCloses, 26)
            let macd9 = ema(((source.data["macd", as: Double.self] ?? []) + [macd]).suffix(26), 9)
            try source.stream(
                [
                    "time": [Double(t)], "open": [open], "high": [high], "low": [low], "close": [close],
                    "average": [average], "color": [open < close ? "green" : "red"],
                    "ma": [averages[mavg.selectedValue] ?? 100], "macd": [macd], "macd9": [macd9],
                    "macdh": [macd - macd9],
                ], rollover: 300)
            t += 1
        }
    }
}

/// A standard normal sample (Box–Muller).
private func gaussian() -> Double {
    sqrt(-2 * log(Double.random(in: Double.ulpOfOne..<1))) * cos(2 * .pi * Double.random(in: 0..<1))
}

@Suite struct PortedAppsTests {
    @Test func theSlidersAppRecomputesItsCurveWhenASliderMoves() async throws {
        let f = try await Fixture(application: slidersApp)
        defer { f.shutdown() }
        let ids = try await f.session.withDocumentLocked { document -> [String] in
            let sliders = document.models.values.compactMap { $0 as? Slider }
            let offset = sliders.first { $0.title == "offset" }
            let input = document.models.values.first { $0 is TextInput }
            return [offset?.id ?? "", input?.id ?? ""]
        }
        f.session.receive(
            try patch("{\"kind\":\"ModelChanged\",\"model\":{\"id\":\"\(ids[0])\"},\"attr\":\"value\",\"new\":2}"),
            from: f.a)
        f.session.receive(
            try patch("{\"kind\":\"ModelChanged\",\"model\":{\"id\":\"\(ids[1])\"},\"attr\":\"value\",\"new\":\"hi\"}"),
            from: f.a)
        #expect(await eventually { f.inboxA.types == ["PATCH-DOC", "OK", "PATCH-DOC", "OK"] })
        let (ys, title) = try await f.session.withDocumentLocked { document -> ([Double], String?) in
            let source = document.models.values.compactMap { $0 as? ColumnDataSource }.first
            let plot = document.models.values.compactMap { $0 as? Figure }.first
            let title: String? = if case .a(let text)? = plot?.title?.text { text } else { nil }
            return (source?.data["y", as: Double.self] ?? [], title)
        }
        #expect(ys.count == 200 && ys.first == 2 && abs((ys.last ?? 0) - 2) < 1e-9)
        #expect(title == "hi")
        // The other browser sees the slider move and the new curve.
        #expect(await eventually { f.inboxB.messages.map(text).joined().contains("\"attr\":\"data\"") })
    }

    @Test func theOHLCAppStreamsWithRollover() async throws {
        let f = try await Fixture(application: ohlcApp(period: .milliseconds(1)))
        defer { f.shutdown() }
        #expect(await eventually(timeout: .seconds(20)) { f.inboxA.types.count > 320 })
        let (rows, times) = try await f.session.withDocumentLocked { document -> ([Int], [Double]) in
            guard let source = document.models.values.compactMap({ $0 as? ColumnDataSource }).first else {
                return ([], [])
            }
            let rows = source.data.names.map { name in source.data[name, as: Value.self]?.count ?? -1 }
            return (rows, source.data["time", as: Double.self] ?? [])
        }
        #expect(rows == Array(repeating: 300, count: 11))
        #expect((times.last ?? 0) - (times.first ?? 0) == 299)
        #expect(text(f.inboxA.messages[0]).contains("\"kind\":\"ColumnsStreamed\""))
        #expect(text(f.inboxA.messages[0]).contains("\"rollover\":300"))
    }
}

/// The porting guide's table, as code: every Swift form it lists compiles and builds what it says.
@Suite struct PortingGuideTableTests {
    @Test func theTablesFormsBuildADocument() throws {
        let s = ColumnDataSource()
        s.data = ["x": [1.0, 2, 3], "y": [4.0, 5, 6], "color": ["red", "green", "blue"]]
        let p = figure(title: "t", width: 400, xRange: 0...10, tools: "pan,wheel_zoom", tooltips: [("x", "@x")])
        let other = figure(xRange: ["a", "b"])
        let dated = figure(xRange: other.xRange, xAxisType: .datetime, yAxisLocation: .right)
        let hidden = figure(xAxisType: nil)
        p.line(x: "x", y: "y", source: s, lineWidth: 3, .lineAlpha(0.6))
        p.scatter(x: "x", y: "y", source: s, size: 10, marker: .triangle, color: "navy")
        p.segment(x0: "x", y0: "y", x1: "x", y1: "y", source: s, color: "color")
        p.scatter(
            x: "x", y: "y", source: s, .fillColor(linearCmap("y", palette: Palettes.viridis256, low: 0, high: 10)))
        #expect(s.data["y", as: Double.self] == [4, 5, 6])
        let slider = Slider(start: 0, end: 10, value: 1, .step(0.1), .title("n"))
        let div = Div(.text("hi"), .width(200))
        div.update(.text("there"), .width(300))
        #expect(div.text == "there" && div.width == 300)
        let select = Select(options: ["a", "b"], value: "a")
        #expect(select.selectedValue == "a" && slider.value + 1 == 2)
        let document = Document()
        document.addRoot(
            column(row(p, other, width: 800), gridplot([[dated], [hidden]], width: 1000, toolbarLocation: .left)))
        document.addRoot(column(slider, div, select, sizingMode: .stretchWidth))
        document.title = "t"
        document.theme = .darkMinimal
        try s.stream(["x": [4.0], "y": [7.0], "color": ["navy"]], rollover: 300)
        try s.patch(["y": [(0, 5)]])
        #expect(s.data["y", as: Double.self] == [5, 5, 6, 7])
        var seen: [Double] = []
        document.onChange(of: slider, \.value) { _, new in seen.append(new) }
        slider.value = 3
        #expect(seen == [3])
    }
}
