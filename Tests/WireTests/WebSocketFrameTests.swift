import Testing
import TestSupport
@testable import Wire

func decodeFrames(
    _ input: [UInt8], _ chunking: Chunking, role: WebSocketRole, maxFrameSize: Int = 1 << 24,
    rsv: UInt8 = 0
) -> Result<[WebSocketFrame], WebSocketError> {
    var d = WebSocketFrameDecoder(role: role, maxFrameSize: maxFrameSize, allowedReservedBits: rsv)
    var out: [WebSocketFrame] = []
    do {
        for piece in chunking.split(input) {
            d.feed(piece)
            while let f = try d.next() { out.append(f) }
        }
        return .success(out)
    } catch {
        return .failure(error)
    }
}

@Suite struct WebSocketFrameTests {
    /// RFC 6455 section 5.7 examples.
    struct Example: Sendable, CustomStringConvertible {
        let name: String
        let bytes: [UInt8]
        let role: WebSocketRole  // the receiving side
        let frames: [WebSocketFrame]
        var description: String { name }
    }

    static let hello = Array("Hello".utf8)
    static let examples: [Example] = [
        Example(
            name: "single-frame unmasked text", bytes: [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], role: .client,
            frames: [WebSocketFrame(opcode: .text, payload: hello)]),
        Example(
            name: "single-frame masked text",
            bytes: [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58],
            role: .server, frames: [WebSocketFrame(opcode: .text, payload: hello)]),
        Example(
            name: "fragmented unmasked text", bytes: [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f],
            role: .client,
            frames: [
                WebSocketFrame(fin: false, opcode: .text, payload: Array("Hel".utf8)),
                WebSocketFrame(opcode: .continuation, payload: Array("lo".utf8)),
            ]),
        Example(
            name: "unmasked ping", bytes: [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], role: .client,
            frames: [WebSocketFrame(opcode: .ping, payload: hello)]),
        Example(
            name: "masked pong", bytes: [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58],
            role: .server,
            frames: [WebSocketFrame(opcode: .pong, payload: hello)]),
        Example(
            name: "256 bytes binary, 16-bit length",
            bytes: [0x82, 0x7E, 0x01, 0x00] + [UInt8](repeating: 0xAB, count: 256),
            role: .client, frames: [WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 0xAB, count: 256))]),
        Example(
            name: "64 KiB binary, 64-bit length",
            bytes: [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0] + [UInt8](repeating: 0x5A, count: 65536), role: .client,
            frames: [WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 0x5A, count: 65536))]),
    ]

    @Test(arguments: examples)
    func decodesRFCExamplesInAnyChunking(_ e: Example) throws {
        for chunking in Chunking.allCases {
            #expect(try decodeFrames(e.bytes, chunking, role: e.role).get() == e.frames, "\(chunking)")
        }
    }

    @Test func encodesRFCExamplesByteForByte() {
        let key = WebSocketMaskingKey(0x37, 0xfa, 0x21, 0x3d)
        #expect(
            WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .text, payload: Self.hello)) == Self.examples[0].bytes)
        #expect(
            WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .text, payload: Self.hello), maskingKey: key)
                == Self.examples[1].bytes)
        #expect(
            WebSocketFrameEncoder.encode(WebSocketFrame(opcode: .pong, payload: Self.hello), maskingKey: key)
                == Self.examples[4].bytes)
        #expect(WebSocketFrameEncoder.encode(Self.examples[6].frames[0]) == Self.examples[6].bytes)
    }

    static let lengths = [0, 1, 7, 8, 9, 31, 32, 33, 125, 126, 127, 65535, 65536, 70001]

    @Test(arguments: lengths)
    func roundTripsAcrossLengthBoundaries(_ length: Int) throws {
        var rng = SeededGenerator(seed: UInt64(length) &+ 99)
        for opcode in [WebSocketOpcode.text, .binary, .continuation] {
            for fin in [true, false] {
                let frame = WebSocketFrame(fin: fin, reservedBits: 0, opcode: opcode, payload: rng.bytes(length))
                let key = WebSocketMaskingKey(using: &rng)
                let masked = WebSocketFrameEncoder.encode(frame, maskingKey: key)
                let plain = WebSocketFrameEncoder.encode(frame)
                let headerLength = length <= 125 ? 2 : (length <= 65535 ? 4 : 10)
                #expect(plain.count == headerLength + length)
                #expect(masked.count == headerLength + 4 + length)
                for chunking in [Chunking.whole, .random(seed: UInt64(length))] {
                    #expect(try decodeFrames(masked, chunking, role: .server).get() == [frame])
                    #expect(try decodeFrames(plain, chunking, role: .client).get() == [frame])
                }
            }
        }
    }

    @Test func controlFramesRoundTripAtTheirLimit() throws {
        for opcode in [WebSocketOpcode.ping, .pong, .close] {
            let frame = WebSocketFrame(opcode: opcode, payload: [UInt8](repeating: 0x30, count: 125))
            #expect(try decodeFrames(WebSocketFrameEncoder.encode(frame), .byteByByte, role: .client).get() == [frame])
        }
    }

    @Test func maskingAtEveryOffsetMatchesBytewiseXor() {
        var rng = SeededGenerator(seed: 3)
        for n in 0..<80 {
            let data = rng.bytes(n)
            let key = WebSocketMaskingKey(using: &rng)
            var fast = data
            key.apply(to: &fast)
            let slow = data.enumerated().map { $0.element ^ key.byte($0.offset) }
            #expect(fast == slow, "length \(n)")
        }
    }

    @Test func consecutiveFramesInOneBufferAllComeOut() throws {
        var rng = SeededGenerator(seed: 11)
        var wire: [UInt8] = []
        var frames: [WebSocketFrame] = []
        for i in 0..<50 {
            let f = WebSocketFrame(opcode: i % 3 == 0 ? .ping : .binary, payload: rng.bytes(Int(rng.next() % 125)))
            frames.append(f)
            wire += WebSocketFrameEncoder.encode(f, maskingKey: WebSocketMaskingKey(using: &rng))
        }
        for chunking in Chunking.allCases {
            #expect(try decodeFrames(wire, chunking, role: .server).get() == frames, "\(chunking)")
        }
    }

    struct Malformed: Sendable, CustomStringConvertible {
        let name: String
        let bytes: [UInt8]
        let role: WebSocketRole
        let error: WebSocketError
        var maxFrameSize = 1 << 24
        var description: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(
            name: "reserved data opcode 3", bytes: [0x83, 0x80, 1, 2, 3, 4], role: .server, error: .reservedOpcode),
        Malformed(
            name: "reserved control opcode B", bytes: [0x8B, 0x80, 1, 2, 3, 4], role: .server, error: .reservedOpcode),
        Malformed(
            name: "RSV1 without extension", bytes: [0xC1, 0x80, 1, 2, 3, 4], role: .server, error: .reservedBitsSet),
        Malformed(name: "RSV2", bytes: [0xA1, 0x80, 1, 2, 3, 4], role: .server, error: .reservedBitsSet),
        Malformed(name: "RSV3", bytes: [0x91, 0x80, 1, 2, 3, 4], role: .server, error: .reservedBitsSet),
        Malformed(name: "unmasked frame to a server", bytes: [0x81, 0x00], role: .server, error: .unmaskedClientFrame),
        Malformed(
            name: "masked frame to a client", bytes: [0x81, 0x80, 1, 2, 3, 4], role: .client, error: .maskedServerFrame),
        Malformed(
            name: "fragmented ping", bytes: [0x09, 0x80, 1, 2, 3, 4], role: .server, error: .fragmentedControlFrame),
        Malformed(
            name: "ping longer than 125", bytes: [0x89, 0xFE, 0x00, 0x7E], role: .server, error: .controlFrameTooLong),
        Malformed(
            name: "64-bit length with high bit", bytes: [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0], role: .server,
            error: .invalidLength),
        Malformed(
            name: "frame over the size limit", bytes: [0x82, 0xFE, 0x04, 0x01], role: .server, error: .frameTooLarge,
            maxFrameSize: 1024),
        Malformed(
            name: "64-bit frame over the size limit", bytes: [0x82, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0], role: .server,
            error: .frameTooLarge, maxFrameSize: 1024),
    ]

    @Test(arguments: malformed)
    func malformedFramesMapToCloseCodes(_ m: Malformed) {
        for chunking in [Chunking.whole, .byteByByte] {
            switch decodeFrames(m.bytes, chunking, role: m.role, maxFrameSize: m.maxFrameSize) {
            case .success(let f): Issue.record("\(m.name) decoded as \(f)")
            case .failure(let e):
                #expect(e == m.error, "\(m.name)")
                #expect(e.closeCode == (m.error == .frameTooLarge ? .messageTooBig : .protocolError))
            }
        }
    }

    @Test func closePayloadCutsReasonOnACharacterBoundary() {
        let reason = String(repeating: "é", count: 100)  // 200 bytes
        let p = WebSocketFrameEncoder.closePayload(code: .goingAway, reason: reason)
        #expect(p.count <= 125)
        #expect(UTF8Validator.isValid(p[2...]))
        #expect(WebSocketFrameEncoder.closePayload(code: nil) == [])
        #expect(WebSocketFrameEncoder.closePayload(code: WebSocketCloseCode(10001), reason: "x") == [0x27, 0x11, 0x78])
    }
}

@Suite struct UTF8ValidatorTests {
    static let valid: [[UInt8]] = [
        [], Array("plain ascii text that is long enough for the word path".utf8), Array("κόσμε".utf8),
        [0xF0, 0x9F, 0x98, 0x80], [0xEF, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF], [0xED, 0x9F, 0xBF],
    ]
    static let invalid: [[UInt8]] = [
        [0x80], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xF5], [0xFF],
        [
            0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80, 0x65, 0x64, 0x69, 0x74,
            0x65, 0x64,
        ],
        [0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0xC3, 0x28],
    ]

    @Test func acceptsValidSequencesSplitAnywhere() {
        for v in Self.valid {
            for pieces in everySplit(v) {
                var validator = UTF8Validator()
                #expect(pieces.allSatisfy { validator.feed($0) } && validator.isComplete, "\(v)")
            }
        }
    }

    @Test func rejectsInvalidSequences() {
        for v in Self.invalid {
            #expect(!UTF8Validator.isValid(v), "\(v)")
        }
    }

    @Test func reportsIncompleteTail() {
        var validator = UTF8Validator()
        let accepted = validator.feed([0xF0, 0x9F, 0x98])
        #expect(accepted)
        #expect(!validator.isComplete)
    }

    @Test func agreesWithTheStandardLibraryOnRandomInput() {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let n = Int(rng.next() % 12)
            let b = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next() % 4 == 0 ? rng.next() : rng.next() | 0x80) }
            #expect(UTF8Validator.isValid(b) == (String(validating: b, as: UTF8.self) != nil), "seed 42: \(b)")
        }
    }
}

@Suite struct InputBufferTests {
    @Test func releasesLargeStorageOnceDrained() {
        var buffer = InputBuffer()
        buffer.append(contentsOf: [UInt8](repeating: 1, count: 4 * 1024 * 1024))
        buffer.consume(buffer.count)
        buffer.append(contentsOf: [1, 2, 3])
        #expect(buffer.storage.capacity < 1024 * 1024)
        #expect(buffer.read(3) == [1, 2, 3])
    }
}
