// Writes documents and PATCH-DOC contents made by DocumentModel's serializer into a directory, for
// Tools/interop/check_interop.py to load with Python Bokeh 3.10.2. Usage: doc-model-interop <out-dir> <vectors-dir>
import DocumentModel
import Foundation

struct Failure: Error, CustomStringConvertible {
    let description: String
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: doc-model-interop <out-dir> <vectors-dir>\n".utf8))
    exit(2)
}
let outputDirectory = URL(fileURLWithPath: arguments[1])
let vectorsDirectory = URL(fileURLWithPath: arguments[2])
let writer = JSONWriter(options: .bokehContent)

func text(_ json: JSONValue) throws -> String { try writer.string(json) }

func buffersJSON(_ buffers: [Buffer]) -> JSONValue {
    .array(buffers.map { .object(["id": .string($0.id), "base64": .string(Data($0.bytes).base64EncodedString())]) })
}

/// A plain JSON rendering of a value for comparison with Python's property values, or nil when the
/// value has no simple Python counterpart to compare against.
func plain(_ value: Value) -> JSONValue? {
    switch value {
    case .null: return .null
    case .bool(let b): return .bool(b)
    case .int(let i): return .double(Double(i))
    case .float(let d):
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        return .double(d)
    case .string(let s): return .string(s)
    case .list(let items):
        var out: [JSONValue] = []
        for item in items {
            guard let p = plain(item) else { return nil }
            out.append(p)
        }
        return .array(out)
    case .ndarray(let array):
        // Nested lists by shape, as numpy's tolist() gives.
        guard case .array(let flat) = plain(.list(array.storage.elements)) else { return nil }
        var nested = flat
        for dimension in array.shape.dropFirst().reversed() where dimension > 0 {
            nested = stride(from: 0, to: nested.count, by: dimension).map {
                .array(Array(nested[$0..<($0 + dimension)]))
            }
        }
        return .array(nested)
    case .typedArray(let typed): return plain(.list(typed.elements))
    case .map(let map):
        var object = JSONObject()
        for entry in map.entries {
            guard case .string(let key) = entry.key, let p = plain(entry.value) else { return nil }
            object[key] = p
        }
        return .object(object)
    case .model(let model): return .object(["id": .string(model.id)])
    default: return nil
    }
}

/// What Python must find after loading: title, root ids, model types and attribute values.
func expectations(_ document: Document) -> JSONValue {
    var models = JSONObject()
    var checks: [JSONValue] = []
    for model in document.models.values.sorted(by: { $0.id < $1.id }) where model !== document.config {
        models[model.id] = .string(model.typeName)
        for attribute in model.attributes {
            if let p = plain(attribute.value) {
                checks.append(.array([.string(model.id), .string(attribute.name), p]))
            }
        }
    }
    return .object([
        "title": .string(document.title), "roots": .array(document.roots.map { .string($0.id) }),
        "models": .object(models), "checks": .array(checks),
    ])
}

func write(_ name: String, _ json: JSONValue) throws {
    let url = outputDirectory.appendingPathComponent(name + ".json")
    try Data(try JSONWriter(options: .pythonDefault).bytes(json)).write(to: url)
}

func documentCase(_ name: String, _ document: Document, inline: Bool) throws {
    let expected = expectations(document)
    let (json, buffers) = document.toJSON(bytesMode: inline ? .inline : .buffers)
    try write(
        name,
        .object([
            "kind": "document", "doc_text": .string(try text(json)), "buffers": buffersJSON(buffers),
            "expect": expected,
        ]))
}

try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
var written = 0

// 1. Every golden document, decoded and written again by our serializer (buffers and inline).
for name in ["doc_empty", "doc_scatter", "doc_widgets", "doc_special_values"] {
    let vector = try JSONReader.parse(try Data(contentsOf: vectorsDirectory.appendingPathComponent(name + ".json")))
    guard case .string(let docText) = vector["doc_json_text"] else {
        throw Failure(description: "\(name): no doc_json_text")
    }
    let buffers = (vector["buffers"]?.arrayValue ?? []).compactMap { entry -> Buffer? in
        guard let id = entry["id"]?.stringValue, let b64 = entry["base64"]?.stringValue,
            let data = Data(base64Encoded: b64)
        else { return nil }
        return Buffer(id: id, bytes: [UInt8](data))
    }
    for inline in [false, true] {
        let document = try Document(fromJSONText: Array(docText.utf8), buffers: buffers)
        try documentCase("roundtrip_\(name)\(inline ? "_inline" : "")", document, inline: inline)
        written += 1
    }
}

// 2. A document built from scratch with generic models.
func builtDocument() -> (Document, slider: Model, div: Model, column: Model, source: Model, button: Model) {
    let document = Document(title: "Built in Swift ✓")
    let slider = Model("Slider", ["start": 0, "end": 10, "value": 3, "step": 1, "title": "n"])
    let button = Model("Button", ["label": "Go"])
    let div = Model("Div", ["text": "héllo ✓ 😀", "styles": .map(["color": "red", "font-size": "12px"])])
    let column = Model("Column", ["children": [.model(slider), .model(button), .model(div)]])
    let source = Model(
        "ColumnDataSource",
        [
            "data": .map([
                "x": .ndarray(NDArray(.float64([1, 2, 3]))), "y": [10.0, 20.0, 30.0],
                "n": .ndarray(NDArray(.int32([1, 2, 3]))),
                "s": .ndarray(NDArray(.string(["a", "b", "c"]))),
                "flag": .ndarray(NDArray(.bool([true, false, true]))),
                "big": .ndarray(NDArray(.int64([1 << 40, 2, 3]))),
            ])
        ])
    let range = Model(
        "Range1d",
        ["start": .float(-.infinity), "end": .float(.nan), "tags": [.model(source), .map(["a": 1]), [1, 2]]])
    document.addRoot(column)
    document.addRoot(source)
    document.addRoot(range)
    return (document, slider, div, column, source, button)
}

do {
    try documentCase("built_document", builtDocument().0, inline: false)
    try documentCase("built_document_inline", builtDocument().0, inline: true)
    written += 2
}

// 3. A sequence of patches against a synced base document, one PATCH-DOC per event as Python sends
//    them, plus one BokehJS-style batch.
do {
    let (document, slider, div, column, source, button) = builtDocument()
    let (baseJSON, baseBuffers) = document.toJSON()
    var events: [DocumentEvent] = []
    document.onChange { events.append($0) }
    var patches: [JSONValue] = []
    func flush(batched: Bool = false) throws {
        let groups = batched ? [events] : events.map { [$0] }
        for group in groups {
            let (content, buffers) = document.patchContent(for: group)
            patches.append(.object(["content_text": .string(try text(content)), "buffers": buffersJSON(buffers)]))
        }
        events.removeAll()
    }
    slider.set("value", 7)
    div.set("text", "new ✓")
    try document.stream(
        to: source,
        [
            "x": .ndarray(NDArray(.float64([4, 5]))), "y": [40.0, 50.0], "n": .ndarray(NDArray(.int32([4, 5]))),
            "s": ["d", "e"], "flag": .ndarray(NDArray(.bool([false, true]))), "big": [4, 5],
        ], rollover: 4)
    try document.patch(
        source,
        [
            ("y", [(.index(0), 99.0), (.slice(Slice(start: 1, stop: 3)), [7.0, 8.0])]),
            ("x", [(.index(3), 0.5)]),
        ])
    let added = Model("Div", ["text": "added"])
    document.addRoot(added)
    column.set("children", [.model(slider), .model(button), .model(div), .model(Model("Button", ["label": "New"]))])
    document.setTitle("Interop ✓")
    try document.removeRoot(added)
    try document.setColumnData(
        of: source,
        [
            "x": .ndarray(NDArray(.float64([1, 2]))), "y": [3.0, 4.0], "n": .ndarray(NDArray(.int32([5, 6]))),
            "s": .ndarray(NDArray(.string(["p", "q"]))), "flag": .ndarray(NDArray(.bool([true, true]))), "big": [7, 8],
        ])
    document.send(
        messageType: "bokeh_event", data: .event(name: "button_click", values: .map(["model": .model(button)])))
    try flush()
    slider.set("value", 9)
    div.set("text", "batched")
    try flush(batched: true)
    try write(
        "patch_sequence",
        .object([
            "kind": "patches", "doc_text": .string(try text(baseJSON)), "buffers": buffersJSON(baseBuffers),
            "patches": .array(patches), "expect": expectations(document),
        ]))
    written += 1
}

print("wrote \(written) cases to \(outputDirectory.path)")
