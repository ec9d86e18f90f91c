public import Foundation

/// Locates the shared reference material (`../shared/` beside the repository) and this repo's fixtures.
public enum Fixtures {
    /// The repository root, found from this source file's location.
    public static let repositoryRoot: URL = {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // TestSupport
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // root
    }()

    /// `../shared/` beside the repository (override with `SWIFTBOKEH_SHARED`).
    public static let sharedRoot: URL = {
        if let env = ProcessInfo.processInfo.environment["SWIFTBOKEH_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "fixture not found: \(path)" }
    }

    /// Bytes of a golden vector in `../shared/vectors/`.
    public static func vector(_ name: String) throws -> Data {
        let url = sharedRoot.appendingPathComponent("vectors").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(path: url.path) }
        return try Data(contentsOf: url)
    }

    /// A vector parsed with Foundation (tests only; the project's own JSON reader lives in DocumentModel).
    public static func vectorJSON(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: vector(name), options: [.fragmentsAllowed])
    }

    /// Bytes of a file under `Tests/Fixtures/`.
    public static func local(_ relativePath: String) throws -> Data {
        let url = repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(path: url.path) }
        return try Data(contentsOf: url)
    }
}
