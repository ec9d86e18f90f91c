/// A binary buffer referenced from serialized JSON as `{"type":"bytes","data":{"id":…}}`.
///
/// The serializer emits buffers next to the JSON; the Protocol layer sends each as a buffer header
/// plus a binary frame, and hands received ones back to the deserializer.
///
/// A buffer made from a numeric column shares the column's storage (``storage``) instead of copying it
/// into bytes: a server can write it to the socket as it is. ``bytes`` gives the little-endian bytes
/// either way.
public struct Buffer: Hashable, Sendable {
    /// Where the bytes live.
    public enum Storage: Sendable {
        case bytes([UInt8])
        /// Columns whose in-memory layout is their little-endian wire format (little-endian hosts only).
        case float64([Double])
        case float32([Float])
        case int32([Int32])
        case uint32([UInt32])
        case int16([Int16])
        case uint16([UInt16])
        case int8([Int8])
    }

    public var id: String
    public private(set) var storage: Storage

    public init(id: String, bytes: [UInt8]) {
        self.id = id
        self.storage = .bytes(bytes)
    }

    init(id: String, storage: Storage) {
        self.id = id
        self.storage = storage
    }

    /// The little-endian bytes (a copy when the buffer shares a column's storage).
    public var bytes: [UInt8] {
        get {
            switch storage {
            case .bytes(let b): b
            default: withUnsafeBytes { Array($0) }
            }
        }
        set { storage = .bytes(newValue) }
    }

    public var count: Int { withUnsafeBytes { $0.count } }

    /// The bytes, without copying.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .bytes(let a): try a.withUnsafeBytes(body)
        case .float64(let a): try a.withUnsafeBytes(body)
        case .float32(let a): try a.withUnsafeBytes(body)
        case .int32(let a): try a.withUnsafeBytes(body)
        case .uint32(let a): try a.withUnsafeBytes(body)
        case .int16(let a): try a.withUnsafeBytes(body)
        case .uint16(let a): try a.withUnsafeBytes(body)
        case .int8(let a): try a.withUnsafeBytes(body)
        }
    }

    public static func == (a: Buffer, b: Buffer) -> Bool {
        a.id == b.id && a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

extension TypedArray {
    /// The column as buffer storage shared without copying, with its dtype, when its memory layout is its
    /// little-endian wire format (nil otherwise: narrowed, converted or big-endian).
    var sharedBufferStorage: (dtype: String, storage: Buffer.Storage)? {
        #if _endian(little)
            switch self {
            case .float64(let a): ("float64", .float64(a))
            case .float32(let a): ("float32", .float32(a))
            case .int32(let a): ("int32", .int32(a))
            case .uint32(let a): ("uint32", .uint32(a))
            case .int16(let a): ("int16", .int16(a))
            case .uint16(let a): ("uint16", .uint16(a))
            case .int8(let a): ("int8", .int8(a))
            case .uint8(let a): ("uint8", .bytes(a))
            default: nil
            }
        #else
            nil
        #endif
    }
}
