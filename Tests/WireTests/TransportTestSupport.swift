import Foundation
import Locking
import Testing
import Wire

/// A thread-safe list that loop callbacks append to and tests read.
final class Recorder<Element: Sendable>: Sendable {
    private let storage = Lock<[Element]>([])

    func append(_ e: Element) { storage.withLock { $0.append(e) } }
    func append(contentsOf es: [Element]) { storage.withLock { $0.append(contentsOf: es) } }
    var values: [Element] { storage.withLock { $0 } }
    var count: Int { storage.withLock { $0.count } }
}

/// Polls `condition` every few milliseconds until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// Stays true for `duration` (for "nothing happens" checks).
func staysTrue(for duration: Duration, _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + duration
    while clock.now < deadline {
        if !condition() { return false }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

let loopback = try! SocketAddress(host: "127.0.0.1", port: 0)

/// A self-signed certificate for `localhost` and `127.0.0.1`, made once per test run with the `openssl` CLI.
enum TestCertificate {
    struct Files: Sendable {
        let directory: String
        let certificate: String
        let key: String
        /// A second, unrelated certificate (for "untrusted root" tests).
        let otherCertificate: String
    }

    static let files: Files = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wire-tls-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func make(_ name: String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "\(dir)/\(name)-key.pem", "-out", "\(dir)/\(name).pem", "-days", "2", "-subj",
                "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try? p.run()
            p.waitUntilExit()
        }
        make("server")
        make("other")
        return Files(
            directory: dir, certificate: "\(dir)/server.pem", key: "\(dir)/server-key.pem",
            otherCertificate: "\(dir)/other.pem")
    }()
}
