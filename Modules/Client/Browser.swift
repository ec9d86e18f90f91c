import Foundation

/// Where a browser opens a page (Python: `bokeh.util.browser.BrowserTarget`, the `new` argument of
/// `ClientSession.show` and `show_session`).
///
/// As with Python's `webbrowser`, only browsers that take such an option honour it, chosen by the program's
/// file name: the Mozilla family (`firefox`, … with `-new-window`, `-new-tab`) and the Chrome family
/// (`google-chrome`, `chromium`, `opera`, `microsoft-edge`, … with `--new-window`). Any other program
/// (`xdg-open`, `open`, a `$BROWSER` script) gets the URL alone.
public enum BrowserTarget: String, Sendable, Hashable, CaseIterable {
    /// The current window, if the browser can (Python's `"same"`, `new=0`).
    case same
    /// A new window (Python's `"window"`, `new=1`).
    case window
    /// A new tab of an open window (Python's `"tab"`, `new=2`), the default.
    case tab
}

/// Opens the pages `show` asks for (Python's `controller` argument of `show_session`: an object with
/// `open(url, new)`, as `webbrowser`'s). Pass one to open pages some other way than by starting a browser
/// program: a test that records them, an app's own web view.
public protocol BrowserController: Sendable {
    func open(_ url: String, new: BrowserTarget) throws
}

/// The controller `show` uses unless given one: it starts a browser program (``Browser`` rules: the
/// `browser` argument, else `BOKEH_BROWSER`, else `$BROWSER`, else `xdg-open`; `none` opens nothing, as
/// Bokeh's dummy controller).
public struct BrowserProgram: BrowserController {
    /// The program's name or path; nil: `BOKEH_BROWSER`, `$BROWSER`, then the platform's opener.
    public let name: String?
    public init(_ name: String? = nil) { self.name = name }
    public func open(_ url: String, new: BrowserTarget) throws { try Browser.open(url, with: name, new: new) }
}

/// Starts a web browser on a URL.
enum Browser {
    /// Runs `browser`, else `BOKEH_BROWSER` (Bokeh's `settings.browser()`), else `$BROWSER`, else the platform's
    /// opener, with `url`, asking for `new` when the program is one that takes the option
    /// (``arguments(for:url:new:)``). The name `none` opens nothing, as Bokeh's `DummyWebBrowser`.
    static func open(_ url: String, with browser: String?, new: BrowserTarget = .tab) throws {
        let environment = ProcessInfo.processInfo.environment
        #if os(macOS)
            let fallback = "open"
        #else
            let fallback = "xdg-open"
        #endif
        let name =
            browser ?? environment["BOKEH_BROWSER"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["BROWSER"].flatMap { $0.split(separator: ":").first.map(String.init) } ?? fallback
        if name == "none" { return }
        guard let path = executable(named: name, searchPath: environment["PATH"] ?? "/usr/bin:/bin") else {
            throw ClientError.browser("no browser found: '\(name)' is not an executable on PATH (set $BROWSER)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments(for: path, url: url, new: new)
        do { try process.run() } catch { throw ClientError.browser("cannot start \(path): \(error)") }
    }

    /// The command-line arguments for opening `url` with the program at `path`, by its file name as Python's
    /// `webbrowser` chooses a controller: Mozilla's `-new-window`/`-new-tab`, Chrome's `--new-window`.
    static func arguments(for path: String, url: String, new: BrowserTarget) -> [String] {
        let program = path.split(separator: "/").last.map(String.init) ?? path
        let mozilla: Set<String> = ["firefox", "iceweasel", "seamonkey", "mozilla-firefox", "mozilla"]
        let chrome: Set<String> = [
            "google-chrome", "chrome", "chromium", "chromium-browser", "opera", "microsoft-edge",
        ]
        switch new {
        case .same: return [url]
        case .window where mozilla.contains(program): return ["-new-window", url]
        case .tab where mozilla.contains(program): return ["-new-tab", url]
        case .window where chrome.contains(program): return ["--new-window", url]
        default: return [url]
        }
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
