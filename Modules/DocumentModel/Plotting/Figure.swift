import Foundation

/// What `figure(xRange:)` takes, as Python's `x_range=` does: a range model, factors (`["a", "b"]`), or two
/// numbers (`0...10`, `[0, 10]`) for a `Range1d`.
public protocol RangeArgument {
    /// The range model for this argument (a new one, except for a model).
    func rangeModel() -> RangeModel
}

extension RangeModel: RangeArgument {
    public func rangeModel() -> RangeModel { self }
}

extension Array: RangeArgument where Element: RangeBound {
    /// Strings are factors (a `FactorRange`); two numbers are a `Range1d`'s start and end.
    public func rangeModel() -> RangeModel {
        if let factors = self as? [String] { return FactorRange(factors: .list(factors.map(Value.string))) }
        let range = Range1d()
        if count == 2 {
            range.assign("start", self[0].boundValue)
            range.assign("end", self[1].boundValue)
        }
        return range
    }
}

extension ClosedRange: RangeArgument where Bound: RangeBound {
    /// A `Range1d` from `lowerBound` to `upperBound`.
    public func rangeModel() -> RangeModel {
        let range = Range1d()
        range.assign("start", lowerBound.boundValue)
        range.assign("end", upperBound.boundValue)
        return range
    }
}

/// A value a range argument is made of: a number, or a factor.
public protocol RangeBound {
    var boundValue: Value { get }
}
extension Int: RangeBound { public var boundValue: Value { .int(self) } }
extension Double: RangeBound { public var boundValue: Value { .float(self) } }
extension String: RangeBound { public var boundValue: Value { .string(self) } }

/// What `figure(tools:)` takes: Python's comma-separated tool names (`"pan,wheel_zoom,hover"`) or tools.
public protocol ToolsArgument {
    /// The tools, in order; names Bokeh does not know are left out (and reported on standard error).
    func toolModels() -> [Tool]
}

extension String: ToolsArgument {
    public func toolModels() -> [Tool] {
        split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.compactMap {
            name in
            guard let tool = Tool.named(name) else {
                FileHandle.standardError.write(Data("figure: unexpected tool name '\(name)', left out\n".utf8))
                return nil
            }
            return tool
        }
    }
}

extension Array: ToolsArgument where Element: Tool {
    public func toolModels() -> [Tool] { self }
}

/// `figure(xAxisType:)`: the kind of axis, as Python's `x_axis_type=`; pass nil for no axis and no grid.
public enum AxisType: String, Sendable, CaseIterable {
    /// Categorical on a factor range, else linear (Python's default; pass `.datetime` for dates).
    case auto
    case linear, log, datetime, timedelta, mercator
}

extension Tool {
    /// The tool Python's `Tool.from_string(name)` makes (`"xpan"`, `"wheel_zoom"`, `"hover"`, ...), or nil.
    public static func named(_ name: String) -> Tool? {
        func with(_ tool: Tool, _ attributes: KeyValuePairs<String, Value>) -> Tool {
            for (key, value) in attributes { tool.assign(key, value) }
            return tool
        }
        func dimensions(_ tool: Tool, _ value: String) -> Tool { with(tool, ["dimensions": .string(value)]) }
        switch name {
        case "pan": return dimensions(PanTool(), "both")
        case "xpan": return dimensions(PanTool(), "width")
        case "ypan": return dimensions(PanTool(), "height")
        case "xwheel_pan": return with(WheelPanTool(), ["dimension": "width"])
        case "ywheel_pan": return with(WheelPanTool(), ["dimension": "height"])
        case "wheel_zoom": return dimensions(WheelZoomTool(), "both")
        case "xwheel_zoom": return dimensions(WheelZoomTool(), "width")
        case "ywheel_zoom": return dimensions(WheelZoomTool(), "height")
        case "zoom_in": return dimensions(ZoomInTool(), "both")
        case "xzoom_in": return dimensions(ZoomInTool(), "width")
        case "yzoom_in": return dimensions(ZoomInTool(), "height")
        case "zoom_out": return dimensions(ZoomOutTool(), "both")
        case "xzoom_out": return dimensions(ZoomOutTool(), "width")
        case "yzoom_out": return dimensions(ZoomOutTool(), "height")
        case "click": return with(TapTool(), ["behavior": "inspect"])
        case "tap": return TapTool()
        case "doubletap": return with(TapTool(), ["gesture": "doubletap"])
        case "crosshair": return CrosshairTool()
        case "xcrosshair": return dimensions(CrosshairTool(), "width")
        case "ycrosshair": return dimensions(CrosshairTool(), "height")
        case "box_select": return BoxSelectTool()
        case "xbox_select": return dimensions(BoxSelectTool(), "width")
        case "ybox_select": return dimensions(BoxSelectTool(), "height")
        case "poly_select": return PolySelectTool()
        case "lasso_select": return LassoSelectTool()
        case "box_zoom": return dimensions(BoxZoomTool(), "both")
        case "xbox_zoom": return dimensions(BoxZoomTool(), "width")
        case "ybox_zoom": return dimensions(BoxZoomTool(), "height")
        case "auto_box_zoom": return dimensions(BoxZoomTool(), "auto")
        case "save": return SaveTool()
        case "copy": return CopyTool()
        case "undo": return UndoTool()
        case "redo": return RedoTool()
        case "reset": return ResetTool()
        case "help": return HelpTool()
        case "examine": return ExamineTool()
        case "fullscreen": return FullscreenTool()
        case "box_edit": return BoxEditTool()
        case "line_edit": return LineEditTool()
        case "point_draw": return PointDrawTool()
        case "poly_draw": return PolyDrawTool()
        case "poly_edit": return PolyEditTool()
        case "freehand_draw": return FreehandDrawTool()
        case "hover":
            return with(
                HoverTool(),
                [
                    "tooltips": .list([
                        .list(["index", "$index"]), .list(["data (x, y)", "($x, $y)"]),
                        .list(["screen (x, y)", "($sx, $sy)"]),
                    ])
                ])
        default: return nil
        }
    }
}

/// Hover tooltips (Python's `tooltips=`): `(label, field)` pairs such as `("price", "@price{0.00}")`.
public typealias Tooltips = [(String, String)]

/// Creates a figure the way Python's `bokeh.plotting.figure(...)` does: ranges (`xRange: 0...10`,
/// `["a", "b"]` factors, or a model) and the scales they need, axes of `xAxisType`/`yAxisType` at
/// `xAxisLocation`/`yAxisLocation` (nil: no axis) with their grids, and tools (`"pan,wheel_zoom"`, tools, or
/// Bokeh's default `pan, wheel_zoom, auto_box_zoom, save, reset, help`), plus a hover tool for `tooltips`.
public func figure(
    title: String? = nil, width: Int? = nil, height: Int? = nil, xRange: (any RangeArgument)? = nil,
    yRange: (any RangeArgument)? = nil, xAxisType: AxisType? = .auto, yAxisType: AxisType? = .auto,
    xAxisLocation: Location? = .below, yAxisLocation: Location? = .left, xAxisLabel: String? = nil,
    yAxisLabel: String? = nil, xMinorTicks: Int? = nil, yMinorTicks: Int? = nil, tools: (any ToolsArgument)? = nil,
    tooltips: Tooltips? = nil, toolbarLocation: Location? = nil, sizingMode: SizingMode? = nil,
    name: String? = nil
) -> Figure {
    let plot = Figure(width: width, height: height, sizingMode: sizingMode)
    if let name { plot.name = name }
    if let title { plot.title?.text = .a(title) }
    plot.xRange = xRange?.rangeModel() ?? DataRange1d()
    plot.yRange = yRange?.rangeModel() ?? DataRange1d()
    plot.xScale = scale(for: plot.xRange, xAxisType)
    plot.yScale = scale(for: plot.yRange, yAxisType)
    for side in ["below", "left", "center"] { plot.unstore(side) }
    plot.addAxis(xAxisType, at: xAxisLocation, minorTicks: xMinorTicks, label: xAxisLabel, dimension: 0)
    plot.addAxis(yAxisType, at: yAxisLocation, minorTicks: yMinorTicks, label: yAxisLabel, dimension: 1)
    var toolModels = tools?.toolModels() ?? "pan,wheel_zoom,auto_box_zoom,save,reset,help".toolModels()
    if let tooltips {
        let value = Value.list(tooltips.map { .list([.string($0.0), .string($0.1)]) })
        if let hover = toolModels.first(where: { $0 is HoverTool }) {
            hover.assign("tooltips", value)
        } else {
            let hover = HoverTool()
            hover.assign("tooltips", value)
            toolModels.append(hover)
        }
    }
    if toolModels.isEmpty { plot.toolbar?.unstore("tools") } else { plot.toolbar?.tools = toolModels.map { .a($0) } }
    if let toolbarLocation { plot.toolbarLocation = toolbarLocation }
    return plot
}

/// Python's `get_scale`: categorical for factors, log for a log axis, else linear.
private func scale(for range: RangeModel?, _ axisType: AxisType?) -> Scale {
    if range is FactorRange { return CategoricalScale() }
    return axisType == .log ? LogScale() : LinearScale()
}

extension Plot {
    /// Python's `process_axis_and_grid`: an axis of `type` at `location` (none for a nil type; a grid still
    /// for a nil location), with its minor ticks and label, and a grid on it.
    func addAxis(_ type: AxisType?, at location: Location?, minorTicks: Int?, label: String?, dimension: Int) {
        guard let type else { return }
        let range = dimension == 0 ? xRange : yRange
        let axis: Axis
        switch type {
        case .linear: axis = LinearAxis()
        case .log: axis = LogAxis()
        case .datetime: axis = DatetimeAxis()
        case .timedelta: axis = TimedeltaAxis()
        case .mercator:
            axis = MercatorAxis()
            if let ticker = axis.attribute("ticker", as: Model.self) {
                ticker.assign("dimension", dimension == 0 ? "lon" : "lat")
            }
            if let formatter = axis.attribute("formatter", as: Model.self) {
                formatter.assign("dimension", dimension == 0 ? "lon" : "lat")
            }
        case .auto:
            axis = range is FactorRange ? CategoricalAxis() : LinearAxis()
        }
        if let ticker = axis.attribute("ticker", as: Model.self), ticker is ContinuousTicker {
            ticker.assign("num_minor_ticks", .int(minorTicks ?? (axis is LogAxis ? 10 : 5)))
        }
        if let label { axis.assign("axis_label", .string(label)) }
        let grid = Grid()
        grid.assign("dimension", .int(dimension))
        grid.assign("axis", .model(axis))
        center = center + [.a(grid)]
        switch location {
        case .below?: below = below + [.a(axis)]
        case .above?: above = above + [.a(axis)]
        case .left?: left = left + [.a(axis)]
        case .right?: right = right + [.a(axis)]
        case nil: break
        }
    }
}

extension Plot {
    /// Adds `renderer` (an axis, a legend, an annotation) to the side `place` of the plot, or to its center
    /// (Python's `add_layout(obj, place)`).
    public func addLayout(_ renderer: Renderer, _ place: Location? = nil) {
        switch place {
        case .below?: below = below + [.a(renderer)]
        case .above?: above = above + [.a(renderer)]
        case .left?: left = left + [.a(renderer)]
        case .right?: right = right + [.a(renderer)]
        case nil: center = center + [.a(renderer)]
        }
    }

    /// The plot's legends, wherever they are (Python's `p.legend`).
    public var legends: [Legend] {
        (center + below + above + left + right).compactMap { if case .a(let r) = $0 { r as? Legend } else { nil } }
    }

    /// The plot's first legend (the one `legendLabel:` creates), if any.
    public var legend: Legend? { legends.first }
}
