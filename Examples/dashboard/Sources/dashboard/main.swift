// A directory-style app (Bokeh's `bokeh serve myapp/` with templates/index.html, static/ and theme.yaml): the page
// comes from the app's own Jinja template extending Bokeh's, its CSS from the app's static folder (served at
// /dashboard/static/), and the plot's colours from its theme. The folder is Sources/dashboard/app, copied into
// the executable's resources by Package.swift, so the built app finds it wherever it runs.
import DocumentModel
import Foundation
import ServerCore

let folder = Bundle.module.path(forResource: "app", ofType: nil) ?? "Sources/dashboard/app"
let regions = ["North", "South", "East", "West"]
let months = (1...12).map { Double($0) }

/// Monthly sales of one region (deterministic, so every page shows the same numbers).
func sales(_ region: String) -> [Double] {
    let base = Double(regions.firstIndex(of: region) ?? 0) * 7 + 40
    return months.map { base + 12 * sin($0 / 2 + base) + $0 * 1.5 }
}

let app: Application
do {
    app = try Application(directory: folder) { document, context in
        let source = ColumnDataSource()
        source.name = "source"
        source.data = ["month": months, "sales": sales("North")]
        let plot = figure(
            title: "Monthly sales: North", width: 760, height: 360, xAxisLabel: "month", yAxisLabel: "units (k)",
            tools: "pan,wheel_zoom,reset", name: "plot")
        plot.vbar(x: "month", top: "sales", source: source, width: 0.7, color: "#31AADE")
        let region = Select(options: regions, value: "North", .title("Region"))
        region.name = "region"
        context.onChange(of: region, \.value) { _, _ in
            source.data = ["month": months, "sales": sales(region.selectedValue)]
            plot.title?.update(.text("Monthly sales: \(region.selectedValue)"))
        }
        let controls = column(region, name: "controls")
        document.addRoot(controls)
        document.addRoot(plot)
        document.title = "Sales Dashboard"
        // Bokeh's `curdoc().template_variables`: what the template's {% for stat in stats %} loop reads.
        let total = sales("North").reduce(0, +)
        document.templateVariables = [
            "subtitle": "Twelve months, four regions <generated>",
            "stats": [
                .object(["label": "Units", "value": .string("\(Int(total))k"), "change": 4]),
                .object(["label": "Regions", "value": 4, "change": 0]),
                .object(["label": "Returns", "value": "1.2%", "change": -2]),
            ],
        ]
    }
} catch {
    // A template error names its file and line: startup stops here instead of serving a broken page.
    FileHandle.standardError.write(Data("ERROR: \(error)\n".utf8))
    exit(1)
}

ServeCommand(app, path: "/dashboard").main()
