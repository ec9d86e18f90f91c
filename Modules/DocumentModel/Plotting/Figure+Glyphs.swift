extension Plot {
    /// The axes of a dimension (0: x, below/above; 1: y, left/right).
    public func axes(dimension: Int) -> [Axis] {
        let sides = dimension == 0 ? [below, above] : [left, right]
        return sides.flatMap { side in
            side.compactMap { if case .a(let renderer) = $0 { renderer as? Axis } else { nil } }
        }
    }

    /// Uses `range` for a dimension; a ``FactorRange`` also switches that dimension's scale and axis to
    /// categorical ones (and points its grid at the new axis).
    func useRange(_ range: RangeModel, dimension: Int) {
        if dimension == 0 { xRange = range } else { yRange = range }
        guard range is FactorRange else { return }
        if dimension == 0 { xScale = CategoricalScale() } else { yScale = CategoricalScale() }
        let axis = CategoricalAxis()
        let old = axes(dimension: dimension).first
        if dimension == 0 { below = [.a(axis)] } else { left = [.a(axis)] }
        for case .a(let renderer) in center {
            if let grid = renderer as? Grid, let old, grid.axis === old { grid.axis = axis }
        }
    }

    /// Adds a glyph renderer for `glyph` over `source`, with Python's selection and muted variants (the
    /// same glyph at alpha 0.1 and 0.2), and returns it.
    @discardableResult
    public func add(
        _ glyph: Glyph, source: ColumnDataSource, color: Color? = nil, alpha: Double? = nil, name: String? = nil,
        legendLabel: String? = nil
    ) -> GlyphRenderer {
        add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, [Visual<Never>]())
    }

    /// Adds a glyph renderer for `glyph` over `source` as `bokeh.plotting`'s glyph methods do: the glyph gets
    /// `visuals` (then `color`/`alpha`, then Bokeh's blue, alpha 1), the nonselection glyph the same at alpha
    /// 0.1, the muted glyph at alpha 0.2, selection and hover glyphs when their visuals are given.
    @discardableResult
    public func add<Features>(
        _ glyph: Glyph, source: ColumnDataSource, color: Color? = nil, alpha: Double? = nil, name: String? = nil,
        legendLabel: String? = nil, _ visuals: [Visual<Features>]
    ) -> GlyphRenderer {
        var arguments = VisualArguments(visuals)
        arguments.add("color", color.map(colorValue))
        arguments.add("alpha", alpha?.bokehValue)
        let type = Swift.type(of: glyph)
        // Non-visual properties given by name (`.visual("angle", 0.3)`, `.angle(...)`) belong to every variant.
        for (name, value) in (arguments.groups[""] ?? [:]).sorted(by: { $0.key < $1.key })
        where VisualArguments.visualTrait(name) == nil {
            glyph.setProperty(name, value)
        }
        let main = arguments.resolve(for: type, prefix: "")
        let base = glyph.attributes
        glyph.applyVisuals(main)
        let renderer = GlyphRenderer(dataSource: source, glyph: glyph)
        for (name, value) in (arguments.groups[Visual<Features>.renderer] ?? [:]).sorted(by: { $0.key < $1.key }) {
            renderer.assign(name, value)
        }
        func variant(_ prefix: String, override: [String: Value] = [:]) -> Glyph {
            glyph.copy(
                attributes: base,
                visuals: arguments.resolve(
                    for: type, prefix: prefix, defaults: main, override: override))
        }
        renderer.nonselectionGlyph = .b(variant("nonselection_", override: ["alpha": .float(0.1)]))
        if arguments.has("selection_") { renderer.selectionGlyph = .b(variant("selection_")) }
        if arguments.has("hover_") { renderer.hoverGlyph = variant("hover_") }
        renderer.mutedGlyph = .b(variant("muted_", override: ["alpha": .float(0.2)]))
        if let name { renderer.name = name }
        renderers = renderers + [renderer]
        if let legendLabel { addToLegend(renderer, label: legendLabel) }
        return renderer
    }

    /// Python's `legend_label=`: the plot's first ``Legend`` (created in `center` if there is none) gets
    /// the renderer under an item with that label, a new item if no item has it yet.
    func addToLegend(_ renderer: GlyphRenderer, label: String) {
        let legend: Legend
        if let existing = center.lazy.compactMap({ if case .a(let r) = $0 { r as? Legend } else { nil } }).first {
            legend = existing
        } else {
            legend = Legend()
            center = center + [.a(legend)]
        }
        let labelSpec = Spec<String?>.value(label)
        if let item = legend.items.first(where: { $0.label.bokehValue == labelSpec.bokehValue }) {
            item.renderers = item.renderers + [renderer]
        } else {
            legend.items = legend.items + [LegendItem(label: labelSpec, renderers: [renderer])]
        }
    }

    @discardableResult
    public func scatter(
        x: Spec<Double>, y: Spec<Double>, source: ColumnDataSource, size: Spec<Double>? = nil,
        marker: MarkerType? = nil, color: Color? = nil, alpha: Double? = nil, name: String? = nil,
        legendLabel: String? = nil, _ visuals: Visual<ShapeFeatures>...
    ) -> GlyphRenderer {
        let glyph = Scatter(x: x, y: y, size: size, marker: marker.map { .value(.a($0)) })
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    @discardableResult
    public func line(
        x: Spec<Double>, y: Spec<Double>, source: ColumnDataSource, lineWidth: Double? = nil, color: Color? = nil,
        alpha: Double? = nil, name: String? = nil, legendLabel: String? = nil, _ visuals: Visual<LineFeatures>...
    ) -> GlyphRenderer {
        var visuals = visuals
        if let lineWidth { visuals.insert(.lineWidth(.value(lineWidth)), at: 0) }
        return add(
            Line(x: x, y: y), source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel,
            visuals)
    }

    /// Vertical bars; `width` is VBar's (1) unless given.
    @discardableResult
    public func vbar(
        x: Spec<Double>, top: Spec<Double>, source: ColumnDataSource, width: Spec<Double>? = nil,
        bottom: Spec<Double>? = nil, color: Color? = nil, alpha: Double? = nil, name: String? = nil,
        legendLabel: String? = nil, _ visuals: Visual<ShapeFeatures>...
    ) -> GlyphRenderer {
        let glyph = VBar(x: x, width: width, bottom: bottom, top: top)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    /// Horizontal bars; `height` is HBar's (1) unless given.
    @discardableResult
    public func hbar(
        y: Spec<Double>, right: Spec<Double>, source: ColumnDataSource, height: Spec<Double>? = nil,
        left: Spec<Double>? = nil, color: Color? = nil, alpha: Double? = nil, name: String? = nil,
        legendLabel: String? = nil, _ visuals: Visual<ShapeFeatures>...
    ) -> GlyphRenderer {
        let glyph = HBar(y: y, height: height, left: left, right: right)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    /// Stacked vertical bars, one renderer per stacker (a column), as Python's `vbar_stack`: each bar goes from
    /// the sum of the columns before it to the sum including it; `colors` and `legendLabels`, when given, are
    /// per stacker.
    @discardableResult
    public func vbarStack(
        _ stackers: [String], x: Spec<Double>, source: ColumnDataSource, width: Spec<Double>? = nil,
        colors: [Color]? = nil, legendLabels: [String]? = nil, _ visuals: Visual<ShapeFeatures>...
    ) -> [GlyphRenderer] {
        stackers.indices.map { i in
            let glyph = VBar(
                x: x, width: width, bottom: .expr(Stack(fields: Array(stackers[..<i]))),
                top: .expr(Stack(fields: Array(stackers[...i]))))
            return add(
                glyph, source: source, color: colors?[i], name: stackers[i], legendLabel: legendLabels?[i], visuals)
        }
    }

    /// Stacked horizontal bars, one renderer per stacker, as Python's `hbar_stack`.
    @discardableResult
    public func hbarStack(
        _ stackers: [String], y: Spec<Double>, source: ColumnDataSource, height: Spec<Double>? = nil,
        colors: [Color]? = nil, legendLabels: [String]? = nil, _ visuals: Visual<ShapeFeatures>...
    ) -> [GlyphRenderer] {
        stackers.indices.map { i in
            let glyph = HBar(
                y: y, height: height, left: .expr(Stack(fields: Array(stackers[..<i]))),
                right: .expr(Stack(fields: Array(stackers[...i]))))
            return add(
                glyph, source: source, color: colors?[i], name: stackers[i], legendLabel: legendLabels?[i], visuals)
        }
    }

    @discardableResult
    public func rect(
        x: Spec<Double>, y: Spec<Double>, width: Spec<Double>, height: Spec<Double>, source: ColumnDataSource,
        color: Color? = nil, alpha: Double? = nil, name: String? = nil, legendLabel: String? = nil,
        _ visuals: Visual<ShapeFeatures>...
    ) -> GlyphRenderer {
        let glyph = Rect(x: x, y: y, width: width, height: height)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    @discardableResult
    public func quad(
        left: Spec<Double>, right: Spec<Double>, top: Spec<Double>, bottom: Spec<Double>, source: ColumnDataSource,
        color: Color? = nil, alpha: Double? = nil, name: String? = nil, legendLabel: String? = nil,
        _ visuals: Visual<ShapeFeatures>...
    ) -> GlyphRenderer {
        let glyph = Quad(left: left, right: right, bottom: bottom, top: top)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    /// Polygons: `xs`/`ys` name columns whose entries are lists of coordinates.
    @discardableResult
    public func patches(
        xs: String, ys: String, source: ColumnDataSource, color: Color? = nil, alpha: Double? = nil,
        name: String? = nil, legendLabel: String? = nil, _ visuals: Visual<ShapeFeatures>...
    ) -> GlyphRenderer {
        let glyph = Patches(xs: .field(xs), ys: .field(ys))
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    /// Lines: `xs`/`ys` name columns whose entries are lists of coordinates.
    @discardableResult
    public func multiLine(
        xs: String, ys: String, source: ColumnDataSource, color: Color? = nil, alpha: Double? = nil,
        name: String? = nil, legendLabel: String? = nil, _ visuals: Visual<LineFeatures>...
    ) -> GlyphRenderer {
        let glyph = MultiLine(xs: .field(xs), ys: .field(ys))
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    /// Text from the `text` column.
    @discardableResult
    public func text(
        x: Spec<Double>, y: Spec<Double>, text: String, source: ColumnDataSource, color: Color? = nil,
        name: String? = nil, legendLabel: String? = nil, _ visuals: Visual<TextFeatures>...
    ) -> GlyphRenderer {
        let glyph = Text(x: x, y: y, text: .field(text))
        return add(glyph, source: source, color: color, name: name, legendLabel: legendLabel, visuals)
    }

    @discardableResult
    public func circle(
        x: Spec<Double>, y: Spec<Double>, radius: Spec<Double>, source: ColumnDataSource, color: Color? = nil,
        alpha: Double? = nil, name: String? = nil, legendLabel: String? = nil, _ visuals: Visual<ShapeFeatures>...
    ) -> GlyphRenderer {
        let glyph = Circle(x: x, y: y, radius: radius)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    @discardableResult
    public func segment(
        x0: Spec<Double>, y0: Spec<Double>, x1: Spec<Double>, y1: Spec<Double>, source: ColumnDataSource,
        color: Color? = nil, alpha: Double? = nil, name: String? = nil, legendLabel: String? = nil,
        _ visuals: Visual<LineFeatures>...
    ) -> GlyphRenderer {
        let glyph = Segment(x0: x0, y0: y0, x1: x1, y1: y1)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    /// Rays from (x, y) at `angle`; a `length` of 0 reaches the edge of the plot.
    @discardableResult
    public func ray(
        x: Spec<Double>, y: Spec<Double>, length: Spec<Double>? = nil, angle: Spec<Double>? = nil,
        source: ColumnDataSource, color: Color? = nil, alpha: Double? = nil, name: String? = nil,
        legendLabel: String? = nil, _ visuals: Visual<LineFeatures>...
    ) -> GlyphRenderer {
        let glyph = Ray(x: x, y: y, angle: angle, length: length)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    /// The area between `y1` and `y2` over `x`.
    @discardableResult
    public func varea(
        x: Spec<Double>, y1: Spec<Double>, y2: Spec<Double>, source: ColumnDataSource, color: Color? = nil,
        alpha: Double? = nil, name: String? = nil, legendLabel: String? = nil, _ visuals: Visual<AreaFeatures>...
    ) -> GlyphRenderer {
        let glyph = VArea(x: x, y1: y1, y2: y2)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    /// The area between `x1` and `x2` along `y`.
    @discardableResult
    public func harea(
        y: Spec<Double>, x1: Spec<Double>, x2: Spec<Double>, source: ColumnDataSource, color: Color? = nil,
        alpha: Double? = nil, name: String? = nil, legendLabel: String? = nil, _ visuals: Visual<AreaFeatures>...
    ) -> GlyphRenderer {
        let glyph = HArea(x1: x1, x2: x2, y: y)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    /// Wedges; angles in radians unless the glyph's angle units are changed.
    @discardableResult
    public func wedge(
        x: Spec<Double>, y: Spec<Double>, radius: Spec<Double>, startAngle: Spec<Double>, endAngle: Spec<Double>,
        source: ColumnDataSource, color: Color? = nil, alpha: Double? = nil, name: String? = nil,
        legendLabel: String? = nil, _ visuals: Visual<ShapeFeatures>...
    ) -> GlyphRenderer {
        let glyph = Wedge(x: x, y: y, radius: radius, startAngle: startAngle, endAngle: endAngle)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    /// Wedges of a ring between `innerRadius` and `outerRadius`.
    @discardableResult
    public func annularWedge(
        x: Spec<Double>, y: Spec<Double>, innerRadius: Spec<Double>, outerRadius: Spec<Double>,
        startAngle: Spec<Double>, endAngle: Spec<Double>, source: ColumnDataSource, color: Color? = nil,
        alpha: Double? = nil, name: String? = nil, legendLabel: String? = nil, _ visuals: Visual<ShapeFeatures>...
    ) -> GlyphRenderer {
        let glyph = AnnularWedge(
            x: x, y: y, innerRadius: innerRadius, outerRadius: outerRadius, startAngle: startAngle,
            endAngle: endAngle)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    @discardableResult
    public func step(
        x: Spec<Double>, y: Spec<Double>, source: ColumnDataSource, mode: StepMode? = nil, color: Color? = nil,
        alpha: Double? = nil, name: String? = nil, legendLabel: String? = nil, _ visuals: Visual<LineFeatures>...
    ) -> GlyphRenderer {
        let glyph = Step(x: x, y: y, mode: mode)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    /// Hexagonal tiles at axial coordinates (`q`, `r`) of `size`.
    @discardableResult
    public func hexTile(
        q: Spec<Double>, r: Spec<Double>, source: ColumnDataSource, size: Double? = nil, color: Color? = nil,
        alpha: Double? = nil, name: String? = nil, legendLabel: String? = nil, _ visuals: Visual<ShapeFeatures>...
    ) -> GlyphRenderer {
        let glyph = HexTile(size: size, r: r, q: q)
        return add(glyph, source: source, color: color, alpha: alpha, name: name, legendLabel: legendLabel, visuals)
    }

    /// A scalar image: the `image` column holds 2-D arrays (``ColumnDataSource/image(_:)``) mapped through
    /// a linear color mapper with `palette` (a list of colors).
    @discardableResult
    public func image(
        image: String = "image", x: Spec<Double>, y: Spec<Double>, dw: Spec<Double>, dh: Spec<Double>,
        source: ColumnDataSource, palette: [Color]? = nil, name: String? = nil, legendLabel: String? = nil,
        _ visuals: Visual<ImageFeatures>...
    ) -> GlyphRenderer {
        let glyph = Image(x: x, y: y, dw: dw, dh: dh, image: .field(image))
        if let palette { glyph.colorMapper = LinearColorMapper(palette: palette) }
        let renderer = add(glyph, source: source, name: name, legendLabel: legendLabel, visuals)
        // Python builds each variant from the same arguments, so each gets its own color mapper.
        if let palette {
            for case .b(let variant as Image)? in [renderer.nonselectionGlyph, renderer.mutedGlyph] {
                variant.colorMapper = LinearColorMapper(palette: palette)
            }
        }
        return renderer
    }

    /// An RGBA image: the `image` column holds 2-D arrays of packed `0xAABBGGRR` pixels
    /// (``ColumnDataSource/rgbaImage(_:)``).
    @discardableResult
    public func imageRGBA(
        image: String = "image", x: Spec<Double>, y: Spec<Double>, dw: Spec<Double>, dh: Spec<Double>,
        source: ColumnDataSource, name: String? = nil, legendLabel: String? = nil,
        _ visuals: Visual<ImageFeatures>...
    ) -> GlyphRenderer {
        let glyph = ImageRGBA(x: x, y: y, dw: dw, dh: dh, image: .field(image))
        return add(glyph, source: source, name: name, legendLabel: legendLabel, visuals)
    }
}

extension Glyph {
    /// Sets each visual the glyph declares, as a value spec or a plain value, whichever it takes
    /// (vectorized glyphs take specs; `Line` and other connected glyphs take scalars).
    func applyVisuals(_ visuals: [String: Value]) {
        for (name, value) in visuals.sorted(by: { $0.key < $1.key }) { setProperty(name, value) }
    }

    /// Sets a property the glyph declares from a constant or a spec, in the form the property takes.
    func setProperty(_ name: String, _ value: Value) {
        guard let spec = Self.declaredProperties.last(where: { $0.name == name }) else { return }
        var candidates: [Value] = []
        if case .spec(let dataSpec) = value {
            candidates.append(value)
            if case .value(let constant) = dataSpec.kind, dataSpec.transform == nil, dataSpec.units == nil {
                candidates.append(constant)
            }
        } else {
            candidates = [.spec(DataSpec(.value(value))), value]
        }
        guard let stored = candidates.first(where: spec.accepts) else { return }
        // As in Python, a default left unset stays unset (`multi_line(color="black")` stores nothing).
        assign(name, stored)
    }

    /// A new glyph of the same type with `attributes` and then `visuals`, as Python builds each variant from
    /// the call's non-visual arguments and the variant's visuals.
    func copy(attributes: [(name: String, value: Value)], visuals: [String: Value]) -> Glyph {
        let copy = Self(id: IDGenerator.next(), typeName: typeName, attributes: attributes)
        copy.applyVisuals(visuals)
        return copy
    }
}
