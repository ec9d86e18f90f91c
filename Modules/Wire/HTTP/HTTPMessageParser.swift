/// The incremental HTTP/1.1 message engine shared by the request and response parsers.
///
/// Parses a start line, header fields, then a body delimited by Content-Length, chunked coding or
/// (responses only) the end of the connection. Input may arrive in any chunking. Every limit of
/// ``HTTPParserLimits`` is checked before bytes are buffered beyond it, so memory stays bounded.
/// After an error the engine stays failed: the connection must be answered and closed.
struct HTTPMessageParser: Sendable {
    enum Kind: Sendable { case request, response }

    enum BodyMode: Sendable, Equatable {
        case none
        case length(Int)
        case chunked
        case untilClose
    }

    private enum State: Sendable {
        case startLine
        case headers
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case paused  // after an upgrade: bytes belong to the new protocol
        case failed(HTTPError)
    }

    /// A start line, parsed.
    enum StartLine: Sendable {
        case request(method: String, target: String, version: HTTPVersion)
        case status(version: HTTPVersion, status: HTTPStatus)
    }

    let kind: Kind
    let limits: HTTPParserLimits
    var input = InputBuffer()
    private var state: State = .startLine
    private var startLine: StartLine?
    private var headers = HTTPHeaders()
    private var headerBytes = 0
    private var body: [UInt8] = []
    private var trailerBytes = 0
    /// Unread bytes already searched for the end of the line being read (so a line that arrives a few bytes at
    /// a time is scanned once, not once per read).
    private var scannedLineBytes = 0

    init(kind: Kind, limits: HTTPParserLimits) {
        self.kind = kind
        self.limits = limits
    }

    /// Whether some bytes of an unfinished message have been consumed or are buffered.
    var hasPartialMessage: Bool {
        switch state {
        case .startLine: return !input.isEmpty
        case .paused, .failed: return false
        default: return true
        }
    }

    var isPaused: Bool {
        if case .paused = state { return true }
        return false
    }

    mutating func resume() {
        if case .paused = state { state = .startLine }
    }

    mutating func pause() { state = .paused }

    /// Result of one parse step.
    enum Output: Sendable {
        case head(StartLine, HTTPHeaders)
        case complete([UInt8])
    }

    /// Parses what it can. Returns the head of a message once its header section is complete
    /// (the caller decides the body mode with ``beginBody(_:)``), or the body once the message is
    /// complete, or nil when more input is needed.
    mutating func step() throws(HTTPError) -> Output? {
        while true {
            switch state {
            case .failed(let e):
                throw e
            case .paused:
                return nil
            case .startLine:
                guard let line = try readLine(limit: limits.maxRequestLineBytes, tooLong: startLineTooLong) else {
                    return nil
                }
                if line.isEmpty { continue }  // RFC 9112 section 2.2: ignore empty lines before a request line
                let isRequest = kind == .request
                startLine = try guarded(isRequest ? Self.parseRequestLine(line) : Self.parseStatusLine(line))
                headers = HTTPHeaders()
                headerBytes = 0
                body = []
                state = .headers
            case .headers:
                // The blank line ending the section may follow lines that used the whole budget.
                let remaining = Swift.max(0, limits.maxHeaderBytes - headerBytes)
                guard let line = try readLine(limit: remaining, tooLong: .headersTooLarge) else { return nil }
                headerBytes += line.count + 2
                if line.isEmpty {
                    guard let start = startLine else { throw fail(.malformedRequestLine) }
                    state = .paused  // until beginBody
                    return .head(start, headers)
                }
                if headers.count >= limits.maxHeaderCount { throw fail(.tooManyHeaders) }
                let (name, value) = try guarded(Self.parseHeaderLine(line))
                headers.add(name: name, value: value)
            case .body(let remaining):
                if remaining == 0 {
                    return finishMessage()
                }
                let n = Swift.min(remaining, input.count)
                if n == 0 { return nil }
                input.withUnreadBytes { body.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<n])) }
                input.consume(n)
                state = .body(remaining: remaining - n)
            case .chunkSize:
                guard let line = try readLine(limit: limits.maxChunkLineBytes, tooLong: .malformedChunk) else {
                    return nil
                }
                let size = try guarded(Self.parseChunkSize(line))
                if size == 0 {
                    trailerBytes = 0
                    state = .trailers
                } else {
                    if size > limits.maxBodyBytes - body.count { throw fail(.bodyTooLarge) }
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let n = Swift.min(remaining, input.count)
                if n == 0 { return nil }
                input.withUnreadBytes { body.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<n])) }
                input.consume(n)
                state = remaining == n ? .chunkDataEnd : .chunkData(remaining: remaining - n)
            case .chunkDataEnd:
                guard let line = try readLine(limit: 2, tooLong: .malformedChunk) else { return nil }
                if !line.isEmpty { throw fail(.malformedChunk) }
                state = .chunkSize
            case .trailers:
                let remaining = Swift.max(0, limits.maxHeaderBytes - trailerBytes)
                guard let line = try readLine(limit: remaining, tooLong: .headersTooLarge) else { return nil }
                trailerBytes += line.count + 2
                if line.isEmpty { return finishMessage() }
                _ = try guarded(Self.parseHeaderLine(line))  // trailers are validated and dropped
            case .untilClose:
                let n = input.count
                if n == 0 { return nil }
                if n > limits.maxBodyBytes - body.count { throw fail(.bodyTooLarge) }
                input.withUnreadBytes { body.append(contentsOf: $0) }
                input.consume(n)
            }
        }
    }

    /// Starts reading the body of the message whose head was just returned.
    mutating func beginBody(_ mode: BodyMode) throws(HTTPError) {
        switch mode {
        case .none: state = .body(remaining: 0)
        case .length(let n):
            if n > limits.maxBodyBytes { throw fail(.bodyTooLarge) }
            body.reserveCapacity(Swift.min(n, 64 * 1024))  // grows as bytes arrive, not on the peer's word
            state = .body(remaining: n)
        case .chunked: state = .chunkSize
        case .untilClose: state = .untilClose
        }
    }

    /// Ends input (the peer closed). Returns a body delimited by the close, if one was being read.
    mutating func finish() throws(HTTPError) -> [UInt8]? {
        switch state {
        case .untilClose:
            let out = body
            body = []
            state = .startLine
            return out
        case .startLine where input.isEmpty:
            return nil
        case .paused, .failed:
            return nil
        default:
            throw fail(.truncatedMessage)
        }
    }

    private mutating func finishMessage() -> Output {
        let out = body
        body = []
        state = .startLine
        return .complete(out)
    }

    private var startLineTooLong: HTTPError {
        kind == .request ? .requestLineTooLong : .malformedStatusLine
    }

    /// Marks the engine failed with `e` (later steps rethrow it) and returns `e`.
    mutating func fail(_ e: HTTPError) -> HTTPError {
        state = .failed(e)
        return e
    }

    private mutating func guarded<T>(_ r: @autoclosure () throws(HTTPError) -> T) throws(HTTPError) -> T {
        do { return try r() } catch { throw fail(error) }
    }

    /// Reads one line ending in CRLF (or a bare LF), without the terminator. `limit` counts the line
    /// without its terminator; a longer line fails with `tooLong` as soon as it is known.
    private mutating func readLine(limit: Int, tooLong: HTTPError) throws(HTTPError) -> [UInt8]? {
        let limit = Swift.max(0, limit)
        let window = limit > Int.max - 2 ? Int.max : limit + 2  // the line and its CRLF
        guard let lf = input.firstLF(from: scannedLineBytes, limit: window) else {
            if input.count >= window { throw fail(tooLong) }
            scannedLineBytes = input.count
            return nil
        }
        scannedLineBytes = 0
        var end = lf
        if end > 0 && input.byte(at: end - 1) == 0x0D { end -= 1 }
        if end > limit { throw fail(tooLong) }
        let line = input.read(end)
        input.consume(lf + 1 - end)
        if line.contains(0x0D) { throw fail(.malformedHeader) }  // a bare CR inside a line
        return line
    }

    static func parseRequestLine(_ line: [UInt8]) throws(HTTPError) -> StartLine {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformedRequestLine }
        let method = parts[0], target = parts[1]
        guard !method.isEmpty, method.allSatisfy(isTokenChar) else { throw .invalidMethod }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { throw .invalidTarget }
        let version = try parseVersion(parts[2])
        return .request(
            method: String(decoding: method, as: UTF8.self), target: decodeText(target), version: version)
    }

    static func parseStatusLine(_ line: [UInt8]) throws(HTTPError) -> StartLine {
        // status-line = HTTP-version SP status-code SP [ reason-phrase ]
        guard line.count >= 12, line[8] == 0x20 else { throw .malformedStatusLine }
        let version: HTTPVersion
        do { version = try parseVersion(line[0..<8]) } catch { throw .malformedStatusLine }
        let digits = line[9..<12]
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw .malformedStatusLine }
        let code = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard code >= 100 else { throw .malformedStatusLine }
        var reason = ""
        if line.count > 12 {
            guard line[12] == 0x20 else { throw .malformedStatusLine }
            reason = decodeText(line[13...])
        }
        return .status(version: version, status: HTTPStatus(code: code, reason: reason))
    }

    static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPError) -> HTTPVersion {
        let b = Array(bytes)
        guard b.count == 8, b.starts(with: Array("HTTP/".utf8)), b[6] == UInt8(ascii: "."),
            (0x30...0x39).contains(b[5]), (0x30...0x39).contains(b[7])
        else { throw .malformedRequestLine }
        let v = HTTPVersion(major: Int(b[5] - 0x30), minor: Int(b[7] - 0x30))
        guard v.major == 1 else { throw .unsupportedVersion }
        return v
    }

    static func parseHeaderLine(_ line: [UInt8]) throws(HTTPError) -> (String, String) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { throw .malformedHeader }
        let name = line[..<colon]
        // Rejects obs-fold (a line starting with whitespace) and whitespace before the colon.
        guard name.allSatisfy(isTokenChar) else { throw .malformedHeader }
        let value = HTTPHeaders.trimOWS(line[(colon + 1)...])
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { throw .malformedHeader }
        return (String(decoding: name, as: UTF8.self), decodeText(value))
    }

    static func parseChunkSize(_ line: [UInt8]) throws(HTTPError) -> Int {
        var size = 0
        var digits = 0
        var i = 0
        while i < line.count, let d = hexValue(line[i]) {
            if digits >= 15 { throw .malformedChunk }  // more than 2^60: nonsense, and overflow-safe
            size = size << 4 | d
            digits += 1
            i += 1
        }
        guard digits > 0 else { throw .malformedChunk }
        // Chunk extensions (`;name=value`) are allowed and ignored; whitespace before them too.
        while i < line.count, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        guard i == line.count || line[i] == UInt8(ascii: ";") else { throw .malformedChunk }
        return size
    }

    @inline(__always) static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: Int(c - 0x30)
        case 0x41...0x46: Int(c - 0x41 + 10)
        case 0x61...0x66: Int(c - 0x61 + 10)
        default: nil
        }
    }

    /// RFC 9110 `tchar`.
    @inline(__always) static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    /// Field values are UTF-8 when valid, otherwise ISO-8859-1 (as Tornado decodes them).
    static func decodeText<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// The body framing a message's headers announce (RFC 9112 section 6).
    static func framing(of headers: HTTPHeaders) throws(HTTPError) -> BodyMode? {
        let te = headers.listElements(name: "Transfer-Encoding")
        let lengths = headers.listElements(name: "Content-Length")
        if !te.isEmpty {
            if !lengths.isEmpty { throw .conflictingLength }
            guard te.count == 1, HTTPHeaders.equalNames(te[0], "chunked") else { throw .unsupportedTransferEncoding }
            return .chunked
        }
        guard let first = lengths.first else { return nil }
        guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.count <= 18,
            first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(first)
        else { throw .invalidContentLength }
        return .length(n)
    }
}
