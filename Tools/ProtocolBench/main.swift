// Encode/decode throughput of the Protocol layer for a PATCH-DOC carrying 1 MiB of float64 buffers.
// Usage: swift run -c release ProtocolBench [total KiB, default 1024]
import DocumentModel
import Foundation
import Protocol

func measure(_ label: String, bytes: Int, iterations: Int, _ body: () throws -> Void) rethrows {
    for _ in 0..<max(1, iterations / 10) { try body() }  // warm-up
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations { try body() }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let megabytes = Double(bytes * iterations) / 1_048_576
    let perCall = seconds / Double(iterations) * 1e6
    let padded = label.padding(toLength: 44, withPad: " ", startingAt: 0)
    print(padded + String(format: "%9.1f MiB/s  %9.1f µs/message", megabytes / seconds, perCall))
}

let kibibytes = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1024
let columns = 4
let perColumn = kibibytes * 1024 / 8 / columns
let iterations = max(20, 200 * 1024 / max(kibibytes, 1))

// A document with one data source; the event replaces its columns with float64 arrays.
let source = Model("ColumnDataSource")
let document = Document(title: "bench")
document.addRoot(source)
_ = document.toJSON()
var data = ValueMap()
for c in 0..<columns {
    data["c\(c)"] = .ndarray(NDArray(.float64((0..<perColumn).map { Double($0) * 0.5 + Double(c) })))
}
let event = DocumentEvent.columnDataChanged(ColumnDataChangedEvent(model: source, data: data))

let message = Message.patchDocument(events: [event], in: document)
let encoder = MessageEncoder()
let fragments = try encoder.encode(message)
let wireBytes = fragments.reduce(0) { $0 + $1.byteCount }
let bufferBytes = message.buffers.reduce(0) { $0 + $1.bytes.count }
print(
    "PATCH-DOC ColumnDataChanged: \(message.buffers.count) float64 buffers, \(bufferBytes) buffer bytes, "
        + "\(fragments.count) fragments, \(wireBytes) bytes on the wire, \(iterations) iterations")

var sink = 0
try measure("encode  Message -> fragments", bytes: wireBytes, iterations: iterations) {
    sink &+= try encoder.encode(message).count
}
// Fragments share the buffers' storage (no copy); this adds the one copy a writer makes into its output.
try measure("encode  Message -> fragments -> copied out", bytes: wireBytes, iterations: iterations) {
    var output: [UInt8] = []
    output.reserveCapacity(wireBytes)
    for fragment in try encoder.encode(message) {
        switch fragment {
        case .text(let text): output.append(contentsOf: text.utf8)
        case .binary(let bytes): output.append(contentsOf: bytes)
        }
    }
    sink &+= output.count
}
try measure("encode  events -> Message -> fragments", bytes: wireBytes, iterations: iterations) {
    sink &+= try encoder.encode(Message.patchDocument(events: [event], in: document)).count
}
try measure("decode  fragments -> Message", bytes: wireBytes, iterations: iterations) {
    var assembler = MessageAssembler()
    for fragment in fragments {
        if let decoded = try assembler.consume(fragment) { sink &+= decoded.buffers.count }
    }
}
try measure("decode  fragments -> Message -> applied", bytes: wireBytes, iterations: iterations) {
    var assembler = MessageAssembler()
    for fragment in fragments {
        if let decoded = try assembler.consume(fragment) {
            try decoded.apply(to: document, setter: nil)
            sink &+= 1
        }
    }
}
if sink == 42 { print("") }
