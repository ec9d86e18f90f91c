/// A column of same-typed elements stored contiguously.
///
/// The numeric cases and `bool` travel as binary buffers; `string` and `object` travel as JSON lists
/// with dtype `"object"`. `int64`/`uint64` exist for values built locally: like Python Bokeh, the
/// serializer narrows them to `int32`/`uint32` when every element fits, and otherwise writes a list.
public enum TypedArray {
    case float64([Double])
    case float32([Float])
    case int64([Int64])
    case uint64([UInt64])
    case int32([Int32])
    case uint32([UInt32])
    case int16([Int16])
    case uint16([UInt16])
    case int8([Int8])
    case uint8([UInt8])
    case bool([Bool])
    case string([String])
    case object([Value])

    /// The numpy dtype name written on the wire (before any narrowing).
    public var dtype: String {
        switch self {
        case .float64: "float64"
        case .float32: "float32"
        case .int64: "int64"
        case .uint64: "uint64"
        case .int32: "int32"
        case .uint32: "uint32"
        case .int16: "int16"
        case .uint16: "uint16"
        case .int8: "int8"
        case .uint8: "uint8"
        case .bool: "bool"
        case .string, .object: "object"
        }
    }

    public var count: Int {
        switch self {
        case .float64(let a): a.count
        case .float32(let a): a.count
        case .int64(let a): a.count
        case .uint64(let a): a.count
        case .int32(let a): a.count
        case .uint32(let a): a.count
        case .int16(let a): a.count
        case .uint16(let a): a.count
        case .int8(let a): a.count
        case .uint8(let a): a.count
        case .bool(let a): a.count
        case .string(let a): a.count
        case .object(let a): a.count
        }
    }

    /// The elements as boxed values (for converting a column to a list).
    public var elements: [Value] {
        switch self {
        case .float64(let a): a.map { .float($0) }
        case .float32(let a): a.map { .float(Double($0)) }
        case .int64(let a): a.map { .int(Int($0)) }
        // trap-safe: constant; the element is checked against it
        case .uint64(let a): a.map { $0 <= UInt64(Int.max) ? .int(Int($0)) : .float(Double($0)) }
        case .int32(let a): a.map { .int(Int($0)) }
        case .uint32(let a): a.map { .int(Int($0)) }
        case .int16(let a): a.map { .int(Int($0)) }
        case .uint16(let a): a.map { .int(Int($0)) }
        case .int8(let a): a.map { .int(Int($0)) }
        case .uint8(let a): a.map { .int(Int($0)) }
        case .bool(let a): a.map { .bool($0) }
        case .string(let a): a.map { .string($0) }
        case .object(let a): a
        }
    }

    /// Size in bytes of one element of a binary dtype, or `nil` for dtypes that travel as lists.
    static func itemSize(of dtype: String) -> Int? {
        switch dtype {
        case "float64", "int64", "uint64": 8
        case "float32", "int32", "uint32": 4
        case "int16", "uint16": 2
        case "int8", "uint8", "bool": 1
        default: nil
        }
    }

    /// Decodes raw buffer bytes of a binary dtype, swapping bytes when `bigEndian` is set.
    init(bytes: [UInt8], dtype: String, bigEndian: Bool) throws(DocumentError) {
        guard let size = Self.itemSize(of: dtype) else { throw .unsupportedDType(dtype) }
        guard bytes.count % size == 0 else { throw .bufferSizeMismatch(dtype: dtype, byteCount: bytes.count) }
        switch dtype {
        case "float64": self = .float64(decodeIntegers(bytes, bigEndian, as: UInt64.self).map(Double.init(bitPattern:)))
        case "float32": self = .float32(decodeIntegers(bytes, bigEndian, as: UInt32.self).map(Float.init(bitPattern:)))
        case "int64": self = .int64(decodeIntegers(bytes, bigEndian, as: Int64.self))
        case "uint64": self = .uint64(decodeIntegers(bytes, bigEndian, as: UInt64.self))
        case "int32": self = .int32(decodeIntegers(bytes, bigEndian, as: Int32.self))
        case "uint32": self = .uint32(decodeIntegers(bytes, bigEndian, as: UInt32.self))
        case "int16": self = .int16(decodeIntegers(bytes, bigEndian, as: Int16.self))
        case "uint16": self = .uint16(decodeIntegers(bytes, bigEndian, as: UInt16.self))
        case "int8": self = .int8(bytes.map { Int8(bitPattern: $0) })
        case "uint8": self = .uint8(bytes)
        default: self = .bool(bytes.map { $0 != 0 })
        }
    }

    /// The raw little-endian bytes of a binary column, or `nil` for string/object columns.
    /// `int64`/`uint64` are narrowed to 32 bits first, as Python Bokeh does; `nil` if they don't fit.
    var binaryRepresentation: (dtype: String, bytes: [UInt8])? {
        switch self {
        case .float64(let a): ("float64", littleEndianBytes(a))
        case .float32(let a): ("float32", littleEndianBytes(a))
        case .int64(let a):
            // trap-safe: every element fits (allSatisfy before)
            a.allSatisfy({ Int32(exactly: $0) != nil }) ? ("int32", encodeIntegers(a.map { Int32($0) })) : nil
        case .uint64(let a):
            // trap-safe: every element fits (allSatisfy before)
            a.allSatisfy({ UInt32(exactly: $0) != nil }) ? ("uint32", encodeIntegers(a.map { UInt32($0) })) : nil
        case .int32(let a): ("int32", littleEndianBytes(a))
        case .uint32(let a): ("uint32", littleEndianBytes(a))
        case .int16(let a): ("int16", littleEndianBytes(a))
        case .uint16(let a): ("uint16", littleEndianBytes(a))
        case .int8(let a): ("int8", a.map { UInt8(bitPattern: $0) })
        case .uint8(let a): ("uint8", a)
        case .bool(let a): ("bool", a.map { $0 ? 1 : 0 })
        case .string, .object: nil
        }
    }

    /// This column followed by `other`, keeping the storage type when both share it; otherwise
    /// (mixed types) an `object` column of the boxed elements.
    public func appending(_ other: TypedArray) -> TypedArray {
        switch (self, other) {
        case (.float64(let a), .float64(let b)): .float64(a + b)
        case (.float32(let a), .float32(let b)): .float32(a + b)
        case (.int64(let a), .int64(let b)): .int64(a + b)
        case (.uint64(let a), .uint64(let b)): .uint64(a + b)
        case (.int32(let a), .int32(let b)): .int32(a + b)
        case (.uint32(let a), .uint32(let b)): .uint32(a + b)
        case (.int16(let a), .int16(let b)): .int16(a + b)
        case (.uint16(let a), .uint16(let b)): .uint16(a + b)
        case (.int8(let a), .int8(let b)): .int8(a + b)
        case (.uint8(let a), .uint8(let b)): .uint8(a + b)
        case (.bool(let a), .bool(let b)): .bool(a + b)
        case (.string(let a), .string(let b)): .string(a + b)
        default: Self.promoting(elements + other.elements)
        }
    }

    /// The last `count` elements.
    public func suffix(_ count: Int) -> TypedArray {
        switch self {
        case .float64(let a): .float64(Array(a.suffix(count)))
        case .float32(let a): .float32(Array(a.suffix(count)))
        case .int64(let a): .int64(Array(a.suffix(count)))
        case .uint64(let a): .uint64(Array(a.suffix(count)))
        case .int32(let a): .int32(Array(a.suffix(count)))
        case .uint32(let a): .uint32(Array(a.suffix(count)))
        case .int16(let a): .int16(Array(a.suffix(count)))
        case .uint16(let a): .uint16(Array(a.suffix(count)))
        case .int8(let a): .int8(Array(a.suffix(count)))
        case .uint8(let a): .uint8(Array(a.suffix(count)))
        case .bool(let a): .bool(Array(a.suffix(count)))
        case .string(let a): .string(Array(a.suffix(count)))
        case .object(let a): .object(Array(a.suffix(count)))
        }
    }

    /// Replaces the element at `index` with `value`, converting it to the column's type
    /// (numbers are cast as numpy assignment casts them). Throws if the value can't be stored.
    public mutating func set(_ value: Value, at index: Int) throws(DocumentError) {
        guard index >= 0 && index < count else { throw .patchIndexOutOfRange(index, count: count) }
        func number() throws(DocumentError) -> Double {
            if let d = value.doubleValue { return d }
            if let b = value.boolValue { return b ? 1 : 0 }
            throw .patchValueMismatch(dtype: dtype)
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws(DocumentError) -> T {
            let d = try number()
            guard d.isFinite, let v = T(exactly: d.rounded(.towardZero)) else {
                throw .patchValueMismatch(dtype: dtype)
            }
            return v
        }
        switch self {
        case .float64(var a): a[index] = try number(); self = .float64(a)
        case .float32(var a): a[index] = Float(try number()); self = .float32(a)
        case .int64(var a): a[index] = try integer(Int64.self); self = .int64(a)
        case .uint64(var a): a[index] = try integer(UInt64.self); self = .uint64(a)
        case .int32(var a): a[index] = try integer(Int32.self); self = .int32(a)
        case .uint32(var a): a[index] = try integer(UInt32.self); self = .uint32(a)
        case .int16(var a): a[index] = try integer(Int16.self); self = .int16(a)
        case .uint16(var a): a[index] = try integer(UInt16.self); self = .uint16(a)
        case .int8(var a): a[index] = try integer(Int8.self); self = .int8(a)
        case .uint8(var a): a[index] = try integer(UInt8.self); self = .uint8(a)
        case .bool(var a): a[index] = try number() != 0; self = .bool(a)
        case .string(var a):
            if let s = value.stringValue {
                a[index] = s
                self = .string(a)
            } else {
                var boxed = a.map { Value.string($0) }
                boxed[index] = value
                self = .object(boxed)
            }
        case .object(var a): a[index] = value; self = .object(a)
        }
    }

    /// A column for a list of boxed elements: `string` when all are strings, else `object`.
    static func promoting(_ values: [Value]) -> TypedArray {
        var strings: [String] = []
        strings.reserveCapacity(values.count)
        for value in values {
            guard case .string(let s) = value else { return .object(values) }
            strings.append(s)
        }
        return .string(strings)
    }

    func forEachModel(_ body: (Model) -> Void) {
        if case .object(let values) = self { for v in values { v.forEachModel(body) } }
    }
}

/// A shaped array: a flat C-order column plus its shape (`shape.reduce(1, *) == storage.count`).
public struct NDArray: Equatable {
    public var storage: TypedArray
    public var shape: [Int]

    /// A 1-D array of `storage`.
    public init(_ storage: TypedArray) {
        self.storage = storage
        self.shape = [storage.count]
    }

    /// An array of the given shape; throws if the element count doesn't match (or the shape's product
    /// does not fit in `Int`).
    public init(_ storage: TypedArray, shape: [Int]) throws(DocumentError) {
        guard let count = Self.elementCount(of: shape), count == storage.count else {
            throw .shapeMismatch(shape: shape, count: storage.count)
        }
        self.storage = storage
        self.shape = shape
    }

    /// The product of `dimensions`, or nil when one is negative or the product overflows `Int`.
    static func elementCount<C: Collection<Int>>(of dimensions: C) -> Int? {
        var product = 1
        for d in dimensions {
            guard d >= 0 else { return nil }
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            product = p
        }
        return product
    }
}

extension TypedArray: Equatable {
    /// Element-wise equality with the same storage type; NaN equals NaN.
    public static func == (lhs: TypedArray, rhs: TypedArray) -> Bool {
        switch (lhs, rhs) {
        case (.float64(let a), .float64(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        case (.float32(let a), .float32(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        case (.int64(let a), .int64(let b)): a == b
        case (.uint64(let a), .uint64(let b)): a == b
        case (.int32(let a), .int32(let b)): a == b
        case (.uint32(let a), .uint32(let b)): a == b
        case (.int16(let a), .int16(let b)): a == b
        case (.uint16(let a), .uint16(let b)): a == b
        case (.int8(let a), .int8(let b)): a == b
        case (.uint8(let a), .uint8(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }
}

private func decodeIntegers<T: FixedWidthInteger>(_ bytes: [UInt8], _ bigEndian: Bool, as: T.Type) -> [T] {
    let size = MemoryLayout<T>.size
    let count = bytes.count / size
    return [T](unsafeUninitializedCapacity: count) { out, initialized in
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                let v = raw.loadUnaligned(fromByteOffset: i * size, as: T.self)
                out[i] = bigEndian ? T(bigEndian: v) : T(littleEndian: v)
            }
        }
        initialized = count
    }
}

/// The elements' little-endian bytes: one copy of the storage on little-endian hosts (no per-element pass,
/// no intermediate array), byte-swapped element by element elsewhere.
private func littleEndianBytes<T: BitwiseCopyable>(_ values: [T]) -> [UInt8] {
    #if _endian(little)
        return values.withUnsafeBytes { raw in
            [UInt8](unsafeUninitializedCapacity: raw.count) { out, initialized in
                if let source = raw.baseAddress, let target = out.baseAddress {
                    UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: raw.count)
                }
                initialized = raw.count
            }
        }
    #else
        switch values {
        case let v as [Double]: return encodeIntegers(v.map(\.bitPattern))
        case let v as [Float]: return encodeIntegers(v.map(\.bitPattern))
        case let v as [Int32]: return encodeIntegers(v)
        case let v as [UInt32]: return encodeIntegers(v)
        case let v as [Int16]: return encodeIntegers(v)
        case let v as [UInt16]: return encodeIntegers(v)
        default: return values.withUnsafeBytes { Array($0) }
        }
    #endif
}

private func encodeIntegers<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    let size = MemoryLayout<T>.size
    return [UInt8](unsafeUninitializedCapacity: values.count * size) { out, initialized in
        let raw = UnsafeMutableRawBufferPointer(out)
        for (i, v) in values.enumerated() {
            raw.storeBytes(of: v.littleEndian, toByteOffset: i * size, as: T.self)
        }
        initialized = values.count * size
    }
}

extension TypedArray {
    /// Appends `other` in place when both hold the same element type, then keeps only the last `limit`
    /// elements; returns false, changing nothing, otherwise. The elements are not copied when this
    /// storage is not shared (streaming into a column costs the new rows, not the whole column).
    mutating func appendInPlace(_ other: TypedArray, keepingLast limit: Int?) -> Bool {
        switch self {
        case .float64(var a):
            guard case .float64(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .float64(a)
        case .float32(var a):
            guard case .float32(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .float32(a)
        case .int64(var a):
            guard case .int64(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .int64(a)
        case .uint64(var a):
            guard case .uint64(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .uint64(a)
        case .int32(var a):
            guard case .int32(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .int32(a)
        case .uint32(var a):
            guard case .uint32(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .uint32(a)
        case .int16(var a):
            guard case .int16(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .int16(a)
        case .uint16(var a):
            guard case .uint16(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .uint16(a)
        case .int8(var a):
            guard case .int8(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .int8(a)
        case .uint8(var a):
            guard case .uint8(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .uint8(a)
        case .bool(var a):
            guard case .bool(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .bool(a)
        case .string(var a):
            guard case .string(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .string(a)
        case .object(var a):
            guard case .object(let b) = other else { return false }
            self = .bool([])
            Self.grow(&a, b, limit)
            self = .object(a)
        }
        return true
    }

    private static func grow<T>(_ a: inout [T], _ b: [T], _ limit: Int?) {
        a.append(contentsOf: b)
        if let limit, limit >= 0, a.count > limit { a.removeFirst(a.count - limit) }
    }
}
