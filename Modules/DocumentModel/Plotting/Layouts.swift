/// Children side by side (Python's `row(...)`).
public func row(_ children: UIElement..., sizingMode: SizingMode? = nil) -> Row {
    Row(sizingMode: sizingMode, children: children)
}

/// Children stacked vertically (Python's `column(...)`).
public func column(_ children: UIElement..., sizingMode: SizingMode? = nil) -> Column {
    Column(sizingMode: sizingMode, children: children)
}

/// Plots in a grid with one shared toolbar (Python's `gridplot(...)`): `nil` leaves a cell empty.
/// Each plot's own toolbar is hidden and its tools move to the grid's toolbar, merged by type.
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
    let grid = GridPlot()
    grid.set("rows", .null)
    grid.set("cols", .null)
    grid.toolbar = Toolbar(tools: mergedTools(tools))
    grid.children = .list(children)
    if toolbarLocation != .above { grid.toolbarLocation = toolbarLocation }
    return grid
}

/// Tools of the same type from several plots behind one ``ToolProxy`` each, as Python's `gridplot`
/// merges them; a type only one plot has stays as it is.
func mergedTools(_ tools: [Tool]) -> [OneOf2<Tool, ToolProxy>] {
    var groups: [(typeName: String, tools: [Tool])] = []
    for tool in tools {
        if let index = groups.firstIndex(where: { $0.typeName == tool.typeName }) {
            groups[index].tools.append(tool)
        } else {
            groups.append((typeName: tool.typeName, tools: [tool]))
        }
    }
    return groups.map { group in
        group.tools.count == 1 ? .a(group.tools[0]) : .b(ToolProxy(tools: group.tools))
    }
}

/// Tabs from `(title, child)` pairs (Python's `Tabs(tabs=[TabPanel(...)])`).
public func tabs(_ panels: (title: String, child: UIElement)...) -> Tabs {
    Tabs(tabs: panels.map { TabPanel(title: $0.title, child: $0.child) })
}
