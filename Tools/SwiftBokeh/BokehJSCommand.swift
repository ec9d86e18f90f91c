// `swift-bokeh bokehjs`: fills the per-user BokehJS cache (BokehJSLocation's step 4) with the
// bokeh/server/static folder of the bokeh 3.10.2 wheel from PyPI.
import Foundation
import ServerCore

/// Runs `executable arguments...`; true when it exits 0. Output goes to this process's.
@discardableResult
func runProcess(_ executable: String, _ arguments: [String], directory: String? = nil) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    do { try process.run() } catch { return false }
    process.waitUntilExit()
    return process.terminationReason == .exit && process.terminationStatus == 0
}

/// `swift-bokeh bokehjs [--wheel FILE] [--dest DIR] [--python PY] [--force]`.
func runBokehJS(_ arguments: [String]) -> Int32 {
    var wheel: String?
    var destination = BokehJSLocation.userCacheDirectory()
    var python = "python3"
    var force = false
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
        case "--wheel": wheel = value()
        case "--dest": destination = value()
        case "--python": python = value()
        case "--force": force = true
        case "-h", "--help":
            print(
                """
                usage: swift-bokeh bokehjs [--wheel FILE] [--dest DIR] [--python PY] [--force]

                Puts BokehJS \(BokehJSLocation.version) (bokeh/server/static of the bokeh wheel) into DIR, by default the
                per-user cache \(BokehJSLocation.userCacheDirectory()) that servers look in when no --static-dir or
                \(BokehJSLocation.environmentVariable) is given. Without --wheel, PY -m pip downloads the wheel from PyPI.
                """)
            return 0
        default: fail("unrecognized arguments: \(argument)")
        }
    }
    if !force, BokehJSLocation.holdsBokehJS(destination) {
        print("BokehJS \(BokehJSLocation.version) is already in \(destination) (--force fetches it again)")
        return 0
    }
    let fm = FileManager.default
    let work = fm.temporaryDirectory.appendingPathComponent("swift-bokeh-bokehjs-\(UUID().uuidString)").path
    defer { try? fm.removeItem(atPath: work) }
    do { try fm.createDirectory(atPath: work, withIntermediateDirectories: true) } catch {
        fail("cannot create \(work): \(error.localizedDescription)")
    }
    if wheel == nil {
        FileHandle.standardError.write(
            Data("downloading bokeh==\(BokehJSLocation.version) from PyPI with \(python) -m pip\n".utf8))
        guard
            runProcess(
                python,
                [
                    // The wheel is pure Python; asking for 3.12's lets any pip fetch it.
                    "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "--python-version", "3.12",
                    "--dest", work,
                    "bokeh==\(BokehJSLocation.version)",
                ])
        else { fail("\(python) -m pip download bokeh==\(BokehJSLocation.version) failed (give --wheel FILE)") }
        wheel = (try? fm.contentsOfDirectory(atPath: work))?.first { $0.hasSuffix(".whl") }.map { work + "/" + $0 }
    }
    guard let wheel, fm.fileExists(atPath: wheel) else { fail("no bokeh wheel to unpack") }
    let unpacked = work + "/x"
    guard
        runProcess(python, ["-m", "zipfile", "-e", wheel, unpacked])
            || runProcess("unzip", ["-q", wheel, "bokeh/server/static/*", "-d", unpacked])
    else { fail("cannot unpack \(wheel) (needs \(python) or unzip)") }
    let staticDir = unpacked + "/bokeh/server/static"
    guard BokehJSLocation.holdsBokehJS(staticDir) else { fail("\(wheel) has no bokeh/server/static/js/bokeh.min.js") }
    do {
        let parent = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
        if fm.fileExists(atPath: destination) { try fm.removeItem(atPath: destination) }
        try fm.moveItem(atPath: staticDir, toPath: destination)
    } catch {
        fail("cannot write \(destination): \(error.localizedDescription)")
    }
    print("BokehJS \(BokehJSLocation.version) is in \(destination)")
    return 0
}
