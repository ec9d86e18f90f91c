import Testing
import TestSupport
@testable import Wire

func parseResponses(_ input: [UInt8], _ chunking: Chunking, headFlags: [Bool] = [], eof: Bool = true) throws
    -> [HTTPResponse]
{
    var p = HTTPResponseParser()
    for f in headFlags { p.expectResponse(toHEAD: f) }
    var out: [HTTPResponse] = []
    for piece in chunking.split(input) {
        p.feed(piece)
        while let r = try p.next() { out.append(r) }
    }
    if eof, let last = try p.finish() { out.append(last) }
    return out
}

@Suite struct HTTPResponseParserTests {
    @Test(arguments: Chunking.allCases)
    func parsesLengthChunkedAndCloseDelimitedBodies(_ chunking: Chunking) throws {
        let input = bytes(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                + "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                + "HTTP/1.1 403 Invalid token or session ID\r\nConnection: close\r\n\r\nthe rest")
        let r = try parseResponses(input, chunking)
        #expect(r.map(\.head.status.code) == [200, 404, 403])
        #expect(r.map(\.head.status.reason) == ["OK", "Not Found", "Invalid token or session ID"])
        #expect(r.map(\.body) == [bytes("hello"), bytes("abc"), bytes("the rest")])
    }

    @Test func headAndBodilessStatusesHaveNoBody() throws {
        let input = bytes(
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                + "HTTP/1.1 304 Not Modified\r\nEtag: \"x\"\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        let r = try parseResponses(input, .byteByByte, headFlags: [true, false, false, false], eof: false)
        #expect(r.map(\.head.status.code) == [200, 304, 204, 200])
        #expect(r.map(\.body) == [[], [], [], bytes("ok")])
    }

    @Test(arguments: Chunking.allCases)
    func switchingProtocolsHandsOverFollowingBytes(_ chunking: Chunking) throws {
        let ack = bytes("\u{81}\u{05}hello")
        let input =
            bytes(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n") + ack
        var p = HTTPResponseParser()
        var got: [HTTPResponse] = []
        for piece in chunking.split(input) {
            p.feed(piece)
            while let r = try p.next() { got.append(r) }
        }
        #expect(got.map(\.head.status.code) == [101])
        #expect(p.takeRemainingBytes() == ack)
    }

    @Test func interimResponsesAreSkipped() throws {
        let r = try parseResponses(
            bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), .whole)
        #expect(r.map(\.head.status.code) == [200])
    }

    @Test(arguments: [
        "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n", "ICY 200 OK\r\n\r\n",
    ])
    func rejectsMalformedStatusLines(_ line: String) {
        #expect(throws: HTTPError.self) { try parseResponses(bytes(line), .whole) }
    }
}

@Suite struct HTTPWriterTests {
    @Test func writesResponseWithContentLengthAndParsesBack() throws {
        var head = HTTPResponseHead(status: HTTPStatus(code: 403, reason: "Invalid token or session ID"))
        head.headers.add(name: "Content-Type", value: "text/html; charset=UTF-8")
        let body = bytes("<html><title>403: Forbidden</title></html>")
        let wire = HTTPWriter.response(head, body: body)
        let text = String(decoding: wire, as: UTF8.self)
        #expect(
            text.hasPrefix(
                "HTTP/1.1 403 Invalid token or session ID\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Length: \(body.count)\r\n\r\n"
            ))
        let parsed = try parseResponses(wire, .byteByByte)
        #expect(parsed.first?.body == body)
    }

    @Test func writesChunkedResponses() throws {
        var head = HTTPResponseHead(status: .ok)
        head.headers.add(name: "Transfer-Encoding", value: "chunked")
        let wire = HTTPWriter.response(head, body: bytes("icon bytes"))
        #expect(String(decoding: wire, as: UTF8.self).hasSuffix("\r\n\r\na\r\nicon bytes\r\n0\r\n\r\n"))
        #expect(try parseResponses(wire, .whole).first?.body == bytes("icon bytes"))
    }

    @Test func neverLetsAValueSplitTheHeader() {
        var head = HTTPResponseHead(status: .found)
        head.headers.add(name: "Location", value: "/x\r\nSet-Cookie: evil=1")
        let text = String(decoding: HTTPWriter.response(head), as: UTF8.self)
        #expect(!text.contains("\r\nSet-Cookie"))
    }

    @Test func requestRoundTrips() throws {
        var head = HTTPRequestHead(method: .post, target: "/a?b=c")
        head.headers.add(name: "Host", value: "h")
        let wire = HTTPWriter.request(head, body: bytes("data"))
        let r = try parseRequests(wire, .byteByByte).get()
        #expect(r.first?.head.target == "/a?b=c")
        #expect(r.first?.body == bytes("data"))
    }

    @Test func formatsIMFFixdate() {
        #expect(HTTPDate.format(secondsSince1970: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(secondsSince1970: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(secondsSince1970: 1_795_300_113) == "Sat, 21 Nov 2026 22:28:33 GMT")
    }
}

@Suite struct QueryAndCookieTests {
    @Test func parsesArgumentsAsTornadoDoes() {
        let q = QueryString.parse("a=1&a=2&b=x")
        #expect(q["a"] == [bytes("1"), bytes("2")])
        #expect(q["b"] == [bytes("x")])
    }

    @Test func keepsBlankValuesAndDecodesEscapes() {
        let pairs = QueryString.parsePairs("e=&f&g=a+b%20c&h=%E2%9C%93&bad=%zz%4&&=v")
        #expect(pairs.map(\.name) == ["e", "f", "g", "h", "bad", ""])
        #expect(pairs.map(\.value) == [[], [], bytes("a b c"), [0xE2, 0x9C, 0x93], bytes("%zz%4"), bytes("v")])
    }

    @Test func percentEncodingRoundTrips() {
        let raw: [UInt8] = Array(0...255)
        #expect(QueryString.percentDecode(Array(QueryString.percentEncode(raw).utf8)) == raw)
    }

    @Test func parsesCookies() {
        #expect(CookieParser.parse("a=1; b=2") == ["a": "1", "b": "2"])
        #expect(
            CookieParser.parse(" k = v ;;x=\"quoted \\\"v\\\" \\101\"; flag") == [
                "k": "v", "x": "quoted \"v\" A", "": "flag",
            ])
        #expect(CookieParser.parse("a=1; a=2") == ["a": "2"])
        #expect(CookieParser.parse("") == [:])
        #expect(CookieParser.parse("eq=a=b") == ["eq": "a=b"])
    }

    @Test func headerListHelpers() {
        let h: HTTPHeaders = ["Connection": "keep-alive, Upgrade", "X": "\"a,b\", c"]
        #expect(h.containsToken("upgrade", in: "connection"))
        #expect(h.listElements(name: "x") == ["\"a,b\"", "c"])
        var m = h
        m.add(name: "connection", value: "close")
        m.replaceOrAdd(name: "CONNECTION", value: "Upgrade")
        #expect(m.values(name: "Connection") == ["Upgrade"])
        m.remove(name: "x")
        #expect(m.count == 1)
    }
}
