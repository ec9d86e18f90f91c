import Testing
import TestSupport
@testable import Wire

/// Feeds `bytes` in the given chunking and collects every request, or the first error.
func parseRequests(_ bytes: [UInt8], _ chunking: Chunking, limits: HTTPParserLimits = .default) -> Result<
    [HTTPRequest], HTTPError
> {
    var parser = HTTPRequestParser(limits: limits)
    var out: [HTTPRequest] = []
    do {
        for piece in chunking.split(bytes) {
            parser.feed(piece)
            while let r = try parser.next() {
                out.append(r)
                if parser.isAwaitingUpgradeDecision { parser.resumeAfterDeclinedUpgrade() }
            }
        }
        try parser.finish()
        return .success(out)
    } catch {
        return .failure(error)
    }
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct HTTPRequestParserTests {
    static let bokehPageRequest = bytes(
        "GET /pre/foo/?bokeh-session-id=abc&x=1 HTTP/1.1\r\nHost: 127.0.0.1:5006\r\nUser-Agent: curl/7.88.1\r\n"
            + "Accept: */*\r\nCookie: a=1; b=2\r\nAccept: text/html\r\n\r\n")

    @Test(arguments: Chunking.allCases)
    func parsesRequestLineAndHeadersInAnyChunking(_ chunking: Chunking) throws {
        let requests = try parseRequests(Self.bokehPageRequest, chunking).get()
        #expect(requests.count == 1)
        let head = try #require(requests.first).head
        #expect(head.method == "GET")
        #expect(head.target == "/pre/foo/?bokeh-session-id=abc&x=1")
        #expect(head.path == "/pre/foo/")
        #expect(head.query == "bokeh-session-id=abc&x=1")
        #expect(head.version == .http1_1)
        #expect(head.headers["host"] == "127.0.0.1:5006")
        #expect(head.headers["USER-AGENT"] == "curl/7.88.1")
        #expect(head.headers.values(name: "accept") == ["*/*", "text/html"])
        #expect(head.keepAlive)
        #expect(!head.isUpgrade)
    }

    @Test func everySplitPointGivesTheSameRequest() throws {
        let whole = try parseRequests(Self.bokehPageRequest, .whole).get()
        for pieces in everySplit(Self.bokehPageRequest) {
            var parser = HTTPRequestParser()
            var got: [HTTPRequest] = []
            for p in pieces {
                parser.feed(p)
                while let r = try parser.next() { got.append(r) }
            }
            #expect(got == whole)
        }
    }

    @Test(arguments: Chunking.allCases)
    func readsContentLengthBody(_ chunking: Chunking) throws {
        let input = bytes("POST /login HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world")
        let r = try parseRequests(input, chunking).get()
        #expect(r.map(\.body) == [bytes("hello world")])
    }

    @Test(arguments: Chunking.allCases)
    func readsChunkedBodyWithExtensionsAndTrailers(_ chunking: Chunking) throws {
        let input = bytes(
            "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n1\r\n \r\nA \r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n")
        let r = try parseRequests(input, chunking).get()
        #expect(r.map(\.body) == [bytes("hello 0123456789")])
    }

    @Test(arguments: Chunking.allCases)
    func pipelinedRequestsComeOutInOrder(_ chunking: Chunking) throws {
        let input = bytes(
            "GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
                + "GET /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
                + "\r\nGET /d HTTP/1.0\r\n\r\n")
        let r = try parseRequests(input, chunking).get()
        #expect(r.map(\.head.target) == ["/a", "/b", "/c", "/d"])
        #expect(r.map(\.body) == [[], bytes("xyz"), bytes("ok"), []])
        #expect(r.map(\.head.keepAlive) == [true, true, true, false])
    }

    @Test func keepAliveFollowsVersionAndConnectionHeader() {
        func head(_ version: HTTPVersion, _ connection: String?) -> HTTPRequestHead {
            var h = HTTPHeaders()
            if let connection { h.add(name: "Connection", value: connection) }
            return HTTPRequestHead(method: "GET", target: "/", version: version, headers: h)
        }
        #expect(head(.http1_1, nil).keepAlive)
        #expect(!head(.http1_1, "close").keepAlive)
        #expect(!head(.http1_1, "Keep-Alive, CLOSE").keepAlive)
        #expect(!head(.http1_0, nil).keepAlive)
        #expect(head(.http1_0, "keep-alive").keepAlive)
    }

    @Test(arguments: Chunking.allCases)
    func upgradeRequestPausesParserAndHandsOverFollowingBytes(_ chunking: Chunking) throws {
        let frame: [UInt8] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        let input =
            bytes(
                "GET /app/ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n") + frame
        var parser = HTTPRequestParser()
        var requests: [HTTPRequest] = []
        for piece in chunking.split(input) {
            parser.feed(piece)
            while let r = try parser.next() { requests.append(r) }
        }
        #expect(requests.count == 1)
        #expect(requests.first?.head.isUpgrade == true)
        #expect(parser.isAwaitingUpgradeDecision)
        #expect(parser.takeRemainingBytes() == frame)
    }

    @Test func declinedUpgradeGoesOnParsingHTTP() throws {
        let input = bytes(
            "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n"
        )
        let r = try parseRequests(input, .whole).get()
        #expect(r.map(\.head.target) == ["/ws", "/next"])
    }

    @Test func toleratesBareLineFeeds() throws {
        let r = try parseRequests(bytes("GET / HTTP/1.1\nHost: h\n\n"), .byteByByte).get()
        #expect(r.first?.head.headers["Host"] == "h")
    }

    @Test func keepsHeaderNameCaseAndTrimsValues() throws {
        let r = try parseRequests(bytes("GET / HTTP/1.1\r\nhOsT:   spaced value \t\r\nX-Empty:\r\n\r\n"), .whole).get()
        let headers = try #require(r.first).head.headers
        #expect(Array(headers.map(\.name)) == ["hOsT", "X-Empty"])
        #expect(headers["host"] == "spaced value")
        #expect(headers["x-empty"] == "")
    }

    @Test func truncatedRequestIsAnErrorAtEndOfInput() {
        #expect(throws: HTTPError.truncatedMessage) {
            var p = HTTPRequestParser()
            p.feed(bytes("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"))
            _ = try p.next()
            try p.finish()
        }
    }

    struct Malformed: Sendable, CustomStringConvertible {
        let name: String
        let input: String
        let status: Int
        var limits = HTTPParserLimits.default
        var description: String { name }
    }

    static let small = HTTPParserLimits(
        maxRequestLineBytes: 64, maxHeaderBytes: 128, maxHeaderCount: 3, maxBodyBytes: 16, maxChunkLineBytes: 16)

    static let malformed: [Malformed] = [
        Malformed(name: "two-part request line", input: "GET /\r\n\r\n", status: 400),
        Malformed(name: "four-part request line", input: "GET / x HTTP/1.1\r\n\r\n", status: 400),
        Malformed(name: "double space", input: "GET  / HTTP/1.1\r\n\r\n", status: 400),
        Malformed(name: "bad method token", input: "G(T / HTTP/1.1\r\n\r\n", status: 400),
        Malformed(name: "bad version", input: "GET / HTTQ/1.1\r\n\r\n", status: 400),
        Malformed(name: "HTTP/2.0 request line", input: "GET / HTTP/2.0\r\n\r\n", status: 505),
        Malformed(name: "header without colon", input: "GET / HTTP/1.1\r\nHost h\r\n\r\n", status: 400),
        Malformed(name: "space before colon", input: "GET / HTTP/1.1\r\nHost : h\r\n\r\n", status: 400),
        Malformed(name: "obsolete line folding", input: "GET / HTTP/1.1\r\nX: a\r\n  b\r\n\r\n", status: 400),
        Malformed(name: "empty header name", input: "GET / HTTP/1.1\r\n: v\r\n\r\n", status: 400),
        Malformed(name: "control character in value", input: "GET / HTTP/1.1\r\nX: a\u{01}b\r\n\r\n", status: 400),
        Malformed(name: "bare CR in a line", input: "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", status: 400),
        Malformed(name: "two Host fields", input: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
        Malformed(name: "negative Content-Length", input: "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", status: 400),
        Malformed(
            name: "non-numeric Content-Length", input: "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", status: 400),
        Malformed(
            name: "conflicting Content-Lengths",
            input: "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", status: 400),
        Malformed(
            name: "huge Content-Length", input: "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            status: 400),
        Malformed(
            name: "Content-Length with Transfer-Encoding",
            input: "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400),
        Malformed(
            name: "unknown transfer coding", input: "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", status: 501),
        Malformed(
            name: "chunked not last", input: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", status: 501),
        Malformed(
            name: "bad chunk size", input: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 400),
        Malformed(
            name: "chunk without CRLF", input: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n",
            status: 400),
        Malformed(
            name: "overflowing chunk size",
            input: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", status: 400),
        Malformed(
            name: "request line too long", input: "GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\n\r\n",
            status: 414, limits: small),
        Malformed(
            name: "request line too long, no newline yet", input: "GET /" + String(repeating: "a", count: 100),
            status: 414, limits: small),
        Malformed(
            name: "headers too large", input: "GET / HTTP/1.1\r\nX: " + String(repeating: "v", count: 200) + "\r\n\r\n",
            status: 431, limits: small),
        Malformed(
            name: "headers too large, no newline yet",
            input: "GET / HTTP/1.1\r\nX: " + String(repeating: "v", count: 200), status: 431, limits: small),
        Malformed(
            name: "too many headers", input: "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", status: 431,
            limits: small),
        Malformed(
            name: "body over limit by Content-Length", input: "POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n",
            status: 413, limits: small),
        Malformed(
            name: "body over limit by chunks",
            input: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n9\r\n", status: 413,
            limits: small),
        Malformed(
            name: "chunk line too long",
            input: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 40)
                + "\r\n", status: 400, limits: small),
        Malformed(
            name: "chunked in HTTP/1.0", input: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            status: 501),
    ]

    @Test(arguments: malformed)
    func malformedInputMapsToItsStatus(_ c: Malformed) {
        for chunking in [Chunking.whole, .byteByByte, .random(seed: 7)] {
            switch parseRequests(bytes(c.input), chunking, limits: c.limits) {
            case .success(let r): Issue.record("\(c.name) parsed as \(r) (\(chunking))")
            case .failure(let e): #expect(e.status.code == c.status, "\(c.name), \(chunking): \(e)")
            }
        }
    }

    @Test func failedParserStaysFailed() {
        var p = HTTPRequestParser()
        p.feed(bytes("BAD\r\n\r\n"))
        #expect(throws: HTTPError.self) { try p.next() }
        p.feed(bytes("GET / HTTP/1.1\r\n\r\n"))
        #expect(throws: HTTPError.self) { try p.next() }
    }

    @Test func memoryStaysBoundedUnderEndlessHeaders() {
        var p = HTTPRequestParser(limits: HTTPParserLimits(maxHeaderBytes: 1024))
        p.feed(bytes("GET / HTTP/1.1\r\n"))
        var failed = false
        for _ in 0..<1000 where !failed {
            p.feed(bytes("X-Filler: 0123456789\r\n"))
            do { _ = try p.next() } catch {
                #expect(error.status.code == 431)
                failed = true
            }
        }
        #expect(failed)
    }
}
