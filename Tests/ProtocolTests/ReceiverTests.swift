import DocumentModel
import Foundation
import Protocol
import TestSupport
import Testing

/// One case of `receiver_cases.json`.
struct ReceiverCase: CustomStringConvertible, Sendable {
    let description: String
    let frames: [Fragment]
    let steps: [String]

    static let all: [ReceiverCase] = {
        guard let json = try? vector("receiver_cases.json"), let cases = json["cases"]?.arrayValue else { return [] }
        return cases.compactMap { item in
            guard let name = item["case"]?.stringValue, let frames = try? fragments(item["frames"]),
                let steps = item["python_receiver_steps"]?.arrayValue?.compactMap(\.stringValue)
            else { return nil }
            return ReceiverCase(description: name, frames: frames, steps: steps)
        }
    }()
}

@Suite("Assembler against the Python receiver")
struct ReceiverTests {
    @Test func everyReceiverCaseIsLoaded() {
        #expect(ReceiverCase.all.count == 16)
    }

    /// Each step is `need more`, `message complete: TYPE`, or `ExceptionName: text  [server: …]`.
    @Test(arguments: ReceiverCase.all)
    func reactsLikeThePythonServer(_ c: ReceiverCase) throws {
        try #require(c.frames.count == c.steps.count)
        var assembler = MessageAssembler()
        for (fragment, step) in zip(c.frames, c.steps) {
            if step == "need more" {
                #expect(try assembler.consume(fragment) == nil)
            } else if step.hasPrefix("message complete: ") {
                let message = try #require(try assembler.consume(fragment))
                #expect(message.type.rawValue == String(step.dropFirst("message complete: ".count)))
                #expect(assembler.isIdle)
            } else {
                let exception = String(step.prefix { $0 != ":" })
                let text = String(step.dropFirst(exception.count + 2).prefix { $0 != "[" })
                    .trimmingCharacters(in: .whitespaces)
                let error = try #require(throws: ProtocolError.self) { try assembler.consume(fragment) }
                if ["ValidationError", "ProtocolError", "MessageError"].contains(exception) {
                    #expect(error.closeCode == 10001)
                    #expect(error.closeReason == text)
                    #expect(error.description == text)
                    #expect(error.isProtocolViolation)
                } else {
                    #expect(step.contains("close(10000, 'server failed to parse a message')"))
                    #expect(error.closeCode == 10000)
                    #expect(error.closeReason == "server failed to parse a message")
                }
            }
        }
    }

    @Test(arguments: MessageVector.allOrEmpty)
    func rejectsTheWrongFrameKindAtEveryPosition(_ v: MessageVector) throws {
        let names =
            ["_HEADER", "_METADATA", "_CONTENT"] + v.buffers.flatMap { _ in ["_BUFFER_HEADER", "_BUFFER_PAYLOAD"] }
        for position in v.frames.indices {
            var frames = v.frames
            let flipped: Fragment
            switch frames[position] {
            case .text(let text): flipped = .binary(Array(text.utf8))
            case .binary(let bytes): flipped = .text(String(decoding: bytes, as: UTF8.self))
            }
            frames[position] = flipped
            let failure = try #require(assemblyError(frames), "position \(position)")
            #expect(failure.index == position)
            let (expected, received) = text(flipped) != nil ? ("binary", "text") : ("text", "binary")
            #expect(failure.error.closeCode == 10001)
            #expect(
                failure.error.closeReason
                    == "expected \(expected) fragment but received \(received) fragment for \(names[position])")
            #expect(failure.error.isUnexpectedFragment)
        }
    }

    @Test(arguments: MessageVector.allOrEmpty)
    func malformedJSONInEachPartFailsWithPythonsCode(_ v: MessageVector) throws {
        let cases: [(position: Int, code: UInt16, reason: String)] = [
            (0, 10000, "server failed to parse a message"),
            (1, 10001, "metadata could not be decoded"),
            (2, 10001, "content could not be decoded"),
        ]
        for c in cases {
            for garbage in ["", "{", "{\"a\":}", "nope", "[1,]", "{} {}"] {
                var frames = v.frames
                frames[c.position] = .text(garbage)
                let failure = try #require(assemblyError(frames), "\(c.position) \(garbage)")
                #expect(failure.index == 2, "nothing is parsed before the content frame")
                #expect(failure.error.closeCode == c.code)
                #expect(failure.error.closeReason == c.reason)
            }
        }
        if !v.buffers.isEmpty {
            var frames = v.frames
            frames[3] = .text("{\"id\": ")
            let failure = try #require(assemblyError(frames))
            #expect(failure.index == 3)
            #expect(failure.error.closeCode == 10000)
            #expect(failure.error.closeReason == "server failed to parse a message")
        }
    }

    @Test func headerShapesFailAsInPython() throws {
        let cases: [(header: String, code: UInt16, reason: String)] = [
            (#"{"msgid": "m1"}"#, 10001, "No 'msgtype' in header"),
            ("[]", 10001, "No 'msgtype' in header"),
            (#""text""#, 10001, "No 'msgtype' in header"),
            (#"["msgtype"]"#, 10000, "server failed to parse a message"),
            ("5", 10000, "server failed to parse a message"),
            ("null", 10000, "server failed to parse a message"),
            (#"{"msgtype": 5}"#, 10000, "server failed to parse a message"),
            (#"{"msgtype": "ok"}"#, 10000, "server failed to parse a message"),
            (
                #"{"msgtype": "OK", "num_buffers": -1}"#, 10001,
                "Malformed message header: 'num_buffers' must be a non-negative integer, got -1"
            ),
            (
                #"{"msgtype": "OK", "num_buffers": "2"}"#, 10001,
                "Malformed message header: 'num_buffers' must be a non-negative integer, got '2'"
            ),
            (#"{"msgtype": "OK", "msgid": 7}"#, 10001, "Malformed message header: 'msgid' must be a string, got 7"),
            (#"{"msgtype": "OK", "reqid": [1]}"#, 10001, "Malformed message header: 'reqid' must be a string, got [1]"),
        ]
        for c in cases {
            let failure = try #require(assemblyError([.text(c.header), .text("{}"), .text("{}")]), "\(c.header)")
            #expect(failure.error.closeCode == c.code, "\(c.header)")
            #expect(failure.error.closeReason == c.reason, "\(c.header)")
        }
        // Python reads `num_buffers: 2.0` as 2; a missing `msgid` is accepted as by the Python server.
        let frames: [Fragment] = [
            .text(#"{"msgtype": "PATCH-DOC", "num_buffers": 1.0}"#), .text("{}"), .text(#"{"events":[]}"#),
            .text(#"{"id": "b"}"#), .binary([1]),
        ]
        let message = try #require(try assembleAll(frames).first?.message)
        #expect(message.messageID == nil)
        #expect(message.header.numBuffers == 1)
    }

    /// Buffer counts beyond any range: refused with Bokeh's codes, never converted with a trap.
    @Test(arguments: [
        "1e300", "-1e300", "9223372036854775808", "-9223372036854775809", "1e19", "2.5", "4294967296", "1e999",
    ])
    func absurdBufferCountsAreRefused(_ count: String) throws {
        let failure = try #require(
            assemblyError([.text(#"{"msgtype": "PATCH-DOC", "num_buffers": \#(count)}"#), .text("{}"), .text("{}")]),
            "\(count)")
        #expect([10000, 10001, 1009].contains(failure.error.closeCode), "\(count): \(failure.error)")
    }

    @Test func bufferHeadersMustBeExactlyAnID() throws {
        let prefix: [Fragment] = [
            .text(#"{"msgid": "m1", "msgtype": "PATCH-DOC", "num_buffers": 1}"#), .text("{}"), .text(#"{"events":[]}"#),
        ]
        let cases: [(header: String, reason: String)] = [
            (#"{}"#, "Malformed buffer header {}"),
            (#"{"id":"0","x":1}"#, "Malformed buffer header {'id': '0', 'x': 1}"),
            (#"{"ID":"0"}"#, "Malformed buffer header {'ID': '0'}"),
            (#"{"id":0}"#, "Malformed buffer header {'id': 0}"),
            (#"{"id":null}"#, "Malformed buffer header {'id': None}"),
            (#"["id"]"#, "Malformed buffer header ['id']"),
            (#"{"id":"it's","n":1.5}"#, #"Malformed buffer header {'id': "it's", 'n': 1.5}"#),
        ]
        for c in cases {
            let failure = try #require(assemblyError(prefix + [.text(c.header), .binary([0])]))
            #expect(failure.index == 3)
            #expect(failure.error.closeCode == 10001)
            #expect(failure.error.closeReason == c.reason)
        }
    }

    @Test func numBuffersLargerThanWhatIsSentFailsAtTheNextHeader() throws {
        // Declares two buffers, sends one, then the next message's header arrives where a buffer header
        // belongs: it is not `{"id": …}`, which Python reports as a malformed buffer header.
        let frames: [Fragment] = [
            .text(#"{"msgid": "m1", "msgtype": "PATCH-DOC", "num_buffers": 2}"#), .text("{}"), .text(#"{"events":[]}"#),
            .text(#"{"id": "a"}"#), .binary([1, 2]),
            .text(#"{"msgid": "m2", "msgtype": "OK"}"#), .text("{}"), .text("{}"),
        ]
        let failure = try #require(assemblyError(frames))
        #expect(failure.index == 5)
        #expect(failure.error.closeReason == "Malformed buffer header {'msgid': 'm2', 'msgtype': 'OK'}")
        #expect(failure.error.closeCode == 10001)
        // A buffer header where the payload belongs is a frame of the wrong kind.
        let shifted = Array(frames[0..<4]) + [.text(#"{"id": "b"}"#)]
        let kind = try #require(assemblyError(shifted))
        #expect(kind.index == 4)
        #expect(kind.error.closeReason == "expected binary fragment but received text fragment for _BUFFER_PAYLOAD")
    }

    @Test func numBuffersSmallerThanWhatIsSentFailsAtTheStrayPayload() throws {
        // Declares no buffers but sends one: the message completes early, the buffer header is read as
        // the next header, and its payload arrives where metadata belongs.
        let frames: [Fragment] = [
            .text(#"{"msgid": "m1", "msgtype": "PATCH-DOC", "num_buffers": 0}"#), .text("{}"), .text(#"{"events":[]}"#),
            .text(#"{"id": "a"}"#), .binary([1, 2]),
        ]
        var assembler = MessageAssembler()
        #expect(try assembler.consume(frames[0]) == nil)
        #expect(try assembler.consume(frames[1]) == nil)
        #expect(try assembler.consume(frames[2])?.buffers == [])
        #expect(try assembler.consume(frames[3]) == nil)
        let error = try #require(throws: ProtocolError.self) { try assembler.consume(frames[4]) }
        #expect(error.closeReason == "expected text fragment but received binary fragment for _METADATA")
    }

    @Test func missingNumBuffersMeansNoBuffers() throws {
        let frames: [Fragment] = [
            .text(#"{"msgid":"c3","msgtype":"PATCH-DOC"}"#), .text("{}"), .text(#"{"events":[]}"#),
        ]
        let messages = try assembleAll(frames)
        #expect(messages.map(\.index) == [2])
        #expect(messages.first?.message.header.numBuffers == nil)
    }

    @Test func limitsRejectOversizeFragmentsBuffersAndMessages() throws {
        let limits = MessageAssemblerLimits(maxFragmentBytes: 64, maxBufferCount: 2, maxMessageBytes: 200)
        let header = Fragment.text(#"{"msgid": "m1", "msgtype": "PATCH-DOC", "num_buffers": 2}"#)
        let prefix: [Fragment] = [header, .text("{}"), .text(#"{"events":[]}"#), .text(#"{"id": "a"}"#)]

        let bigBuffer = try #require(assemblyError(prefix + [.binary(Array(repeating: 0, count: 65))], limits: limits))
        #expect(bigBuffer.index == 4)
        #expect(bigBuffer.error.isTooBig)
        #expect(bigBuffer.error.closeCode == 1009)
        #expect(bigBuffer.error.closeReason == "message too big")

        let bigText = try #require(assemblyError([.text(String(repeating: " ", count: 65) + "{}")], limits: limits))
        #expect(bigText.index == 0)
        #expect(bigText.error.isTooBig)

        let tooMany = try #require(
            assemblyError(
                [.text(#"{"msgid": "m1", "msgtype": "PATCH-DOC", "num_buffers": 3}"#), .text("{}"), .text("{}")],
                limits: limits))
        #expect(tooMany.index == 2)
        #expect(tooMany.error.closeCode == 1009)

        let payload = Fragment.binary(Array(repeating: 7, count: 60))
        let total = try #require(
            assemblyError(prefix + [payload, .text(#"{"id": "b"}"#), payload], limits: limits))
        #expect(total.index == 6, "the sum of the fragments exceeds 200 bytes")
        #expect(total.error.isTooBig)

        // Exactly at the limits is fine, and the total is counted per message.
        let fits = prefix + [.binary(Array(repeating: 1, count: 64)), .text(#"{"id": "b"}"#), .binary([2])]
        let twice = try assembleAll(fits + fits, limits: limits)
        #expect(twice.count == 2)
        #expect(twice.first?.message.buffers.map(\.bytes.count) == [64, 1])
    }

    @Test func staysFailedAfterAnError() throws {
        var assembler = MessageAssembler()
        let first = try #require(throws: ProtocolError.self) { try assembler.consume(.binary([0])) }
        #expect(!assembler.isIdle)
        let second = try #require(throws: ProtocolError.self) {
            try assembler.consume(.text(#"{"msgid": "m1", "msgtype": "OK"}"#))
        }
        #expect(first == second)
    }

    @Test func emptyBuffersAndDuplicateIdsAreKeptInOrder() throws {
        let frames: [Fragment] = [
            .text(#"{"msgid":"m","msgtype":"PUSH-DOC","num_buffers":3}"#), .text("{}"), .text(#"{"doc":{}}"#),
            .text(#"{"id":"0"}"#), .binary([]), .text(#"{"id":"0"}"#), .binary([9]), .text(#"{"id":"x"}"#),
            .binary([8]),
        ]
        let message = try #require(try assembleAll(frames).first?.message)
        #expect(
            message.buffers == [Buffer(id: "0", bytes: []), Buffer(id: "0", bytes: [9]), Buffer(id: "x", bytes: [8])])
    }
}
