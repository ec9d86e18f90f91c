import Foundation

/// Where a server finds BokehJS 3.10.2 (the `bokeh/server/static` folder of the bokeh wheel, holding
/// `js/bokeh.min.js`), looked for in this order:
///
/// 1. the `--static-dir` flag (``ServerConfiguration/Front-swift.struct/staticDirectory``);
/// 2. the `SWIFTBOKEH_STATIC_DIR` environment variable;
/// 3. `Vendor/bokehjs` in the working directory (what `make bokehjs` fills in a SwiftBokeh checkout);
/// 4. the per-user cache that `swift-bokeh bokehjs` fills from the bokeh 3.10.2 wheel on PyPI:
///    `$XDG_CACHE_HOME/swift-bokeh/bokehjs-3.10.2`, or `~/.cache/swift-bokeh/bokehjs-3.10.2`;
/// 5. none of them: pages load BokehJS from `cdn.bokeh.org` (the browser needs the internet).
///
/// A directory counts only if it holds `js/bokeh.min.js`. A flag or variable naming one that does not is
/// reported in ``reason`` and the search goes on.
public struct BokehJSLocation: Sendable, Equatable, CustomStringConvertible {
    /// Which step found it.
    public enum Source: String, Sendable, Equatable {
        case flag, environment, workingDirectory, userCache, cdn
    }

    /// The directory to serve at `PFX/static`; nil for the CDN.
    public let directory: String?
    public let source: Source
    /// Why earlier steps were passed over (empty when the first one asked for was taken).
    public let reason: String

    /// The variable of step 2.
    public static let environmentVariable = "SWIFTBOKEH_STATIC_DIR"
    /// The BokehJS version pages load.
    public static let version = BokehResources.version

    /// The per-user cache directory of step 4 (whether it exists or not).
    public static func userCacheDirectory(environment: [String: String]? = nil) -> String {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let base: String
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.cache"
        }
        return base + "/swift-bokeh/bokehjs-" + version
    }

    /// Whether `directory` holds BokehJS (`js/bokeh.min.js`).
    public static func holdsBokehJS(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/js/bokeh.min.js")
    }

    /// Runs the search.
    /// - Parameters:
    ///   - flag: the `--static-dir` value, if any.
    ///   - environment: the variables to read; nil reads the process's.
    ///   - workingDirectory: where step 3 looks; nil: the process's working directory.
    public static func discover(
        flag: String?, environment: [String: String]? = nil, workingDirectory: String? = nil
    ) -> BokehJSLocation {
        let environment = environment ?? ProcessInfo.processInfo.environment
        var passed: [String] = []
        var candidates: [(Source, String)] = []
        if let flag, !flag.isEmpty { candidates.append((.flag, flag)) }
        if let value = environment[environmentVariable], !value.isEmpty { candidates.append((.environment, value)) }
        let cwd = workingDirectory ?? FileManager.default.currentDirectoryPath
        candidates.append((.workingDirectory, cwd + "/Vendor/bokehjs"))
        candidates.append((.userCache, userCacheDirectory(environment: environment)))
        for (source, directory) in candidates {
            if holdsBokehJS(directory) {
                return BokehJSLocation(directory: directory, source: source, reason: passed.joined(separator: "; "))
            }
            if source == .flag || source == .environment {
                passed.append(
                    "\(source == .flag ? "--static-dir" : environmentVariable) \(directory) has no js/bokeh.min.js")
            }
        }
        passed.append(
            "no local copy (run `swift-bokeh bokehjs` to fill \(userCacheDirectory(environment: environment)))")
        return BokehJSLocation(directory: nil, source: .cdn, reason: passed.joined(separator: "; "))
    }

    public var description: String {
        let found =
            switch source {
            case .flag: "\(directory ?? "") (--static-dir)"
            case .environment: "\(directory ?? "") (\(Self.environmentVariable))"
            case .workingDirectory: "\(directory ?? "") (working directory)"
            case .userCache: "\(directory ?? "") (per-user cache)"
            case .cdn: BokehResources.cdnBase + " (CDN)"
            }
        return reason.isEmpty ? found : found + "; " + reason
    }
}

/// Bokeh's own favicon, served at `/favicon.ico` by default (``Favicon/bokeh``).
enum BokehIcon {
    /// The icon's bytes (decoded once).
    static let bytes: [UInt8] = Data(base64Encoded: base64).map { [UInt8]($0) } ?? []
}
