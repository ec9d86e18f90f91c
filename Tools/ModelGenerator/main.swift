// Generates DocumentModel's typed model catalogue from Tools/models/schema.json.
//
//     swift run ModelGenerator Tools/models/schema.json Modules/DocumentModel/Catalogue/Generated
//
// Output is deterministic: the same schema always gives byte-identical files.
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: ModelGenerator <schema.json> <output directory>\n".utf8))
    exit(2)
}
let schemaData: Data
do {
    schemaData = try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
} catch {
    FileHandle.standardError.write(Data("cannot read \(arguments[1]): \(error)\n".utf8))
    exit(1)
}
let schema: JSON
do {
    schema = try JSONParser.parse([UInt8](schemaData))
} catch {
    FileHandle.standardError.write(Data("\(arguments[1]): \(error)\n".utf8))
    exit(1)
}

let generator = Generator(schema: schema)
let files = generator.files()
let outputDirectory = URL(fileURLWithPath: arguments[2])
do {
    try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
    for existing in try FileManager.default.contentsOfDirectory(atPath: outputDirectory.path)
    where existing.hasSuffix(".swift") && files[existing] == nil {
        try FileManager.default.removeItem(at: outputDirectory.appendingPathComponent(existing))
    }
    for (name, text) in files.sorted(by: { $0.key < $1.key }) {
        try Data(text.utf8).write(to: outputDirectory.appendingPathComponent(name))
    }
} catch {
    FileHandle.standardError.write(Data("cannot write \(arguments[2]): \(error)\n".utf8))
    exit(1)
}
print(
    "\(generator.models.count) models, \(generator.accessorCount) typed properties (\(generator.valueTypedCount) as Value), "
        + "\(generator.keptInheritedCount) redeclarations keep the inherited accessor, \(generator.enumCount) enums "
        + "→ \(files.count) files in \(arguments[2])")
