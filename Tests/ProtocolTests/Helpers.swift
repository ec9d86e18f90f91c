import DocumentModel
import Foundation
import Protocol
import TestSupport

/// Parses a shared vector with the project's reader (keeps key order and int/float distinction).
func vector(_ name: String) throws -> JSONValue {
    try JSONReader.parse([UInt8](try Fixtures.vector(name)))
}

struct VectorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A vector frame (`{"opcode": "text", "text": …}` / `{"opcode": "binary", "base64": …}`) as a fragment;
/// `nil` for close entries.
func fragment(_ frame: JSONValue) throws -> Fragment? {
    switch frame["opcode"]?.stringValue {
    case "text":
        guard let text = frame["text"]?.stringValue else { throw VectorError("text frame without text") }
        return .text(text)
    case "binary":
        guard let b64 = frame["base64"]?.stringValue, let data = Data(base64Encoded: b64) else {
            throw VectorError("binary frame without base64")
        }
        return .binary([UInt8](data))
    default:
        return nil
    }
}

func fragments(_ frames: JSONValue?) throws -> [Fragment] {
    try (frames?.arrayValue ?? []).compactMap(fragment)
}

/// The `[{id, base64, length}]` list of a vector as buffers.
func vectorBuffers(_ json: JSONValue?) throws -> [Buffer] {
    try (json?.arrayValue ?? []).map { entry in
        guard let id = entry["id"]?.stringValue, let b64 = entry["base64"]?.stringValue,
            let data = Data(base64Encoded: b64)
        else { throw VectorError("bad buffer entry") }
        return Buffer(id: id, bytes: [UInt8](data))
    }
}

/// Feeds `fragments` to a fresh assembler and returns every message completed, with the index of the
/// fragment that completed it.
func assembleAll(_ fragments: [Fragment], limits: MessageAssemblerLimits = .default) throws(ProtocolError)
    -> [(index: Int, message: Message)]
{
    var assembler = MessageAssembler(limits: limits)
    var messages: [(index: Int, message: Message)] = []
    for (index, fragment) in fragments.enumerated() {
        if let message = try assembler.consume(fragment) { messages.append((index, message)) }
    }
    return messages
}

/// The error thrown while feeding `fragments` to a fresh assembler, with the index of the fragment
/// that caused it.
func assemblyError(_ fragments: [Fragment], limits: MessageAssemblerLimits = .default) -> (
    index: Int, error: ProtocolError
)? {
    var assembler = MessageAssembler(limits: limits)
    for (index, fragment) in fragments.enumerated() {
        do { _ = try assembler.consume(fragment) } catch { return (index, error) }
    }
    return nil
}

/// Rewrites buffer ids, both in the buffers and in `{"type":"bytes","data":{"id":…}}` references.
func renamingBuffers(_ message: Message, to ids: [String]) -> Message {
    var mapping: [String: String] = [:]
    for (buffer, id) in zip(message.buffers, ids) { mapping[buffer.id] = id }
    var renamed = message
    renamed.content = renamingReferences(message.content, mapping)
    renamed.buffers = message.buffers.map { Buffer(id: mapping[$0.id] ?? $0.id, bytes: $0.bytes) }
    return renamed
}

private func renamingReferences(_ json: JSONValue, _ mapping: [String: String]) -> JSONValue {
    switch json {
    case .array(let items): return .array(items.map { renamingReferences($0, mapping) })
    case .object(var object):
        if object["type"] == "bytes", case .object(var data)? = object["data"], let id = data["id"]?.stringValue,
            let renamed = mapping[id]
        {
            data["id"] = .string(renamed)
            object["data"] = .object(data)
            return .object(object)
        }
        object.members = object.members.map { (key: $0.key, value: renamingReferences($0.value, mapping)) }
        return .object(object)
    default: return json
    }
}

/// The number in a `p<N>` id.
func serial(_ id: String?) -> Int? {
    guard let id, id.hasPrefix("p") else { return nil }
    return Int(id.dropFirst())
}

/// The text of a fragment, or `nil` for binary.
func text(_ fragment: Fragment) -> String? {
    if case .text(let text) = fragment { return text }
    return nil
}

let messageVectorNames = [
    "msg_ack.json", "msg_ack_with_metadata.json", "msg_error.json", "msg_error_traceback.json", "msg_ok.json",
    "msg_patch_doc_streamed.json", "msg_pull_doc_reply.json", "msg_pull_doc_req.json", "msg_push_doc.json",
    "msg_server_info_reply.json", "msg_server_info_req.json",
]

let eventVectorNames = [
    "event_batch_two_events.json", "event_column_data_changed.json", "event_column_data_changed_full.json",
    "event_columns_patched.json", "event_columns_streamed.json", "event_columns_streamed_no_rollover.json",
    "event_message_sent_button_click.json", "event_model_changed.json", "event_model_changed_dataspec.json",
    "event_model_changed_new_model.json", "event_root_added.json", "event_root_removed.json",
    "event_title_changed.json",
]

/// A message vector: its exact frames and the decoded parts.
struct MessageVector: CustomStringConvertible, Sendable {
    let description: String
    let msgtype: String
    let frames: [Fragment]
    let header: JSONValue
    let metadata: JSONValue
    let content: JSONValue
    let buffers: [Buffer]

    init(name: String, json: JSONValue) throws {
        description = name
        frames = try fragments(json["frames"])
        guard let msgtype = json["msgtype"]?.stringValue, let decoded = json["decoded"],
            let header = decoded["header"], let metadata = decoded["metadata"], let content = decoded["content"]
        else { throw VectorError("\(name): no decoded parts") }
        self.msgtype = msgtype
        self.header = header
        self.metadata = metadata
        self.content = content
        buffers = try vectorBuffers(decoded["buffers"])
    }

    /// Every `msg_*.json` vector plus every PATCH-DOC of the `event_*.json` vectors.
    static func all() throws -> [MessageVector] {
        var vectors: [MessageVector] = []
        for name in messageVectorNames { vectors.append(try MessageVector(name: name, json: try vector(name))) }
        for name in eventVectorNames {
            for (i, message) in (try vector(name)["messages"]?.arrayValue ?? []).enumerated() {
                vectors.append(try MessageVector(name: "\(name)#\(i)", json: message))
            }
        }
        return vectors
    }

    static let allOrEmpty: [MessageVector] = (try? all()) ?? []
}

/// The part of the event vectors' base document that the PATCH-DOC tests touch: the data source
/// `p1002` (`x` a float64 array, `y` a list) and the slider `p1005`, fully synced.
enum EventDocument {
    static func make() throws -> Document {
        let source = Model(
            id: "p1002", typeName: "ColumnDataSource",
            attributes: [("data", .map(["x": .ndarray(NDArray(.float64([1, 2, 3]))), "y": [10.0, 20.0, 30.0]]))])
        let slider = Model(id: "p1005", typeName: "Slider", attributes: [("value", 3)])
        let document = Document(title: "Events")
        document.addRoot(source)
        document.addRoot(slider)
        document.markAllSynced()
        return document
    }
}
