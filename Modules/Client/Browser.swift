import Foundation

/// Starts a web browser on a URL.
enum Browser {
    /// Runs `browser`, else `$BROWSER`, else the platform's opener, with `url`.
    static func open(_ url: String, with browser: String?) throws {
        let environment = ProcessInfo.processInfo.environment
        #if os(macOS)
            let fallback = "open"
        #else
            let fallback = "xdg-open"
        #endif
        let name =
            browser ?? environment["BROWSER"].flatMap { $0.split(separator: ":").first.map(String.init) } ?? fallback
        guard let path = executable(named: name, searchPath: environment["PATH"] ?? "/usr/bin:/bin") else {
            throw ClientError.browser("no browser found: '\(name)' is not an executable on PATH (set $BROWSER)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [url]
        do { try process.run() } catch { throw ClientError.browser("cannot start \(path): \(error)") }
    }

    static func executable(named name: String, searchPath: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for directory in searchPath.split(separator: ":") {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
