/// Bokeh's named palettes (`bokeh.palettes`): `Palettes.named("Viridis256")`, `Palettes.viridis256`.
public enum Palettes {
    /// The palette Python calls `name` (`"Viridis256"`, `"Category10_10"`, `"Spectral6"`), or nil.
    public static func named(_ name: String) -> [Color]? {
        table[name].map { $0.split(separator: " ").map { Color.css(String($0)) } }
    }

    /// Every palette name, sorted.
    public static var names: [String] { table.keys.sorted() }

    public static var viridis256: [Color] { named("Viridis256") ?? [] }
    public static var magma256: [Color] { named("Magma256") ?? [] }
    public static var inferno256: [Color] { named("Inferno256") ?? [] }
    public static var plasma256: [Color] { named("Plasma256") ?? [] }
    public static var cividis256: [Color] { named("Cividis256") ?? [] }
    public static var turbo256: [Color] { named("Turbo256") ?? [] }
    public static var greys256: [Color] { named("Greys256") ?? [] }
    public static var category10: [Color] { named("Category10_10") ?? [] }
    public static var category20: [Color] { named("Category20_20") ?? [] }
}

/// A column mapped to colors by a `LinearColorMapper` (Python's `linear_cmap`): for `color:`/`.fillColor(...)`.
public func linearCmap(
    _ field: String, palette: [Color], low: Double, high: Double, lowColor: Color? = nil, highColor: Color? = nil,
    nanColor: Color = "gray"
) -> Spec<Color> {
    let mapper = LinearColorMapper(palette: palette)
    mapper.assign("low", .float(low))
    mapper.assign("high", .float(high))
    mapper.assign("nan_color", nanColor.bokehValue)
    if let lowColor { mapper.assign("low_color", lowColor.bokehValue) }
    if let highColor { mapper.assign("high_color", highColor.bokehValue) }
    return .field(field, transform: mapper)
}

/// A column mapped to colors by a `LogColorMapper` (Python's `log_cmap`).
public func logCmap(
    _ field: String, palette: [Color], low: Double, high: Double, lowColor: Color? = nil, highColor: Color? = nil,
    nanColor: Color = "gray"
) -> Spec<Color> {
    let mapper = LogColorMapper(palette: palette)
    mapper.assign("low", .float(low))
    mapper.assign("high", .float(high))
    mapper.assign("nan_color", nanColor.bokehValue)
    if let lowColor { mapper.assign("low_color", lowColor.bokehValue) }
    if let highColor { mapper.assign("high_color", highColor.bokehValue) }
    return .field(field, transform: mapper)
}

/// A factor column mapped to colors by a `CategoricalColorMapper` (Python's `factor_cmap`).
public func factorCmap(
    _ field: String, palette: [Color], factors: [String], start: Int = 0, end: Int? = nil, nanColor: Color = "gray"
) -> Spec<Color> {
    let mapper = CategoricalColorMapper(
        factors: .list(factors.map(Value.string)), palette: palette)
    mapper.assign("start", .int(start))
    if let end { mapper.assign("end", .int(end)) }
    mapper.assign("nan_color", nanColor.bokehValue)
    return .field(field, transform: mapper)
}
