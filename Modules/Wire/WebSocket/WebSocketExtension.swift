/// One element of a `Sec-WebSocket-Extensions` header: a name and its parameters, in order.
public struct WebSocketExtensionOffer: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    /// Parameters in order; a parameter without `=` has a nil value. Quoted values are unquoted.
    public var parameters: [Parameter]

    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: String?
        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    public init(name: String, parameters: [Parameter] = []) {
        self.name = name
        self.parameters = parameters
    }

    public var description: String {
        ([name] + parameters.map { p in p.value.map { "\(p.name)=\($0)" } ?? p.name }).joined(separator: "; ")
    }

    /// Parses every `Sec-WebSocket-Extensions` value of `headers` (RFC 6455 section 9.1).
    /// Elements that are not well formed are dropped.
    public static func parse(_ headers: HTTPHeaders) -> [WebSocketExtensionOffer] {
        headers.listElements(name: "Sec-WebSocket-Extensions").compactMap(parseElement)
    }

    static func parseElement(_ element: String) -> WebSocketExtensionOffer? {
        let parts = element.split(separator: ";", omittingEmptySubsequences: false).map { HTTPHeaders.trimmed($0) }
        guard let name = parts.first, !name.isEmpty, name.utf8.allSatisfy(HTTPMessageParser.isTokenChar) else {
            return nil
        }
        var params: [Parameter] = []
        for raw in parts.dropFirst() {
            if let eq = raw.firstIndex(of: "=") {
                let pname = HTTPHeaders.trimmed(raw[..<eq])
                var value = HTTPHeaders.trimmed(raw[raw.index(after: eq)...])
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                    value = String(value.dropFirst().dropLast())
                }
                guard !pname.isEmpty, !value.isEmpty else { return nil }
                params.append(Parameter(name: pname, value: value))
            } else {
                guard !raw.isEmpty, raw.utf8.allSatisfy(HTTPMessageParser.isTokenChar) else { return nil }
                params.append(Parameter(name: raw))
            }
        }
        return WebSocketExtensionOffer(name: name, parameters: params)
    }
}
