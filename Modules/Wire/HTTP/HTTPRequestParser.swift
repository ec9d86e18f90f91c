/// Incremental HTTP/1.1 request parser for a server connection.
///
/// Feed bytes as they arrive, in any chunking, then call ``next()`` until it returns nil. Pipelined
/// requests come out one by one. A request that asks to upgrade (`Connection: upgrade` plus
/// `Upgrade`) pauses the parser after it: the caller either switches protocols and takes the
/// remaining bytes with ``takeRemainingBytes()``, or declines and calls ``resumeAfterDeclinedUpgrade()``.
///
/// - Important: after a thrown ``HTTPError`` the parser stays failed; answer with ``HTTPError/status``
///   and close the connection.
public struct HTTPRequestParser: Sendable {
    private var engine: HTTPMessageParser
    private var pendingHead: HTTPRequestHead?

    public init(limits: HTTPParserLimits = .default) {
        engine = HTTPMessageParser(kind: .request, limits: limits)
    }

    public var limits: HTTPParserLimits { engine.limits }

    /// Adds received bytes.
    public mutating func feed<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        engine.input.append(contentsOf: bytes)
    }

    /// Whether part of a request has been received (for idle-versus-slow-request timeouts).
    public var hasPartialRequest: Bool { engine.hasPartialMessage || pendingHead != nil }

    /// Whether the parser stopped after an upgrade request.
    public var isAwaitingUpgradeDecision: Bool { engine.isPaused && pendingHead == nil }

    /// The next complete request, or nil when more bytes are needed.
    public mutating func next() throws(HTTPError) -> HTTPRequest? {
        while let out = try engine.step() {
            switch out {
            case .head(.request(let method, let target, let version), let headers):
                let head = HTTPRequestHead(
                    method: HTTPMethod(rawValue: method), target: target, version: version, headers: headers)
                do throws(HTTPError) {
                    let mode = try HTTPMessageParser.framing(of: headers) ?? .none
                    if version == .http1_0, mode == .chunked { throw HTTPError.unsupportedTransferEncoding }
                    if headers.values(name: "Host").count > 1 { throw HTTPError.malformedHeader }
                    try engine.beginBody(mode)
                } catch {
                    throw engine.fail(error)
                }
                pendingHead = head
            case .complete(let body):
                guard let head = pendingHead else { return nil }
                pendingHead = nil
                if head.isUpgrade { engine.pause() }
                return HTTPRequest(head: head, body: body)
            case .head(.status, _):
                return nil
            }
        }
        return nil
    }

    /// After an accepted upgrade: the bytes that followed the request (they belong to the new protocol).
    public mutating func takeRemainingBytes() -> [UInt8] {
        engine.input.readAll()
    }

    /// After a declined upgrade: go on parsing HTTP requests.
    public mutating func resumeAfterDeclinedUpgrade() {
        engine.resume()
    }

    /// The peer closed its side. Throws ``HTTPError/truncatedMessage`` if a request was cut short.
    public mutating func finish() throws(HTTPError) {
        _ = try engine.finish()
    }
}
