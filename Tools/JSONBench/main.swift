// JSON read/write throughput of DocumentModel's reader and writer next to Foundation's JSONSerialization.
// Usage: swift run -c release JSONBench [file.json ...]   (default: the largest document vectors)
import DocumentModel
import Foundation

func measure(_ label: String, bytes: Int, iterations: Int, _ body: () throws -> Void) rethrows {
    for _ in 0..<max(1, iterations / 10) { try body() }  // warm-up
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations { try body() }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let megabytes = Double(bytes * iterations) / 1_048_576
    let perCall = seconds / Double(iterations) * 1e6
    let padded = label.padding(toLength: 38, withPad: " ", startingAt: 0)
    print(padded + String(format: "%8.1f MB/s  %9.1f µs/call", megabytes / seconds, perCall))
}

let shared = ProcessInfo.processInfo.environment["SWIFTBOKEH_SHARED"] ?? "../shared"
var paths = Array(CommandLine.arguments.dropFirst())
if paths.isEmpty { paths = ["doc_scatter.json", "msg_pull_doc_reply.json"].map { "\(shared)/vectors/\($0)" } }

for path in paths {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let bytes = [UInt8](data)
    let iterations = max(20, 200_000_000 / max(bytes.count, 1) / 20)
    print("\(path) (\(bytes.count) bytes, \(iterations) iterations)")
    let ours = try JSONReader.parse(bytes)
    let foundation = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    var sink = 0
    try measure("read   DocumentModel.JSONReader", bytes: bytes.count, iterations: iterations) {
        if case .object(let o) = try JSONReader.parse(bytes) { sink &+= o.count }
    }
    try measure("read   Foundation.JSONSerialization", bytes: bytes.count, iterations: iterations) {
        if let o = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any] {
            sink &+= o.count
        }
    }
    let writer = JSONWriter(options: .pythonDefault)
    let outputSize = try writer.bytes(ours).count
    try measure("write  DocumentModel.JSONWriter", bytes: outputSize, iterations: iterations) {
        sink &+= try writer.bytes(ours).count
    }
    let foundationSize = try JSONSerialization.data(withJSONObject: foundation).count
    try measure("write  Foundation.JSONSerialization", bytes: foundationSize, iterations: iterations) {
        sink &+= try JSONSerialization.data(withJSONObject: foundation).count
    }
    // The document path the server takes for PULL-DOC-REPLY: JSON text -> Document -> JSON text.
    var documentInput: (text: [UInt8], buffers: JSONValue?)?
    if case .string(let text) = ours["doc_json_text"] {
        documentInput = (Array(text.utf8), ours["buffers"])
    } else if let doc = ours["decoded"]?["content"]?["doc"] {
        documentInput = (try JSONWriter().bytes(doc), ours["decoded"]?["buffers"])
    }
    if let (docBytes, buffersJSON) = documentInput {
        let vectorBuffers = (buffersJSON?.arrayValue ?? []).compactMap { entry -> Buffer? in
            guard let id = entry["id"]?.stringValue, let b64 = entry["base64"]?.stringValue,
                let d = Data(base64Encoded: b64)
            else { return nil }
            return Buffer(id: id, bytes: [UInt8](d))
        }
        try measure("decode doc text -> Document", bytes: docBytes.count, iterations: iterations) {
            sink &+= try Document(fromJSONText: docBytes, buffers: vectorBuffers).models.count
        }
        let document = try Document(fromJSONText: docBytes, buffers: vectorBuffers)
        let compact = JSONWriter(options: .bokehContent)
        try measure("encode Document -> doc text", bytes: docBytes.count, iterations: iterations) {
            sink &+= try compact.bytes(document.toJSON().json).count
        }
    }
    if sink == 42 { print("") }
}
