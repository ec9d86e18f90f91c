import DocumentModel
import Foundation
import TestSupport

/// Parses a shared vector with the project's reader.
func vector(_ name: String) throws -> JSONValue {
    try JSONReader.parse(try Fixtures.vector(name))
}

/// The `[{id, base64, length}]` list of a vector as buffers.
func buffers(_ json: JSONValue?) -> [Buffer] {
    (json?.arrayValue ?? []).compactMap { entry in
        guard let id = entry["id"]?.stringValue, let b64 = entry["base64"]?.stringValue,
            let data = Data(base64Encoded: b64)
        else { return nil }
        return Buffer(id: id, bytes: [UInt8](data))
    }
}

/// Rewrites buffer ids in bytes references (`{"type":"bytes","data":{"id":…}}`).
func renamingBuffers(_ json: JSONValue, _ mapping: [String: String]) -> JSONValue {
    switch json {
    case .array(let items): return .array(items.map { renamingBuffers($0, mapping) })
    case .object(var object):
        if object["type"] == "bytes", case .object(var data) = object["data"], let id = data["id"]?.stringValue,
            let renamed = mapping[id]
        {
            data["id"] = .string(renamed)
            object["data"] = .object(data)
            return .object(object)
        }
        object.members = object.members.map { (key: $0.key, value: renamingBuffers($0.value, mapping)) }
        return .object(object)
    default: return json
    }
}

/// Our output with buffer ids renamed to the expected ones, position by position, and whether the
/// buffer contents are byte-equal.
func aligned(_ json: JSONValue, _ ours: [Buffer], to expected: [Buffer]) -> (json: JSONValue, buffersEqual: Bool) {
    guard ours.count == expected.count else { return (json, false) }
    var mapping: [String: String] = [:]
    for (a, b) in zip(ours, expected) { mapping[a.id] = b.id }
    return (renamingBuffers(json, mapping), zip(ours, expected).allSatisfy { $0.bytes == $1.bytes })
}

func compact(_ json: JSONValue) throws -> String { try JSONWriter(options: .bokehContent).string(json) }

/// The document every event vector starts from (`base_doc()` of the vector generator), rebuilt from
/// generic models with the same ids, and fully synced as the generator's was.
func baseDocument() throws -> (Document, [String: Model]) {
    let source = Model(
        id: "p1002", typeName: "ColumnDataSource",
        attributes: [
            (
                "selected",
                .model(Model(id: "p1003", typeName: "Selection", attributes: [("indices", []), ("line_indices", [])]))
            ),
            ("selection_policy", .model(Model(id: "p1004", typeName: "UnionRenderers"))),
            ("data", .map(["x": .ndarray(NDArray(.float64([1, 2, 3]))), "y": [10.0, 20.0, 30.0]])),
        ])
    let slider = Model(
        id: "p1005", typeName: "Slider",
        attributes: [("start", 0), ("end", 10), ("value", 3), ("step", 1), ("title", "n")])
    let button = Model(id: "p1006", typeName: "Button", attributes: [("label", "Go")])
    let div = Model(id: "p1007", typeName: "Div", attributes: [("text", "old")])
    let glyph = Model(
        id: "p1042", typeName: "Scatter",
        attributes: [("x", .spec(DataSpec(.field("x")))), ("y", .spec(DataSpec(.field("y"))))])
    let renderer = Model(
        id: "p1045", typeName: "GlyphRenderer", attributes: [("data_source", .model(source)), ("glyph", .model(glyph))])
    let plot = Model(
        id: "p1008", typeName: "Figure",
        attributes: [("width", 200), ("height", 200), ("renderers", [.model(renderer)])])
    let column = Model(
        id: "p1048", typeName: "Column",
        attributes: [("children", [.model(slider), .model(button), .model(div), .model(plot)])])
    let document = Document(title: "Events")
    document.addRoot(column)
    _ = document.toJSON()
    return (
        document,
        [
            "source": source, "slider": slider, "button": button, "div": div, "plot": plot, "renderer": renderer,
            "glyph": glyph, "column": column,
        ]
    )
}

extension JSONValue {
    /// The decoded content of a message vector (`messages[i].decoded`).
    var decodedContent: JSONValue? { self["decoded"]?["content"] }
}
