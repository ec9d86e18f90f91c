/// Streaming and patching of column values (lists, typed arrays and n-d arrays), as Python Bokeh's
/// `ColumnDataSource._stream` / `_patch` apply them.
enum ColumnOperations {
    /// `existing` with the rows of `new` appended; keeps only the last `rollover` rows if given.
    static func append(_ new: Value, to existing: Value, rollover: Int?) throws(DocumentError) -> Value {
        if let rollover, rollover < 0 { throw .malformed("rollover", expected: "a non-negative integer") }
        // Streaming into an empty array column takes the new data as it is (Python Bokeh does the same,
        // so e.g. a float64 column can start empty and receive datetime rows).
        if case .ndarray(let old) = existing, old.storage.count == 0, case .ndarray(let added) = new,
            added.shape.count == 1
        {
            var storage = added.storage
            if let rollover, storage.count > rollover { storage = storage.suffix(rollover) }
            return .ndarray(NDArray(storage))
        }
        switch existing {
        case .list(let items):
            var result = items + (try rows(of: new))
            if let rollover, result.count > rollover { result = Array(result.suffix(rollover)) }
            return .list(result)
        case .ndarray(let array):
            let added = try typedRows(of: new, like: array.storage)
            guard let rowSize = NDArray.elementCount(of: array.shape.dropFirst()), rowSize > 0,
                added.count % rowSize == 0
            else {
                throw .notApplicable("streamed rows don't match the column's shape \(array.shape)")
            }
            var storage = array.storage.appending(added)
            var rowCount = storage.count / rowSize
            if let rollover, rowCount > rollover {
                storage = storage.suffix(rollover * rowSize)
                rowCount = rollover
            }
            return .ndarray(try NDArray(storage, shape: [rowCount] + array.shape.dropFirst()))
        case .typedArray(let typed):
            var storage = typed.appending(try typedRows(of: new, like: typed))
            if let rollover, storage.count > rollover { storage = storage.suffix(rollover) }
            return .typedArray(storage)
        default:
            throw .notApplicable("cannot stream to a column that is not a list or an array")
        }
    }

    private static func rows(of value: Value) throws(DocumentError) -> [Value] {
        switch value {
        case .list(let items): items
        case .ndarray(let array) where array.shape.count <= 1: array.storage.elements
        case .typedArray(let typed): typed.elements
        default: throw .notApplicable("streamed data must be a list or a 1-d array")
        }
    }

    /// New rows as a typed array of the target's storage type where the values allow it.
    private static func typedRows(of value: Value, like target: TypedArray) throws(DocumentError) -> TypedArray {
        switch value {
        case .ndarray(let array): return array.storage
        case .typedArray(let typed): return typed
        case .list(let items):
            var converted = placeholder(like: target, count: items.count)
            var index = 0
            for item in items {
                if case .float(let d) = item, d.rounded(.towardZero) != d, !isFloating(target) {
                    return TypedArray.promoting(items)
                }
                do {
                    try converted.set(item, at: index)
                } catch {
                    return TypedArray.promoting(items)
                }
                index += 1
            }
            return converted
        default:
            throw .notApplicable("streamed data must be a list or an array")
        }
    }

    private static func isFloating(_ target: TypedArray) -> Bool {
        switch target {
        case .float64, .float32, .object: true
        default: false
        }
    }

    private static func placeholder(like target: TypedArray, count: Int) -> TypedArray {
        switch target {
        case .float64: .float64(Array(repeating: 0, count: count))
        case .float32: .float32(Array(repeating: 0, count: count))
        case .int64: .int64(Array(repeating: 0, count: count))
        case .uint64: .uint64(Array(repeating: 0, count: count))
        case .int32: .int32(Array(repeating: 0, count: count))
        case .uint32: .uint32(Array(repeating: 0, count: count))
        case .int16: .int16(Array(repeating: 0, count: count))
        case .uint16: .uint16(Array(repeating: 0, count: count))
        case .int8: .int8(Array(repeating: 0, count: count))
        case .uint8: .uint8(Array(repeating: 0, count: count))
        case .bool: .bool(Array(repeating: false, count: count))
        case .string: .string(Array(repeating: "", count: count))
        case .object: .object(Array(repeating: .null, count: count))
        }
    }

    /// Applies one patch to a column value.
    static func patch(_ column: inout Value, at index: PatchIndex, with value: Value) throws(DocumentError) {
        let selectors: [PatchIndex]
        if case .multi(let parts) = index { selectors = parts } else { selectors = [index] }
        try patch(&column, selectors[...], with: value)
    }

    private static func patch(_ target: inout Value, _ selectors: ArraySlice<PatchIndex>, with value: Value)
        throws(DocumentError)
    {
        guard let first = selectors.first else {
            target = value
            return
        }
        switch target {
        case .list(var items):
            let rest = selectors.dropFirst()
            switch first {
            case .index(let raw):
                let i = try resolve(raw, count: items.count)
                try patch(&items[i], rest, with: value)
            case .slice(let slice):
                let indices = slice.indices(count: items.count)
                let values = try spread(value, count: indices.count)
                for (i, v) in zip(indices, values) { try patch(&items[i], rest, with: v) }
            case .multi:
                throw .malformed("patch index", expected: "integers or slices")
            }
            target = .list(items)
        case .ndarray(var array):
            try patchArray(&array.storage, shape: array.shape, selectors, with: value)
            target = .ndarray(array)
        case .typedArray(var typed):
            try patchArray(&typed, shape: [typed.count], selectors, with: value)
            target = .typedArray(typed)
        default:
            throw .notApplicable("cannot patch inside a value that is not a list or an array")
        }
    }

    /// Patches a C-order array: one selector per leading dimension, the remaining dimensions whole.
    private static func patchArray(
        _ storage: inout TypedArray, shape: [Int], _ selectors: ArraySlice<PatchIndex>, with value: Value
    ) throws(DocumentError) {
        guard selectors.count <= shape.count else {
            throw .notApplicable("patch has \(selectors.count) indices for a \(shape.count)-d array")
        }
        guard storage.count > 0 else {
            // Nothing to patch, whatever the shape says (`[0, Int.max]` is a valid empty shape): check the
            // indices and the values, and build no index lists.
            for (dimension, selector) in selectors.enumerated() {
                switch selector {
                case .index(let raw): _ = try resolve(raw, count: shape[dimension])
                case .slice: break
                case .multi: throw .malformed("patch index", expected: "integers or slices")
                }
            }
            _ = try spread(flatten(value), count: 0)
            return
        }
        // A non-empty array's shape multiplies to its element count, so every dimension and every list of
        // chosen flat indices below is at most that long, and no index arithmetic overflows.
        var perDimension: [[Int]] = []
        for (dimension, size) in shape.enumerated() {
            if dimension < selectors.count {
                switch selectors[selectors.startIndex + dimension] {
                case .index(let raw): perDimension.append([try resolve(raw, count: size)])
                case .slice(let slice): perDimension.append(slice.indices(count: size))
                case .multi: throw .malformed("patch index", expected: "integers or slices")
                }
            } else {
                perDimension.append(Array(0..<size))
            }
        }
        var flatIndices: [Int] = [0]
        for (dimension, chosen) in perDimension.enumerated() {
            let size = shape[dimension]
            flatIndices = flatIndices.flatMap { base in chosen.map { base * size + $0 } }
        }
        let values = try spread(flatten(value), count: flatIndices.count)
        for (flat, v) in zip(flatIndices, values) { try storage.set(v, at: flat) }
    }

    /// Patch indices must be in range; negative indices are rejected, as Python Bokeh rejects them.
    private static func resolve(_ index: Int, count: Int) throws(DocumentError) -> Int {
        guard index >= 0 && index < count else { throw .patchIndexOutOfRange(index, count: count) }
        return index
    }

    /// `count` values from a list of exactly that length, or a scalar repeated.
    private static func spread(_ value: Value, count: Int) throws(DocumentError) -> [Value] {
        switch value {
        case .list(let items):
            guard items.count == count else {
                throw .notApplicable("patch supplies \(items.count) values for \(count) positions")
            }
            return items
        case .ndarray(let array):
            guard array.storage.count == count else {
                throw .notApplicable("patch supplies \(array.storage.count) values for \(count) positions")
            }
            return array.storage.elements
        case .typedArray(let typed):
            guard typed.count == count else {
                throw .notApplicable("patch supplies \(typed.count) values for \(count) positions")
            }
            return typed.elements
        default:
            return Array(repeating: value, count: count)
        }
    }

    private static func flatten(_ value: Value) -> Value {
        guard case .list(let items) = value, items.contains(where: { if case .list = $0 { true } else { false } })
        else { return value }
        var flat: [Value] = []
        for item in items {
            if case .list = item, case .list(let inner) = flatten(item) { flat += inner } else { flat.append(item) }
        }
        return .list(flat)
    }
}
