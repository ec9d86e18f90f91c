// `swift-bokeh passwd FILE USER [--scheme scrypt|pbkdf2]`: adds or replaces a user of a password file for
// `swift-bokeh serve --auth-password-file`.
import Foundation
import ServerCore

func runPasswd(_ arguments: [String]) -> Int32 {
    var positional: [String] = []
    var scheme = PasswordHash.Scheme.scrypt
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        index += 1
        switch argument {
        case "--scheme":
            guard index < arguments.count else { fail("argument --scheme: expected one argument") }
            let value = arguments[index]
            index += 1
            switch value {
            case "scrypt": scheme = .scrypt
            case "pbkdf2", "pbkdf2_sha256": scheme = .pbkdf2
            default: fail("argument --scheme: invalid choice: '\(value)' (choose from 'scrypt', 'pbkdf2')")
            }
        case "-h", "--help":
            print(
                """
                usage: swift-bokeh passwd FILE USER [--scheme scrypt|pbkdf2]

                Adds USER to the password file FILE (made if missing), or replaces its password. The password is
                the first line of standard input; at a terminal it is asked for without echo, twice. Serve with
                swift-bokeh serve APP --auth-password-file FILE --cookie-secret SECRET.
                """)
            return 0
        default:
            if argument.hasPrefix("-") { fail("unrecognized arguments: \(argument)") }
            positional.append(argument)
        }
    }
    guard positional.count == 2 else { fail("usage: swift-bokeh passwd FILE USER [--scheme scrypt|pbkdf2]") }
    let (file, user) = (positional[0], positional[1])
    let password: String
    if isatty(0) == 1 {
        guard let first = readSecret("Password for \(user): "), let again = readSecret("Again: ") else {
            fail("no password given")
        }
        guard first == again else { fail("the passwords differ") }
        password = first
    } else {
        guard let line = readLine(strippingNewline: true) else { fail("no password on standard input") }
        password = line
    }
    guard !password.isEmpty else { fail("the password is empty") }
    let existing = FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) } ?? ""
    do {
        let text = try PasswordFileAuth.updating(
            existing, user: user, hash: PasswordHash.make(password: password, scheme: scheme))
        // Readable by the owner only: the hashes are salted and slow, but still worth keeping to oneself.
        let created = FileManager.default.createFile(
            atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        guard created else { fail("cannot write \(file)") }
    } catch { fail("\(error)") }
    print("\(user) set in \(file) (\(scheme.rawValue))")
    return 0
}

/// A line read from the terminal with echo off.
private func readSecret(_ prompt: String) -> String? {
    FileHandle.standardError.write(Data(prompt.utf8))
    var saved = termios()
    tcgetattr(0, &saved)
    var quiet = saved
    quiet.c_lflag &= ~tcflag_t(ECHO)
    tcsetattr(0, TCSANOW, &quiet)
    defer {
        tcsetattr(0, TCSANOW, &saved)
        FileHandle.standardError.write(Data("\n".utf8))
    }
    return readLine(strippingNewline: true)
}
