import DocumentModel
import Protocol

extension Application {
    /// Shows what a session knows of who opened it: one `Div` named `whoami` whose text is
    /// `{"arguments": [...], "cookies": [...], "headers": [...], "logout_url": ..., "user": ...}` (sorted
    /// keys; header names lower-cased and sorted, cookie and argument names sorted; `user` the
    /// ``SessionContext/user`` id or null). The auth checks compare it with the same app under Python.
    public static func whoami() -> Application {
        Application { document, context in
            let request = context.request
            let object: JSONObject = [
                "arguments": .array(Set(request.arguments.map(\.name)).sorted().map { .string($0) }),
                "cookies": .array(Set(request.cookies.map(\.name)).sorted().map { .string($0) }),
                "headers": .array(Set(request.headers.map { $0.name.lowercased() }).sorted().map { .string($0) }),
                "logout_url": context.logoutURL.map { .string($0) } ?? .null,
                "user": context.user.map { .string($0.id) } ?? .null,
            ]
            let text = (try? JSONWriter(options: .pythonDefault).string(.object(object))) ?? "{}"
            document.addRoot(Model("Div", ["name": .string("whoami"), "text": .string(text)]))
            document.setTitle("Who am I")
        }
    }
}
