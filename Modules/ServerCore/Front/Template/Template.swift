// Template.swift — a Jinja2-subset template engine for SwiftBokeh.
//
// Renders Bokeh's `file.html` base template and directory apps' `templates/index.html` exactly as
// Jinja2 3.1 does. Files:
//   Template.swift        — public-ish API: Template, TemplateError, TemplateOptions, TemplateLoader
//   TemplateValue.swift   — context values and Python-compatible str/repr/equality
//   TemplateLexer.swift   — tokenizer (whitespace control, trim_blocks, lstrip_blocks, raw)
//   TemplateParser.swift  — AST and parser
//   TemplateRender.swift  — the renderer (inheritance, blocks, includes, macros, expressions)
//   TemplateFilters.swift — filters and tests
//
// Tags: extends, block (scoped, required; super()), include (ignore missing, with/without context),
// import ... as, from ... import (as), if/elif/else, for (tuple targets, `if` filter, else, loop.index/
// index0/revindex/revindex0/first/last/length/depth/previtem/nextitem/cycle), set (and set ... endset),
// macro (defaults, keyword arguments), with, print, raw; {# comments #}; `-`/`+` whitespace control.
// Filters: safe e escape forceescape indent tojson default d length count upper lower title capitalize
// trim center join replace int float string first last list reverse round abs sum attr items.
// Tests: defined undefined none boolean true false integer float number string mapping iterable
// sequence callable even odd divisibleby eq/equalto/== ne/!= lt/< gt/> le/<= ge/>= in lower upper
// escaped sameas. Globals: range().
// Not supported (a clear parse error): tuples, call/filter/autoescape/do tags, recursive loops,
// `*args`/`**kwargs`, `%` string formatting; dicts iterate in key order (Swift dicts are unordered).

import Foundation

/// A template failure, located at the file and line of the offending source.
public struct TemplateError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The template file (or the name it was given).
    public let file: String
    /// The line of the fault, from 1 (0 when the file could not be read at all).
    public let line: Int
    /// What is wrong.
    public let message: String
    public var description: String { "\(file):\(line): \(message)" }

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
}

/// Loads a template by name (for `{% extends "name" %}` / `{% include "name" %}`); returns nil if absent.
/// `file` names the loaded source in error messages and identifies it for cycle detection.
typealias TemplateLoader = @Sendable (String) throws -> (source: String, file: String)?

/// Lexer settings of a Jinja `Environment`. The defaults match `jinja2.Environment()` (used for
/// directory apps' `templates/index.html`); Bokeh's own templates (`file.html`, `macros.html`) are
/// loaded by an environment with `trim_blocks=True, lstrip_blocks=True` — use `.bokeh` for them.
struct TemplateOptions: Sendable, Equatable {
    /// Remove the first newline after a block or comment tag.
    var trimBlocks: Bool
    /// Strip spaces and tabs from the start of a line up to a block or comment tag.
    var lstripBlocks: Bool
    /// Keep the single trailing newline of the source (Jinja's default drops it).
    var keepTrailingNewline: Bool

    init(trimBlocks: Bool = false, lstripBlocks: Bool = false, keepTrailingNewline: Bool = false) {
        self.trimBlocks = trimBlocks
        self.lstripBlocks = lstripBlocks
        self.keepTrailingNewline = keepTrailingNewline
    }

    /// The settings of `bokeh.core.templates.get_env()`.
    static let bokeh = TemplateOptions(trimBlocks: true, lstripBlocks: true)
}

/// A parsed template. Immutable and safe to render concurrently from several threads.
final class Template: Sendable {
    /// Maximum nesting of extends/include/import (also bounds load cycles of dynamic names).
    static let maxTemplateDepth = 64

    /// The file name used in error messages.
    let file: String
    let options: TemplateOptions
    let loader: TemplateLoader?
    let body: [Node]
    /// Every `{% block %}` defined in this template (at any depth), by name.
    let blocks: [String: BlockDef]

    /// Parses the template; throws `TemplateError` (file:line) for any syntax error, an unknown filter,
    /// test or tag, an unclosed block, or a literal-name extends/include/import whose file the loader
    /// cannot find (resolved eagerly, recursively, at parse time so that startup catches it).
    convenience init(
        source: String, file: String, loader: TemplateLoader? = nil, options: TemplateOptions = TemplateOptions()
    ) throws {
        try self.init(source: source, file: file, loader: loader, options: options, session: ParseSession())
    }

    /// Renders with the given variables. Throws `TemplateError` with the file:line of the failing node.
    /// Undefined names follow Jinja's default `Undefined`: printing gives "", `if` is false, iterating
    /// gives nothing, but calling one, taking an attribute of it or doing arithmetic with it raises
    /// "'x' is undefined".
    func render(_ variables: [String: TemplateValue]) throws -> String {
        var out = ""
        let context = RenderContext(parent: variables, template: self)
        let state = RenderState()
        defer { state.releaseMacros() }
        try Renderer.renderRoot(self, context: context, state: state, out: &out, line: 1, from: self)
        return out
    }

    /// Loads and parses a template at render time (dynamic names and deferred include cycles).
    func load(_ name: String, line: Int) throws -> Template? {
        guard let loaded = try Template.callLoader(loader, name: name, file: file, line: line) else { return nil }
        return try Template(
            source: loaded.source, file: loaded.file, loader: loader, options: options, session: ParseSession())
    }

    /// Templates being parsed (for cycle detection) and already parsed (so each file parses once).
    fileprivate final class ParseSession {
        var stack: [String] = []
        var cache: [String: Template] = [:]
    }

    private init(source: String, file: String, loader: TemplateLoader?, options: TemplateOptions, session: ParseSession)
        throws
    {
        session.stack.append(file)
        defer { session.stack.removeLast() }
        var lexer = TemplateLexer(source: source, file: file, options: options)
        let tokens = try lexer.tokenize()
        var parser = TemplateParser(tokens: tokens, file: file) { name, line, kind, ignoreMissing in
            try Template.resolve(
                name, line: line, kind: kind, ignoreMissing: ignoreMissing, from: file,
                loader: loader, options: options, session: session)
        }
        self.body = try parser.parseTemplate()
        self.blocks = parser.blocks
        self.file = file
        self.options = options
        self.loader = loader
    }

    private static func callLoader(_ loader: TemplateLoader?, name: String, file: String, line: Int) throws -> (
        source: String, file: String
    )? {
        guard let loader else {
            throw TemplateError(
                file: file, line: line,
                message: "cannot load template \(pyRepr(name)): no template loader is configured")
        }
        do {
            return try loader(name)
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError(file: file, line: line, message: "error loading template \(pyRepr(name)): \(error)")
        }
    }

    /// Eagerly resolves a literal template name found while parsing `file`.
    private static func resolve(
        _ name: String, line: Int, kind: TemplateRefKind, ignoreMissing: Bool, from file: String,
        loader: TemplateLoader?, options: TemplateOptions, session: ParseSession
    ) throws -> TemplateRef {
        guard let loaded = try callLoader(loader, name: name, file: file, line: line) else {
            if ignoreMissing { return .missing }
            throw TemplateError(file: file, line: line, message: "template \(pyRepr(name)) not found")
        }
        if session.stack.contains(loaded.file) {
            // A recursive include can be legitimate (guarded by an if); load it lazily, depth-limited.
            if kind == .include { return .deferred(name) }
            let cycle = (session.stack.drop { $0 != loaded.file } + [loaded.file]).joined(separator: " -> ")
            let what = kind == .extends ? "extends" : "import"
            throw TemplateError(file: file, line: line, message: "\(what) cycle: \(cycle)")
        }
        if session.stack.count >= maxTemplateDepth {
            throw TemplateError(
                file: file, line: line,
                message: "templates nested too deeply (more than \(maxTemplateDepth) levels of extends/include/import)")
        }
        if let cached = session.cache[loaded.file] { return .resolved(cached) }
        let template = try Template(
            source: loaded.source, file: loaded.file, loader: loader, options: options, session: session)
        session.cache[loaded.file] = template
        return .resolved(template)
    }
}
