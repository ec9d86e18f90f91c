/// URL helpers of the client (Python: `bokeh.client.util`, `bokeh.util.string.format_url_query_arguments`).
public enum ClientURL {
    /// `http://host/app` → `ws://host/app/ws` (`https` → `wss`); a `ws[s]://` URL is returned as it is.
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
