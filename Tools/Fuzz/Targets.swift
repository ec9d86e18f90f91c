// The fuzz targets: each takes arbitrary bytes and drives one codec or state machine with them. A target must
// never trap, whatever the bytes; libFuzzer (with AddressSanitizer) reports any crash, leak or overflow.
import DocumentModel
import Protocol
import ServerCore
import Wire

/// One fuzz target: a name, what it covers, and its body.
struct FuzzTarget: Sendable {
    let name: String
    let summary: String
    /// Run once before fuzzing: one-time initialisation (a static's first use) that LeakSanitizer would otherwise
    /// count against the first input.
    var warmUp: (@Sendable () -> Void)? = nil
    let run: @Sendable ([UInt8]) -> Void
}

/// Splits `data` at a position chosen by its first byte, so targets that take input in pieces see every split.
private func pieces(_ data: [UInt8]) -> ([UInt8], [UInt8]) {
    guard let first = data.first, data.count > 1 else { return (data, []) }
    let cut = 1 + Int(first) % (data.count - 1)
    return (Array(data[1..<cut]), Array(data[cut...]))
}

private func text(_ data: [UInt8]) -> String { String(decoding: data, as: UTF8.self) }

let fuzzTargets: [FuzzTarget] = [
    FuzzTarget(
        name: "http-request", summary: "HTTP/1.1 request parser (heads, bodies, chunked, pipelining, limits)"
    ) { data in
        var limits = HTTPParserLimits.default
        limits.maxHeaderBytes = 8192
        var parser = HTTPRequestParser(limits: limits)
        let (a, b) = pieces(data)
        for part in [a, b] {
            parser.feed(part)
            for _ in 0..<64 {
                guard let request = try? parser.next() else { break }
                _ = QueryString.parsePairs(request.head.query)
                for value in request.head.headers.values(name: "Cookie") { _ = CookieParser.parsePairs(value) }
            }
        }
        _ = try? parser.finish()
    },
    FuzzTarget(name: "http-response", summary: "HTTP/1.1 response parser") { data in
        var parser = HTTPResponseParser()
        let (a, b) = pieces(data)
        parser.expectResponse(toHEAD: a.first.map { $0 & 1 == 1 } ?? false)
        for part in [a, b] {
            parser.feed(part)
            for _ in 0..<64 { guard (try? parser.next()) != nil else { break } }
        }
        _ = try? parser.finish()
    },
    FuzzTarget(
        name: "websocket", summary: "WebSocket frame decoder and server state machine, with permessage-deflate"
    ) { data in
        var configuration = WebSocketConfiguration.default
        configuration.maxMessageSize = 1 << 20
        configuration.maxFrameSize = 1 << 20
        let deflate = data.first.map { $0 & 1 == 1 } ?? false
        let parameters = PerMessageDeflateParameters()
        var machine = WebSocketStateMachine(
            role: .server, configuration: configuration,
            deflate: deflate ? (parameters, PerMessageDeflateConfiguration()) : nil)
        let (a, b) = pieces(data)
        _ = machine.receive(a)
        _ = machine.receive(b)
        _ = machine.connectionLost()
    },
    FuzzTarget(
        name: "deflate", summary: "permessage-deflate inflation of one compressed message (size-limited)"
    ) { data in
        var configuration = WebSocketConfiguration.default
        configuration.maxMessageSize = 1 << 20
        var machine = WebSocketStateMachine(
            role: .server, configuration: configuration,
            deflate: (PerMessageDeflateParameters(), PerMessageDeflateConfiguration()))
        let frame = WebSocketFrame(reservedBits: 0b100, opcode: .binary, payload: data)
        _ = machine.receive(WebSocketFrameEncoder.encode(frame, maskingKey: WebSocketMaskingKey(1, 2, 3, 4)))
    },
    FuzzTarget(
        name: "assembler", summary: "Bokeh message assembler (header, metadata, content, buffers)"
    ) { data in
        var assembler = MessageAssembler(limits: MessageAssemblerLimits(maxFragmentBytes: 1 << 20))
        // Fragments are separated by 0xFF bytes; a leading 0xFE makes a fragment binary.
        for chunk in data.split(separator: 0xFF, omittingEmptySubsequences: false).prefix(16) {
            let fragment: Fragment =
                chunk.first == 0xFE ? .binary(Array(chunk.dropFirst())) : .text(String(decoding: chunk, as: UTF8.self))
            if (try? assembler.consume(fragment)) == nil { break }
        }
    },
    FuzzTarget(name: "json", summary: "JSON reader and writer round trip") { data in
        guard let value = try? JSONReader.parse(data) else { return }
        _ = try? JSONWriter(options: .pythonDefault).bytes(value)
    },
    FuzzTarget(
        name: "document", summary: "document deserialization, then a PATCH-DOC applied to it"
    ) { data in
        // The document's JSON, then (after a 0xFF byte, which UTF-8 never holds) a PATCH-DOC's content.
        let parts = data.split(separator: 0xFF, maxSplits: 1, omittingEmptySubsequences: false)
        let (a, b) = (Array(parts[0]), parts.count > 1 ? Array(parts[1]) : [])
        guard let json = try? JSONReader.parse(a) else { return }
        let document: Document
        if let decoded = try? Document(fromJSON: json) {
            document = decoded
        } else {
            document = Document()
        }
        if let patch = try? JSONReader.parse(b) { _ = try? document.applyPatch(patch, setter: nil) }
        _ = document.toJSON()
    },
    FuzzTarget(
        name: "template", summary: "Jinja page templates: parse, then render",
        warmUp: { _ = try? PageTemplate(jinja: "{{ title }}").renderSample() }
    ) { data in
        guard let template = try? PageTemplate(jinja: text(data)) else { return }
        _ = try? template.renderSample()
    },
    FuzzTarget(
        name: "tokens", summary: "session tokens and ids, signed cookies, XSRF tokens, cookies, query strings"
    ) { data in
        let input = text(data)
        _ = try? SessionToken(decoding: input)
        if let signer = try? SessionSigner(secretKey: "fuzz-secret", signsSessions: true) {
            _ = try? signer.validate(token: input, now: 1_700_000_000)
            _ = signer.checkSessionIDSignature(input)
        }
        if let cookies = try? SecureCookieSigner(secret: "fuzz-secret") {
            _ = cookies.decode(name: "user", signed: input, now: 1_700_000_000)
        }
        _ = XSRFToken.check(submitted: input, cookie: input)
        _ = CookieParser.parsePairs(input)
        _ = QueryString.parsePairs(input)
        _ = try? PasswordHash(parsing: input)
        _ = try? SessionSigner.token(fromSubprotocols: input.split(separator: ",").map(String.init))
    },
]
