// The client subcommands of swift-bokeh: pull, push, info (Python: `bokeh.client` from a script).
import Client
import DocumentModel
import Foundation
import Protocol

/// Runs `swift-bokeh pull|push|info ARGS`; returns the exit status.
func runClientCommand(_ command: String, _ arguments: [String]) -> Int32 {
    var positional: [String] = []
    var sessionID: String?
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        index += 1
        if argument == "--session-id" {
            guard index < arguments.count else { fail("argument --session-id: expected one argument") }
            sessionID = arguments[index]
            index += 1
        } else if argument.hasPrefix("--session-id=") {
            sessionID = String(argument.dropFirst("--session-id=".count))
        } else if argument.hasPrefix("-") {
            fail("unrecognized arguments: \(argument)")
        } else {
            positional.append(argument)
        }
    }
    do {
        switch (command, positional.count) {
        case ("pull", 1):
            let session = try pullSession(sessionID: sessionID, url: positional[0])
            defer { session.close() }
            let json = try session.withDocument { document in document.toJSON(bytesMode: .inline).json }
            print(try JSONWriter(options: .pythonDefault).string(json))
        case ("push", 2):
            let text = try Data(contentsOf: URL(fileURLWithPath: positional[0]))
            let document = try Document(fromJSONText: Array(text))
            let session = try pushSession(document, sessionID: sessionID, url: positional[1])
            print(session.id)
            session.close()
        case ("info", 1):
            let session = try ClientSession(websocketURL: ClientURL.websocketURL(fromServerURL: positional[0]))
            defer { session.close() }
            try session.connect()
            let info = try session.requestServerInfo()
            print(
                try JSONWriter(options: .pythonDefault).string(
                    .object(["version_info": .object(["bokeh": .string(info.bokeh), "server": .string(info.server)])])))
        default:
            fail("wrong number of arguments for '\(command)'\n\(usage)")
        }
    } catch {
        FileHandle.standardError.write(Data("ERROR: \(error)\n".utf8))
        return 1
    }
    return 0
}
