/// Bytes owned elsewhere that a write can use without copying them first (a numeric column's storage).
public protocol ByteStorage: Sendable {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

/// An array of plain values written as its in-memory bytes (a little-endian host's wire format).
public struct ArrayBytes<Element: BitwiseCopyable & Sendable>: ByteStorage {
    public let array: [Element]
    public init(_ array: [Element]) { self.array = array }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try array.withUnsafeBytes(body)
    }
}

/// One buffer of a connection's write queue: bytes of our own, or storage shared with the caller.
enum OutgoingChunk {
    case bytes([UInt8])
    case shared(any ByteStorage, count: Int)

    init(_ storage: any ByteStorage) {
        self = .shared(storage, count: storage.withUnsafeBytes { $0.count })
    }

    var count: Int {
        switch self {
        case .bytes(let b): b.count
        case .shared(_, let count): count
        }
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .bytes(let b): try b.withUnsafeBytes(body)
        case .shared(let s, _): try s.withUnsafeBytes(body)
        }
    }

    /// A copy as an array (TLS encrypts from arrays; rare fallbacks).
    var array: [UInt8] {
        switch self {
        case .bytes(let b): b
        case .shared(let s, _): s.withUnsafeBytes { Array($0) }
        }
    }
}
