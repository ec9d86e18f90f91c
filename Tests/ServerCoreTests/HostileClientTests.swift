import Foundation
@testable import ServerCore
import Testing

/// Hostile clients at the HTTP front: smuggling shapes, traversal in every encoding, oversized ids and tokens.
@Suite(.serialized) struct HostileClientTests {
    /// A static directory with one file, and a secret next to it (outside).
    private static func staticServer() throws -> (Server, URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        let statics = root.appendingPathComponent("static")
        try FileManager.default.createDirectory(
            at: statics.appendingPathComponent("js"), withIntermediateDirectories: true)
        try Data("public".utf8).write(to: statics.appendingPathComponent("js/app.js"))
        try Data("TOP-SECRET".utf8).write(to: root.appendingPathComponent("secret.txt"))
        let server = try startServer(path: "/app", application: divApplication) {
            $0.front.staticDirectory = statics.path
        }
        return (server, root)
    }

    @Test func smugglingShapesNeverDesyncAKeepAliveConnection() async throws {
        let server = try startServer(path: "/app", application: divApplication)
        defer { server.stop() }
        // Each shape is followed by a request hidden in its "body" and then an honest one: the server must answer
        // the shape with an error and close, so neither follower is ever answered (no 404 for /smuggled).
        let shapes = [
            "POST /app HTTP/1.1\r\nHost: x\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST /app HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
            "POST /app HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n",
            "POST /app HTTP/1.1\r\nHost: x\r\nContent-Length: 0, 44\r\n\r\n",
            "POST /app HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n Transfer-Encoding: identity\r\n\r\n0\r\n\r\n",
            "POST /app HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
            "POST /app HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
            "POST /app HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "GET /app HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n\tb\r\n\r\n",
        ]
        let followers = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\nGET /app/metadata HTTP/1.1\r\nHost: x\r\n\r\n"
        for shape in shapes {
            let bytes = try await rawExchange(.ipv4(server.port), Array((shape + followers).utf8))
            let text = String(decoding: bytes, as: UTF8.self)
            let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses.count == 1, "\(shape.debugDescription): \(statuses)")
            #expect(statuses.first.map { $0.hasPrefix("4") || $0.hasPrefix("5") } == true, "\(shape.debugDescription)")
            #expect(text.contains("Connection: close"), "\(shape.debugDescription)")
        }
        // An honest pipeline on the same server still works.
        let honest =
            "GET /app/metadata HTTP/1.1\r\nHost: x\r\n\r\nGET /app/metadata HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let text = String(decoding: try await rawExchange(.ipv4(server.port), Array(honest.utf8)), as: UTF8.self)
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
    }

    @Test func staticTraversalInEveryEncodingStaysInside() async throws {
        let (server, root) = try Self.staticServer()
        defer {
            server.stop()
            try? FileManager.default.removeItem(at: root)
        }
        let ok = try await rawGet(.ipv4(server.port), "/static/js/app.js")
        #expect(ok.hasPrefix("HTTP/1.1 200 OK") && ok.hasSuffix("public"))
        let attempts = [
            "/static/../secret.txt", "/static/js/../../secret.txt", "/static/%2e%2e/secret.txt",
            "/static/%2E%2E/secret.txt", "/static/..%2fsecret.txt", "/static/..%2Fsecret.txt",
            "/static/%2e%2e%2fsecret.txt", "/static/js/%2e%2e%2f%2e%2e%2fsecret.txt", "/static/..\\secret.txt",
            "/static/..%5csecret.txt", "/static/%252e%252e/secret.txt", "/static/%c0%ae%c0%ae/secret.txt",
            "/static/%e0%80%ae%e0%80%ae/secret.txt", "/static//\(root.path)/secret.txt",
            "/static/%2f\(root.path)/secret.txt",
            "/static/js/app.js%00/../../secret.txt", "/static/.%2e/secret.txt", "/app/static/../../secret.txt",
            "/static/js/..;/..;/secret.txt",
        ]
        for path in attempts {
            let response = try await rawGet(.ipv4(server.port), path)
            #expect(!response.contains("TOP-SECRET"), "\(path)")
            #expect(!response.hasPrefix("HTTP/1.1 200"), "\(path): \(response.prefix(40))")
        }
    }

    @Test func reflectedValuesAreEscapedForTheirContext() async throws {
        let server = try startServer(path: "/app", application: divApplication)
        defer { server.stop() }
        let hostile = "%3C/script%3E%3Cscript%3Ealert(1)//%22%27%5C%0A"
        let script = try await rawGet(
            .ipv4(server.port),
            "/app/autoload.js?bokeh-autoload-element=\(hostile)&bokeh-app-path=/x\(hostile)&bokeh-absolute-url=javascript:alert(2)"
        )
        #expect(script.hasPrefix("HTTP/1.1 200 OK"))
        #expect(!script.contains("</script><script>") && !script.contains("alert(1)//\"'\n"))
        #expect(script.contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)//\\\"'\\\\\\n"))
        #expect(!script.contains("javascript:alert(2)/static"))
        // Query arguments never reach the page itself, and unknown paths are not echoed.
        let page = try await rawGet(.ipv4(server.port), "/app?x=\(hostile)")
        #expect(!page.contains("<script>alert"))
        let missing = try await rawGet(.ipv4(server.port), "/nope\(hostile)")
        #expect(missing.hasPrefix("HTTP/1.1 404") && !missing.contains("alert"))
    }

    @Test func oversizedAndMalformedSessionIdsAndTokensAreRefusedCleanly() async throws {
        let server = try startServer(path: "/app", application: divApplication)
        defer { server.stop() }
        let long = String(repeating: "a", count: 7000)
        for query in [
            "bokeh-session-id=\(long)", "bokeh-token=\(long)", "bokeh-token=%00%ff", "bokeh-token=e30",
            "bokeh-token=eyJzZXNzaW9uX2lkIjogMX0", "bokeh-session-id=a&bokeh-token=b",
        ] {
            let response = try await rawGet(.ipv4(server.port), "/app?\(query)")
            let status = response.prefix(12)
            #expect(
                ["HTTP/1.1 403", "HTTP/1.1 200", "HTTP/1.1 414", "HTTP/1.1 431"].contains(String(status)),
                "\(query.prefix(40)): \(response.prefix(60))")
        }
        // The server is still whole.
        #expect(try await rawGet(.ipv4(server.port), "/app").hasPrefix("HTTP/1.1 200 OK"))
        #expect((server.applicationContext(at: "/app")?.sessions.count ?? 0) <= 2)
    }
}
