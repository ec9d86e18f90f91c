/// URL helpers of the client (Python: `bokeh.client.util`, `bokeh.util.string.format_url_query_arguments`).
public enum ClientURL {
    /// `http://host/app` → `ws://host/app/ws` (`https` → `wss`), as Python's `websocket_url_for_server_url`
    /// after `SessionCoordinates`: `"default"` is ``defaultServerURL`` (so `ws://localhost:5006/ws`), and
    /// trailing slashes go before `/ws` is added.
    ///
    /// - Throws: ``ClientError/invalidURL(_:)`` for a `ws://` or `wss://` URL (the WebSocket URL where the
    ///   server's URL belongs) and for any other scheme, as Python raises `ValueError`. Its message says to
    ///   give the server's `http://` or `https://` URL.
    public static func websocketURL(fromServerURL url: String) throws(ClientError) -> String {
        let server = try serverURL(resolving: url)
        return (server.hasPrefix("https:") ? "wss" : "ws") + server.drop { $0 != ":" } + "/ws"
    }

    /// The server URL the client functions use for `url` (Python's `SessionCoordinates(url=…).url`):
    /// `"default"` is ``defaultServerURL``; the scheme is `http` or `https` (lower-cased), trailing slashes
    /// are dropped.
    ///
    /// - Throws: ``ClientError/invalidURL(_:)`` for a `ws[s]://` URL or any other scheme.
    static func serverURL(resolving url: String) throws(ClientError) -> String {
        let given = url == "default" ? defaultServerURL : url
        let example = "such as \(defaultServerURL)myapp"
        guard let colon = given.firstIndex(of: ":"), given[colon...].hasPrefix("://") else {
            throw .invalidURL(
                "'\(url)' is not a server URL: give the server's http:// or https:// URL (\(example))")
        }
        let scheme = given[..<colon].lowercased()
        switch scheme {
        case "http", "https":
            break
        case "ws", "wss":
            throw .invalidURL(
                "'\(url)' is a WebSocket URL: give the server's http:// or https:// URL (\(example)), "
                    + "not the websocket URL; the client adds the /ws itself")
        default:
            throw .invalidURL(
                "'\(url)' has the scheme '\(scheme)': give the server's http:// or https:// URL (\(example))")
        }
        var rest = given[colon...].dropFirst(3)
        while rest.hasSuffix("/") { rest.removeLast() }
        guard !rest.isEmpty else {
            throw .invalidURL("'\(url)' names no host: give the server's http:// or https:// URL (\(example))")
        }
        return scheme + "://" + rest
    }

    /// `http://host/app` → `ws://host/app/ws` (`https` → `wss`); a `ws[s]://` URL is returned as it is.
    @available(*, deprecated, message: "use websocketURL(fromServerURL:)")
    public static func websocketURL(forServerURL url: String) -> String {
        if url.hasPrefix("ws://") || url.hasPrefix("wss://") { return url }
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasPrefix("https://") { return "wss://" + base.dropFirst(8) + "/ws" }
        if base.hasPrefix("http://") { return "ws://" + base.dropFirst(7) + "/ws" }
        return base + "/ws"
    }

    /// `ws://host/app/ws` → `http://host/app/` (`wss` → `https`).
    public static func serverURL(forWebsocketURL url: String) -> String {
        var base = url
        if let query = base.firstIndex(of: "?") { base = String(base[..<query]) }
        if base.hasSuffix("/ws") { base.removeLast(2) }
        if base.hasPrefix("wss://") { return "https://" + base.dropFirst(6) }
        if base.hasPrefix("ws://") { return "http://" + base.dropFirst(5) }
        return base
    }

    /// `url` with `arguments` appended as a query string (form encoding, as Python's `urlencode`).
    public static func appendingQuery(_ arguments: [(name: String, value: String)], to url: String) -> String {
        guard !arguments.isEmpty else { return url }
        let query = arguments.map { formEncode($0.name) + "=" + formEncode($0.value) }.joined(separator: "&")
        return url + (url.contains("?") ? "&" : "?") + query
    }

    /// `application/x-www-form-urlencoded` encoding of one name or value (Python's `quote_plus`).
    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
