import Routing
import Testing

/// One pattern, one path, and the captures expected (`nil`: no match).
struct PatternCase: Sendable, CustomStringConvertible {
    let pattern: String
    let path: String
    let captures: [String]?
    var description: String { "\(pattern) ~ \(path.debugDescription)" }
}

@Suite("URLPattern")
struct URLPatternTests {
    static let cases: [PatternCase] = [
        .init(pattern: "/static/(.*)", path: "/static/js/bokeh.min.js", captures: ["js/bokeh.min.js"]),
        .init(pattern: "/static/(.*)", path: "/static/", captures: [""]),
        .init(pattern: "/static/(.*)", path: "/static", captures: nil),
        .init(pattern: "/static/(.*)", path: "/pre/static/x", captures: nil),
        .init(pattern: "/foo/?", path: "/foo", captures: []),
        .init(pattern: "/foo/?", path: "/foo/", captures: []),
        .init(pattern: "/foo/?", path: "/foo//", captures: nil),
        .init(pattern: "/foo/?", path: "/foo/ws", captures: nil),
        .init(pattern: "/foo/?", path: "/fo", captures: nil),
        .init(pattern: "/ws", path: "/ws/", captures: nil),
        .init(pattern: "/ws", path: "/w", captures: nil),
        .init(pattern: "/?", path: "/", captures: []),
        .init(pattern: "/?", path: "", captures: []),
        .init(pattern: "^/a$", path: "/a", captures: []),
        .init(pattern: "^/a$", path: "/ab", captures: nil),
        .init(pattern: "/api/([^/]+)", path: "/api/x", captures: ["x"]),
        .init(pattern: "/api/([^/]+)", path: "/api/x/y", captures: nil),
        .init(pattern: "/api/([^/]+)", path: "/api/", captures: nil),
        .init(pattern: "/favicon.ico", path: "/favicon.ico", captures: []),
        .init(pattern: "/favicon.ico", path: "/favicon_ico", captures: []),
        .init(pattern: "/favicon\\.ico", path: "/favicon_ico", captures: nil),
        .init(pattern: "/(?P<name>[a-z]+)/(\\d+)", path: "/abc/42", captures: ["abc", "42"]),
        .init(pattern: "/(?P<name>[a-z]+)/(\\d+)", path: "/abc/4x", captures: nil),
        .init(pattern: "/(?:ab)/(\\w+)", path: "/ab/x_1", captures: ["x_1"]),
        .init(pattern: "/x/(.*)/y", path: "/x/a/b/y", captures: ["a/b"]),
        .init(pattern: "/(.*)/(.*)", path: "/a/b/c", captures: ["a/b", "c"]),
        .init(pattern: "/(.*)/([^/]*)", path: "/a/b/", captures: ["a/b", ""]),
        .init(pattern: "/u/([^/]+)", path: "/u/été", captures: ["été"]),
        .init(pattern: "/u/.", path: "/u/é", captures: []),
        .init(pattern: "/u/.", path: "/u/ab", captures: nil),
        .init(pattern: "/u/(.*)x", path: "/u/ééx", captures: ["éé"]),
        .init(pattern: "/u/[a-z]", path: "/u/é", captures: nil),
        .init(pattern: "/é/(.*)", path: "/é/z", captures: ["z"]),
        .init(pattern: "/a+b", path: "/aaab", captures: []),
        .init(pattern: "/a+b", path: "/b", captures: nil),
        .init(pattern: "/[a-c]*z", path: "/abcz", captures: []),
        .init(pattern: "/[a-c]*z", path: "/z", captures: []),
        .init(pattern: "/[]a]+", path: "/]a]", captures: []),
        .init(pattern: "/[^/?]+", path: "/a?b", captures: nil),
        .init(pattern: "/x/(.*)", path: "/x/line\nbreak", captures: nil),
        .init(pattern: "/a\\(b\\)", path: "/a(b)", captures: []),
        .init(pattern: "/s\\s", path: "/s ", captures: []),
    ]

    @Test(arguments: cases)
    func matchesWholePath(_ row: PatternCase) throws {
        let pattern = try URLPattern(row.pattern)
        #expect(pattern.match(row.path)?.map(String.init) == row.captures)
        #expect(pattern.matches(row.path) == (row.captures != nil))
    }

    @Test(arguments: [
        "/(a", "/a)", "/[abc", "/[^", "/a{2}", "/a|b", "/(a)?", "/(a)*", "/a*?", "/a++", "/\\b", "/\\1", "*",
        "/a^", "/$a", "/é+", "/[é]", "/(?=a)", "/(?P<>a)", "/[z-a]", "/a\\",
    ])
    func rejectsUnsupportedSyntax(_ source: String) {
        #expect(throws: RoutingError.self) { try URLPattern(source) }
    }

    @Test
    func reportsTheOffsetOfUnsupportedSyntax() {
        #expect(throws: RoutingError.unsupportedPattern("/a|b", offset: 2, reason: "alternation is not supported")) {
            try URLPattern("/a|b")
        }
    }

    @Test
    func namesCaptureGroups() throws {
        let pattern = try URLPattern("/(?P<kind>[a-z]+)/(.*)/(?:x)")
        #expect(pattern.captureNames == ["kind", nil])
        #expect(pattern.captureCount == 2)
        #expect(pattern.description == "/(?P<kind>[a-z]+)/(.*)/(?:x)")
    }

    @Test(arguments: ["/a.b(c)", "/x+y*z?", "/[q]{1}|^$\\", "/pré fix"])
    func escapedTextMatchesOnlyItself(_ text: String) throws {
        let pattern = try URLPattern(URLPattern.escape(text))
        #expect(pattern.matches(text))
        #expect(!pattern.matches(text + "/"))
        #expect(!pattern.matches(String(text.dropLast())))
    }

    @Test
    func backtrackingStaysCorrectOnLongPaths() throws {
        let pattern = try URLPattern("/static/(.*)/(.*)\\.js")
        let deep = "/static/" + Array(repeating: "d", count: 200).joined(separator: "/") + "/file.js"
        let captures = pattern.match(deep)?.map(String.init)
        #expect(captures?.last == "file")
        #expect(captures?.first?.split(separator: "/").count == 200)
    }
}
