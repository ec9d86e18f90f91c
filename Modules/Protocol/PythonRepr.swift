package import DocumentModel

/// Python's `repr()` of JSON-decoded data, for the error texts the Python server puts in close reasons
/// (`Malformed buffer header {'id': '0', 'x': 1}`, `Message 'OK' content: {} not expected on server`).
package enum PythonRepr {
    /// `repr(value)` for the Python object `json.loads` would produce. With `bytesObjects`, an object
    /// whose only key is `"bytes"` with a base64url string is shown as the bytes it stands for (`b'1'`),
    /// as in decoded session-token payloads.
    package static func string(_ value: JSONValue, bytesObjects: Bool = false) -> String {
        var output = ""
        write(value, bytesObjects: bytesObjects, into: &output)
        return output
    }

    private static func write(_ value: JSONValue, bytesObjects: Bool, into output: inout String) {
        switch value {
        case .null: output += "None"
        case .bool(let b): output += b ? "True" : "False"
        case .int(let i): output += String(i)
        case .double(let d):
            if d.isNaN {
                output += "nan"
            } else if d.isInfinite {
                output += d < 0 ? "-inf" : "inf"
            } else {
                output += PythonFloat.repr(d)
            }
        case .string(let s): output += quoted(s)
        case .array(let items):
            output += "["
            for (i, item) in items.enumerated() {
                if i > 0 { output += ", " }
                write(item, bytesObjects: bytesObjects, into: &output)
            }
            output += "]"
        case .object(let object):
            if bytesObjects, object.count == 1, case .string(let encoded)? = object["bytes"],
                let bytes = Base64URL.decode(encoded)
            {
                output += bytesLiteral(bytes)
                return
            }
            output += "{"
            for (i, member) in object.members.enumerated() {
                if i > 0 { output += ", " }
                output += quoted(member.key)
                output += ": "
                write(member.value, bytesObjects: bytesObjects, into: &output)
            }
            output += "}"
        }
    }

    /// Python's `str.__repr__`: single quotes unless the text has a `'` and no `"`.
    static func quoted(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var output = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if Character(scalar) == quote {
                    output += "\\" + String(quote)
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    output += "\\x" + hex(scalar.value, width: 2)
                } else if !isPrintable(scalar) {
                    let width = scalar.value <= 0xFF ? 2 : (scalar.value <= 0xFFFF ? 4 : 8)
                    output += (width == 2 ? "\\x" : width == 4 ? "\\u" : "\\U") + hex(scalar.value, width: width)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output.append(quote)
        return output
    }

    /// Python's `bytes.__repr__`.
    static func bytesLiteral(_ bytes: [UInt8]) -> String {
        let quote: UInt8 = bytes.contains(UInt8(ascii: "'")) && !bytes.contains(UInt8(ascii: "\"")) ? 0x22 : 0x27
        var output = "b" + String(UnicodeScalar(quote))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): output += "\\\\"
            case UInt8(ascii: "\n"): output += "\\n"
            case UInt8(ascii: "\r"): output += "\\r"
            case UInt8(ascii: "\t"): output += "\\t"
            case quote: output += "\\" + String(UnicodeScalar(quote))
            case 0x20..<0x7F: output.unicodeScalars.append(UnicodeScalar(byte))
            default: output += "\\x" + hex(UInt32(byte), width: 2)
            }
        }
        output += String(UnicodeScalar(quote))
        return output
    }

    /// An approximation of Python's `str.isprintable` for one scalar: separators, controls, format
    /// characters, surrogates and unassigned code points are escaped; everything else is printed as is.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return false
        default:
            return true
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
