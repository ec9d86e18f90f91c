// bokeh-fuzz: the fuzz targets of Targets.swift.
//
//   bokeh-fuzz list                          the targets, one per line
//   bokeh-fuzz replay TARGET FILE|DIR ...    runs each file through TARGET (corpora, crash regressions);
//                                            what `make test` does with Tools/Fuzz/corpus and crashes
//   bokeh-fuzz fuzz TARGET [libFuzzer flags] only in a fuzzing build (`make fuzz` builds one with
//                                            -sanitize=address and coverage, linked with libFuzzer)
import Foundation

func targetNamed(_ name: String) -> FuzzTarget {
    guard let target = fuzzTargets.first(where: { $0.name == name }) else {
        FileHandle.standardError.write(
            Data("unknown target '\(name)'; targets: \(fuzzTargets.map(\.name).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}

/// Every regular file under `path` (or `path` itself), sorted.
func files(under path: String) -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
    guard isDirectory.boolValue else { return [path] }
    let names = (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []
    return names.sorted().map { path + "/" + $0 }.filter {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue
    }
}

var arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "list":
    for target in fuzzTargets { print("\(target.name)\t\(target.summary)") }
case "replay":
    guard arguments.count >= 3 else {
        FileHandle.standardError.write(Data("usage: bokeh-fuzz replay TARGET FILE|DIR ...\n".utf8))
        exit(2)
    }
    let target = targetNamed(arguments[1])
    var count = 0
    for path in arguments[2...] {
        for file in files(under: path) {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            target.run([UInt8](data))
            count += 1
        }
    }
    print("\(target.name): \(count) inputs replayed, none crashed")
case "fuzz":
    #if SWIFTBOKEH_FUZZING
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: bokeh-fuzz fuzz TARGET [libFuzzer flags]\n".utf8))
            exit(2)
        }
        exit(runLibFuzzer(targetNamed(arguments[1]), flags: Array(arguments[2...])))
    #else
        FileHandle.standardError.write(Data("this bokeh-fuzz is not a fuzzing build: use `make fuzz`\n".utf8))
        exit(2)
    #endif
default:
    FileHandle.standardError.write(
        Data("usage: bokeh-fuzz list | replay TARGET FILE|DIR ... | fuzz TARGET [libFuzzer flags]\n".utf8))
    exit(2)
}
