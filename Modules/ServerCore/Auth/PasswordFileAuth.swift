import Foundation
import DocumentModel
import Locking
import Wire

/// The built-in password policy (`--auth-password-file`): users and salted hashes from a file, a login page,
/// logout, and the login kept in a signed cookie.
///
/// The file holds one `username:HASH` per line (``PasswordHash``: scrypt or PBKDF2; `swift-bokeh passwd`
/// writes them); `#` starts a comment line. It is read once, when the policy is made.
///
/// - `GET PREFIX/login` shows the form (user name, password, `next`, and the `_xsrf` field with XSRF cookies
///   on); `POST PREFIX/login` checks the password off the event loop, then sets the `user` cookie (Tornado's
///   `set_secure_cookie("user", json.dumps(name))`, so a Python auth module reading
///   `json.loads(get_secure_cookie("user"))` reads ours and the other way round) with `HttpOnly`,
///   `SameSite=Lax` (and `Secure` over HTTPS), and redirects to `next` when it is a path on this server.
///   Wrong credentials get 401 and the form again.
/// - Failed logins are counted per client address: more than ``maxFailures`` in ``failureWindow`` get 429 with
///   `Retry-After` until the oldest leaves the window. Each failure is logged with the user name and address,
///   never the password.
/// - `GET` or `POST PREFIX/logout` clears the cookie and redirects to the login page; it is
///   ``SessionContext/logoutURL``.
/// - A request is authenticated when its `user` cookie verifies, is younger than ``cookieMaxAgeDays``, and
///   names a user of the file.
public struct PasswordFileAuth: AuthenticationPolicy {
    /// The login cookie's name: `user`, as Bokeh's auth example.
    public static let cookieName = "user"

    private let users: [String: PasswordHash]
    private let signer: SecureCookieSigner
    private let limiter: LoginLimiter
    private let now: @Sendable () -> Int
    /// Failed logins allowed per client address within ``failureWindow`` (5).
    public let maxFailures: Int
    /// 60 seconds.
    public let failureWindow: Int
    /// How old a login cookie may be and still count: 31 days, Tornado's default for signed cookies (the cookie
    /// itself expires after 30, as Tornado's `set_secure_cookie` sets it).
    public let cookieMaxAgeDays: Double
    public let loginPath = "/login"
    public let logoutPath = "/logout"

    /// Reads the password file at `path`.
    ///
    /// - Parameters:
    ///   - cookieSecret: signs the login cookie (`--cookie-secret`).
    ///   - now: the time in Unix seconds; nil reads the system clock (tests pass their own).
    /// - Throws: ``AuthConfigurationError`` for an unreadable file, a malformed line (its number, never its
    ///   hash), a user listed twice, or an empty secret.
    public init(
        path: String, cookieSecret: String, maxFailures: Int = 5, failureWindow: Int = 60,
        cookieMaxAgeDays: Double = SecureCookieSigner.defaultMaxAgeDays,
        now: (@Sendable () -> Int)? = nil
    ) throws(AuthConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw AuthConfigurationError("cannot read the password file \(path)") }
        try self.init(
            contents: text, source: path, cookieSecret: cookieSecret, maxFailures: maxFailures,
            failureWindow: failureWindow, cookieMaxAgeDays: cookieMaxAgeDays, now: now)
    }

    /// A policy over a password file's text (`source` names it in errors).
    public init(
        contents: String, source: String = "the password file", cookieSecret: String, maxFailures: Int = 5,
        failureWindow: Int = 60, cookieMaxAgeDays: Double = SecureCookieSigner.defaultMaxAgeDays,
        now: (@Sendable () -> Int)? = nil
    ) throws(AuthConfigurationError) {
        users = try Self.parse(contents, source: source)
        signer = try SecureCookieSigner(secret: cookieSecret)
        guard maxFailures > 0, failureWindow > 0 else {
            throw AuthConfigurationError("the failed-login limit and its window must be > 0")
        }
        guard cookieMaxAgeDays > 0, cookieMaxAgeDays <= 3650 else {
            throw AuthConfigurationError("a login must last more than 0 and at most 3650 days")
        }
        self.maxFailures = maxFailures
        self.failureWindow = failureWindow
        self.cookieMaxAgeDays = cookieMaxAgeDays
        self.now =
            now ?? {
                // trap-safe: the system clock's seconds since 1970 are far inside Int's range
                Int(Date().timeIntervalSince1970)
            }
        limiter = LoginLimiter(maxFailures: maxFailures, window: failureWindow)
    }

    /// The users of a password file's text, by name.
    static func parse(_ text: String, source: String) throws(AuthConfigurationError) -> [String: PasswordHash] {
        var users: [String: PasswordHash] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.lastIndex(of: ":"), colon != line.startIndex else {
                throw AuthConfigurationError("\(source) line \(index + 1): expected username:HASH")
            }
            let name = String(line[..<colon])
            guard users[name] == nil else {
                throw AuthConfigurationError("\(source) line \(index + 1): user '\(name)' is listed twice")
            }
            do { users[name] = try PasswordHash(parsing: String(line[line.index(after: colon)...])) } catch {
                throw AuthConfigurationError("\(source) line \(index + 1): \(error)")
            }
        }
        return users
    }

    /// The user names of the file, sorted.
    public var userNames: [String] { users.keys.sorted() }

    public func authenticate(_ request: IncomingRequest) async throws -> AuthenticatedUser? {
        guard let cookie = request.cookie(Self.cookieName),
            let value = signer.decodeString(
                name: Self.cookieName, signed: cookie, now: now(), maxAgeDays: cookieMaxAgeDays),
            case .string(let name)? = try? JSONReader.parse(Array(value.utf8)), users[name] != nil
        else { return nil }
        return AuthenticatedUser(name, claims: ["policy": "password-file"])
    }

    public func loginURL(for request: IncomingRequest) async -> String? { loginPath }
    public var logoutURL: String? { logoutPath }

    public var routes: [AuthRoute] {
        let policy = self
        return [
            AuthRoute(path: loginPath, methods: [.get, .head, .post]) { try await policy.login($0) },
            AuthRoute(path: logoutPath, methods: [.get, .post]) { policy.logout($0) },
        ]
    }

    /// The login cookie for `name`, as the login page sets it.
    public func loginCookie(for name: String) -> String {
        let text = (try? JSONWriter(options: .pythonDefault).string(.string(name))) ?? "\"\""
        return signer.sign(name: Self.cookieName, value: text, now: now())
    }

    // MARK: The login page

    private func login(_ request: ExtraRequest) async throws -> ExtraResponse {
        let next = request.formArgument("next") ?? ""
        guard request.method == "POST" else { return page(request, next: next, error: nil, status: 200) }
        let address = request.remoteAddress ?? "-"
        let time = now()
        if let wait = limiter.retryAfter(address, now: time) {
            log.warning("login refused for \(address): too many failed logins (retry in \(wait) s)")
            var response = page(request, next: next, error: "Too many failed logins. Try again later.", status: 429)
            response.headers.append(("Retry-After", String(wait)))
            return response
        }
        let name = request.formArgument("username") ?? ""
        let password = request.formArgument("password") ?? ""
        // An unknown user costs as much as a known one: no timing tells which names exist.
        let hash = users[name] ?? Self.decoy
        let verified = hash.verify(password) && users[name] != nil
        guard verified else {
            limiter.fail(address, now: time)
            log.warning("failed login for user \(PythonLiteral.quoted(name)) from \(address)")
            return page(request, next: next, error: "Invalid user name or password.", status: 401)
        }
        log.info("user \(PythonLiteral.quoted(name)) logged in from \(address)")
        let target = AuthURL.isLocalPath(next) ? next : request.prefix + "/"
        var attributes = "; Path=/; HttpOnly; SameSite=Lax"
        if request.scheme == "https" { attributes += "; Secure" }
        // Tornado's set_secure_cookie: expires in 30 days (one less than it accepts), or sooner with a shorter
        // maximum age.
        // trap-safe: init keeps cookieMaxAgeDays in 0...3650, so the product is below 4e8
        let lifetime = Int64(min(30, cookieMaxAgeDays) * 86400)
        let expires = HTTPDate.format(secondsSince1970: Int64(time) + lifetime)
        return ExtraResponse(
            status: 302,
            headers: [
                ("Location", target),
                (
                    "Set-Cookie",
                    "\(Self.cookieName)=\(SecureCookieSigner.cookieValue(loginCookie(for: name))); expires=\(expires)\(attributes)"
                ),
            ])
    }

    private func logout(_ request: ExtraRequest) -> ExtraResponse {
        ExtraResponse(
            status: 302,
            headers: [
                ("Location", request.prefix + loginPath),
                ("Set-Cookie", "\(Self.cookieName)=; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"),
            ])
    }

    private func page(_ request: ExtraRequest, next: String, error: String?, status: Int) -> ExtraResponse {
        let action = htmlEscape(request.prefix + loginPath)
        let message = error.map { "<p class=\"error\" role=\"alert\">\(htmlEscape($0))</p>\n" } ?? ""
        let html = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Log in</title>
            <style>body{font-family:sans-serif;max-width:22em;margin:4em auto}label,input{display:block;width:100%;\
            margin-bottom:.6em}.error{color:#b00}</style></head>
            <body>
            <h1>Log in</h1>
            \(message)<form method="post" action="\(action)">
            \(request.xsrfToken?.formHTML() ?? "")
            <input type="hidden" name="next" value="\(htmlEscape(next))">
            <label for="username">User name</label><input id="username" name="username" autocomplete="username" autofocus>
            <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
            <input id="login" type="submit" value="Log in">
            </form>
            </body>
            </html>

            """
        return ExtraResponse.text(html, status: status, contentType: "text/html; charset=UTF-8")
    }

    /// What an unknown user's password is checked against.
    private static let decoy = PasswordHash.scrypt(
        n: PasswordHash.defaultScrypt.n, r: PasswordHash.defaultScrypt.r, p: PasswordHash.defaultScrypt.p,
        salt: Array(repeating: 0, count: 16), digest: Array(repeating: 0, count: 32))
}

/// Failed logins per client address in a sliding window. Bounded: at most `maxAddresses` addresses are
/// remembered; beyond that the quietest are forgotten.
final class LoginLimiter: Sendable {
    private let maxFailures: Int
    private let window: Int
    private let maxAddresses: Int
    private let failures = Lock<[String: [Int]]>([:])

    init(maxFailures: Int, window: Int, maxAddresses: Int = 10_000) {
        self.maxFailures = maxFailures
        self.window = window
        self.maxAddresses = maxAddresses
    }

    /// Seconds until `address` may try again, nil when it may now.
    func retryAfter(_ address: String, now: Int) -> Int? {
        failures.withLock { table in
            let recent = (table[address] ?? []).filter { $0 > now - window }
            table[address] = recent.isEmpty ? nil : recent
            guard recent.count >= maxFailures, let oldest = recent.first else { return nil }
            return max(1, oldest + window - now)
        }
    }

    func fail(_ address: String, now: Int) {
        failures.withLock { table in
            if table[address] == nil, table.count >= maxAddresses {
                let cutoff = now - window
                table = table.filter { $0.value.contains { $0 > cutoff } }
                if table.count >= maxAddresses,
                    let quietest = table.min(by: { $0.value.last ?? 0 < $1.value.last ?? 0 })
                {
                    table[quietest.key] = nil
                }
            }
            var recent = (table[address] ?? []).filter { $0 > now - window }
            recent.append(now)
            table[address] = Array(recent.suffix(maxFailures))
        }
    }
}

/// Names in log lines, quoted and with control characters escaped, at most 64 characters.
enum PythonLiteral {
    static func quoted(_ text: String) -> String {
        var out = "'"
        for scalar in text.unicodeScalars.prefix(64) {
            switch scalar {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += String(format: "\\x%02x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        if text.unicodeScalars.count > 64 { out += "…" }
        return out + "'"
    }
}

extension PasswordFileAuth {
    /// A password file's text with `user`'s line set to `hash` (replaced where it was, else appended); other
    /// lines and comments stay as they were. What `swift-bokeh passwd` writes.
    ///
    /// - Throws: ``AuthConfigurationError`` for an empty user name, one with a line break, or one starting
    ///   with `#`.
    public static func updating(_ contents: String, user: String, hash: PasswordHash) throws(AuthConfigurationError)
        -> String
    {
        guard !user.isEmpty, !user.hasPrefix("#"), !user.contains(where: \.isNewline),
            user.trimmingCharacters(in: .whitespaces) == user
        else {
            throw AuthConfigurationError(
                "a user name must not be empty, start with '#', hold a line break or start or end with a space")
        }
        var lines = contents.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let entry = "\(user):\(hash)"
        if let index = lines.firstIndex(where: { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), let colon = trimmed.lastIndex(of: ":") else { return false }
            return trimmed[..<colon] == user
        }) {
            lines[index] = entry
        } else {
            lines.append(entry)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
