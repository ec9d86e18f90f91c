// Byte feeders: every decoder is fed its input whole, one byte at a time and at random split points.

/// A way of cutting an input into the pieces a decoder is fed.
public enum Chunking: Sendable, CustomStringConvertible, CaseIterable {
    case whole
    case byteByByte
    case random(seed: UInt64)

    public static var allCases: [Chunking] {
        [.whole, .byteByByte, .random(seed: 1), .random(seed: 0x5eed), .random(seed: 0xdead_beef)]
    }

    public var description: String {
        switch self {
        case .whole: "whole"
        case .byteByByte: "byte-by-byte"
        case .random(let seed): "random(seed: \(seed))"
        }
    }

    /// Cuts `bytes` into consecutive, non-empty pieces.
    public func split(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        if bytes.isEmpty { return [] }
        switch self {
        case .whole:
            return [bytes[...]]
        case .byteByByte:
            return bytes.indices.map { bytes[$0...$0] }
        case .random(let seed):
            var rng = SeededGenerator(seed: seed)
            var pieces: [ArraySlice<UInt8>] = []
            var start = 0
            while start < bytes.count {
                let maxLen = Swift.min(bytes.count - start, 64)
                let len = Int.random(in: 1...maxLen, using: &rng)
                pieces.append(bytes[start..<(start + len)])
                start += len
            }
            return pieces
        }
    }
}

/// A small, fast, seedable generator (SplitMix64) so randomised tests are repeatable.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}

/// Every way of cutting `bytes` into two pieces (for exhaustive split-point sweeps).
public func everySplit(_ bytes: [UInt8]) -> [[ArraySlice<UInt8>]] {
    (0...bytes.count).map { cut in [bytes[..<cut], bytes[cut...]].filter { !$0.isEmpty } }
}
