// Writes the plotting corpus (Corpus.swift), built with DocumentModel's plotting API, for the Python and browser
// checks:
// `<out>/<name>.json` (document JSON, binary data inline) and, given a BokehJS directory,
// `<out>/<name>.html` (standalone page with inline BokehJS).
//
//     ModelsInterop <output directory> [<bokehjs directory>]
import DocumentModel
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: ModelsInterop <output directory> [<bokehjs directory>]\n".utf8))
    exit(2)
}
let output = URL(fileURLWithPath: arguments[1])
let documents = corpus
do {
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    for (name, build) in documents {
        let document = build()
        let issues = document.validateModels()
        if !issues.isEmpty {
            FileHandle.standardError.write(Data("\(name): \(issues.map(\.description).joined(separator: "; "))\n".utf8))
            exit(1)
        }
        let json = try JSONWriter(options: .bokehContent).string(document.toJSON(bytesMode: .inline).json)
        try Data(json.utf8).write(to: output.appendingPathComponent(name + ".json"))
        if arguments.count >= 3 {
            let html = try document.standaloneHTML(resources: Resources.inline(directory: arguments[2], for: document))
            try Data(html.utf8).write(to: output.appendingPathComponent(name + ".html"))
        }
    }
    // A fresh instance of every concrete catalogue model (JSON only: for Python, not for the browser).
    let catalogue = Document(title: "Catalogue")
    for name in Catalogue.modelNames
    where !Catalogue.abstractModelNames.contains(name) && !Catalogue.mixinNames.contains(name) {
        catalogue.addRoot(Model.instantiate(name))
    }
    let json = try JSONWriter(options: .bokehContent).string(catalogue.toJSON(bytesMode: .inline).json)
    try Data(json.utf8).write(to: output.appendingPathComponent("catalogue.json"))
    print("wrote \(documents.count) documents and the catalogue to \(output.path)")
} catch {
    FileHandle.standardError.write(Data("ModelsInterop: \(error)\n".utf8))
    exit(1)
}
