public import DocumentModel

extension Message {
    /// `SERVER-INFO-REQ`: asks the server for its versions (BokehJS and `bokeh.client` also use it as a
    /// round trip). Content `{}`.
    public static func serverInfoRequest(metadata: JSONValue = .object([:])) -> Message {
        empty(.serverInfoRequest, metadata: metadata)
    }

    /// `SERVER-INFO-REPLY` to the request `requestID`: `{"version_info":{"bokeh":…,"server":…}}`.
    public static func serverInfoReply(
        replyingTo requestID: String, versionInfo: VersionInfo = .current, metadata: JSONValue = .object([:])
    ) -> Message {
        var message = empty(.serverInfoReply, replyingTo: requestID, metadata: metadata)
        message.content = .object(["version_info": versionInfo.json])
        return message
    }
}

/// The `version_info` of SERVER-INFO-REPLY.
public struct VersionInfo: Sendable, Hashable {
    /// The Bokeh (protocol and BokehJS) version.
    public var bokeh: String
    /// The server's version; Python sends the Bokeh version here too.
    public var server: String

    public init(bokeh: String, server: String) {
        self.bokeh = bokeh
        self.server = server
    }

    /// What a Bokeh 3.10.2 server reports: both versions `3.10.2`.
    public static let current = VersionInfo(bokeh: Document.bokehVersion, server: Document.bokehVersion)

    init(_ content: JSONValue, type: MessageType) throws(ProtocolError) {
        guard case .string(let bokeh)? = content["version_info"]?["bokeh"],
            case .string(let server)? = content["version_info"]?["server"]
        else {
            throw .malformedContent(type, expected: "'version_info' with string 'bokeh' and 'server'")
        }
        self.init(bokeh: bokeh, server: server)
    }

    var json: JSONValue { .object(["bokeh": .string(bokeh), "server": .string(server)]) }
}
