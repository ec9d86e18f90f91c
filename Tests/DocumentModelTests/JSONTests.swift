import DocumentModel
import Foundation
import Testing

@Suite struct JSONReaderTests {
    @Test func keepsIntegersApartFromFloats() throws {
        let value = try JSONReader.parse("[1, 1.0, -0, 1e2, 9223372036854775807, 9223372036854775808]")
        #expect(value == [.int(1), .double(1.0), .int(0), .double(100), .int(Int.max), .double(9223372036854775808.0)])
    }

    @Test func keepsObjectKeyOrder() throws {
        let value = try JSONReader.parse(#"{"b":1,"a":2,"c":3}"#)
        #expect(value.objectValue?.keys == ["b", "a", "c"])
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONReader.parse(#""a\"\\\/\b\f\n\r\t\u00e9\u2713\ud83d\ude00""#)
        #expect(value == .string("a\"\\/\u{8}\u{c}\n\r\té✓😀"))
        #expect(try JSONReader.parse("\"h\u{e9}llo\"") == .string("héllo"))
    }

    @Test(arguments: [
        (#"[1,]"#, 3), (#"{"a" 1}"#, 5), (#""\ud800""#, 1), (#""\udc00x""#, 1), (#"[01]"#, 2), ("[1", 2),
        (#""abc"#, 4), ("tru", 3), (#"{"a":1}x"#, 7), ("-", 1), ("1.", 2), ("\"\u{01}\"", 1), (#""\x""#, 1),
    ])
    func reportsErrorsWithByteOffsets(input: String, offset: Int) {
        #expect {
            _ = try JSONReader.parse(input)
        } throws: { error in
            (error as? JSONError)?.offset == offset
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONError.self) { _ = try JSONReader.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func enforcesNestingDepthLimit() throws {
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(throws: Never.self) { _ = try JSONReader.parse(deep, limits: JSONReaderLimits(maxDepth: 40)) }
        #expect {
            _ = try JSONReader.parse(deep, limits: JSONReaderLimits(maxDepth: 39))
        } throws: { error in
            (error as? JSONError)?.isTooDeeplyNested == true
        }
        let hostile = String(repeating: "[", count: 100_000)
        #expect(throws: JSONError.self) { _ = try JSONReader.parse(hostile) }
    }

    @Test func enforcesSizeLimit() {
        #expect(throws: JSONError.self) { _ = try JSONReader.parse("[1,2,3]", limits: JSONReaderLimits(maxBytes: 4)) }
    }
}

@Suite struct JSONWriterTests {
    @Test(arguments: [
        (40.0, "40.0"), (1e20, "1e+20"), (1.5e-7, "1.5e-07"), (0.1, "0.1"), (1e16, "1e+16"),
        (1234567890123456.0, "1234567890123456.0"), (1e-4, "0.0001"), (1e-5, "1e-05"), (-0.0, "-0.0"),
        (9007199254740992.0, "9007199254740992.0"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (Double.leastNonzeroMagnitude, "5e-324"), (1705321800000.0, "1705321800000.0"),
        (12345678901234568.0, "1.2345678901234568e+16"),
        (123.456, "123.456"), (-2.5e-10, "-2.5e-10"),
    ])
    func formatsFloatsAsPython(value: Double, expected: String) throws {
        #expect(PythonFloat.repr(value) == expected)
        #expect(try JSONWriter().string(.double(value)) == expected)
    }

    @Test func escapesLikePythonEnsureASCII() throws {
        let text = try JSONWriter().string(.string("é✓😀\"\\\n\u{1}\u{7f}/"))
        #expect(text == #""\u00e9\u2713\ud83d\ude00\"\\\n\u0001\u007f/""#)
        let raw = try JSONWriter(options: JSONWriterOptions(ensureASCII: false)).string(.string("é\u{1}"))
        #expect(raw == "\"é\\u0001\"")
    }

    @Test func writesPythonDefaultSeparators() throws {
        let value: JSONValue = .object(["msgid": "p1", "n": [1, 2]])
        #expect(try JSONWriter(options: .pythonDefault).string(value) == #"{"msgid": "p1", "n": [1, 2]}"#)
        #expect(try JSONWriter().string(value) == #"{"msgid":"p1","n":[1,2]}"#)
    }

    @Test func refusesNonFiniteNumbers() {
        #expect(throws: JSONError.self) { _ = try JSONWriter().string(.double(.nan)) }
    }

    @Test(arguments: [
        "doc_scatter.json", "doc_special_values.json", "serializer_values.json", "msg_pull_doc_reply.json",
    ])
    func roundTripsVectorFilesExactly(name: String) throws {
        let value = try vector(name)
        let reparsed = try JSONReader.parse(try JSONWriter(options: .pythonDefault).bytes(value))
        #expect(reparsed == value)
        // The doc_json_text fields are Python's exact compact output: we must write the same bytes.
        if let text = value["doc_json_text"]?.stringValue {
            #expect(try compact(try JSONReader.parse(text)) == text)
        }
    }
}
