/// The `msgtype` of a Bokeh message. Bokeh 3.10.2 defines exactly the nine types below.
///
/// A struct rather than an enum so later protocol versions can add types without breaking callers;
/// ``init(rawValue:)`` accepts only the known names.
public struct MessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts one of the nine Bokeh 3.10.2 message type names; `nil` for anything else.
    public init?(rawValue: String) {
        guard Self.allCases.contains(where: { $0.rawValue == rawValue }) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    /// `ACK`: the server's first message after the WebSocket opens.
    public static let ack = Self(known: "ACK")
    /// `OK`: the server's reply to PUSH-DOC and PATCH-DOC.
    public static let ok = Self(known: "OK")
    /// `ERROR`: the server's reply when handling a request failed.
    public static let error = Self(known: "ERROR")
    /// `PULL-DOC-REQ`: a client asks for the session's document.
    public static let pullDocumentRequest = Self(known: "PULL-DOC-REQ")
    /// `PULL-DOC-REPLY`: the document, in reply to PULL-DOC-REQ.
    public static let pullDocumentReply = Self(known: "PULL-DOC-REPLY")
    /// `PUSH-DOC`: a client replaces the session's document.
    public static let pushDocument = Self(known: "PUSH-DOC")
    /// `PATCH-DOC`: document change events, in either direction.
    public static let patchDocument = Self(known: "PATCH-DOC")
    /// `SERVER-INFO-REQ`: a client asks for the server's versions.
    public static let serverInfoRequest = Self(known: "SERVER-INFO-REQ")
    /// `SERVER-INFO-REPLY`: the versions, in reply to SERVER-INFO-REQ.
    public static let serverInfoReply = Self(known: "SERVER-INFO-REPLY")

    /// Every message type of Bokeh 3.10.2.
    public static let allCases: [MessageType] = [
        .ack, .ok, .error, .pullDocumentRequest, .pullDocumentReply, .pushDocument, .patchDocument,
        .serverInfoRequest, .serverInfoReply,
    ]

    /// Types whose Python header always carries `num_buffers`, even when it is 0.
    static let alwaysCountsBuffers: [MessageType] = [.pullDocumentReply, .pushDocument, .patchDocument]

    /// Types a Bokeh server handles when a client sends them; the rest are server-to-client only.
    public var isHandledByServer: Bool {
        [.pullDocumentRequest, .pushDocument, .patchDocument, .serverInfoRequest].contains(self)
    }

    public var description: String { rawValue }
}
