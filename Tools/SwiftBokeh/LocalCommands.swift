// The offline subcommands of swift-bokeh: secret, json, info without a URL (Python's `bokeh secret`,
// `bokeh json`, `bokeh info`).
import DocumentModel
import Foundation
import Protocol
import ServerCore

/// `swift-bokeh secret`: a new key in Bokeh's format (44 characters of letters and digits), for
/// `BOKEH_SECRET_KEY`.
func runSecret(_ arguments: [String]) -> Int32 {
    guard arguments.isEmpty else { fail("unrecognized arguments: \(arguments.joined(separator: " "))") }
    print(SessionSigner.generateSecretKey())
    return 0
}

/// `swift-bokeh json FILE.json [--indent N] [-o FILE]`: reads a document JSON app file as `serve` would (the
/// document itself, or a message content with a `doc` member), checks it is a Bokeh document, and writes it
/// back out (compact, or indented by N).
func runJSON(_ arguments: [String]) -> Int32 {
    var files: [String] = []
    var indent: Int?
    var output = "-"
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        index += 1
        func value() -> String {
            guard index < arguments.count else { fail("argument \(argument): expected one argument") }
            defer { index += 1 }
            return arguments[index]
        }
        switch argument {
        case "--indent":
            let text = value()
            guard let n = Int(text), n >= 0 else { fail("argument --indent: invalid int value: '\(text)'") }
            indent = n
        case "-o", "--output": output = value()
        default:
            if argument.hasPrefix("-") { fail("unrecognized arguments: \(argument)") }
            files.append(argument)
        }
    }
    guard files.count == 1, let file = files.first else { fail("swift-bokeh json takes one FILE.json") }
    do {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let json = try JSONReader.parse(Array(data))
        let doc: JSONValue = if case .object(let o) = json, let inner = o["doc"] { inner } else { json }
        let document = try Document(fromJSON: doc)
        let out = document.toJSON(bytesMode: .inline).json
        let text =
            try (indent.map { try indented(out, by: $0) } ?? JSONWriter(options: .bokehContent).string(out)) + "\n"
        if output == "-" {
            FileHandle.standardOutput.write(Data(text.utf8))
        } else {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        }
        let models = document.models.count
        FileHandle.standardError.write(
            Data("\(file): a Bokeh document with \(document.roots.count) roots and \(models) models\n".utf8))
        return 0
    } catch {
        FileHandle.standardError.write(Data("ERROR: \(file): \(error)\n".utf8))
        return 1
    }
}

/// `value` as Python's `json.dumps(value, indent: n)` writes it (scalars by ``JSONWriter``).
func indented(_ value: JSONValue, by n: Int, depth: Int = 0) throws -> String {
    let writer = JSONWriter(options: .pythonDefault)
    let pad = String(repeating: " ", count: n * (depth + 1))
    let close = String(repeating: " ", count: n * depth)
    switch value {
    case .array(let items) where !items.isEmpty:
        let inner = try items.map { try pad + indented($0, by: n, depth: depth + 1) }
        return "[\n" + inner.joined(separator: ",\n") + "\n" + close + "]"
    case .object(let members) where !members.isEmpty:
        let inner = try members.members.map { key, member in
            try pad + writer.string(.string(key)) + ": " + indented(member, by: n, depth: depth + 1)
        }
        return "{\n" + inner.joined(separator: ",\n") + "\n" + close + "}"
    default:
        return try writer.string(value)
    }
}

/// `swift-bokeh info` without a URL: local versions, as `bokeh info`; `--static` prints only the BokehJS
/// directory the server would serve (or the CDN URL).
func runLocalInfo(_ arguments: [String]) -> Int32 {
    let location = BokehJSLocation.discover(flag: nil)
    if arguments == ["--static"] {
        print(location.directory ?? BokehResources.cdnBase)
        return 0
    }
    func row(_ name: String, _ value: String) {
        print(name.padding(toLength: 22, withPad: " ", startingAt: 0) + ":  " + value)
    }
    row("SwiftBokeh version", VersionInfo.current.server)
    row("Bokeh version", BokehJSLocation.version)
    row("Swift version", swiftVersion)
    row("BokehJS static path", location.description)
    row("BokehJS cache", BokehJSLocation.userCacheDirectory())
    row("Operating system", ProcessInfo.processInfo.operatingSystemVersionString)
    return 0
}

/// The compiler's language version this build used.
let swiftVersion: String = {
    #if swift(>=6.3)
        "6.3 or later"
    #elseif swift(>=6.2)
        "6.2"
    #elseif swift(>=6.1)
        "6.1"
    #else
        "6.0"
    #endif
}()
