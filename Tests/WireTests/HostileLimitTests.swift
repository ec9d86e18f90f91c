import Testing
@testable import Wire

/// Inputs that reached trapping arithmetic once a limit was configured far from its default (`Int.max` is a
/// common way to say "no limit"), and input that cost time quadratic in its length. Each now gives the
/// error the input deserves, or parses.
@Suite struct HostileLimitTests {
    /// A frame announcing a 2^63 − 1 byte payload: `headerLength + length` overflowed when the frame limit
    /// allowed it (`--websocket-max-message-size 9223372036854775807`).
    @Test func aHugeLengthWithoutALimitWaitsForBytesInsteadOfTrapping() throws {
        let frame: [UInt8] = [0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4]
        var unlimited = WebSocketFrameDecoder(role: .server, maxFrameSize: .max)
        unlimited.feed(frame)
        #expect(try unlimited.next() == nil)
        var negative = WebSocketFrameDecoder(role: .server, maxFrameSize: -1)
        negative.feed(frame)
        let error = try #require(throws: WebSocketError.self) { try negative.next() }
        #expect(error.closeCode == .messageTooBig)
        var connection = WebSocketStateMachine(
            role: .server, configuration: WebSocketConfiguration(maxFrameSize: .max, maxMessageSize: Int.min))
        let masked: [UInt8] = [0x82, 0x83, 1, 2, 3, 4, 0, 0, 0]
        let actions = connection.receive(masked)
        #expect(
            actions.contains { if case .closeTransport(let info) = $0 { info.code == .messageTooBig } else { false } })
    }

    /// `limit + 2` and `readIndex + limit` overflowed with `Int.max` limits; Content-Length reserved its
    /// whole announced size before any byte arrived.
    @Test func unlimitedHTTPLimitsParse() throws {
        let limits = HTTPParserLimits(
            maxRequestLineBytes: .max, maxHeaderBytes: .max, maxHeaderCount: .max, maxBodyBytes: .max,
            maxChunkLineBytes: .max)
        var parser = HTTPRequestParser(limits: limits)
        parser.feed(Array("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(try parser.next()?.head.target == "/x")
        var big = HTTPRequestParser(limits: limits)
        big.feed(Array("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999999999\r\n\r\nabc".utf8))
        #expect(try big.next() == nil)  // waits for the body; nothing was reserved for it
        var chunked = HTTPRequestParser(limits: limits)
        chunked.feed(
            Array("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n".utf8))
        #expect(try chunked.next()?.body == Array("abc".utf8))
    }

    /// Header lines may use the whole budget; the blank line ending them is not counted against it.
    @Test func headersExactlyAtTheLimitAreAccepted() throws {
        let head = "GET / HTTP/1.1\r\n"
        let line = "Host: abc\r\n"  // 11 bytes with its CRLF
        var parser = HTTPRequestParser(limits: HTTPParserLimits(maxHeaderBytes: line.utf8.count))
        parser.feed(Array((head + line + "\r\n").utf8))
        #expect(try parser.next() != nil)
        var over = HTTPRequestParser(limits: HTTPParserLimits(maxHeaderBytes: line.utf8.count - 3))
        over.feed(Array((head + line + "\r\n").utf8))
        let error = try #require(throws: HTTPError.self) { try over.next() }
        #expect(error.status.code == 431)
    }

    /// A header line sent one byte at a time is scanned once (it was rescanned from its start on every
    /// read: 0.56 s of CPU for one 60 KB line). Counted, not timed: the parser's scan position only moves
    /// forward, so feeding a line byte by byte examines each byte once.
    @Test func aDripFedLineIsScannedOnce() throws {
        var parser = HTTPRequestParser()
        parser.feed(Array("GET / HTTP/1.1\r\nX-Long: ".utf8))
        #expect(try parser.next() == nil)
        for _ in 0..<60_000 {
            parser.feed([0x61])
            #expect(try parser.next() == nil)
        }
        parser.feed(Array("\r\nHost: a\r\n\r\n".utf8))
        #expect(try parser.next()?.head.headers["X-Long"]?.count == 60_000)
    }

    /// `maxOutgoingFrameSize` set to 0 after the initialiser (which clamps) looped forever; negative trapped.
    @Test(arguments: [0, -5]) func aZeroOutgoingFrameSizeStillSplitsIntoFrames(_ size: Int) throws {
        var configuration = WebSocketConfiguration()
        configuration.maxOutgoingFrameSize = size
        var connection = WebSocketStateMachine(role: .server, configuration: configuration)
        let bytes = try connection.send(.binary([1, 2, 3]))
        // Three one-byte frames: 2 + 1 bytes each.
        #expect(bytes == [0x02, 1, 1, 0x00, 1, 2, 0x80, 1, 3])
        let prepared = PreparedWebSocketMessages(texts: ["a"], interleaving: [], after: -3)
        #expect(prepared.largestPayload == 1)
    }

    @Test func eventLoopGroupRoundRobinNeverTraps() throws {
        let group = try EventLoopGroup(numberOfThreads: 2)
        defer { group.shutdown() }
        for _ in 0..<5 { _ = group.next() }
        #expect(Duration.seconds(Int64.max).nanoseconds == .max)
        #expect(Duration.seconds(-1).nanoseconds == 0)
    }
}
