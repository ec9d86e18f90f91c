// Harness: renders every case of cases.json with the Swift engine and prints {name: output} as JSON
// (an error becomes "ERROR: <description>"). Values are encoded as in compare.py:
//   {"$float": "1.5"}, {"$markup": "..."}, {"$bokeh": "file.html.jinja"} (a template from Bokeh's own
//   environment: trim_blocks + lstrip_blocks), {"$template": "name"} (from the case's files),
//   {"$function": "embed" | "upper"}.
import Foundation

indirect enum JValue: Decodable {
    case null, bool(Bool), int(Int), string(String), list([JValue]), object([String: JValue])
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let l = try? c.decode([JValue].self) {
            self = .list(l)
        } else {
            self = .object(try c.decode([String: JValue].self))
        }
    }
}

struct Case: Decodable {
    let name: String
    let files: [String: String]
    let main: String
    let vars: [String: JValue]
    let options: [String: Bool]?
}

let args = CommandLine.arguments
guard args.count >= 3 else { fatalError("usage: jinja-harness cases.json bokeh_templates_dir") }
let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: URL(fileURLWithPath: args[1])))
let bokehDir = args[2]

let bokehLoader: TemplateLoader = { name in
    let path = bokehDir + "/" + name
    guard let source = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return (source, name)
}

func bokehTemplate(_ name: String) throws -> Template {
    guard let (source, file) = try bokehLoader(name) else { throw EvalError("no bokeh template \(name)") }
    return try Template(source: source, file: file, loader: bokehLoader, options: .bokeh)
}

/// Bokeh's `embed` macro, as a Swift function value.
let embedFunction: TemplateValue = .function { args in
    guard args.count == 1, case .dict(let root) = args[0] else { throw EvalError("embed expects one root") }
    var s = "<div id=\"\(root["elementid"]?.pyStr ?? "")\""
    if let id = root["id"], id.isTruthy { s += " data-root-id=\"\(id.pyStr)\"" }
    return .string(s + " style=\"display: contents;\"></div>")
}

func convert(_ v: JValue, _ loader: @escaping TemplateLoader, _ options: TemplateOptions) throws -> TemplateValue {
    switch v {
    case .null: return .none
    case .bool(let b): return .bool(b)
    case .int(let i): return .int(i)
    case .string(let s): return .string(s)
    case .list(let l): return .list(try l.map { try convert($0, loader, options) })
    case .object(let o):
        if o.count == 1, let (key, val) = o.first, case .string(let s) = val {
            switch key {
            case "$float": return .double(Double(s) ?? .nan)
            case "$markup": return .markup(s)
            case "$bokeh": return .template(try bokehTemplate(s))
            case "$template":
                guard let (source, file) = try loader(s) else { throw EvalError("no template \(s)") }
                return .template(try Template(source: source, file: file, loader: loader, options: options))
            case "$function":
                switch s {
                case "embed": return embedFunction
                case "upper": return .function { args in .string(args.first?.pyStr.uppercased() ?? "") }
                default: throw EvalError("unknown function \(s)")
                }
            default: break
            }
        }
        var d: [String: TemplateValue] = [:]
        for (k, x) in o { d[k] = try convert(x, loader, options) }
        return .dict(d)
    }
}

var results: [String: String] = [:]
for c in cases {
    let files = c.files
    let loader: TemplateLoader = { name in files[name].map { ($0, name) } }
    let options = TemplateOptions(
        trimBlocks: c.options?["trim_blocks"] ?? false, lstripBlocks: c.options?["lstrip_blocks"] ?? false,
        keepTrailingNewline: c.options?["keep_trailing_newline"] ?? false)
    do {
        var vars: [String: TemplateValue] = [:]
        for (k, v) in c.vars { vars[k] = try convert(v, loader, options) }
        let template: Template
        if c.main.hasPrefix("$bokeh:") {
            template = try bokehTemplate(String(c.main.dropFirst(7)))
        } else {
            guard let source = files[c.main] else { throw EvalError("no main \(c.main)") }
            template = try Template(source: source, file: c.main, loader: loader, options: options)
        }
        results[c.name] = try template.render(vars)
    } catch {
        results[c.name] = "ERROR: \(error)"
    }
}
let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
FileHandle.standardOutput.write(data)
