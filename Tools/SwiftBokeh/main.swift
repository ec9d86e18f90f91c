// swift-bokeh: the SwiftBokeh command line. `serve` is ServerCore's ServeCommand with the built-in apps and
// `.json` documents as APP arguments; the other subcommands are in this folder, one file each.
import Foundation
import ServerCore

let usage = """
    usage: swift-bokeh serve [APP ...] [options] [--args ...]   serve applications (swift-bokeh serve --help)
           swift-bokeh init NAME [--path DIR] [--swiftbokeh PATH|URL]
                                                      scaffold an app package that depends on SwiftBokeh
           swift-bokeh dev [--product NAME] [serve options]
                                                      in an app package: build, serve, rebuild and restart on change
           swift-bokeh bokehjs [--wheel FILE] [--dest DIR] [--python PY]
                                                      fill the per-user BokehJS cache from the bokeh 3.10.2 wheel
           swift-bokeh secret                         print a new secret key (BOKEH_SECRET_KEY)
           swift-bokeh passwd FILE USER [--scheme scrypt|pbkdf2]
                                                      add or replace USER in a password file
                                                      (--auth-password-file); the password is read from
                                                      standard input
           swift-bokeh json FILE.json [--indent N] [-o FILE]
                                                      check a document JSON app file and print it
           swift-bokeh info [--static]                print local versions (--static: the BokehJS directory)
           swift-bokeh info URL                       print a server's versions
           swift-bokeh pull URL [--session-id ID]     print a session's document JSON
           swift-bokeh push FILE.json URL [--session-id ID]
                                                      replace a session's document
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ERROR: \(message)\n".utf8))
    exit(1)
}

/// `swift-bokeh serve`: APP is a built-in application or a document JSON file.
let serveCommand = ServeCommand(
    name: "swift-bokeh serve",
    resolver: { name in
        switch name {
        case "demo", "demo_app": return [("/" + name, .demo())]
        case "bench", "bench_app": return [("/" + name, .bench())]
        case "stream", "stream_app": return [("/" + name, .stream())]
        case "whoami", "whoami_app": return [("/" + name, .whoami())]
        default:
            guard name.hasSuffix(".json") else {
                throw ServeCommandError(
                    "'\(name)' is neither a built-in application (demo, bench, stream, whoami, demo_app, bench_app, stream_app, whoami_app) nor a .json document"
                )
            }
            let stem = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
            return [("/" + stem, try Application.document(fromJSONFile: name))]
        }
    },
    applicationHelp: """
        APP is a built-in application (demo, bench, stream, whoami, demo_app, bench_app, stream_app, whoami_app; served
        at /<name>) or
        a Bokeh document JSON file (served at /<file stem>, each session gets a fresh copy).
        """)

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    print(usage)
    exit(2)
}
arguments.removeFirst()
switch command {
case "--help", "-h", "help":
    print(usage)
    exit(0)
case "serve": exit(serveCommand.run(arguments))
case "init": exit(runInit(arguments))
case "dev": exit(runDev(arguments))
case "bokehjs": exit(runBokehJS(arguments))
case "secret": exit(runSecret(arguments))
case "passwd": exit(runPasswd(arguments))
case "json": exit(runJSON(arguments))
case "info" where arguments.isEmpty || arguments == ["--static"]: exit(runLocalInfo(arguments))
case "pull", "push", "info": exit(runClientCommand(command, arguments))
default: fail("unknown command '\(command)'\n\(usage)")
}
