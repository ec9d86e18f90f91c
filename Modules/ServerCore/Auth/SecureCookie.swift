import Foundation
import Wire

/// Tornado's signed values (`create_signed_value` / `decode_signed_value`): what `set_secure_cookie` and
/// `get_secure_cookie` write and read, so that a Python auth module's cookies and ours read each other.
///
/// Written in format 2: `2|1:0|10:<timestamp>|<len>:<name>|<len>:<base64 value>|<hex HMAC-SHA256>`, the
/// signature over everything before it (the last `|` included). Format 1 (`value|timestamp|HMAC-SHA1`) is read
/// too, as Tornado does. Time is an input (`now`, Unix seconds) so checks are reproducible.
public struct SecureCookieSigner: Sendable {
    /// The cookie secret's UTF-8 bytes (`--cookie-secret`, `BOKEH_COOKIE_SECRET`).
    public let secret: [UInt8]

    /// Tornado's default age limit for reading a signed value: 31 days.
    public static let defaultMaxAgeDays: Double = 31
    /// Longest signed value read (a cookie is at most 4 KiB in browsers).
    public static let maxSignedValueBytes = 8 * 1024

    /// - Throws: ``AuthConfigurationError`` when the secret is empty.
    public init(secret: String) throws(AuthConfigurationError) {
        guard !secret.isEmpty else { throw AuthConfigurationError("the cookie secret is empty") }
        self.secret = Array(secret.utf8)
    }

    /// The signed value of `value` under `name`, as Tornado's `create_signed_value(secret, name, value)`.
    public func sign(name: String, value: [UInt8], now: Int) -> String {
        func field(_ text: String) -> String { "\(text.utf8.count):\(text)" }
        let encoded = Data(value).base64EncodedString()
        let toSign = ["2", field("0"), field(String(now)), field(name), field(encoded), ""].joined(separator: "|")
        return toSign + Self.hex(AuthCrypto.hmac(.sha256, key: secret, message: Array(toSign.utf8)))
    }

    /// ``sign(name:value:now:)`` of `value`'s UTF-8 bytes.
    public func sign(name: String, value: String, now: Int) -> String {
        sign(name: name, value: Array(value.utf8), now: now)
    }

    /// The value signed under `name`, or nil when the signature, the name or the format does not match or it
    /// is older than `maxAgeDays` (Tornado's `decode_signed_value`).
    public func decode(name: String, signed: String, now: Int, maxAgeDays: Double = Self.defaultMaxAgeDays)
        -> [UInt8]?
    {
        let bytes = Array(signed.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxSignedValueBytes else { return nil }
        let oldest = Double(now) - maxAgeDays * 86400
        if let version = Self.version(of: bytes), version != 1 {
            return version == 2 ? decodeV2(bytes, name: name, oldest: oldest) : nil
        }
        return decodeV1(bytes, name: name, oldest: oldest, now: now)
    }

    /// ``decode(name:signed:now:maxAgeDays:)`` as UTF-8 text (nil when not UTF-8).
    public func decodeString(name: String, signed: String, now: Int, maxAgeDays: Double = Self.defaultMaxAgeDays)
        -> String?
    {
        decode(name: name, signed: signed, now: now, maxAgeDays: maxAgeDays).flatMap {
            String(validating: $0, as: UTF8.self)
        }
    }

    /// Tornado's `_get_version`: `^([1-9][0-9]*)\|` gives the version, unless it is over 999 (old values
    /// starting with base64 digits); anything else is format 1.
    private static func version(of bytes: [UInt8]) -> Int? {
        guard let bar = bytes.firstIndex(of: UInt8(ascii: "|")), bar > 0, bar <= 10 else { return nil }
        let digits = bytes[..<bar]
        guard digits.first != UInt8(ascii: "0"), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let n = Int(String(decoding: digits, as: UTF8.self))
        else { return nil }
        return n > 999 ? nil : n
    }

    private func decodeV2(_ bytes: [UInt8], name: String, oldest: Double) -> [UInt8]? {
        // 2|<keyversion field>|<timestamp field>|<name field>|<value field>|<signature>
        var rest = bytes[2...]
        func field() -> ArraySlice<UInt8>? {
            guard let colon = rest.firstIndex(of: UInt8(ascii: ":")), colon - rest.startIndex <= 10,
                let n = Int(String(decoding: rest[rest.startIndex..<colon], as: UTF8.self)), n >= 0,
                rest.endIndex - colon - 1 > n
            else { return nil }
            let start = colon + 1
            let value = rest[start..<(start + n)]
            guard rest[start + n] == UInt8(ascii: "|") else { return nil }
            rest = rest[(start + n + 1)...]
            return value
        }
        guard field() != nil, let timestamp = field(), let nameField = field(), let value = field() else { return nil }
        let signature = Array(rest)
        let signedPart = Array(bytes[..<rest.startIndex])
        let expected = Array(Self.hex(AuthCrypto.hmac(.sha256, key: secret, message: signedPart)).utf8)
        guard AuthCrypto.constantTimeEquals(signature, expected), Array(nameField) == Array(name.utf8),
            let seconds = Int(String(decoding: timestamp, as: UTF8.self)), Double(seconds) >= oldest
        else { return nil }
        return Data(base64Encoded: Data(value)).map { [UInt8]($0) }
    }

    private func decodeV1(_ bytes: [UInt8], name: String, oldest: Double, now: Int) -> [UInt8]? {
        let parts = bytes.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let expected = Array(
            Self.hex(AuthCrypto.hmac(.sha1, key: secret, message: Array(name.utf8) + parts[0] + parts[1])).utf8)
        guard AuthCrypto.constantTimeEquals(Array(parts[2]), expected),
            let seconds = Int(String(decoding: parts[1], as: UTF8.self)), Double(seconds) >= oldest,
            seconds <= now + 31 * 86400, parts[1].first != UInt8(ascii: "0")
        else { return nil }
        return Data(base64Encoded: Data(parts[0])).map { [UInt8]($0) }
    }

    /// `value` as Python's `http.cookies` writes it in `Set-Cookie` (what Tornado's `set_cookie` sends): as is
    /// when every character is legal in a cookie, else double-quoted with `"` and `\\` escaped. A signed
    /// value's base64 `=` and `/` make it quoted.
    public static func cookieValue(_ value: String) -> String {
        let legal = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~:")
        if value.allSatisfy({ legal.contains($0) }) { return value }
        var out = "\""
        for c in value {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if let ascii = c.asciiValue, ascii >= 0x20, ascii < 0x7F {
                    out.append(c)
                } else {
                    for byte in String(c).utf8 { out += "\\" + String(byte, radix: 8).leftPadded(to: 3) }
                }
            }
        }
        return out + "\""
    }

    static func hex(_ bytes: [UInt8]) -> String { Digest.hex(bytes) }

    static func unhex<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}

/// Tornado's XSRF tokens (`RequestHandler.xsrf_token`, `check_xsrf_cookie`): a random 16-byte token kept in the
/// `_xsrf` cookie and sent back with every state-changing request as the `_xsrf` form field or the
/// `X-XSRFToken` / `X-CSRFToken` header.
///
/// Written in format 2, `2|<hex mask>|<hex masked token>|<timestamp>`, with a fresh 4-byte mask each time (so
/// the token in a compressed page changes every time, as Tornado's BREACH defence); format 1 (hex of the token,
/// or the text itself) is read too.
public struct XSRFToken: Sendable, Equatable {
    /// The name of the cookie, the form field and (`X-XSRFToken`) the header.
    public static let cookieName = "_xsrf"

    /// The unmasked token.
    public let token: [UInt8]
    /// When it was made (Unix seconds).
    public let timestamp: Int

    public init(token: [UInt8], timestamp: Int) {
        self.token = token
        self.timestamp = timestamp
    }

    /// A new random token.
    public static func generate(now: Int) -> XSRFToken { XSRFToken(token: AuthCrypto.randomBytes(16), timestamp: now) }

    /// Reads a cookie or submitted value (Tornado's `_decode_xsrf_token`); nil when malformed.
    public init?(decoding text: String) {
        guard !text.isEmpty, text.utf8.count <= 1024 else { return nil }
        if let bar = text.firstIndex(of: "|"), let version = Int(text[..<bar]), version > 0,
            text[..<bar].first != "0"
        {
            let parts = text.split(separator: "|", omittingEmptySubsequences: false)
            guard version == 2, parts.count == 4, let mask = SecureCookieSigner.unhex(parts[1]), mask.count == 4,
                let masked = SecureCookieSigner.unhex(parts[2]), let timestamp = Int(parts[3])
            else { return nil }
            self.init(token: Self.mask(masked, with: mask), timestamp: timestamp)
            return
        }
        self.init(token: SecureCookieSigner.unhex(text) ?? Array(text.utf8), timestamp: 0)
    }

    /// The token in format 2 under `mask` (4 bytes; random when nil).
    public func encoded(mask: [UInt8]? = nil) -> String {
        let mask = mask ?? AuthCrypto.randomBytes(4)
        return [
            "2", SecureCookieSigner.hex(mask), SecureCookieSigner.hex(Self.mask(token, with: mask)), String(timestamp),
        ]
        .joined(separator: "|")
    }

    /// The hidden form field that carries the token (Tornado's `xsrf_form_html`).
    public func formHTML() -> String {
        "<input type=\"hidden\" name=\"_xsrf\" value=\"\(htmlEscape(encoded()))\"/>"
    }

    private static func mask(_ data: [UInt8], with mask: [UInt8]) -> [UInt8] {
        data.indices.map { data[$0] ^ mask[$0 % mask.count] }
    }

    /// Tornado's `check_xsrf_cookie`: nil when `submitted` (the form field or header) carries the token of
    /// `cookie`, else the 403 reason Tornado gives.
    public static func check(submitted: String?, cookie: String?) -> String? {
        guard let submitted, !submitted.isEmpty else { return "'_xsrf' argument missing from POST" }
        guard let given = XSRFToken(decoding: submitted), !given.token.isEmpty else {
            return "'_xsrf' argument has invalid format"
        }
        guard let expected = cookie.flatMap(XSRFToken.init(decoding:)),
            AuthCrypto.constantTimeEquals(given.token, expected.token)
        else { return "XSRF cookie does not match POST argument" }
        return nil
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
