import DocumentModel
import Testing

/// Values a peer can send that used to stop the process (a trapping conversion or arithmetic, or a
/// recursion as deep as the input), each now an error or a correct result. Python Bokeh's behaviour is
/// noted beside each; it raises (and its server answers with an error) where we throw.
@Suite struct HostileValueTests {
    func apply(_ document: Document, _ events: String) throws {
        try document.applyPatch(try JSONReader.parse(Array(#"{"events":[\#(events)]}"#.utf8)), setter: Setter())
    }

    func changeText(_ new: String) -> String {
        #"{"kind":"ModelChanged","model":{"id":"p1007"},"attr":"text","new":\#(new)}"#
    }

    /// `Int.min` was written through `abs`, which traps for it. Python writes it as a float, and so do we.
    @Test func intMinSerializesAsAFloat() throws {
        let (document, _) = try baseDocument()
        try apply(document, changeText("-9223372036854775808"))
        let text = try compact(document.toJSON().json)
        #expect(text.contains(#""text":-9.223372036854776e+18"#))
        // An int64 array holding Int64.min too.
        var serializer = Serializer()
        let encoded = serializer.encode(.typedArray(.int64([Int64.min, 0])))
        #expect(try compact(encoded).contains("-9.223372036854776e+18"))
        #expect(serializer.encode(.list([.int(.min), .int(.max)])) == .array([.double(-0x1p63), .double(0x1p63)]))
    }

    /// A shape whose product wraps (`[1, 2^32, 2^32]` "holds" 0 elements) was accepted, and streaming or
    /// patching then overflowed. numpy refuses such a shape ("array is too big").
    @Test(arguments: [[1, 1 << 32, 1 << 32], [1 << 32, 1 << 32], [3, Int.max], [-1, 0]])
    func shapesWhoseProductDoesNotFitAreRefused(_ shape: [Int]) {
        #expect(throws: DocumentError.self) { try NDArray(.float64([]), shape: shape) }
        let (document, _) = (try? baseDocument()) ?? (Document(), [:])
        let array = #"{"type":"ndarray","array":[],"shape":\#(shape),"dtype":"float64","order":"little"}"#
        #expect(throws: DocumentError.self) { try apply(document, changeText(array)) }
    }

    /// Valid empty shapes with a huge dimension: nothing is materialised, streams and patches are checked.
    @Test func hugeDimensionsOfEmptyArraysCostNothing() throws {
        let (document, _) = try baseDocument()
        let column =
            #"{"type":"ndarray","array":[],"shape":[0,9223372036854775807],"dtype":"float64","order":"little"}"#
        try apply(
            document,
            #"{"kind":"ColumnDataChanged","model":{"id":"p1002"},"attr":"data","data":{"type":"map","entries":[["z",\#(column)]]},"cols":["z"]}"#
        )
        let slice = #"{"type":"slice","start":null,"stop":null,"step":null}"#
        // An all-slice patch selects nothing (numpy: an empty assignment).
        try apply(
            document,
            #"{"kind":"ColumnsPatched","model":{"id":"p1002"},"attr":"data","patches":{"type":"map","entries":[["z",[[[\#(slice),\#(slice)],[]]]]]}}"#
        )
        // An index into the empty dimension is out of range (Python: IndexError).
        #expect(throws: DocumentError.self) {
            try apply(
                document,
                #"{"kind":"ColumnsPatched","model":{"id":"p1002"},"attr":"data","patches":{"type":"map","entries":[["z",[[[0,0],1.0]]]]}}"#
            )
        }
        // Streaming one value into rows of Int.max values does not fit.
        #expect(throws: DocumentError.self) {
            try apply(
                document,
                #"{"kind":"ColumnsStreamed","model":{"id":"p1002"},"attr":"data","data":{"type":"map","entries":[["z",[1.0]]]},"rollover":null}"#
            )
        }
    }

    /// Patch indices at the ends of Int's range, and slices with extreme bounds and steps.
    @Test(arguments: [
        "9223372036854775807", "-9223372036854775808", "-1", "3", "1e300",
        #"{"type":"slice","start":-9223372036854775808,"stop":9223372036854775807,"step":9223372036854775807}"#,
        #"{"type":"slice","start":9223372036854775807,"stop":-9223372036854775808,"step":-9223372036854775808}"#,
        #"{"type":"slice","start":0,"stop":3,"step":0}"#,
    ])
    func extremePatchIndicesAreCheckedNotTrapped(_ index: String) throws {
        let (document, _) = try baseDocument()
        let patch =
            #"{"kind":"ColumnsPatched","model":{"id":"p1002"},"attr":"data","patches":{"type":"map","entries":[["x",[[\#(index),1.0]]]]}}"#
        do {
            try apply(document, patch)
            // Only a slice can apply (to what it selects): the column keeps its length.
            guard case .map(let data)? = document.model(id: "p1002")?["data"], case .ndarray(let x)? = data["x"] else {
                Issue.record("no column")
                return
            }
            #expect(x.storage.count == 3)
        } catch {
            #expect(error is DocumentError, "\(index)")
        }
    }

    @Test func aNegativeRolloverIsRefusedByTheLocalAPI() throws {
        let (document, _) = try baseDocument()
        let source = try #require(document.model(id: "p1002"))
        #expect(throws: DocumentError.self) {
            try document.stream(to: source, ["x": .ndarray(NDArray(.float64([4])))], rollover: -1)
        }
        #expect(throws: DocumentError.self) { try document.stream(to: source, ["y": [4.0]], rollover: -5) }
    }

    /// A value nested 500 levels deep, described for an error message: the description stops early
    /// (the reflection-based one walked all of it, deep enough to overflow a loop thread's stack).
    @Test func descriptionsOfDeepValuesAreBounded() throws {
        var value: Value = .int(1)
        for _ in 0..<500 { value = .dictionary([("a", value)]) }
        #expect(value.description.count < 300)
        #expect("\(value)".hasPrefix("{'a': {'a': "))
        var json: JSONValue = .int(1)
        for _ in 0..<500 { json = .array([json, .string(String(repeating: "x", count: 1000))]) }
        #expect(json.description.count < 300)
        let (document, _) = try baseDocument()
        let deepKey = String(repeating: #"{"a":"#, count: 500) + "1" + String(repeating: "}", count: 500)
        do {
            try apply(
                document,
                #"{"kind":"ColumnsStreamed","model":{"id":"p1002"},"attr":"data","data":{"type":"map","entries":[[\#(deepKey),[4]]]},"rollover":null}"#
            )
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".count < 400)
        }
    }

    /// Models chained by reference to ones defined before them: one message can make a chain of any
    /// length inside the 512-level JSON limit. Writing it out recursed once per model, and so did freeing
    /// it. The patch is refused (Python: RecursionError when it writes the document), and the rejected
    /// models are freed without recursion.
    @Test func longChainsOfModelsAreRefusedAndFreedIteratively() throws {
        let (document, _) = try baseDocument()
        let before = try compact(document.toJSON(bytesMode: .inline).json)
        var items = [#"{"type":"object","name":"Div","id":"c0"}"#]
        for i in 1..<20_000 {
            items.append(#"{"type":"object","name":"Div","id":"c\#(i)","attributes":{"tags":[{"id":"c\#(i - 1)"}]}}"#)
        }
        do {
            try apply(document, changeText("[" + items.joined(separator: ",") + "]"))
            Issue.record("expected the chain to be refused")
        } catch {
            #expect("\(error)".contains("models nested deeper than 100 levels"))
        }
        #expect(try compact(document.toJSON(bytesMode: .inline).json) == before)
        // 100 levels are fine.
        try apply(document, changeText("[" + items.prefix(90).joined(separator: ",") + "]"))
    }

    @Test func aChainOfAMillionModelsIsFreedWithoutRecursion() {
        var head = Model("Div")
        for _ in 0..<1_000_000 { head = Model("Div", ["tags": .list([.model(head)])]) }
        weak let probe = head
        head = Model("Div")
        #expect(probe == nil)
    }

    /// The serializer never recurses past its limit, whatever graph it is handed.
    @Test func theSerializerStopsAtItsNestingLimit() {
        var head = Model("Div")
        for _ in 0..<5_000 { head = Model("Div", ["child": .model(head)]) }
        var serializer = Serializer()
        _ = serializer.encode(.model(head))
        #expect(serializer.exceededNesting)
        #expect(serializer.emittedModels.count == Serializer.maxModelNesting)
    }

    /// Models referencing each other are freed when their document is destroyed (a session ends).
    @Test func destroyFreesModelsThatReferenceEachOther() {
        let document = Document()
        var button: Model? = Model("Button")
        let callback = Model("CustomJS", ["args": .dictionary([("button", .model(button!))]), "code": ""])
        button!.set("js_event_callbacks", .dictionary([("button_click", .list([.model(callback)]))]))
        document.addRoot(button!)
        weak let probe = button
        button = nil
        document.destroy()
        #expect(probe == nil)
        #expect(document.roots.isEmpty && document.models.count == 2)  // the new config and its notifications
    }
}
