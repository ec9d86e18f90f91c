/// Serialises HTTP/1.1 messages to bytes.
public enum HTTPWriter {
    /// The bytes of a response head (status line, fields, blank line).
    public static func head(_ head: HTTPResponseHead) -> [UInt8] {
        message("\(head.version) \(head.status.code) \(sanitize(head.status.reason))", head.headers)
    }

    /// The bytes of a request head.
    public static func head(_ head: HTTPRequestHead) -> [UInt8] {
        message(sanitize("\(head.method) \(head.target) \(head.version)"), head.headers)
    }

    private static func message(_ startLine: String, _ headers: HTTPHeaders) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + headers.count * 32)
        out.append(contentsOf: startLine.utf8)
        out.append(contentsOf: [0x0D, 0x0A])
        appendFields(headers, to: &out)
        return out
    }

    /// A complete response with `body`. Sets `Content-Length` (unless the status forbids a body or the
    /// head already declares chunked coding, in which case the body is chunk-encoded).
    public static func response(_ head: HTTPResponseHead, body: [UInt8] = []) -> [UInt8] {
        var h = head
        if h.status.forbidsBody { return Self.head(h) }
        if h.headers.containsToken("chunked", in: "Transfer-Encoding") {
            var out = Self.head(h)
            if !body.isEmpty { out.append(contentsOf: chunk(body)) }
            out.append(contentsOf: lastChunk())
            return out
        }
        h.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        var out = Self.head(h)
        out.append(contentsOf: body)
        return out
    }

    /// A complete request with `body` (Content-Length set when there is a body).
    public static func request(_ head: HTTPRequestHead, body: [UInt8] = []) -> [UInt8] {
        var h = head
        if !body.isEmpty || [.post, .put, .patch].contains(h.method) {
            h.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        }
        var out = Self.head(h)
        out.append(contentsOf: body)
        return out
    }

    /// One chunk of a chunked body.
    public static func chunk(_ data: [UInt8]) -> [UInt8] {
        var out = Array(String(data.count, radix: 16).utf8)
        out.append(contentsOf: [0x0D, 0x0A])
        out.append(contentsOf: data)
        out.append(contentsOf: [0x0D, 0x0A])
        return out
    }

    /// The terminating chunk of a chunked body (no trailers).
    public static func lastChunk() -> [UInt8] { Array("0\r\n\r\n".utf8) }

    private static func appendFields(_ headers: HTTPHeaders, to out: inout [UInt8]) {
        for (name, value) in headers {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: [0x3A, 0x20])
            out.append(contentsOf: sanitize(value).utf8)
            out.append(contentsOf: [0x0D, 0x0A])
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }

    /// Removes CR and LF so a caller-supplied value can never split a header (response splitting).
    private static func sanitize(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return s }
        return String(s.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }.map(Character.init))
    }
}
