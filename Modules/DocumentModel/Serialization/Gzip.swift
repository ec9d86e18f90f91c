/// Minimal gzip (RFC 1952) support for Bokeh's inline bytes (`{"type":"bytes","data":"<base64(gzip)>"}`).
///
/// DocumentModel depends on no system library, so this carries its own DEFLATE (RFC 1951) decoder.
/// The encoder writes stored (uncompressed) blocks: any gunzip accepts them, and inline mode is only
/// used for standalone output where size matters less than having no dependency.
enum Gzip {
    /// Gzip of `bytes` with stored DEFLATE blocks, mtime 1 (as Python Bokeh writes it).
    static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 1, 0, 0, 0, 0, 0xFF]
        var offset = 0
        repeat {
            let length = min(65535, bytes.count - offset)
            let final: UInt8 = offset + length == bytes.count ? 1 : 0
            out.append(final)
            out.append(UInt8(truncatingIfNeeded: length))
            out.append(UInt8(truncatingIfNeeded: length >> 8))
            out.append(UInt8(truncatingIfNeeded: ~length))
            out.append(UInt8(truncatingIfNeeded: ~length >> 8))
            out.append(contentsOf: bytes[offset..<(offset + length)])
            offset += length
        } while offset < bytes.count
        appendLE32(crc32(bytes), to: &out)
        appendLE32(UInt32(truncatingIfNeeded: bytes.count), to: &out)
        return out
    }

    /// The decompressed contents of one gzip member. `maxOutput` bounds the result (zip bombs).
    static func decompress(_ data: [UInt8], maxOutput: Int) throws(DocumentError) -> [UInt8] {
        guard data.count >= 18, data[0] == 0x1F, data[1] == 0x8B, data[2] == 8 else {
            throw .inlineData("not gzip data")
        }
        let flags = data[3]
        var position = 10
        if flags & 0x04 != 0 {
            guard position + 2 <= data.count else { throw .inlineData("truncated gzip header") }
            position += 2 + (Int(data[position]) | Int(data[position + 1]) << 8)
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {
            while position < data.count && data[position] != 0 { position += 1 }
            position += 1
        }
        if flags & 0x02 != 0 { position += 2 }
        guard position < data.count else { throw .inlineData("truncated gzip header") }
        var inflater = Inflater(input: data, position: position, maxOutput: maxOutput)
        try inflater.run()
        let trailer = inflater.bytePosition
        guard trailer + 8 <= data.count else { throw .inlineData("truncated gzip trailer") }
        let crc = readLE32(data, trailer)
        let size = readLE32(data, trailer + 4)
        guard crc == crc32(inflater.output), size == UInt32(truncatingIfNeeded: inflater.output.count) else {
            throw .inlineData("gzip checksum mismatch")
        }
        return inflater.output
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        // trap-safe: n < 256 (the CRC table index)
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    private static func appendLE32(_ v: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: v >> shift)) }
    }

    private static func readLE32(_ d: [UInt8], _ i: Int) -> UInt32 {
        UInt32(d[i]) | UInt32(d[i + 1]) << 8 | UInt32(d[i + 2]) << 16 | UInt32(d[i + 3]) << 24
    }
}

/// A straightforward DEFLATE decoder (canonical Huffman decoding by code length, as in zlib's puff).
private struct Inflater {
    let input: [UInt8]
    var position: Int
    var bitBuffer: UInt32 = 0
    var bitCount = 0
    let maxOutput: Int
    var output: [UInt8] = []

    init(input: [UInt8], position: Int, maxOutput: Int) {
        self.input = input
        self.position = position
        self.maxOutput = maxOutput
    }

    /// Byte position just after the DEFLATE stream.
    var bytePosition: Int { position }

    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        init(lengths: [Int]) throws(DocumentError) {
            symbols = [Int](repeating: 0, count: lengths.count)
            for l in lengths { counts[l] += 1 }
            var offsets = [Int](repeating: 0, count: 16)
            for l in 1..<15 { offsets[l + 1] = offsets[l] + counts[l] }
            for (symbol, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = symbol
                offsets[l] += 1
            }
        }
    }

    mutating func bits(_ need: Int) throws(DocumentError) -> Int {
        while bitCount < need {
            guard position < input.count else { throw .inlineData("truncated deflate stream") }
            // trap-safe: bitCount < 32
            bitBuffer |= UInt32(input[position]) << UInt32(bitCount)
            position += 1
            bitCount += 8
        }
        // trap-safe: need <= 16
        let value = Int(bitBuffer & ((1 << UInt32(need)) - 1))
        // trap-safe: need <= 16
        bitBuffer >>= UInt32(need)
        bitCount -= need
        return value
    }

    mutating func decode(_ h: Huffman) throws(DocumentError) -> Int {
        var code = 0, first = 0, index = 0
        for length in 1..<16 {
            code |= try bits(1)
            let count = h.counts[length]
            if code - count < first { return h.symbols[index + (code - first)] }
            index += count
            first += count
            first <<= 1
            code <<= 1
        }
        throw .inlineData("invalid Huffman code")
    }

    static let lengthBase = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227,
        258,
    ]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distBase = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
        6145, 8193, 12289, 16385, 24577,
    ]
    static let distExtra = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
    ]

    mutating func run() throws(DocumentError) {
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0: try stored()
            case 1:
                let lengths =
                    [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112)
                    + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8)
                try codes(Huffman(lengths: lengths), Huffman(lengths: [Int](repeating: 5, count: 30)))
            case 2: try dynamic()
            default: throw .inlineData("invalid deflate block type")
            }
        }
        bitBuffer = 0
        bitCount = 0
    }

    mutating func stored() throws(DocumentError) {
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.count else { throw .inlineData("truncated stored block") }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let check = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == ~check & 0xFFFF else { throw .inlineData("corrupt stored block") }
        position += 4
        guard position + length <= input.count else { throw .inlineData("truncated stored block") }
        guard output.count + length <= maxOutput else { throw .inlineData("decompressed data exceeds the limit") }
        output.append(contentsOf: input[position..<(position + length)])
        position += length
    }

    mutating func dynamic() throws(DocumentError) {
        let nlen = try bits(5) + 257, ndist = try bits(5) + 1, ncode = try bits(4) + 4
        guard nlen <= 286, ndist <= 30 else { throw .inlineData("bad code counts") }
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for i in 0..<ncode { codeLengths[order[i]] = try bits(3) }
        let lencode = try Huffman(lengths: codeLengths)
        var lengths: [Int] = []
        while lengths.count < nlen + ndist {
            let symbol = try decode(lencode)
            if symbol < 16 {
                lengths.append(symbol)
                continue
            }
            var repeatValue = 0
            let count: Int
            switch symbol {
            case 16:
                guard let previous = lengths.last else { throw .inlineData("repeat with no previous length") }
                repeatValue = previous
                count = 3 + (try bits(2))
            case 17: count = 3 + (try bits(3))
            default: count = 11 + (try bits(7))
            }
            guard lengths.count + count <= nlen + ndist else { throw .inlineData("too many code lengths") }
            lengths.append(contentsOf: repeatElement(repeatValue, count: count))
        }
        try codes(Huffman(lengths: Array(lengths[..<nlen])), Huffman(lengths: Array(lengths[nlen...])))
    }

    mutating func codes(_ lencode: Huffman, _ distcode: Huffman) throws(DocumentError) {
        while true {
            var symbol = try decode(lencode)
            if symbol < 256 {
                guard output.count < maxOutput else { throw .inlineData("decompressed data exceeds the limit") }
                // trap-safe: a literal symbol, < 256
                output.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            symbol -= 257
            guard symbol < 29 else { throw .inlineData("invalid length symbol") }
            let length = Self.lengthBase[symbol] + (try bits(Self.lengthExtra[symbol]))
            let distSymbol = try decode(distcode)
            guard distSymbol < 30 else { throw .inlineData("invalid distance symbol") }
            let distance = Self.distBase[distSymbol] + (try bits(Self.distExtra[distSymbol]))
            guard distance <= output.count else { throw .inlineData("distance too far back") }
            guard output.count + length <= maxOutput else { throw .inlineData("decompressed data exceeds the limit") }
            let start = output.count - distance
            for i in 0..<length { output.append(output[start + i]) }
        }
    }
}
