/// `application/x-www-form-urlencoded` parsing, as Tornado parses request arguments.
///
/// Pairs are separated by `&`; `+` means space; `%XX` is decoded to a byte. Names become strings
/// (UTF-8, invalid sequences replaced); values stay bytes, because Bokeh keeps request arguments
/// as lists of bytes. Blank values are kept (`a=&b` gives `a: [""]`, `b: [""]`), as Tornado does.
public enum QueryString {
    /// Every name/value pair, in order.
    public static func parsePairs<S: StringProtocol>(_ query: S) -> [(name: String, value: [UInt8])] {
        var out: [(String, [UInt8])] = []
        for part in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let eq = part.firstIndex(of: UInt8(ascii: "="))
            let rawName = eq.map { part[..<$0] } ?? part[...]
            let rawValue = eq.map { part[part.index(after: $0)...] } ?? part[part.endIndex...]
            let name = String(decoding: percentDecode(rawName, plusIsSpace: true), as: UTF8.self)
            if name.isEmpty && rawValue.isEmpty { continue }
            out.append((name, percentDecode(rawValue, plusIsSpace: true)))
        }
        return out
    }

    /// Values grouped by name (names in first-seen order are not kept; use ``parsePairs(_:)`` for order).
    public static func parse<S: StringProtocol>(_ query: S) -> [String: [[UInt8]]] {
        var out: [String: [[UInt8]]] = [:]
        for (name, value) in parsePairs(query) { out[name, default: []].append(value) }
        return out
    }

    /// Decodes `%XX` escapes (and `+` as space when asked). Malformed escapes are kept literally.
    public static func percentDecode<C: Collection>(_ bytes: C, plusIsSpace: Bool = false) -> [UInt8]
    where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "%") {
                let j = bytes.index(after: i)
                if j != bytes.endIndex {
                    let k = bytes.index(after: j)
                    if k != bytes.endIndex, let hi = HTTPMessageParser.hexValue(bytes[j]),
                        let lo = HTTPMessageParser.hexValue(bytes[k])
                    {
                        // trap-safe: hi and lo are hex digit values, 0...15
                        out.append(UInt8(hi << 4 | lo))
                        i = bytes.index(after: k)
                        continue
                    }
                }
                out.append(c)
            } else if c == UInt8(ascii: "+") && plusIsSpace {
                out.append(0x20)
            } else {
                out.append(c)
            }
            i = bytes.index(after: i)
        }
        return out
    }

    /// Percent-encodes bytes for a query component (unreserved characters kept, space as `%20`).
    public static func percentEncode<C: Sequence>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = ""
        let hex = Array("0123456789ABCDEF".utf8)
        for c in bytes {
            switch c {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(c))
            default:
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(c >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(c & 0xF)]))
            }
        }
        return out
    }
}

/// `Cookie` request header parsing, as Tornado's `parse_cookie` does it.
///
/// Pairs are separated by `;`; a pair without `=` is a value with an empty name; names and values are
/// trimmed; double-quoted values are unquoted (with `\"`, `\\` and `\ooo` octal escapes). Later
/// duplicates win.
public enum CookieParser {
    public static func parse(_ header: String) -> [String: String] {
        var out: [String: String] = [:]
        for pairs in parsePairs(header) { out[pairs.name] = pairs.value }
        return out
    }

    /// Every pair, in order.
    public static func parsePairs(_ header: String) -> [(name: String, value: String)] {
        var out: [(String, String)] = []
        for chunk in header.split(separator: ";", omittingEmptySubsequences: false) {
            let name: Substring
            let value: Substring
            if let eq = chunk.firstIndex(of: "=") {
                name = chunk[..<eq]
                value = chunk[chunk.index(after: eq)...]
            } else {
                name = ""
                value = chunk
            }
            let n = HTTPHeaders.trimmed(name), v = HTTPHeaders.trimmed(value)
            if n.isEmpty && v.isEmpty { continue }
            out.append((n, unquote(v)))
        }
        return out
    }

    static func unquote(_ s: String) -> String {
        let u = Array(s.utf8)
        guard u.count >= 2, u.first == UInt8(ascii: "\""), u.last == UInt8(ascii: "\"") else { return s }
        var out: [UInt8] = []
        var i = 1
        let end = u.count - 1
        while i < end {
            if u[i] == UInt8(ascii: "\\"), i + 1 < end {
                if i + 3 < end, (0x30...0x33).contains(u[i + 1]), (0x30...0x37).contains(u[i + 2]),
                    (0x30...0x37).contains(u[i + 3])
                {
                    out.append((u[i + 1] - 0x30) << 6 | (u[i + 2] - 0x30) << 3 | (u[i + 3] - 0x30))
                    i += 4
                } else {
                    out.append(u[i + 1])
                    i += 2
                }
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
