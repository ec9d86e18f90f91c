public import Foundation

/// A column of a ``ColumnDataSource`` built from Swift values: an array of ``ColumnElement``s
/// (`[Double]`, `[Int]`, `[String]`, `[Bool]`, `[Date]`, …) or a ``Value`` as it is.
public protocol ColumnConvertible {
    /// The column as stored in the source's `data` map.
    var columnValue: Value { get }
}

extension Array: ColumnConvertible where Element: ColumnElement {
    public var columnValue: Value { Element.column(self) }
}

extension Value: ColumnConvertible {
    /// A ``Value`` is stored as it is (`.ndarray(...)`, `.list(...)`).
    public var columnValue: Value { self }
}

/// An element type a column can hold, written to and read back from a column.
public protocol ColumnElement {
    /// A column of these values, stored as Python Bokeh stores the same values.
    static func column(_ values: [Self]) -> Value
    /// The elements of a stored column (a list or a typed array) as this type, or `nil` when some element
    /// is not one.
    static func elements(of column: Value) -> [Self]?
}

extension ColumnElement {
    /// Each element of a list, or of a typed array's boxed elements, through `convert`.
    static func converting(_ column: Value, _ convert: (Value) -> Self?) -> [Self]? {
        let items: [Value]
        switch column {
        case .list(let list): items = list
        case .ndarray(let array): items = array.storage.elements
        case .typedArray(let typed): items = typed.elements
        default: return nil
        }
        var out: [Self] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let element = convert(item) else { return nil }
            out.append(element)
        }
        return out
    }
}

extension Double: ColumnElement {
    /// Numbers travel as a float64 array, as numpy arrays do from Python.
    public static func column(_ values: [Double]) -> Value { .ndarray(NDArray(.float64(values))) }
    /// Any numeric column (ints widened); a `null` element (Python's `None`) reads as NaN, as BokehJS draws it.
    public static func elements(of column: Value) -> [Double]? {
        func numbers(_ storage: TypedArray) -> [Double]? {
            switch storage {
            case .float64(let v): v
            case .float32(let v): v.map(Double.init)
            case .int64(let v): v.map(Double.init)
            case .uint64(let v): v.map(Double.init)
            case .int32(let v): v.map(Double.init)
            case .uint32(let v): v.map(Double.init)
            case .int16(let v): v.map(Double.init)
            case .uint16(let v): v.map(Double.init)
            case .int8(let v): v.map(Double.init)
            case .uint8(let v): v.map(Double.init)
            case .bool, .string, .object: nil
            }
        }
        switch column {
        case .ndarray(let array): if let v = numbers(array.storage) { return v }
        case .typedArray(let typed): if let v = numbers(typed) { return v }
        default: break
        }
        return converting(column) { value in value == .null ? .nan : value.doubleValue }
    }
}

extension Float: ColumnElement {
    /// A float32 array.
    public static func column(_ values: [Float]) -> Value { .ndarray(NDArray(.float32(values))) }
    public static func elements(of column: Value) -> [Float]? { Double.elements(of: column)?.map(Float.init) }
}

extension Int: ColumnElement {
    /// A list of integers, as a Python list of ints travels.
    public static func column(_ values: [Int]) -> Value { .list(values.map { .int($0) }) }
    /// Integer lists and integer arrays; floats only when they are whole numbers.
    public static func elements(of column: Value) -> [Int]? {
        converting(column) { value in
            switch value {
            case .int(let i): i
            case .float(let d): d.rounded(.towardZero) == d ? Int(exactly: d) : nil
            default: nil
            }
        }
    }
}

extension String: ColumnElement {
    public static func column(_ values: [String]) -> Value { .list(values.map { .string($0) }) }
    public static func elements(of column: Value) -> [String]? { converting(column) { $0.stringValue } }
}

extension Bool: ColumnElement {
    public static func column(_ values: [Bool]) -> Value { .list(values.map { .bool($0) }) }
    public static func elements(of column: Value) -> [Bool]? { converting(column) { $0.boolValue } }
}

extension Date: ColumnElement {
    /// Milliseconds since the epoch in a float64 array: what Bokeh sends for a datetime column, and what a
    /// `datetime` axis reads.
    public static func column(_ values: [Date]) -> Value {
        Double.column(values.map { $0.timeIntervalSince1970 * 1000 })
    }
    public static func elements(of column: Value) -> [Date]? {
        Double.elements(of: column)?.map { Date(timeIntervalSince1970: $0 / 1000) }
    }
}

extension Value: ColumnElement {
    public static func column(_ values: [Value]) -> Value { .list(values) }
    public static func elements(of column: Value) -> [Value]? {
        switch column {
        case .list(let items): items
        case .ndarray(let array): array.storage.elements
        case .typedArray(let typed): typed.elements
        default: nil
        }
    }
}

/// The columns of a ``ColumnDataSource`` (its `data`), in order. Built from Swift arrays —
/// `source.data = ["x": xs, "y": ys]` — and read back typed: `source.data["y", as: Double.self]`.
public struct ColumnData: Equatable, ExpressibleByDictionaryLiteral {
    /// The columns as the model stores them.
    public var map: ValueMap

    public init() { map = ValueMap() }
    public init(_ map: ValueMap) { self.map = map }
    public init(dictionaryLiteral elements: (String, any ColumnConvertible)...) {
        map = ValueMap(elements.map { (key: .string($0.0), value: $0.1.columnValue) })
    }
    /// Columns from name → column pairs, in the given order.
    public init(_ columns: KeyValuePairs<String, any ColumnConvertible>) {
        map = ValueMap(columns.map { (key: .string($0.key), value: $0.value.columnValue) })
    }

    /// The column names, in order.
    public var names: [String] { map.stringKeys }
    /// The number of columns.
    public var count: Int { map.count }
    public var isEmpty: Bool { map.isEmpty }

    /// A column as stored; setting `nil` removes it.
    public subscript(name: String) -> DocumentModel.Value? {
        get { map[name] }
        set { map[name] = newValue }
    }

    /// A column read back as Swift values: from a list or a typed array alike (`[Double]` from float64 or
    /// int32 arrays and from number lists). `nil` when there is no such column or an element doesn't fit.
    public subscript<T: ColumnElement>(name: String, as type: T.Type) -> [T]? {
        map[name].flatMap { T.elements(of: $0) }
    }

    /// Sets column `name` from Swift values (`data.set("y", ys)`), replacing or appending it.
    public mutating func set(_ name: String, _ column: some ColumnConvertible) { map[name] = column.columnValue }

    /// The length of the first column (lists, arrays and n-d arrays by their first dimension), 0 when empty.
    public var rowCount: Int { map.entries.first.map { Self.rowCount(of: $0.value) } ?? 0 }

    /// The rows of one column: a list's or typed array's length, an n-d array's first dimension.
    static func rowCount(of column: DocumentModel.Value) -> Int {
        switch column {
        case .list(let items): return items.count
        case .ndarray(let array): return array.shape.first ?? 0
        case .typedArray(let typed): return typed.count
        default: return 0
        }
    }
}

extension ColumnData: BokehConvertible {
    public static func fromBokeh(_ value: DocumentModel.Value) -> ColumnData? {
        ValueMap.fromBokeh(value).map(ColumnData.init)
    }
    public var bokehValue: DocumentModel.Value { .map(map) }
}

extension ColumnData: CustomStringConvertible {
    public var description: String { map.description }
}

extension ColumnDataSource {
    /// A data source whose columns are Swift arrays, in the given order:
    /// `ColumnDataSource(columns: ["x": [1.0, 2, 3], "label": ["a", "b", "c"]])`.
    public convenience init(columns: KeyValuePairs<String, any ColumnConvertible>) {
        self.init()
        data = ColumnData(columns)
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

extension Value {
    /// A column from Swift values, as ``ColumnData`` stores it (`Value([1.0, 2])` is a float64 array).
    public init(column: some ColumnConvertible) { self = column.columnValue }
}

extension PatchIndex: ExpressibleByIntegerLiteral {
    /// An integer literal is one row: `source.patch(["y": [(0, 10.0)]])`.
    public init(integerLiteral value: Int) { self = .index(value) }

    /// The rows of a half-open range: `(.rows(1..<3), [5.0, 6])`, Python's `slice(1, 3)`.
    public static func rows(_ range: Range<Int>) -> PatchIndex {
        .slice(Slice(start: range.lowerBound, stop: range.upperBound))
    }
}

extension ColumnDataSource {
    /// Appends rows to every column (Python's `source.stream(new_data, rollover)`), keeping only the last
    /// `rollover` rows if given. As in Python, the new data must name exactly the source's columns, each
    /// with the same number of rows. In a document (an app's session) this sends one `ColumnsStreamed`;
    /// the document is unchanged when it throws.
    public func stream(_ newData: ColumnData, rollover: Int? = nil) throws(DocumentError) {
        let existing = Set(data.names)
        let streamed = Set(newData.names)
        if existing != streamed {
            let missing = existing.subtracting(streamed).sorted()
            let extra = streamed.subtracting(existing).sorted()
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing: \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("extra: \(extra.joined(separator: ", "))") }
            throw .notApplicable("must stream updates to all existing columns (\(parts.joined(separator: "; ")))")
        }
        let lengths = Set(newData.map.entries.map { ColumnData.rowCount(of: $0.value) })
        if lengths.count > 1 { throw .notApplicable("all streaming column updates must be the same length") }
        if let document {
            try document.stream(to: self, newData.map, rollover: rollover)
            return
        }
        var updated = data
        for name in newData.names {
            guard let old = updated[name], let new = newData[name] else { continue }
            updated[name] = try ColumnOperations.append(new, to: old, rollover: rollover)
        }
        data = updated
    }

    /// Replaces elements in place (Python's `source.patch(patches)`): per column, `(index, value)` pairs
    /// where the index is a row (`0`), a range of rows (`.rows(1..<3)` with one value per row) or a
    /// row and positions inside it (`.multi([...])`). Every column must exist and every index be in range;
    /// nothing changes when it throws. In a document this sends one `ColumnsPatched`.
    public func patch(_ patches: KeyValuePairs<String, [(PatchIndex, Value)]>) throws(DocumentError) {
        let names = Set(data.names)
        let extra = patches.map(\.key).filter { !names.contains($0) }
        if !extra.isEmpty {
            throw .notApplicable("can only patch existing columns (extra: \(extra.sorted().joined(separator: ", ")))")
        }
        let list = patches.map { (column: $0.key, patches: $0.value.map { (index: $0.0, value: $0.1) }) }
        if let document {
            try document.patch(self, list)
            return
        }
        var updated = data
        for column in list {
            guard var value = updated[column.column] else { continue }
            for patch in column.patches { try ColumnOperations.patch(&value, at: patch.index, with: patch.value) }
            updated[column.column] = value
        }
        data = updated
    }
}
