// A crossfilter app (Bokeh's examples/server/app/crossfilter): four Select widgets choose which columns of a
// table of cars go on the x and y axes and which set the dots' colour and size; every change builds a new
// scatter in place of the old one. The table is generated (seeded), so the app needs no download.
import DocumentModel
import Foundation
import ServerCore

/// A small deterministic generator (SplitMix64), so every session and every run shows the same cars.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// 300 cars in the shape of the Auto MPG data: displacement drives horsepower and weight, which drive
/// economy and acceleration.
let cars: [String: [Double]] = {
    var g = SeededGenerator(state: 1983)
    var table: [String: [Double]] = ["displ": [], "hp": [], "weight": [], "mpg": [], "accel": [], "yr": []]
    for _ in 0..<300 {
        let displ = Double.random(in: 70...455, using: &g)
        let hp = (0.32 * displ + 45 + Double.random(in: -15...15, using: &g)).rounded()
        let weight = (1500 + 6.5 * displ + Double.random(in: -250...250, using: &g)).rounded()
        let mpg = max(9, 46 - 0.0062 * weight + Double.random(in: -3...3, using: &g))
        let accel = max(8, 21 - 0.035 * hp + Double.random(in: -1.5...1.5, using: &g))
        let yr = Double(Int.random(in: 70...82, using: &g))
        for (key, value) in [
            ("displ", displ.rounded()), ("hp", hp), ("weight", weight), ("mpg", (mpg * 10).rounded() / 10),
            ("accel", (accel * 10).rounded() / 10), ("yr", yr),
        ] {
            table[key, default: []].append(value)
        }
    }
    return table
}()
let columns = cars.keys.sorted()
let sizes: [Double] = [6, 9, 12, 15, 18, 21]
let colors = Palettes.named("Spectral5") ?? []

/// A palette colour as the CSS text a column holds.
func css(_ color: Color) -> String {
    if case .css(let text) = color { return text }
    return "\(color.bokehValue)"
}

/// The index of each value's quantile group among `groups` equal-count groups (pandas' `qcut` codes).
func quantileGroups(_ values: [Double], _ groups: Int) -> [Int] {
    let sorted = values.sorted()
    return values.map { value in
        let rank = sorted.firstIndex(of: value) ?? 0
        return min(groups - 1, rank * groups / max(1, values.count))
    }
}

let app = Application { document, context in
    let x = Select(options: columns, value: "mpg", .title("X-Axis"))
    let y = Select(options: columns, value: "hp", .title("Y-Axis"))
    let size = Select(options: ["None"] + columns, value: "None", .title("Size"))
    let color = Select(options: ["None"] + columns, value: "None", .title("Color"))
    x.name = "x"
    y.name = "y"

    func createFigure() -> Figure {
        let (xs, ys) = (cars[x.selectedValue] ?? [], cars[y.selectedValue] ?? [])
        let source = ColumnDataSource()
        source.name = "cars"
        let sizeColumn: [Double] =
            size.selectedValue == "None"
            ? xs.map { _ in 9 } : quantileGroups(cars[size.selectedValue] ?? [], sizes.count).map { sizes[$0] }
        let colorColumn: [String] =
            color.selectedValue == "None"
            ? xs.map { _ in "#31AADE" }
            : quantileGroups(cars[color.selectedValue] ?? [], colors.count).map { css(colors[$0]) }
        source.data = ["x": xs, "y": ys, "size": sizeColumn, "color": colorColumn]
        let p = figure(
            title: "\(x.selectedValue.capitalized) vs \(y.selectedValue.capitalized)", width: 800, height: 600,
            xAxisLabel: x.selectedValue.capitalized, yAxisLabel: y.selectedValue.capitalized,
            tools: "pan,box_zoom,hover,reset",
            name: "scatter")
        p.scatter(
            x: "x", y: "y", source: source, size: "size", color: "color", alpha: 0.6, .lineColor("white"))
        return p
    }

    let layout = row(column(x, y, color, size, width: 200), createFigure())
    for select in [x, y, size, color] {
        context.onChange(of: select, \.value) { _, _ in layout.children[1] = createFigure() }
    }
    document.addRoot(layout)
    document.title = "Crossfilter"
}

ServeCommand(app).main()
