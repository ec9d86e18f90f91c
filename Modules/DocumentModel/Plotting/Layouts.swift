/// Children side by side (Python's `row(...)`).
public func row(_ children: UIElement..., sizingMode: SizingMode? = nil) -> Row {
    Row(sizingMode: sizingMode, children: children)
}

/// Children stacked vertically (Python's `column(...)`).
public func column(_ children: UIElement..., sizingMode: SizingMode? = nil) -> Column {
    Column(sizingMode: sizingMode, children: children)
}

/// Plots in a grid with one shared toolbar (Python's `gridplot(...)`): `nil` leaves a cell empty.
/// Each plot's own toolbar is hidden and its tools move to the grid's toolbar.
public func gridplot(_ rows: [[Plot?]], toolbarLocation: Location? = .above) -> GridPlot {
    var children: [Value] = []
    var tools: [Tool] = []
    for (r, plots) in rows.enumerated() {
        for (c, plot) in plots.enumerated() {
            guard let plot else { continue }
            plot.toolbarLocation = nil
            tools += plot.toolbar?.tools.compactMap { if case .a(let tool) = $0 { tool } else { nil } } ?? []
            children.append(.list([.model(plot), .int(r), .int(c)]))
        }
    }
    let toolbar = Toolbar(tools: tools.map { .a($0) })
    let grid = GridPlot(toolbar: toolbar, children: .list(children))
    grid.toolbarLocation = toolbarLocation
    return grid
}

/// Tabs from `(title, child)` pairs (Python's `Tabs(tabs=[TabPanel(...)])`).
public func tabs(_ panels: (title: String, child: UIElement)...) -> Tabs {
    Tabs(tabs: panels.map { TabPanel(title: $0.title, child: $0.child) })
}
