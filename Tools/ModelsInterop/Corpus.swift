// The plotting corpus, Swift side: each case builds with DocumentModel's plotting API the document the case of
// the same name in Tools/models/corpus.py builds with Python's bokeh.plotting; models-interop requires their
// canonical forms to be equal.
import DocumentModel
import Foundation

func document(_ title: String, _ root: Model) -> Document {
    let document = Document(title: title)
    document.addRoot(root)
    return document
}

func xy() -> ColumnDataSource { ColumnDataSource(columns: ["x": [1.0, 2, 3, 4, 5], "y": [6.0, 7, 2, 4, 5]]) }

// The first six: the documents ModelsInterop has always written.

func scatter() -> Document {
    let source = ColumnDataSource(columns: ["x": [1.0, 2, 3], "y": [4.0, 5, 6]])
    let plot = figure(title: "scatter", width: 300, height: 200)
    plot.scatter(x: "x", y: "y", source: source, size: 10, color: "navy")
    return document("Scatter", plot)
}

func bars() -> Document {
    let fruits = ["Apples", "Pears", "Nectarines", "Plums"]
    let source = ColumnDataSource(columns: ["fruits": fruits, "counts": [5.0, 3, 4, 2]])
    let plot = figure(title: "Fruit counts", height: 250, xRange: fruits)
    plot.vbar(x: "fruits", top: "counts", source: source, width: 0.9, color: "#718dbf")
    let lines = figure(title: "lines", width: 400, height: 250, xAxisLabel: "t", yAxisLabel: "v")
    let series = ColumnDataSource(columns: ["t": [0.0, 1, 2, 3, 4], "v": [0.0, 1, 4, 9, 16], "w": [1.0, 2, 3, 4, 5]])
    lines.line(x: "t", y: "v", source: series, lineWidth: 2, color: "firebrick")
    lines.hbar(y: "t", right: "w", source: series, height: 0.5, color: .rgb(30, 120, 180), alpha: 0.5)
    return document("Bars", column(plot, lines))
}

func widgets() -> Document {
    let slider = Slider(name: "slider", title: "n", start: 0, end: 10, value: 3, step: 1)
    let button = Button(name: "button", label: "Click")
    let status = Div(name: "status", text: "ready")
    let select = Select(title: "Color", options: ["red", "green"], value: "red")
    let toggle = Toggle(label: "toggle", active: true)
    let plot = figure(width: 300, height: 300)
    let source = ColumnDataSource(columns: ["x": [1.0, 2, 3], "y": [3.0, 1, 2]])
    plot.rect(x: "x", y: "y", width: 0.5, height: 0.5, source: source, color: "olive")
    let panels = tabs(("plot", row(plot, status)), ("controls", column(slider, button, select, toggle)))
    return document("Widgets", panels)
}

func grid() -> Document {
    let source = ColumnDataSource(columns: [
        "x": [1.0, 2, 3, 4], "y": [2.0, 3, 1, 4], "l": [0.0, 1, 2, 3], "r": [0.5, 1.5, 2.5, 3.5],
    ])
    let a = figure(title: "quad", width: 250, height: 250)
    a.quad(left: "l", right: "r", top: "y", bottom: 0, source: source, color: "green")
    let b = figure(title: "points", width: 250, height: 250, xRange: 0...5)
    b.scatter(x: "x", y: "y", source: source, size: 12, marker: .triangle, color: "orange", alpha: 0.6)
    return document("Grid", gridplot([[a, b], [nil, nil]]))
}

func shapes() -> Document {
    let image = ColumnDataSource(columns: ["image": [ColumnDataSource.image([[0, 1, 2], [3, 4, 5], [6, 7, 8]])]])
    let plot = figure(title: "shapes", width: 400, height: 400, xRange: 0...10, yRange: 0...10)
    plot.image(x: 0, y: 0, dw: 4, dh: 4, source: image, palette: ["#440154", "#21918c", "#fde725"])
    let polygons = ColumnDataSource(columns: [
        "xs": [Value.list([5, 7, 6]), .list([8, 9, 9, 8])], "ys": [Value.list([5, 5, 7]), .list([1, 1, 3, 3])],
    ])
    plot.patches(xs: "xs", ys: "ys", source: polygons, color: "purple", alpha: 0.5)
    plot.multiLine(xs: "xs", ys: "ys", source: polygons, color: "black")
    let labels = ColumnDataSource(columns: ["x": [6.0], "y": [8.0], "label": ["hello"]])
    plot.text(x: "x", y: "y", text: "label", source: labels, color: "navy")
    return document("Shapes", plot)
}

func glyphs() -> Document {
    let source = ColumnDataSource(columns: ["x": [1.0, 2, 3, 4], "y": [2.0, 3, 1, 4], "y2": [0.0, 0.5, 0.2, 1.0]])
    let plot = figure(title: "glyphs", width: 400, height: 300)
    plot.varea(x: "x", y1: "y2", y2: "y", source: source, color: "lightblue", alpha: 0.4, legendLabel: "area")
    plot.step(x: "x", y: "y", source: source, mode: .center, color: "black", legendLabel: "step")
    plot.circle(x: "x", y: "y", radius: 0.1, source: source, color: "red", legendLabel: "points")
    plot.segment(x0: "x", y0: "y2", x1: "x", y1: "y", source: source, color: "gray", legendLabel: "points")
    plot.wedge(x: 2.5, y: 3.5, radius: 0.3, startAngle: 0, endAngle: 2.0, source: source, color: "orange")
    return document("Glyphs", plot)
}

// Defaults: what a call without visual arguments draws.

func lineDefault() -> Document {
    let plot = figure()
    plot.line(x: "x", y: "y", source: xy())
    return document("line default", plot)
}

func lineVisuals() -> Document {
    let plot = figure(width: 500, height: 300)
    plot.line(x: "x", y: "y", source: xy(), .lineWidth(3), .lineAlpha(0.6), .lineDash(.dashed), .lineCap(.round))
    return document("line visuals", plot)
}

func scatterDefault() -> Document {
    let plot = figure()
    plot.scatter(x: "x", y: "y", source: xy())
    return document("scatter default", plot)
}

func scatterMarkers() -> Document {
    let plot = figure(width: 600, height: 600)
    let source = xy()
    for marker in MarkerType.allCases { plot.scatter(x: "x", y: "y", source: source, size: 8, marker: marker) }
    return document("markers", plot)
}

func scatterAlphaVariants() -> Document {
    let plot = figure()
    plot.scatter(
        x: "x", y: "y", source: xy(), size: 12, alpha: 0.5, .fillColor("red"), .lineColor("black"),
        .nonselection(.alpha(0.3)), .muted(.color("gray")), .selection(.fillColor("orange")),
        .hover(.fillColor("pink")))
    return document("variants", plot)
}

func colorColumn() -> Document {
    let source = ColumnDataSource(columns: ["x": [1.0, 2, 3], "y": [1.0, 2, 3], "color": ["red", "green", "blue"]])
    let plot = figure()
    plot.scatter(x: "x", y: "y", source: source, size: 15, color: "color")
    return document("color column", plot)
}

func vbarFactors() -> Document {
    let fruits = ["Apples", "Pears", "Nectarines"]
    let source = ColumnDataSource(columns: ["fruits": fruits, "counts": [5.0, 3, 4]])
    let plot = figure(title: "counts", height: 300, xRange: fruits, tools: "", toolbarLocation: nil)
    plot.toolbarLocation = nil
    plot.vbar(x: "fruits", top: "counts", source: source, width: 0.9)
    return document("vbar factors", plot)
}

func hbarFactors() -> Document {
    let fruits = ["Apples", "Pears", "Nectarines"]
    let source = ColumnDataSource(columns: ["fruits": fruits, "counts": [5.0, 3, 4]])
    let plot = figure(width: 400, yRange: fruits)
    plot.hbar(y: "fruits", right: "counts", source: source, height: 0.5, left: 1, .fillAlpha(0.7))
    return document("hbar factors", plot)
}

func vbarStack() -> Document {
    let fruits = ["Apples", "Pears"]
    let source = ColumnDataSource(columns: ["fruits": fruits, "y2015": [2.0, 1], "y2016": [5.0, 3]])
    let plot = figure(height: 250, xRange: fruits)
    plot.vbarStack(
        ["y2015", "y2016"], x: "fruits", source: source, width: 0.9, colors: ["#c9d9d3", "#718dbf"],
        legendLabels: ["2015", "2016"])
    return document("vbar stack", plot)
}

func quadHist() -> Document {
    let source = ColumnDataSource(columns: ["top": [3.0, 5, 2], "left": [0.0, 1, 2], "right": [1.0, 2, 3]])
    let plot = figure()
    plot.quad(
        left: "left", right: "right", top: "top", bottom: 0, source: source, alpha: 0.5, .fillColor("navy"),
        .lineColor("white"))
    return document("histogram", plot)
}

func rectGlyph() -> Document {
    let plot = figure()
    plot.rect(x: "x", y: "y", width: 0.5, height: 0.2, source: xy(), .angle(0.3), .fillColor("#cab2d6"))
    return document("rect", plot)
}

func imageRGBA() -> Document {
    let image = ColumnDataSource.rgbaImage([[0xFF00_00FF, 0xFF00_FF00], [0xFFFF_0000, 0xFFFF_FFFF]])
    let source = ColumnDataSource(columns: ["image": [image]])
    let plot = figure(xRange: 0...10, yRange: 0...10)
    plot.imageRGBA(x: 0, y: 0, dw: 10, dh: 10, source: source)
    return document("image rgba", plot)
}

func patchesGlyph() -> Document {
    let source = ColumnDataSource(columns: [
        "xs": [Value.list([1, 2, 3]), .list([4, 5, 6, 5])], "ys": [Value.list([1, 3, 1]), .list([1, 2, 1, 0])],
    ])
    let plot = figure()
    plot.patches(xs: "xs", ys: "ys", source: source, .fillColor("green"), .lineColor("black"), .lineWidth(2))
    return document("patches", plot)
}

func multiLineGlyph() -> Document {
    let source = ColumnDataSource(columns: [
        "xs": [Value.list([1, 2, 3]), .list([2, 3, 4])], "ys": [Value.list([6, 7, 2]), .list([4, 5, 7])],
    ])
    let plot = figure()
    plot.multiLine(xs: "xs", ys: "ys", source: source, color: "firebrick", .lineWidth(4))
    return document("multi line", plot)
}

func wedges() -> Document {
    let plot = figure(xRange: -1...1, yRange: -1...1)
    let source = ColumnDataSource(columns: ["start": [0.0, 2], "end": [2.0, 6.28], "color": ["red", "blue"]])
    plot.wedge(
        x: 0, y: 0, radius: 0.8, startAngle: "start", endAngle: "end", source: source, color: "color",
        .lineColor("white"))
    plot.annularWedge(
        x: 0, y: 0, innerRadius: 0.2, outerRadius: 0.4, startAngle: 0.4, endAngle: 4.1, source: source,
        color: "green", alpha: 0.6)
    return document("wedges", plot)
}

func textGlyph() -> Document {
    let source = ColumnDataSource(columns: ["x": [1.0, 2], "y": [1.0, 2], "t": ["one", "two"]])
    let plot = figure()
    plot.text(
        x: "x", y: "y", text: "t", source: source, .textFontSize("14px"), .textAlign(.center), .angle(0.2),
        .textColor("navy"))
    return document("text", plot)
}

func segmentRay() -> Document {
    let plot = figure()
    let source = xy()
    plot.segment(x0: "x", y0: "y", x1: 3, y1: 3, source: source, .lineWidth(2))
    plot.ray(x: "x", y: "y", length: 0, angle: 1.0, source: source, color: "#fb8072", .lineWidth(2))
    return document("segment and ray", plot)
}

func areas() -> Document {
    let source = ColumnDataSource(columns: ["x": [1.0, 2, 3], "y1": [1.0, 2, 1], "y2": [3.0, 4, 2]])
    let plot = figure()
    plot.varea(x: "x", y1: "y1", y2: "y2", source: source, .fillColor("gray"), .hatchPattern("/"))
    plot.harea(y: "x", x1: "y1", x2: "y2", source: source, .fillAlpha(0.3))
    return document("areas", plot)
}

func steps() -> Document {
    let plot = figure()
    let source = xy()
    for (mode, color) in [(StepMode.before, "red"), (.center, "green"), (.after, "blue")] {
        plot.step(x: "x", y: "y", source: source, mode: mode, color: Color.css(color), .lineWidth(2))
    }
    return document("steps", plot)
}

func circles() -> Document {
    let plot = figure()
    plot.matchAspect = true
    plot.circle(x: "x", y: "y", radius: 0.3, source: xy(), .fillColor("yellow"), .lineColor("black"))
    return document("circles", plot)
}

func hexTiles() -> Document {
    let source = ColumnDataSource(columns: ["q": [0.0, 1, 2], "r": [0.0, 0, 1], "c": ["red", "green", "blue"]])
    let plot = figure()
    plot.matchAspect = true
    plot.hexTile(q: "q", r: "r", source: source, size: 1, .fillColor("c"), .lineColor(nil))
    return document("hex tiles", plot)
}

// Figures: axes, ranges, tools.

func datetimeAxis() -> Document {
    let plot = figure(height: 200, xAxisType: .datetime)
    plot.line(x: "x", y: "y", source: xy())
    return document("datetime", plot)
}

func logAxis() -> Document {
    let plot = figure(xRange: 0.1...10, yRange: 0.1...1000, yAxisType: .log)
    plot.line(x: "x", y: "y", source: xy(), color: "red")
    return document("log", plot)
}

func hiddenAxes() -> Document {
    let plot = figure(xAxisType: nil, yAxisType: nil)
    plot.toolbarLocation = nil
    plot.scatter(x: "x", y: "y", source: xy())
    return document("no axes", plot)
}

func axisLocations() -> Document {
    let plot = figure(xAxisLocation: .above, yAxisLocation: .right, xAxisLabel: "x", yAxisLabel: "y")
    plot.line(x: "x", y: "y", source: xy())
    return document("axis locations", plot)
}

func minorTicks() -> Document {
    let plot = figure(yAxisType: .log, xMinorTicks: 2, yMinorTicks: 4)
    plot.line(x: "x", y: "y", source: xy())
    return document("minor ticks", plot)
}

func toolsString() -> Document {
    let plot = figure(tools: "xpan,xwheel_zoom,reset", toolbarLocation: .above)
    plot.line(x: "x", y: "y", source: xy())
    return document("tools", plot)
}

func toolsEveryAlias() -> Document {
    let plot = figure(
        tools: "pan,ypan,ywheel_pan,zoom_in,zoom_out,tap,crosshair,box_select,lasso_select,poly_select,"
            + "box_zoom,ybox_zoom,save,copy,undo,redo,reset,help,examine,fullscreen,hover")
    plot.line(x: "x", y: "y", source: xy())
    return document("tool aliases", plot)
}

func tooltips() -> Document {
    let plot = figure(tooltips: [("x", "@x"), ("y", "@y{0.00}")])
    plot.scatter(x: "x", y: "y", source: xy(), size: 10)
    return document("tooltips", plot)
}

func ranges() -> Document {
    let plot = figure(xRange: 0...10, yRange: Range1d(start: -1, end: 10))
    plot.line(x: "x", y: "y", source: xy())
    return document("ranges", plot)
}

func twinAxes() -> Document {
    let plot = figure(yRange: 0...10)
    plot.extraYRanges = ["foo": Range1d(start: 0, end: 100)]
    let source = xy()
    plot.scatter(x: "x", y: "y", source: source, color: "red")
    plot.line(x: "x", y: "y", source: source, color: "blue", .yRangeName("foo"))
    plot.addLayout(LinearAxis(yRangeName: "foo", axisLabel: "foo"), .right)
    return document("twin axes", plot)
}

// Annotations, mappers, views, widgets, layouts.

func interactiveLegend() -> Document {
    let plot = figure()
    let source = xy()
    plot.line(x: "x", y: "y", source: source, color: "navy", legendLabel: "line")
    plot.scatter(x: "x", y: "y", source: source, size: 8, color: "orange", legendLabel: "points")
    plot.legend?.clickPolicy = .hide
    plot.legend?.location = .a(.topLeft)
    return document("legend", plot)
}

func linearMapper() -> Document {
    let source = ColumnDataSource(columns: ["x": [1.0, 2, 3, 4], "y": [1.0, 2, 3, 4], "v": [0.0, 5, 10, 20]])
    let plot = figure()
    plot.scatter(
        x: "x", y: "y", source: source, size: 20,
        .color(linearCmap("v", palette: Palettes.viridis256, low: 0, high: 20)))
    return document("linear cmap", plot)
}

func factorMapper() -> Document {
    let fruits = ["Apples", "Pears", "Plums"]
    let source = ColumnDataSource(columns: ["fruits": fruits, "counts": [5.0, 3, 4]])
    let plot = figure(xRange: fruits)
    plot.vbar(
        x: "fruits", top: "counts", source: source, width: 0.9,
        .fillColor(factorCmap("fruits", palette: ["red", "green", "blue"], factors: fruits)))
    return document("factor cmap", plot)
}

func views() -> Document {
    let source = ColumnDataSource(columns: [
        "x": [1.0, 2, 3, 4], "y": [4.0, 3, 2, 1], "kind": ["a", "b", "a", "b"],
    ])
    let plot = figure()
    plot.scatter(
        x: "x", y: "y", source: source, .view(CDSView(filter: GroupFilter(columnName: "kind", group: "a"))))
    plot.scatter(
        x: "x", y: "y", source: source, color: "red", .view(CDSView(filter: IndexFilter(indices: [0, 2]))))
    plot.scatter(
        x: "x", y: "y", source: source,
        .view(CDSView(filter: BooleanFilter(booleans: [true, false, true, false]))))
    return document("views", plot)
}

func dataTable() -> Document {
    let source = ColumnDataSource(columns: ["name": ["a", "b"], "value": [1.0, 2]])
    let table = DataTable(
        width: 300, height: 200, source: source,
        columns: [TableColumn(field: "name", title: "Name"), TableColumn(field: "value", title: "Value")])
    return document("table", table)
}

func tabsLayout() -> Document {
    let a = figure(width: 200, height: 200)
    a.line(x: "x", y: "y", source: xy())
    let b = figure(width: 200, height: 200)
    b.scatter(x: "x", y: "y", source: xy())
    return document("tabs", tabs(("line", a), ("points", b)))
}

func gridplotMerged() -> Document {
    let plots = ["red", "green", "blue", "black"].map { color -> Plot in
        let plot = figure()
        plot.scatter(x: "x", y: "y", source: xy(), color: Color.css(color))
        return plot
    }
    return document("gridplot", gridplot(plots, ncols: 2, width: 250, height: 250, toolbarLocation: .right))
}

func sizingModes() -> Document {
    let p = figure(height: 250, sizingMode: .stretchWidth)
    p.line(x: "x", y: "y", source: xy())
    let q = figure(sizingMode: .scaleWidth)
    q.scatter(x: "x", y: "y", source: xy())
    let slider = Slider(title: "s", start: 0, end: 1, value: 0.5, step: 0.1)
    return document("sizing", column(row(slider, p, sizingMode: .stretchWidth), q, sizingMode: .stretchBoth))
}

/// Every case, by the name of its Python twin.
let corpus: [(String, @Sendable () -> Document)] = [
    ("scatter", scatter), ("bars", bars), ("widgets", widgets), ("grid", grid), ("shapes", shapes),
    ("glyphs", glyphs), ("line_default", lineDefault), ("line_visuals", lineVisuals),
    ("scatter_default", scatterDefault), ("scatter_markers", scatterMarkers),
    ("scatter_alpha_variants", scatterAlphaVariants), ("color_column", colorColumn),
    ("vbar_factors", vbarFactors), ("hbar_factors", hbarFactors), ("vbar_stack", vbarStack),
    ("quad_hist", quadHist), ("rect_glyph", rectGlyph), ("image_rgba", imageRGBA), ("patches_glyph", patchesGlyph),
    ("multi_line_glyph", multiLineGlyph), ("wedges", wedges), ("text_glyph", textGlyph),
    ("segment_ray", segmentRay), ("areas", areas), ("steps", steps), ("circles", circles), ("hex_tiles", hexTiles),
    ("datetime_axis", datetimeAxis), ("log_axis", logAxis), ("hidden_axes", hiddenAxes),
    ("axis_locations", axisLocations), ("minor_ticks", minorTicks), ("tools_string", toolsString),
    ("tools_every_alias", toolsEveryAlias), ("tooltips", tooltips), ("ranges", ranges), ("twin_axes", twinAxes),
    ("interactive_legend", interactiveLegend), ("linear_mapper", linearMapper), ("factor_mapper", factorMapper),
    ("views", views), ("data_table", dataTable), ("tabs_layout", tabsLayout), ("gridplot_merged", gridplotMerged),
    ("sizing_modes", sizingModes), ("theme_caliber", themeCaliber), ("theme_dark_minimal", themeDarkMinimal),
    ("theme_light_minimal", themeLightMinimal), ("theme_night_sky", themeNightSky), ("theme_contrast", themeContrast),
    ("theme_carbon", themeCarbon), ("theme_yaml_file", themeYamlFile), ("theme_json", themeJSON),
    ("sliders_app", slidersApp), ("ohlc_app", ohlcApp),
]

// Themes: the built-in ones by name, and theme files (YAML read by PyYAML on the Python side, by Theme here).

func themedPlot() -> Column {
    let p = figure(title: "themed", width: 300, height: 300, xAxisLabel: "x", yAxisLabel: "y")
    p.line(x: "x", y: "y", source: xy())
    p.scatter(x: "x", y: "y", source: xy(), size: 8)
    p.vbar(x: "x", top: "y", source: xy(), width: 0.5)
    let labels = ColumnDataSource(columns: ["x": [1.0, 2], "y": [3.0, 4], "t": ["a", "b"]])
    p.text(x: "x", y: "y", text: "t", source: labels)
    return column(p, Slider(start: 0, end: 1, value: 0.5, .title("s")))
}

func themed(_ title: String, _ theme: Theme) -> Document {
    let document = document(title, themedPlot())
    document.theme = theme
    return document
}

func themeCaliber() -> Document { themed("caliber", .caliber) }
func themeDarkMinimal() -> Document { themed("dark", .darkMinimal) }
func themeLightMinimal() -> Document { themed("light", .lightMinimal) }
func themeNightSky() -> Document { themed("night", .nightSky) }
func themeContrast() -> Document { themed("contrast", .contrast) }
func themeCarbon() -> Document { themed("carbon", .carbon) }

let themeYAML = """
    # A theme file in the forms Bokeh's theme.yaml files use.
    attrs:
        Plot:
            background_fill_color: '#2F2F2F'
            border_fill_color: "#2F2F2F"
            outline_line_color: '#444444'
            min_border_top: 0
        Axis:
            axis_line_color: !!null
            major_label_text_font_size: 10pt   # a comment
        Grid:
            grid_line_dash: [6, 4]
            grid_line_alpha: .3
        Title:
            text_color: white
            align: center
    line_defaults:
        line_width: 2
    fill_defaults:
        fill_alpha: 0.5

    """

func themeYamlFile() -> Document {
    // A theme that doesn't parse is a bug in this corpus: show it rather than serve an unthemed document.
    do { return themed("yaml theme", try Theme(yaml: themeYAML)) } catch { fatalError("\(error)") }
}

func themeJSON() -> Document {
    let json =
        #"{"attrs": {"Plot": {"width": 500, "toolbar_location": null}, "Slider": {"bar_color": "red"}, "figure": {"height": 200}}}"#
    do { return themed("json theme", try Theme(json: json)) } catch { fatalError("\(error)") }
}

// Two of Bokeh's gallery server apps, their documents as first served.

func slidersApp() -> Document {
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
    return document("Sliders", row(column(text, offset, amplitude, phase, freq), plot, width: 800))
}

let ohlcTheme = """
    attrs:
      Plot:
        background_fill_color: "#eeeeee"
        width: 1200
        toolbar_location: "left"
        min_border_bottom: 0
        min_border_top: 0

    """

func ohlcApp() -> Document {
    let (ma12, ma26, ema12, ema26) = ("12-tick Moving Avg", "26-tick Moving Avg", "12-tick EMA", "26-tick EMA")
    // Python's `time=[]` is an empty list; an empty `[Double]` would be an empty float64 array (streams the same).
    let empty: [Value] = []
    let source = ColumnDataSource()
    source.data = [
        "time": empty, "average": empty, "low": empty, "high": empty, "open": empty, "close": empty, "ma": empty,
        "macd": empty, "macd9": empty, "macdh": empty, "color": empty,
    ]
    let p = figure(
        height: 500, xAxisType: nil, yAxisLocation: .right, tools: "xpan,xwheel_zoom,xbox_zoom,reset")
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
    p2.segment(x0: "time", y0: 0, x1: "time", y1: "macdh", source: source, color: "black", alpha: 0.5, .lineWidth(6))
    let mean = Slider(start: -0.01, end: 0.01, value: 0, .title("mean"), .step(0.001))
    let stddev = Slider(start: 0.01, end: 0.1, value: 0.04, .title("stddev"), .step(0.01))
    let mavg = Select(options: [ma12, ma26, ema12, ema26], value: ma12)
    let root = column(row(mean, stddev, mavg), gridplot([[p], [p2]], width: 1000, toolbarLocation: .left))
    let document = document("OHLC", root)
    do { document.theme = try Theme(yaml: ohlcTheme) } catch { fatalError("\(error)") }
    return document
}
