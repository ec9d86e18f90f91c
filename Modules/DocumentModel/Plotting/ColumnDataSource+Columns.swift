/// A column of a ``ColumnDataSource`` built from Swift values.
public protocol ColumnConvertible {
    /// The column as stored in the source's `data` map.
    var columnValue: Value { get }
}

extension Array: ColumnConvertible where Element: ColumnElement {
    public var columnValue: Value { Element.column(self) }
}

/// An element type a column can hold.
public protocol ColumnElement {
    static func column(_ values: [Self]) -> Value
}

extension Double: ColumnElement {
    /// Numbers travel as a float64 array, as numpy arrays do from Python.
    public static func column(_ values: [Double]) -> Value { .ndarray(NDArray(.float64(values))) }
}

extension Int: ColumnElement {
    public static func column(_ values: [Int]) -> Value { .list(values.map { .int($0) }) }
}

extension String: ColumnElement {
    public static func column(_ values: [String]) -> Value { .list(values.map { .string($0) }) }
}

extension Value: ColumnElement {
    public static func column(_ values: [Value]) -> Value { .list(values) }
}

extension ColumnDataSource {
    /// A data source whose columns are Swift arrays, in the given order:
    /// `ColumnDataSource(columns: ["x": [1.0, 2, 3], "label": ["a", "b", "c"]])`.
    public convenience init(columns: KeyValuePairs<String, any ColumnConvertible>) {
        self.init()
        var map = ValueMap()
        for (name, column) in columns { map[name] = column.columnValue }
        data = map
    }

    /// A 2-D image column entry (rows of equal length) as a shaped float64 array, for `image` glyphs.
    public static func image(_ rows: [[Double]]) -> Value {
        let width = rows.first?.count ?? 0
        let flat = rows.flatMap { $0 }
        guard rows.allSatisfy({ $0.count == width }),
            let array = try? NDArray(.float64(flat), shape: [rows.count, width])
        else { return .list(rows.map { .list($0.map { .float($0) }) }) }
        return .ndarray(array)
    }
}

extension ColumnDataSource {
    /// A 2-D RGBA image column entry (rows of packed `0xAABBGGRR` pixels) as a shaped uint32 array, for
    /// `image_rgba` glyphs.
    public static func rgbaImage(_ rows: [[UInt32]]) -> Value {
        let width = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == width }),
            let array = try? NDArray(.uint32(rows.flatMap { $0 }), shape: [rows.count, width])
        else { return .list(rows.map { .list($0.map { .int(Int($0)) }) }) }
        return .ndarray(array)
    }
}

extension Spec: ExpressibleByUnicodeScalarLiteral, ExpressibleByExtendedGraphemeClusterLiteral,
    ExpressibleByStringLiteral
where T == Double {
    /// A string literal names a column, as a string does for a Python `NumberSpec`.
    public init(stringLiteral value: String) { self.init(.field(value)) }
}
