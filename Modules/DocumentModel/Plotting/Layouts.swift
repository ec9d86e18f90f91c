/// Children side by side (Python's `row(...)`), with the sizing arguments Python's `row` passes on to `Row`.
public func row(
    _ children: UIElement..., sizingMode: SizingMode? = nil, width: Int? = nil, height: Int? = nil,
    spacing: Int? = nil, name: String? = nil
) -> Row {
    row(children, sizingMode: sizingMode, width: width, height: height, spacing: spacing, name: name)
}

/// Children side by side, from an array (Python's `row([a, b])`).
public func row(
    _ children: [UIElement], sizingMode: SizingMode? = nil, width: Int? = nil, height: Int? = nil,
    spacing: Int? = nil, name: String? = nil
) -> Row {
    let box = Row(name: name, sizingMode: sizingMode, children: children)
    box.setSizes(width: width, height: height, spacing: spacing)
    return box
}

/// Children stacked vertically (Python's `column(...)`), with the sizing arguments Python's `column` passes on.
public func column(
    _ children: UIElement..., sizingMode: SizingMode? = nil, width: Int? = nil, height: Int? = nil,
    spacing: Int? = nil, name: String? = nil
) -> Column {
    column(children, sizingMode: sizingMode, width: width, height: height, spacing: spacing, name: name)
}

/// Children stacked vertically, from an array (Python's `column([a, b])`).
public func column(
    _ children: [UIElement], sizingMode: SizingMode? = nil, width: Int? = nil, height: Int? = nil,
    spacing: Int? = nil, name: String? = nil
) -> Column {
    let box = Column(name: name, sizingMode: sizingMode, children: children)
    box.setSizes(width: width, height: height, spacing: spacing)
    return box
}

/// Rows of children in a column (Python's `layout([[a, b], [c]])`): a `Column` of `Row`s. `sizingMode` is
/// given to the children that size themselves automatically, as Python does.
public func layout(
    _ rows: [[UIElement]], sizingMode: SizingMode? = nil, width: Int? = nil, height: Int? = nil,
    spacing: Int? = nil, name: String? = nil
) -> Column {
    let built = rows.map { items -> UIElement in
        for item in items {
            guard let dom = item as? LayoutDOM, let sizingMode, dom.sizingMode == nil,
                dom["width_policy"] == nil || dom["width_policy"] == "auto",
                dom["height_policy"] == nil || dom["height_policy"] == "auto"
            else { continue }
            dom.sizingMode = sizingMode
        }
        return Row(sizingMode: sizingMode, children: items)
    }
    return column(built, sizingMode: sizingMode, width: width, height: height, spacing: spacing, name: name)
}

extension FlexBox {
    fileprivate func setSizes(width: Int?, height: Int?, spacing: Int?) {
        if let width { self.width = width }
        if let height { self.height = height }
        if let spacing { self.spacing = spacing }
    }
}

/// Plots in a grid with one shared toolbar (Python's `gridplot(...)`): `nil` leaves a cell empty.
/// Each plot's own toolbar is hidden and its tools move to the grid's toolbar, merged as Python merges them.
///
/// `width` and `height`, when given, size every plot; `sizingMode` is given to the plots that size themselves.
public func gridplot(
    _ rows: [[Plot?]], width: Int? = nil, height: Int? = nil, sizingMode: SizingMode? = nil,
    toolbarLocation: Location? = .above
) -> GridPlot {
    var children: [Value] = []
    var tools: [Tool] = []
    for (r, plots) in rows.enumerated() {
        for (c, plot) in plots.enumerated() {
            guard let plot else { continue }
            plot.toolbarLocation = nil
            if let width { plot.width = width }
            if let height { plot.height = height }
            if let sizingMode, plot.sizingMode == nil, plot["width_policy"] == nil, plot["height_policy"] == nil {
                plot.sizingMode = sizingMode
            }
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

/// Plots in rows of `ncols` (Python's `gridplot(plots, ncols=...)`).
public func gridplot(
    _ plots: [Plot?], ncols: Int, width: Int? = nil, height: Int? = nil, sizingMode: SizingMode? = nil,
    toolbarLocation: Location? = .above
) -> GridPlot {
    let columns = max(1, ncols)
    let rows = stride(from: 0, to: plots.count, by: columns).map { Array(plots[$0..<min($0 + columns, plots.count)]) }
    return gridplot(rows, width: width, height: height, sizingMode: sizingMode, toolbarLocation: toolbarLocation)
}

/// The grid's tools as Python's `gridplot` merges them: tools of one type with equal settings (overlay
/// and renderers aside) behind one ``ToolProxy``; save, copy, examine and fullscreen tools replaced by
/// one fresh tool of their type.
func mergedTools(_ tools: [Tool]) -> [OneOf2<Tool, ToolProxy>] {
    func settings(_ tool: Tool) -> [(name: String, value: Value)] {
        tool.attributes.filter { $0.name != "overlay" && $0.name != "renderers" }
    }
    func sameSettings(_ a: Tool, _ b: Tool) -> Bool {
        let (x, y) = (settings(a), settings(b))
        return x.count == y.count && zip(x, y).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
    let singletons: Set<String> = ["SaveTool", "CopyTool", "ExamineTool", "FullscreenTool"]
    var typeOrder: [String] = []
    var groups: [String: [[Tool]]] = [:]
    for tool in tools {
        if groups[tool.typeName] == nil { typeOrder.append(tool.typeName) }
        var sameType = groups[tool.typeName] ?? []
        if let index = sameType.firstIndex(where: { sameSettings($0[0], tool) }) {
            sameType[index].append(tool)
        } else {
            sameType.append([tool])
        }
        groups[tool.typeName] = sameType
    }
    return typeOrder.flatMap { typeName -> [OneOf2<Tool, ToolProxy>] in
        if singletons.contains(typeName), let fresh = Model.instantiate(typeName) as? Tool { return [.a(fresh)] }
        return (groups[typeName] ?? []).map { .b(ToolProxy(tools: $0)) }
    }
}

/// Tabs from `(title, child)` pairs (Python's `Tabs(tabs=[TabPanel(...)])`).
public func tabs(_ panels: (title: String, child: UIElement)...) -> Tabs {
    Tabs(tabs: panels.map { TabPanel(title: $0.title, child: $0.child) })
}
