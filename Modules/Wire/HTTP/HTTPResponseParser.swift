/// Incremental HTTP/1.1 response parser for a client connection.
///
/// Responses carry no indication of the request they answer, so tell the parser when a request
/// was `HEAD` (``expectResponse(toHEAD:)``): such responses have no body. A `101 Switching Protocols`
/// response pauses the parser; the bytes after it are taken with ``takeRemainingBytes()``.
/// A response without Content-Length or chunked coding ends when the connection does: call
/// ``finish()`` on end of input to receive it.
public struct HTTPResponseParser: Sendable {
    private var engine: HTTPMessageParser
    private var pendingHead: HTTPResponseHead?
    private var headRequests: [Bool] = []

    public init(limits: HTTPParserLimits = .default) {
        engine = HTTPMessageParser(kind: .response, limits: limits)
    }

    public mutating func feed<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        engine.input.append(contentsOf: bytes)
    }

    /// Records that the next outstanding request is (or is not) a HEAD request. Call once per request
    /// sent, in order; requests not recorded are assumed not to be HEAD.
    public mutating func expectResponse(toHEAD isHEAD: Bool) {
        headRequests.append(isHEAD)
    }

    /// The next complete response, or nil when more bytes are needed. Interim 1xx responses other
    /// than 101 are skipped.
    public mutating func next() throws(HTTPError) -> HTTPResponse? {
        while let out = try engine.step() {
            switch out {
            case .head(.status(let version, let status), let headers):
                let head = HTTPResponseHead(status: status, version: version, headers: headers)
                let isHEAD = headRequests.first ?? false
                let mode: HTTPMessageParser.BodyMode
                if isHEAD || status.forbidsBody {
                    mode = .none
                } else {
                    do throws(HTTPError) { mode = try HTTPMessageParser.framing(of: headers) ?? .untilClose } catch {
                        throw engine.fail(error)
                    }
                }
                try engine.beginBody(mode)
                pendingHead = head
            case .complete(let body):
                guard let head = pendingHead else { return nil }
                pendingHead = nil
                if head.status.code == 101 {
                    engine.pause()
                    if !headRequests.isEmpty { headRequests.removeFirst() }
                    return HTTPResponse(head: head, body: body)
                }
                if (100..<200).contains(head.status.code) { continue }
                if !headRequests.isEmpty { headRequests.removeFirst() }
                return HTTPResponse(head: head, body: body)
            case .head(.request, _):
                return nil
            }
        }
        return nil
    }

    /// After a 101 response: the bytes that followed it.
    public mutating func takeRemainingBytes() -> [UInt8] {
        engine.input.readAll()
    }

    /// The peer closed. Returns a response whose body was delimited by the close, if any.
    public mutating func finish() throws(HTTPError) -> HTTPResponse? {
        guard let body = try engine.finish(), let head = pendingHead else { return nil }
        pendingHead = nil
        if !headRequests.isEmpty { headRequests.removeFirst() }
        return HTTPResponse(head: head, body: body)
    }
}
