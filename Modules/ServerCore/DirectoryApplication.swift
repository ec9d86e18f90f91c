import Foundation
public import DocumentModel

extension Application {
    /// A directory application (Bokeh's `bokeh serve myapp/`): the code is `handler`, the rest comes from the
    /// folder `directory`, as Bokeh's `DirectoryHandler` takes it:
    ///
    /// - `templates/index.html`: the page, a Jinja template (see ``PageTemplate``) that may
    ///   `{% extends base %}` and `{% include %}` other files of `templates/`;
    /// - `static/`: served at `APP/static/...` (a template links `myapp/static/css/styles.css`);
    /// - `theme.yaml` or `theme.json`: the theme of every session's document.
    ///
    /// Each is optional. Everything is read and checked now, so a broken template stops the server from
    /// starting instead of breaking pages.
    ///
    /// - Throws: ``ApplicationError`` for a missing folder or an unreadable theme, and ``TemplateError`` (with
    ///   `file:line`) for a template that does not parse.
    public convenience init(
        directory: String,
        metadata: JSONValue = .object([:]),
        processRequest: (@Sendable (IncomingRequest) throws -> JSONObject)? = nil,
        onServerLoaded: (@Sendable (ServerContext) throws -> Void)? = nil,
        onServerUnloaded: (@Sendable (ServerContext) throws -> Void)? = nil,
        onSessionCreated: (@Sendable (SessionContext) throws -> Void)? = nil,
        onSessionDestroyed: (@Sendable (SessionContext) throws -> Void)? = nil,
        handler: @escaping Handler
    ) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ApplicationError("the application directory \(directory) does not exist")
        }
        func exists(_ relative: String, directory wanted: Bool = false) -> String? {
            let path = directory + "/" + relative
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue == wanted else { return nil }
            return path
        }
        let template = try exists("templates/index.html").map { path throws(TemplateError) in
            try PageTemplate(contentsOfFile: path)
        }
        var theme: Theme?
        for name in ["theme.yaml", "theme.yml", "theme.json"] {
            guard let path = exists(name) else { continue }
            do { theme = try Theme(contentsOfFile: path) } catch {
                throw ApplicationError("\(path): \(error)")
            }
            break
        }
        self.init(
            metadata: metadata, template: template, staticDirectory: exists("static", directory: true), theme: theme,
            processRequest: processRequest, onServerLoaded: onServerLoaded, onServerUnloaded: onServerUnloaded,
            onSessionCreated: onSessionCreated, onSessionDestroyed: onSessionDestroyed, handler: handler)
    }
}
