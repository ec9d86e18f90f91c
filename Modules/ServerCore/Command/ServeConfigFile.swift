import DocumentModel
import Foundation

/// `--use-config FILE`: Bokeh's settings override file, YAML `name: value` lines (`log_level: debug`,
/// `secret_key: ...`, `sign_sessions: true`). As in Bokeh, a setting's value comes from the flag, else its
/// environment variable, else this file, else the default; names Bokeh has but the server does not read are
/// ignored, as Bokeh ignores them.
enum ServeConfigFile {
    /// Bokeh's setting names and the environment variables they stand for.
    static let settings: [String: String] = [
        "py_log_level": "BOKEH_PY_LOG_LEVEL", "log_level": "BOKEH_LOG_LEVEL", "ssl_certfile": "BOKEH_SSL_CERTFILE",
        "ssl_keyfile": "BOKEH_SSL_KEYFILE", "ico_path": "BOKEH_ICO_PATH", "resources": "BOKEH_RESOURCES",
        "secret_key": "BOKEH_SECRET_KEY", "sign_sessions": "BOKEH_SIGN_SESSIONS",
        "allowed_ws_origin": "BOKEH_ALLOW_WS_ORIGIN",
    ]

    /// The `--use-config` value among `arguments` (before `--args`), if any.
    static func path(in arguments: [String]) throws(ServeCommandError) -> String? {
        var path: String?
        var index = 0
        while index < arguments.count, arguments[index] != "--args" {
            let argument = arguments[index]
            index += 1
            if argument == "--use-config" {
                guard index < arguments.count else {
                    throw ServeCommandError("argument --use-config: expected one argument")
                }
                path = arguments[index]
                index += 1
            } else if argument.hasPrefix("--use-config=") {
                path = String(argument.dropFirst("--use-config=".count))
            }
        }
        return path
    }

    /// `environment` with the file's settings added where the environment has none.
    static func overlay(_ path: String, on environment: [String: String]) throws(ServeCommandError) -> [String: String]
    {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ServeCommandError("Could not load Bokeh config file: \(path)")
        }
        let json: JSONValue
        do { json = try ThemeYAML.parse(text) } catch { throw ServeCommandError("\(path): \(error)") }
        guard case .object(let object) = json else {
            throw ServeCommandError("\(path): a Bokeh config file holds `name: value` lines")
        }
        var result = environment
        for member in object.members {
            guard let variable = settings[member.key], result[variable] == nil else { continue }
            switch member.value {
            case .string(let s): result[variable] = s
            case .bool(let b): result[variable] = b ? "true" : "false"
            case .int(let i): result[variable] = String(i)
            case .double(let d): result[variable] = String(d)
            case .array(let items): result[variable] = items.compactMap(\.stringValue).joined(separator: ",")
            case .null, .object: continue
            }
        }
        return result
    }
}
