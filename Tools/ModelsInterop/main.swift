// Writes documents built with DocumentModel's plotting API for the Python and browser checks:
// `<out>/<name>.json` (document JSON, binary data inline) and, given a BokehJS directory,
// `<out>/<name>.html` (standalone page with inline BokehJS).
//
//     ModelsInterop <output directory> [<bokehjs directory>]
import DocumentModel
import Foundation

func scatterDocument() -> Document {
    let source = ColumnDataSource(columns: ["x": [1.0, 2, 3], "y": [4.0, 5, 6]])
    let plot = figure(title: "scatter", width: 300, height: 200)
    plot.scatter(x: "x", y: "y", source: source, size: 10, color: "navy")
    let document = Document(title: "Scatter")
    document.addRoot(plot)
    return document
}

func barsDocument() -> Document {
    let fruits = ["Apples", "Pears", "Nectarines", "Plums"]
    let source = ColumnDataSource(columns: ["fruits": fruits, "counts": [5.0, 3, 4, 2]])
    let plot = figure(title: "Fruit counts", height: 250, xRange: FactorRange(factors: .list(fruits.map(Value.string))))
    plot.vbar(x: "fruits", top: "counts", source: source, width: 0.9, color: "#718dbf")
    let lines = figure(title: "lines", width: 400, height: 250, xAxisLabel: "t", yAxisLabel: "v")
    let series = ColumnDataSource(columns: ["t": [0.0, 1, 2, 3, 4], "v": [0.0, 1, 4, 9, 16], "w": [1.0, 2, 3, 4, 5]])
    lines.line(x: "t", y: "v", source: series, lineWidth: 2, color: "firebrick")
    lines.hbar(y: "t", right: "w", source: series, height: 0.5, color: .rgb(30, 120, 180), alpha: 0.5)
    let document = Document(title: "Bars")
    document.addRoot(column(plot, lines))
    return document
}

func widgetsDocument() -> Document {
    let slider = Slider(name: "slider", title: "n", start: 0, end: 10, value: 3, step: 1)
    let button = Button(name: "button", label: "Click")
    let status = Div(name: "status", text: "ready")
    let select = Select(title: "Color", options: ["red", "green"], value: "red")
    let toggle = Toggle(label: "toggle", active: true)
    let plot = figure(width: 300, height: 300)
    let source = ColumnDataSource(columns: ["x": [1.0, 2, 3], "y": [3.0, 1, 2]])
    plot.rect(x: "x", y: "y", width: 0.5, height: 0.5, source: source, color: "olive")
    let panels = tabs(("plot", row(plot, status)), ("controls", column(slider, button, select, toggle)))
    let document = Document(title: "Widgets")
    document.addRoot(panels)
    return document
}

func gridDocument() -> Document {
    let source = ColumnDataSource(columns: [
        "x": [1.0, 2, 3, 4], "y": [2.0, 3, 1, 4], "l": [0.0, 1, 2, 3], "r": [0.5, 1.5, 2.5, 3.5],
    ])
    let a = figure(title: "quad", width: 250, height: 250)
    a.quad(left: "l", right: "r", top: "y", bottom: 0, source: source, color: "green")
    let b = figure(title: "points", width: 250, height: 250, xRange: Range1d(start: 0, end: 5))
    b.scatter(x: "x", y: "y", source: source, size: 12, marker: .triangle, color: "orange", alpha: 0.6)
    let document = Document(title: "Grid")
    document.addRoot(gridplot([[a, b], [nil, nil]]))
    return document
}

func shapesDocument() -> Document {
    let image = ColumnDataSource(columns: [
        "image": [ColumnDataSource.image([[0, 1, 2], [3, 4, 5], [6, 7, 8]])]
    ])
    let plot = figure(
        title: "shapes", width: 400, height: 400, xRange: Range1d(start: 0, end: 10),
        yRange: Range1d(start: 0, end: 10))
    plot.image(x: 0, y: 0, dw: 4, dh: 4, source: image, palette: ["#440154", "#21918c", "#fde725"])
    let polygons = ColumnDataSource(columns: [
        "xs": [Value.list([5, 7, 6]), .list([8, 9, 9, 8])], "ys": [Value.list([5, 5, 7]), .list([1, 1, 3, 3])],
    ])
    plot.patches(xs: "xs", ys: "ys", source: polygons, color: "purple", alpha: 0.5)
    plot.multiLine(xs: "xs", ys: "ys", source: polygons, color: "black")
    let labels = ColumnDataSource(columns: ["x": [6.0], "y": [8.0], "label": ["hello"]])
    plot.text(x: "x", y: "y", text: "label", source: labels, color: "navy")
    let document = Document(title: "Shapes")
    document.addRoot(plot)
    return document
}

func glyphsDocument() -> Document {
    let source = ColumnDataSource(columns: ["x": [1.0, 2, 3, 4], "y": [2.0, 3, 1, 4], "y2": [0.0, 0.5, 0.2, 1.0]])
    let plot = figure(title: "glyphs", width: 400, height: 300)
    plot.varea(x: "x", y1: "y2", y2: "y", source: source, color: "lightblue", alpha: 0.4, legendLabel: "area")
    plot.step(x: "x", y: "y", source: source, mode: .center, color: "black", legendLabel: "step")
    plot.circle(x: "x", y: "y", radius: 0.1, source: source, color: "red", legendLabel: "points")
    plot.segment(x0: "x", y0: "y2", x1: "x", y1: "y", source: source, color: "gray", legendLabel: "points")
    plot.wedge(x: 2.5, y: 3.5, radius: 0.3, startAngle: 0, endAngle: 2.0, source: source, color: "orange")
    let document = Document(title: "Glyphs")
    document.addRoot(plot)
    return document
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: ModelsInterop <output directory> [<bokehjs directory>]\n".utf8))
    exit(2)
}
let output = URL(fileURLWithPath: arguments[1])
let documents: [(String, () -> Document)] = [
    ("scatter", scatterDocument), ("bars", barsDocument), ("widgets", widgetsDocument), ("grid", gridDocument),
    ("shapes", shapesDocument), ("glyphs", glyphsDocument),
]
do {
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    for (name, build) in documents {
        let document = build()
        let issues = document.validateModels()
        if !issues.isEmpty {
            FileHandle.standardError.write(Data("\(name): \(issues.map(\.description).joined(separator: "; "))\n".utf8))
            exit(1)
        }
        let json = try JSONWriter(options: .bokehContent).string(document.toJSON(bytesMode: .inline).json)
        try Data(json.utf8).write(to: output.appendingPathComponent(name + ".json"))
        if arguments.count >= 3 {
            let html = try document.standaloneHTML(resources: Resources.inline(directory: arguments[2], for: document))
            try Data(html.utf8).write(to: output.appendingPathComponent(name + ".html"))
        }
    }
    // A fresh instance of every concrete catalogue model (JSON only: for Python, not for the browser).
    let catalogue = Document(title: "Catalogue")
    for name in Catalogue.modelNames
    where !Catalogue.abstractModelNames.contains(name) && !Catalogue.mixinNames.contains(name) {
        catalogue.addRoot(Model.instantiate(name))
    }
    let json = try JSONWriter(options: .bokehContent).string(catalogue.toJSON(bytesMode: .inline).json)
    try Data(json.utf8).write(to: output.appendingPathComponent("catalogue.json"))
    print("wrote \(documents.count) documents and the catalogue to \(output.path)")
} catch {
    FileHandle.standardError.write(Data("ModelsInterop: \(error)\n".utf8))
    exit(1)
}
