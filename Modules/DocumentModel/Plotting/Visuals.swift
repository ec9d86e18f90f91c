/// One visual argument of a glyph method, in any order after the named ones, as Python's keyword arguments:
///
/// ```swift
/// plot.line(x: "x", y: "y", source: source, .lineWidth(3), .lineAlpha(0.6))
/// plot.scatter(x: "x", y: "y", source: source, .size(12), .color("navy"), .hover(.fillColor("red")))
/// ```
///
/// `Features` says what the glyph draws (``LineFeatures``, ``AreaFeatures``, ``ShapeFeatures``,
/// ``TextFeatures``, ``ImageFeatures``), so `.fillColor` is only offered to glyphs that fill. `.color` and
/// `.alpha` set every color and alpha the glyph has, as Python's `color=` and `alpha=` do. `.selection`,
/// `.nonselection`, `.hover` and `.muted` give the visuals of those glyph variants (Python's `selection_*`,
/// `nonselection_*`, `hover_*`, `muted_*` arguments).
public struct Visual<Features> {
    /// The variant an argument is for: "" (the glyph itself), `selection_`, `nonselection_`, `hover_`, `muted_`.
    let prefix: String
    /// Python's name without the prefix: a visual (`line_width`) or a trait for every feature (`color`).
    let name: String
    let value: Value

    init(prefix: String = "", _ name: String, _ value: Value) {
        self.prefix = prefix
        self.name = name
        self.value = value
    }

    /// Any property of the glyph by Python's name (`"angle"`, `"line_dash_offset"`), for what has no typed
    /// member; a value for a vectorized property may be a constant or a spec (`Spec<Double>.field("a")`).
    public static func visual(_ pythonName: String, _ value: Value) -> Self { Self(pythonName, value) }
    /// The glyph's `angle` (radians unless `angle_units` says otherwise): a constant or a column.
    public static func angle(_ angle: Spec<Double>) -> Self { Self("angle", angle.bokehValue) }

    // Arguments of the renderer, as Python's glyph methods take them.

    /// The renderer's name (`name=`).
    public static func name(_ name: String) -> Self { Self(prefix: renderer, "name", .string(name)) }
    /// The range of the plot's `extraXRanges` the glyph is drawn against (`x_range_name=`).
    public static func xRangeName(_ name: String) -> Self { Self(prefix: renderer, "x_range_name", .string(name)) }
    /// The range of the plot's `extraYRanges` the glyph is drawn against (`y_range_name=`).
    public static func yRangeName(_ name: String) -> Self { Self(prefix: renderer, "y_range_name", .string(name)) }
    /// The rows of the source the glyph draws (`view=CDSView(filter=...)`).
    public static func view(_ view: CDSView) -> Self { Self(prefix: renderer, "view", .model(view)) }
    /// The render level (`level=`).
    public static func level(_ level: RenderLevel) -> Self { Self(prefix: renderer, "level", level.bokehValue) }
    /// Whether the renderer is drawn (`visible=`).
    public static func visible(_ visible: Bool) -> Self { Self(prefix: renderer, "visible", .bool(visible)) }
    /// Whether the renderer starts muted (`muted=`).
    public static func isMuted(_ muted: Bool) -> Self { Self(prefix: renderer, "muted", .bool(muted)) }

    static var renderer: String { "renderer:" }

    /// Every color of the glyph (line, fill, hatch, text). A string that is not a color names a column.
    public static func color(_ color: Color) -> Self { Self("color", colorValue(color)) }
    /// Every color of the glyph from a column or a color mapper (`.field("c", transform: factorCmap(...))`).
    public static func color(_ spec: Spec<Color>) -> Self { Self("color", spec.bokehValue) }
    /// Every alpha of the glyph (line, fill, hatch, text, image).
    public static func alpha(_ alpha: Spec<Double>) -> Self { Self("alpha", alpha.bokehValue) }

    /// The visuals of the selected glyph (Python's `selection_*`).
    public static func selection(_ visuals: Self...) -> Self { group("selection_", visuals) }
    /// The visuals of the glyph drawn for unselected points when there is a selection (`nonselection_*`;
    /// alpha 0.1 unless given).
    public static func nonselection(_ visuals: Self...) -> Self { group("nonselection_", visuals) }
    /// The visuals of the glyph under the pointer with a hover tool (`hover_*`).
    public static func hover(_ visuals: Self...) -> Self { group("hover_", visuals) }
    /// The visuals of the glyph while its legend item mutes it (`muted_*`; alpha 0.2 unless given).
    public static func muted(_ visuals: Self...) -> Self { group("muted_", visuals) }

    private static func group(_ prefix: String, _ visuals: [Self]) -> Self {
        Self(prefix: prefix, "", .list(visuals.map { .list([.string($0.name), $0.value]) }))
    }
}

/// Python's ColorSpec: a string that is a color is a value, any other string names a column.
func colorValue(_ color: Color) -> Value {
    if case .css(let text) = color, !Color.isValid(text) { return .spec(DataSpec(.field(text))) }
    return color.bokehValue
}

/// Glyphs that draw lines have line visuals.
public protocol HasLineVisuals {}
/// Glyphs that fill areas have fill visuals.
public protocol HasFillVisuals {}
/// Glyphs that fill areas have hatch visuals.
public protocol HasHatchVisuals {}
/// Glyphs that draw text have text visuals.
public protocol HasTextVisuals {}

/// What lines draw (`line`, `multi_line`, `segment`, `ray`, `step`): line visuals.
public enum LineFeatures: HasLineVisuals {}
/// What areas draw (`varea`, `harea`): fill and hatch visuals.
public enum AreaFeatures: HasFillVisuals, HasHatchVisuals {}
/// What shapes draw (markers, bars, rects, wedges, patches): line, fill and hatch visuals.
public enum ShapeFeatures: HasLineVisuals, HasFillVisuals, HasHatchVisuals {}
/// What `text` draws: text visuals.
public enum TextFeatures: HasTextVisuals {}
/// What images draw: only `.alpha` (the image's `global_alpha`).
public enum ImageFeatures {}

extension Visual where Features: HasLineVisuals {
    /// The line color; nil draws no line (Python's `line_color=None`).
    public static func lineColor(_ color: Color?) -> Self { Self("line_color", color.map(colorValue) ?? .null) }
    public static func lineColor(_ spec: Spec<Color>) -> Self { Self("line_color", spec.bokehValue) }
    public static func lineAlpha(_ alpha: Spec<Double>) -> Self { Self("line_alpha", alpha.bokehValue) }
    public static func lineWidth(_ width: Spec<Double>) -> Self { Self("line_width", width.bokehValue) }
    /// A named dash pattern (`.dashed`).
    public static func lineDash(_ dash: DashPattern) -> Self { Self("line_dash", dash.bokehValue) }
    /// Dash lengths in pixels (`[6, 3]`).
    public static func lineDash(_ lengths: [Int]) -> Self { Self("line_dash", lengths.bokehValue) }
    public static func lineDashOffset(_ offset: Int) -> Self { Self("line_dash_offset", offset.bokehValue) }
    public static func lineCap(_ cap: LineCap) -> Self { Self("line_cap", cap.bokehValue) }
    public static func lineJoin(_ join: LineJoin) -> Self { Self("line_join", join.bokehValue) }
}

extension Visual where Features: HasFillVisuals {
    /// The fill color; nil fills nothing (Python's `fill_color=None`).
    public static func fillColor(_ color: Color?) -> Self { Self("fill_color", color.map(colorValue) ?? .null) }
    public static func fillColor(_ spec: Spec<Color>) -> Self { Self("fill_color", spec.bokehValue) }
    public static func fillAlpha(_ alpha: Spec<Double>) -> Self { Self("fill_alpha", alpha.bokehValue) }
}

extension Visual where Features: HasHatchVisuals {
    public static func hatchColor(_ color: Color) -> Self { Self("hatch_color", colorValue(color)) }
    public static func hatchAlpha(_ alpha: Spec<Double>) -> Self { Self("hatch_alpha", alpha.bokehValue) }
    public static func hatchPattern(_ pattern: HatchPattern) -> Self { Self("hatch_pattern", pattern.bokehValue) }
    /// A pattern by its one-character abbreviation (`"/"`, `"x"`, `"."`).
    public static func hatchPattern(_ abbreviation: String) -> Self { Self("hatch_pattern", .string(abbreviation)) }
    public static func hatchScale(_ scale: Spec<Double>) -> Self { Self("hatch_scale", scale.bokehValue) }
    public static func hatchWeight(_ weight: Spec<Double>) -> Self { Self("hatch_weight", weight.bokehValue) }
}

extension Visual where Features: HasTextVisuals {
    public static func textColor(_ color: Color) -> Self { Self("text_color", colorValue(color)) }
    public static func textColor(_ spec: Spec<Color>) -> Self { Self("text_color", spec.bokehValue) }
    public static func textAlpha(_ alpha: Spec<Double>) -> Self { Self("text_alpha", alpha.bokehValue) }
    /// A CSS size (`"12px"`, `"1.2em"`).
    public static func textFontSize(_ size: String) -> Self { Self("text_font_size", .string(size)) }
    public static func textFont(_ font: String) -> Self { Self("text_font", .string(font)) }
    public static func textFontStyle(_ style: FontStyle) -> Self { Self("text_font_style", style.bokehValue) }
    public static func textAlign(_ align: TextAlign) -> Self { Self("text_align", align.bokehValue) }
    public static func textBaseline(_ baseline: TextBaseline) -> Self { Self("text_baseline", baseline.bokehValue) }
    public static func textLineHeight(_ height: Double) -> Self { Self("text_line_height", height.bokehValue) }
}

// MARK: Python's cascade (bokeh.plotting's pop_visuals)

/// The visual arguments of one glyph method call, by variant.
struct VisualArguments {
    /// Per prefix ("" for the glyph, "nonselection_", …): Python name or trait → value.
    var groups: [String: [String: Value]] = [:]

    init<F>(_ visuals: [Visual<F>]) {
        for visual in visuals {
            if visual.name.isEmpty, case .list(let items) = visual.value {
                for case .list(let pair) in items where pair.count == 2 {
                    if case .string(let name) = pair[0] { groups[visual.prefix, default: [:]][name] = pair[1] }
                }
            } else {
                groups[visual.prefix, default: [:]][visual.name] = visual.value
            }
        }
    }

    /// Adds Python's `color=`/`alpha=` (and any named visual) for the glyph itself, unless a `Visual` gave it.
    mutating func add(_ name: String, _ value: Value?) {
        guard let value, groups["", default: [:]][name] == nil else { return }
        groups["", default: [:]][name] = value
    }

    func has(_ prefix: String) -> Bool { groups[prefix] != nil }

    /// The visuals of `glyphType` for the variant `prefix`, as `pop_visuals` deduces them: the named visual,
    /// else a trait the glyph has no property of (`color`, `alpha`), else `override` by trait, else the
    /// glyph's own (`defaults`), else Bokeh's blue, alpha 1, black text and hatches.
    func resolve(
        for glyphType: Model.Type, prefix: String, defaults: [String: Value] = [:], override: [String: Value] = [:]
    ) -> [String: Value] {
        let given = groups[prefix] ?? [:]
        var defaults = defaults
        if defaults["text_color"] == nil { defaults["text_color"] = .string("black") }
        if defaults["hatch_color"] == nil { defaults["hatch_color"] = .string("black") }
        let traitDefaults: [String: Value] = ["color": .string("#1f77b4"), "alpha": .float(1.0)]
        let names = Set(glyphType.declaredProperties.map(\.name))
        var result: [String: Value] = [:]
        for name in names {
            guard let trait = Self.visualTrait(name) else { continue }
            if let value = given[name] {
                result[name] = value
            } else if !names.contains(trait), let value = given[trait] {
                result[name] = value
            } else if let value = override[trait] {
                result[name] = value
            } else if let value = defaults[name] {
                result[name] = value
            } else if let value = traitDefaults[trait] {
                result[name] = value
            }
        }
        return result
    }

    /// `line_width` → `width`; nil for a name that is not a visual (Python's `_is_visual`).
    static func visualTrait(_ name: String) -> String? {
        guard let underscore = name.firstIndex(of: "_") else { return nil }
        let feature = name[..<underscore]
        guard ["line", "fill", "hatch", "text", "global"].contains(feature) else { return nil }
        return String(name[name.index(after: underscore)...])
    }
}
