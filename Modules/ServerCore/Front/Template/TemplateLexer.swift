// TemplateLexer.swift — turns template source into tokens, reproducing Jinja2's lexer
// (jinja2/lexer.py) for the default delimiters, including whitespace control (`-`/`+`),
// trim_blocks, lstrip_blocks, raw blocks and the dropped trailing newline.

import Foundation

/// Kinds of lexer tokens. Comments produce no tokens; `{% raw %}` bodies become `.data`.
enum TokenKind: Sendable, Equatable {
    case data, variableBegin, variableEnd, blockBegin, blockEnd
    case name, string, integer, float, op
    case eof
}

/// One token, with the 1-based source line it starts on.
struct Token: Sendable {
    var kind: TokenKind
    var text: String
    var intValue: Int = 0
    var doubleValue: Double = 0
    var line: Int

    /// True for a `.name` token with the given text.
    func isName(_ s: String) -> Bool { kind == .name && text == s }
    /// True for an `.op` token with the given text.
    func isOp(_ s: String) -> Bool { kind == .op && text == s }

    /// How error messages refer to this token (after Jinja's `describe_token`).
    var described: String {
        switch kind {
        case .eof: return "end of template"
        case .blockEnd: return "end of statement block"
        case .variableEnd: return "end of print statement"
        case .blockBegin: return "begin of statement block"
        case .variableBegin: return "begin of print statement"
        case .data: return "template data"
        case .string: return "string"
        default: return text
        }
    }
}

/// Lexer for one template source. Operates on Unicode scalars so that lengths and positions
/// match Python's code-point strings.
struct TemplateLexer {
    let file: String
    let options: TemplateOptions
    private var src: [Unicode.Scalar] = []
    private var lineStarts: [Int] = [0]

    init(source: String, file: String, options: TemplateOptions) {
        self.file = file
        self.options = options
        // Normalise \r\n, \r and \n to \n, and drop one trailing newline (keep_trailing_newline=False).
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(source.unicodeScalars.count)
        var it = Array(source.unicodeScalars)[...]
        while let c = it.popFirst() {
            if c == "\r" {
                if it.first == "\n" { it.removeFirst() }
                scalars.append("\n")
            } else {
                scalars.append(c)
            }
        }
        if !options.keepTrailingNewline, scalars.last == "\n" { scalars.removeLast() }
        src = scalars
        for (i, c) in src.enumerated() where c == "\n" { lineStarts.append(i + 1) }
    }

    /// 1-based line number of a scalar offset.
    private func line(at pos: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= pos { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    private func fail(_ message: String, at pos: Int) -> TemplateError {
        TemplateError(file: file, line: line(at: pos), message: message)
    }

    private func string(_ range: Range<Int>) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: src[range])
        return String(s)
    }

    private func matches(_ literal: String, at pos: Int) -> Bool {
        var p = pos
        for c in literal.unicodeScalars {
            guard p < src.count, src[p] == c else { return false }
            p += 1
        }
        return true
    }

    private func skipWhitespace(from pos: Int) -> Int {
        var p = pos
        while p < src.count, isPyWhitespace(src[p]) { p += 1 }
        return p
    }

    /// Applies Jinja's OptionalLStrip rule to the text before a tag: `-` strips all trailing
    /// whitespace; otherwise, with lstrip_blocks and a block/comment tag not marked `+`, strips
    /// spaces and tabs between the last newline (or template/line start) and the tag.
    private func stripText(_ text: Range<Int>, sign: Unicode.Scalar?, isVariable: Bool, lineStarting: Bool) -> Range<
        Int
    > {
        if sign == "-" {
            var end = text.upperBound
            while end > text.lowerBound, isPyWhitespace(src[end - 1]) { end -= 1 }
            return text.lowerBound..<end
        }
        if sign != "+", options.lstripBlocks, !isVariable {
            var lpos = text.lowerBound
            if let nl = src[text].lastIndex(of: "\n") { lpos = nl + 1 }
            if lpos > text.lowerBound || lineStarting {
                if lpos < text.upperBound, src[lpos..<text.upperBound].allSatisfy(isPyWhitespace) {
                    return text.lowerBound..<lpos
                }
            }
        }
        return text
    }

    /// Tokenizes the whole source.
    mutating func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        let n = src.count
        var pos = 0
        var lineStarting = true

        func emitData(_ r: Range<Int>) {
            if !r.isEmpty { tokens.append(Token(kind: .data, text: string(r), line: line(at: r.lowerBound))) }
        }

        while pos < n {
            // Find the next tag opener: {{, {% or {#.
            var i = pos
            var opener: Unicode.Scalar? = nil
            while i + 1 < n {
                if src[i] == "{", src[i + 1] == "{" || src[i + 1] == "%" || src[i + 1] == "#" {
                    opener = src[i + 1]
                    break
                }
                i += 1
            }
            guard let opener else {
                emitData(pos..<n)
                break
            }
            var j = i + 2
            var sign: Unicode.Scalar? = nil
            if j < n, src[j] == "-" || src[j] == "+" {
                sign = src[j]
                j += 1
            }

            // `{% raw %}` is recognised by the root rule itself (no trim_blocks after its `%}`).
            if opener == "%", let rawEnd = matchRawBegin(at: j) {
                emitData(stripText(pos..<i, sign: sign, isVariable: false, lineStarting: lineStarting))
                let rawLine = line(at: i)
                let bodyStart = rawEnd
                let rawStarting = rawEnd > 0 && src[rawEnd - 1] == "\n"
                guard let (bodyEnd, endSign, afterEnd) = findEndRaw(from: bodyStart) else {
                    throw TemplateError(
                        file: file, line: rawLine,
                        message:
                            "Missing end of raw directive (the 'raw' block opened on line \(rawLine) has no 'endraw')")
                }
                emitData(stripText(bodyStart..<bodyEnd, sign: endSign, isVariable: false, lineStarting: rawStarting))
                pos = afterEnd
                lineStarting = afterEnd > 0 && src[afterEnd - 1] == "\n"
                continue
            }

            emitData(stripText(pos..<i, sign: sign, isVariable: opener == "{", lineStarting: lineStarting))
            let openLine = line(at: i)

            if opener == "#" {
                // Comment: (.*?)((?:\+#}|\-#}\s*|#}\n?))
                var k = j
                var end: Int? = nil
                while k < n {
                    if src[k] == "+", matches("#}", at: k + 1) { end = k + 3; break }
                    if src[k] == "-", matches("#}", at: k + 1) { end = skipWhitespace(from: k + 3); break }
                    if matches("#}", at: k) {
                        var e = k + 2
                        if options.trimBlocks, e < n, src[e] == "\n" { e += 1 }
                        end = e
                        break
                    }
                    k += 1
                }
                guard let end else {
                    throw TemplateError(
                        file: file, line: openLine,
                        message: "Missing end of comment tag (the comment opened on line \(openLine) has no '#}')")
                }
                pos = end
                lineStarting = src[end - 1] == "\n"
                continue
            }

            let isVariable = opener == "{"
            tokens.append(
                Token(kind: isVariable ? .variableBegin : .blockBegin, text: isVariable ? "{{" : "{%", line: openLine))
            var k = j
            var balance: [Unicode.Scalar] = []
            while true {
                guard k < n else {
                    let what = isVariable ? "'{{' (missing '}}')" : "'{%' (missing '%}')"
                    throw TemplateError(
                        file: file, line: openLine,
                        message: "unterminated \(what): the tag opened on line \(openLine) is never closed")
                }
                if balance.isEmpty, let end = matchTagEnd(at: k, isVariable: isVariable) {
                    tokens.append(
                        Token(
                            kind: isVariable ? .variableEnd : .blockEnd, text: isVariable ? "}}" : "%}",
                            line: line(at: k)))
                    pos = end
                    lineStarting = src[end - 1] == "\n"
                    break
                }
                let c = src[k]
                if isPyWhitespace(c) { k += 1; continue }
                let tokLine = line(at: k)
                if let (tok, next) = try lexNumber(at: k) {
                    tokens.append(tok)
                    k = next
                } else if c == "_" || c.properties.isXIDStart {
                    var e = k + 1
                    while e < n, src[e] == "_" || src[e].properties.isXIDContinue { e += 1 }
                    tokens.append(Token(kind: .name, text: string(k..<e), line: tokLine))
                    k = e
                } else if c == "'" || c == "\"" {
                    var e = k + 1
                    while e < n, src[e] != c { e += src[e] == "\\" ? 2 : 1 }
                    guard e < n else { throw fail("unterminated string literal", at: k) }
                    let value = try unescape(k + 1..<e, at: k)
                    tokens.append(Token(kind: .string, text: value, line: tokLine))
                    k = e + 1
                } else if let op = matchOperator(at: k) {
                    switch op {
                    case "{": balance.append("}")
                    case "(": balance.append(")")
                    case "[": balance.append("]")
                    case "}", ")", "]":
                        guard let expected = balance.popLast() else { throw fail("unexpected '\(op)'", at: k) }
                        if String(expected) != op { throw fail("unexpected '\(op)', expected '\(expected)'", at: k) }
                    default: break
                    }
                    tokens.append(Token(kind: .op, text: op, line: tokLine))
                    k += op.unicodeScalars.count
                } else {
                    throw fail("unexpected char \(pyRepr(String(c))) in tag", at: k)
                }
            }
        }
        tokens.append(Token(kind: .eof, text: "", line: line(at: n)))
        return tokens
    }

    /// Matches `\s*raw\s*(?:-%}\s*|%})` at `pos`; returns the end offset.
    private func matchRawBegin(at pos: Int) -> Int? {
        var p = skipWhitespace(from: pos)
        guard matches("raw", at: p) else { return nil }
        p = skipWhitespace(from: p + 3)
        if matches("-%}", at: p) { return skipWhitespace(from: p + 3) }
        if matches("%}", at: p) { return p + 2 }
        return nil
    }

    /// Finds `{%[-+]?\s*endraw\s*(+%}|-%}\s*|%}\n?)`; returns (body end, sign, offset after the tag).
    private func findEndRaw(from start: Int) -> (Int, Unicode.Scalar?, Int)? {
        var k = start
        while k + 1 < src.count {
            if src[k] == "{", src[k + 1] == "%" {
                var p = k + 2
                var sign: Unicode.Scalar? = nil
                if p < src.count, src[p] == "-" || src[p] == "+" { sign = src[p]; p += 1 }
                p = skipWhitespace(from: p)
                if matches("endraw", at: p) {
                    p = skipWhitespace(from: p + 6)
                    if matches("+%}", at: p) { return (k, sign, p + 3) }
                    if matches("-%}", at: p) { return (k, sign, skipWhitespace(from: p + 3)) }
                    if matches("%}", at: p) {
                        var e = p + 2
                        if options.trimBlocks, e < src.count, src[e] == "\n" { e += 1 }
                        return (k, sign, e)
                    }
                }
            }
            k += 1
        }
        return nil
    }

    /// Matches a tag end at `pos`: `-}}\s*` / `}}` for variables; `+%}` / `-%}\s*` / `%}` (+ one
    /// newline with trim_blocks) for statements. Returns the offset after it.
    private func matchTagEnd(at pos: Int, isVariable: Bool) -> Int? {
        if isVariable {
            if matches("-}}", at: pos) { return skipWhitespace(from: pos + 3) }
            if matches("}}", at: pos) { return pos + 2 }
            return nil
        }
        if matches("+%}", at: pos) { return pos + 3 }
        if matches("-%}", at: pos) { return skipWhitespace(from: pos + 3) }
        if matches("%}", at: pos) {
            var e = pos + 2
            if options.trimBlocks, e < src.count, src[e] == "\n" { e += 1 }
            return e
        }
        return nil
    }

    private static let twoCharOps: Set<String> = ["//", "**", "==", "!=", ">=", "<="]
    private static let oneCharOps: Set<Unicode.Scalar> = [
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    ]

    private func matchOperator(at pos: Int) -> String? {
        if pos + 1 < src.count {
            let two = string(pos..<pos + 2)
            if Self.twoCharOps.contains(two) { return two }
        }
        return Self.oneCharOps.contains(src[pos]) ? String(src[pos]) : nil
    }

    private func isDigit(_ p: Int) -> Bool { p < src.count && src[p].value >= 48 && src[p].value <= 57 }

    /// `(\d+_)*\d+` at `pos`: returns the end offset, or nil without a leading digit.
    private func scanDigits(at pos: Int) -> Int? {
        guard isDigit(pos) else { return nil }
        var p = pos
        while true {
            while isDigit(p) { p += 1 }
            if p < src.count, src[p] == "_", isDigit(p + 1) { p += 1 } else { return p }
        }
    }

    /// Jinja's float_re then integer_re (decimal, 0b, 0o, 0x, with `_` separators).
    private func lexNumber(at pos: Int) throws -> (Token, Int)? {
        guard isDigit(pos) else { return nil }
        let tokLine = line(at: pos)
        // float_re, which never starts right after a '.' (so `a.0.1` stays an attribute chain).
        if pos == 0 || src[pos - 1] != ".", let intEnd = scanDigits(at: pos) {
            func exponent(at p: Int) -> Int? {
                guard p < src.count, src[p] == "e" || src[p] == "E" else { return nil }
                var q = p + 1
                if q < src.count, src[q] == "+" || src[q] == "-" { q += 1 }
                return scanDigits(at: q)
            }
            var end: Int? = nil
            if intEnd < src.count, src[intEnd] == ".", let fracEnd = scanDigits(at: intEnd + 1) {
                end = exponent(at: fracEnd) ?? fracEnd
            } else if let e = exponent(at: intEnd) {
                end = e
            }
            if let end {
                let text = string(pos..<end).replacingOccurrences(of: "_", with: "")
                guard let d = Double(text) else { throw fail("invalid float literal \(text)", at: pos) }
                return (Token(kind: .float, text: text, doubleValue: d, line: tokLine), end)
            }
        }
        // integer_re
        if src[pos] == "0", pos + 1 < src.count {
            let radixChar = Character(src[pos + 1]).lowercased()
            let radix = radixChar == "b" ? 2 : radixChar == "o" ? 8 : radixChar == "x" ? 16 : 0
            if radix != 0 {
                var p = pos + 2
                var digits = ""
                while p < src.count {
                    if src[p] == "_", p + 1 < src.count, Int(String(src[p + 1]), radix: radix) != nil {
                        p += 1; continue
                    }
                    guard Int(String(src[p]), radix: radix) != nil else { break }
                    digits.unicodeScalars.append(src[p])
                    p += 1
                }
                if !digits.isEmpty {
                    guard let v = Int(digits, radix: radix) else { throw fail("integer literal too large", at: pos) }
                    return (Token(kind: .integer, text: string(pos..<p), intValue: v, line: tokLine), p)
                }
            }
        }
        var end = pos + 1
        if src[pos] == "0" {
            while end < src.count {
                if src[end] == "0" {
                    end += 1
                } else if src[end] == "_", end + 1 < src.count, src[end + 1] == "0" {
                    end += 2
                } else {
                    break
                }
            }
        } else {
            while end < src.count {
                if isDigit(end) { end += 1 } else if src[end] == "_", isDigit(end + 1) { end += 2 } else { break }
            }
        }
        let text = string(pos..<end).replacingOccurrences(of: "_", with: "")
        guard let v = Int(text) else { throw fail("integer literal too large: \(text)", at: pos) }
        return (Token(kind: .integer, text: text, intValue: v, line: tokLine), end)
    }

    /// Python `unicode-escape` decoding of a string literal body.
    private func unescape(_ range: Range<Int>, at pos: Int) throws -> String {
        var out = String.UnicodeScalarView()
        var i = range.lowerBound
        func hexValue(_ count: Int, _ kind: String) throws -> Unicode.Scalar {
            guard i + count < range.upperBound || i + count == range.upperBound else {
                throw fail("truncated \\\(kind) escape", at: pos)
            }
            let digits = string(i..<i + count)
            guard digits.unicodeScalars.count == count, let v = UInt32(digits, radix: 16) else {
                throw fail("truncated \\\(kind) escape", at: pos)
            }
            guard let scalar = Unicode.Scalar(v) else { throw fail("illegal Unicode character in escape", at: pos) }
            i += count
            return scalar
        }
        while i < range.upperBound {
            let c = src[i]
            guard c == "\\", i + 1 < range.upperBound else {
                out.append(c)
                i += 1
                continue
            }
            let e = src[i + 1]
            i += 2
            switch e {
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "\n": break  // line continuation
            case "x": out.append(try hexValue(2, "xXX"))
            case "u": out.append(try hexValue(4, "uXXXX"))
            case "U": out.append(try hexValue(8, "UXXXXXXXX"))
            case "0"..."7":
                var v = e.value - 48
                var count = 1
                while count < 3, i < range.upperBound, src[i].value >= 48, src[i].value <= 55 {
                    v = v * 8 + src[i].value - 48
                    i += 1
                    count += 1
                }
                out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
            default:
                out.append("\\")
                out.append(e)
            }
        }
        return String(out)
    }
}
