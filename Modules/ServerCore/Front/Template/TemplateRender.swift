// TemplateRender.swift — renders parsed templates with Jinja2's runtime semantics: the shared
// Context with block stacks (extends/super), scoped and unscoped blocks, output suppression after
// `extends`, include/import contexts, macros, loops and Python-style expression evaluation.

import Foundation
import Synchronization

/// Render-wide counters bounding recursion (template nesting, macro/block calls).
final class RenderState {
    static let maxCallDepth = 100
    var templateDepth = 0
    var callDepth = 0
    /// Every macro the render defined: each closes over the context or scope that holds it, a cycle that
    /// ``releaseMacros()`` breaks once the render is over (without it every render with a macro leaked).
    var macros: [TemplateMacro] = []

    /// Empties the variables of every context and scope a macro closes over, so that they and the macros are
    /// freed with the render.
    func releaseMacros() {
        for macro in macros {
            macro.context.vars.removeAll()
            var scope = macro.scope
            while let current = scope {
                current.vars.removeAll()
                scope = current.parent
            }
        }
        macros.removeAll()
    }
}

/// One entry of a block stack: a block definition and the template it comes from.
struct BlockEntry {
    let def: BlockDef
    let template: Template
}

/// Jinja's `Context`: the variables passed to render (`parent`), template-level assignments
/// (`vars`, of which `exported` are visible to importers) and, per block name, the stack of
/// definitions from the most derived template to the base (index 0 renders, `super()` goes deeper).
final class RenderContext {
    let parent: [String: TemplateValue]
    var vars: [String: TemplateValue] = [:]
    var exported: [String] = []
    var blocks: [String: [BlockEntry]]

    init(parent: [String: TemplateValue], template: Template) {
        self.parent = parent
        self.blocks = template.blocks.mapValues { [BlockEntry(def: $0, template: template)] }
    }

    func lookup(_ name: String) -> TemplateValue? { vars[name] ?? parent[name] }

    /// `context.get_all()`: passed variables overlaid with template-level assignments.
    func all() -> [String: TemplateValue] { parent.merging(vars) { $1 } }

    /// Sets a template-level (exported) variable.
    func setTopLevel(_ name: String, _ value: TemplateValue) {
        vars[name] = value
        if !name.hasPrefix("_"), !exported.contains(name) { exported.append(name) }
    }
}

/// A chain of local variable scopes (loop bodies, blocks, macros, with).
final class Scope {
    var vars: [String: TemplateValue] = [:]
    let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> TemplateValue? {
        var s: Scope? = self
        while let cur = s {
            if let v = cur.vars[name] { return v }
            s = cur.parent
        }
        return nil
    }

    /// All visible locals, inner scopes winning.
    func flattened() -> [String: TemplateValue] {
        var chain: [Scope] = []
        var s: Scope? = self
        while let cur = s { chain.append(cur); s = cur.parent }
        var out: [String: TemplateValue] = [:]
        for scope in chain.reversed() { out.merge(scope.vars) { $1 } }
        return out
    }
}

/// State of one root render function: whether `extends` has run (then output is suppressed).
final class RootState {
    var parentTemplate: Template?
}

/// A user macro value: its definition plus the template, context and scope it closes over.
final class TemplateMacro: @unchecked Sendable {
    // @unchecked: the captured context/scope are only touched by the single render that created the
    // macro (a render never hands values to another thread), so no concurrent access occurs.
    let def: MacroDef
    let template: Template
    let context: RenderContext
    let scope: Scope?

    init(def: MacroDef, template: Template, context: RenderContext, scope: Scope?) {
        self.def = def
        self.template = template
        self.context = context
        self.scope = scope
        Self.live.add(1, ordering: .relaxed)
    }

    deinit { Self.live.subtract(1, ordering: .relaxed) }

    /// Macros alive in the process (a leak check for tests).
    static let live = Atomic<Int>(0)

    var name: String { def.name }
}

/// Where rendering currently is: template, context, locals, and the Jinja frame flags.
struct Frame {
    let template: Template
    let context: RenderContext
    var scope: Scope
    /// True in a template's root frame (and inside its `if`s): `set` writes context variables and
    /// block calls are skipped once `extends` has run.
    var toplevel: Bool
    /// Whether output is suppressed after `extends` (true outside block, macro and set-block bodies).
    var outputCheck: Bool
    let root: RootState
    let state: RenderState
    /// In a block body: the block name, its index in the block stack and its base scope (for super()).
    var block: (name: String, index: Int, base: Scope?)?

    var file: String { template.file }

    func error(_ line: Int, _ message: String) -> TemplateError {
        TemplateError(file: template.file, line: line, message: message)
    }

    /// Assigns a variable the way Jinja's `set` does at this level.
    func assign(_ name: String, _ value: TemplateValue) {
        if toplevel { context.setTopLevel(name, value) } else { scope.vars[name] = value }
    }

    /// Resolves a name: locals, then template-level variables, then render variables, then globals.
    func lookup(_ name: String) -> TemplateValue? {
        if let v = scope.lookup(name) { return v }
        if let v = context.lookup(name) { return v }
        return Renderer.globals[name]
    }

    /// A child frame for a nested scope (loop body, with).
    func inner() -> Frame {
        var f = self
        f.scope = Scope(parent: scope)
        f.toplevel = false
        return f
    }
}

/// The renderer: statement execution and expression evaluation.
enum Renderer {
    /// Jinja's default global functions supported here.
    static let globals: [String: TemplateValue] = [
        "range": .function { args in try pyRange(args) }
    ]

    /// Maximum length of lists from range() and of repeated strings/lists, to bound memory.
    static let maxSequenceLength = 10_000_000

    // MARK: Templates

    /// Jinja's `root_render_func`: runs `template`'s top level in `context`, then its parent if it extended one.
    static func renderRoot(
        _ template: Template, context: RenderContext, state: RenderState, out: inout String,
        line: Int, from caller: Template
    ) throws {
        state.templateDepth += 1
        defer { state.templateDepth -= 1 }
        guard state.templateDepth <= Template.maxTemplateDepth else {
            throw TemplateError(
                file: caller.file, line: line,
                message:
                    "templates nested too deeply (more than \(Template.maxTemplateDepth) levels of extends/include/import)"
            )
        }
        let root = RootState()
        let frame = Frame(
            template: template, context: context, scope: Scope(parent: nil), toplevel: true,
            outputCheck: true, root: root, state: state, block: nil)
        try execute(template.body, frame, &out)
        if let parent = root.parentTemplate {
            try renderRoot(parent, context: context, state: state, out: &out, line: line, from: template)
        }
    }

    /// The template a node refers to: its parse-time resolution, or the runtime value of its expression
    /// (a `.template`, or a `.string` name for the loader). Returns nil when not found.
    static func targetTemplate(_ expr: Expr, _ ref: TemplateRef, _ frame: Frame, line: Int) throws -> Template? {
        switch ref {
        case .resolved(let t): return t
        case .missing: return nil
        case .deferred(let name): return try frame.template.load(name, line: line)
        case .dynamic: return try template(from: try eval(expr, frame), frame, line: line)
        }
    }

    /// The template a runtime value names: a `.template`, a `.string` name for the loader, or a list
    /// of names (the first that exists). Returns nil when not found.
    static func template(from value: TemplateValue, _ frame: Frame, line: Int) throws -> Template? {
        switch value {
        case .template(let t): return t
        case .string(let name), .markup(let name): return try frame.template.load(name, line: line)
        case .list(let names):
            for case .string(let name) in names {
                if let t = try frame.template.load(name, line: line) { return t }
            }
            return nil
        case .undefined(let message): throw frame.error(line, message)
        default: throw frame.error(line, "expected a template or a template name, got \(value.pyTypeName)")
        }
    }

    /// What an import statement imports from: exported names, or nothing for an undefined source.
    private static func importSource(_ expr: Expr, _ ref: TemplateRef, _ frame: Frame, withContext: Bool, line: Int)
        throws
        -> (exports: [String: TemplateValue]?, name: String)
    {
        var template: Template?
        if case .dynamic = ref {
            let value = try eval(expr, frame)
            switch value {
            case .undefined: return (nil, "")
            case .dict(let d): return (d, "dict")
            default: template = try self.template(from: value, frame, line: line)
            }
        } else {
            template = try targetTemplate(expr, ref, frame, line: line)
        }
        guard let template else { throw frame.error(line, "template to import from not found") }
        return (try module(of: template, frame, withContext: withContext, line: line), template.file)
    }

    /// Renders `template` as an imported module and returns its exported variables (macros, sets).
    static func module(of template: Template, _ frame: Frame, withContext: Bool, line: Int) throws -> [String:
        TemplateValue]
    {
        let parent = withContext ? frame.context.all().merging(frame.scope.flattened()) { $1 } : [:]
        let context = RenderContext(parent: parent, template: template)
        var sink = ""
        try renderRoot(template, context: context, state: frame.state, out: &sink, line: line, from: frame.template)
        var exports: [String: TemplateValue] = [:]
        for name in context.exported { exports[name] = context.vars[name] }
        return exports
    }

    // MARK: Statements

    static func execute(_ nodes: [Node], _ frame: Frame, _ out: inout String) throws {
        for node in nodes { try execute(node, frame, &out) }
    }

    private static func emit(_ s: String, _ frame: Frame, _ out: inout String) {
        if frame.outputCheck, frame.root.parentTemplate != nil { return }
        out += s
    }

    static func execute(_ node: Node, _ frame: Frame, _ out: inout String) throws {
        switch node {
        case .text(let s):
            emit(s, frame, &out)

        case .output(let expr):
            if frame.outputCheck, frame.root.parentTemplate != nil { return }
            out += try eval(expr, frame).pyStr

        case .ifs(let branches, let elseBody):
            for branch in branches where try eval(branch.condition, frame).isTruthy {
                try execute(branch.body, frame, &out)
                return
            }
            try execute(elseBody, frame, &out)

        case .forLoop(let loop):
            try executeFor(loop, frame, &out)

        case .set(let name, let expr, _):
            frame.assign(name, try eval(expr, frame))

        case .setBlock(let name, let body, _):
            var f = frame.inner()
            f.outputCheck = false
            var buffer = ""
            try execute(body, f, &buffer)
            frame.assign(name, .string(buffer))

        case .block(let name, let scoped, let required, let line):
            if frame.toplevel, frame.root.parentTemplate != nil { return }
            guard let stack = frame.context.blocks[name], !stack.isEmpty else {
                throw frame.error(line, "block \(pyRepr(name)) not found")
            }
            if required, stack.count <= 1 { throw frame.error(line, "Required block \(pyRepr(name)) not found") }
            try renderBlock(name, index: 0, base: scoped ? frame.scope : nil, frame, &out, line: line)

        case .extends(let expr, let ref, let line):
            if frame.root.parentTemplate != nil { throw frame.error(line, "extended multiple times") }
            guard let parent = try targetTemplate(expr, ref, frame, line: line) else {
                throw frame.error(line, "template to extend not found")
            }
            frame.root.parentTemplate = parent
            for (name, def) in parent.blocks {
                frame.context.blocks[name, default: []].append(BlockEntry(def: def, template: parent))
            }

        case .include(let expr, let ref, let ignoreMissing, let withContext, let line):
            guard let template = try targetTemplate(expr, ref, frame, line: line) else {
                if ignoreMissing { return }
                throw frame.error(line, "included template not found")
            }
            let parent = withContext ? frame.context.all().merging(frame.scope.flattened()) { $1 } : [:]
            let context = RenderContext(parent: parent, template: template)
            // Jinja does not suppress include output after `extends`.
            try renderRoot(template, context: context, state: frame.state, out: &out, line: line, from: frame.template)

        case .fromImport(let expr, let ref, let names, let withContext, let line):
            // Importing from an undefined source keeps the names as the context already defines them
            // (Bokeh's server may pass `embed` directly instead of `macros`); so does a missing name.
            let (exports, sourceName) = try importSource(expr, ref, frame, withContext: withContext, line: line)
            for item in names {
                if let value = exports?[item.name] {
                    frame.assign(item.alias, value)
                } else if frame.lookup(item.alias) == nil {
                    let hint =
                        exports == nil
                        ? "\(pyRepr(item.alias)) is undefined"
                        : "the template \(pyRepr(sourceName)) (imported on line \(line)) does not export the requested name \(pyRepr(item.name))"
                    frame.assign(item.alias, .undefined(hint))
                }
            }

        case .importAs(let expr, let ref, let alias, let withContext, let line):
            let (exports, _) = try importSource(expr, ref, frame, withContext: withContext, line: line)
            guard let exports else {
                throw frame.error(line, "\(pyRepr(alias)): cannot import from an undefined value")
            }
            frame.assign(alias, .dict(exports))

        case .macro(let def):
            let macro = TemplateMacro(
                def: def, template: frame.template, context: frame.context,
                scope: frame.toplevel ? nil : frame.scope)
            frame.state.macros.append(macro)
            frame.assign(def.name, .macro(macro))

        case .with(let assignments, let body, _):
            let f = frame.inner()
            for a in assignments { f.scope.vars[a.name] = try eval(a.value, frame) }
            try execute(body, f, &out)
        }
    }

    /// Renders block `name` at `index` of the context's block stack.
    static func renderBlock(_ name: String, index: Int, base: Scope?, _ frame: Frame, _ out: inout String, line: Int)
        throws
    {
        guard let stack = frame.context.blocks[name], index < stack.count else {
            throw frame.error(line, "there is no parent block called \(pyRepr(name)).")
        }
        let entry = stack[index]
        frame.state.callDepth += 1
        defer { frame.state.callDepth -= 1 }
        guard frame.state.callDepth <= RenderState.maxCallDepth else {
            throw frame.error(line, "blocks or macros nested too deeply (more than \(RenderState.maxCallDepth) calls)")
        }
        let f = Frame(
            template: entry.template, context: frame.context, scope: Scope(parent: base), toplevel: false,
            outputCheck: false, root: RootState(), state: frame.state, block: (name, index, base))
        try execute(entry.def.body, f, &out)
    }

    private static func executeFor(_ loop: ForNode, _ frame: Frame, _ out: inout String) throws {
        let iterable = try eval(loop.iterable, frame)
        var items = try at(loop.iterable.line, frame) { try iterate(iterable) }
        let f = frame.inner()
        func bind(_ item: TemplateValue) throws {
            if loop.targets.count == 1 {
                f.scope.vars[loop.targets[0]] = item
                return
            }
            let parts = try at(loop.line, frame) { try iterate(item) }
            guard parts.count == loop.targets.count else {
                let msg =
                    parts.count < loop.targets.count
                    ? "not enough values to unpack (expected \(loop.targets.count), got \(parts.count))"
                    : "too many values to unpack (expected \(loop.targets.count))"
                throw frame.error(loop.line, msg)
            }
            for (name, value) in zip(loop.targets, parts) { f.scope.vars[name] = value }
        }
        if let filter = loop.filter {
            items = try items.filter { item in
                try bind(item)
                return try eval(filter, f).isTruthy
            }
        }
        if items.isEmpty {
            try execute(loop.elseBody, frame.inner(), &out)
            return
        }
        let count = items.count
        for (i, item) in items.enumerated() {
            try bind(item)
            guard loop.usesLoop else {
                try execute(loop.body, f, &out)
                continue
            }
            let loopVar: [String: TemplateValue] = [
                "index": .int(i + 1), "index0": .int(i), "revindex": .int(count - i), "revindex0": .int(count - i - 1),
                "first": .bool(i == 0), "last": .bool(i == count - 1), "length": .int(count),
                "depth": .int(1), "depth0": .int(0),
                "previtem": i > 0 ? items[i - 1] : .undefined("there is no previous item"),
                "nextitem": i + 1 < count ? items[i + 1] : .undefined("there is no next item"),
                "cycle": .function { args in
                    guard !args.isEmpty else { throw EvalError("no items for cycling given") }
                    return args[i % args.count]
                },
            ]
            f.scope.vars["loop"] = .dict(loopVar)
            try execute(loop.body, f, &out)
        }
    }

    // MARK: Expressions

    /// Runs `body`, turning a location-less `EvalError` into a `TemplateError` at `line`.
    static func at<T>(_ line: Int, _ frame: Frame, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as EvalError {
            throw frame.error(line, e.message)
        }
    }

    static func eval(_ e: Expr, _ frame: Frame) throws -> TemplateValue {
        try at(e.line, frame) { try evalInner(e, frame) }
    }

    private static func evalInner(_ e: Expr, _ frame: Frame) throws -> TemplateValue {
        switch e.kind {
        case .const(let v):
            return v
        case .name(let name):
            return frame.lookup(name) ?? .undefinedName(name)
        case .list(let items):
            return .list(try items.map { try eval($0, frame) })
        case .dict(let entries):
            var d: [String: TemplateValue] = [:]
            for entry in entries {
                guard let key = try eval(entry.key, frame).stringContent else {
                    throw EvalError("dict literal keys must be strings in this template engine")
                }
                d[key] = try eval(entry.value, frame)
            }
            return .dict(d)
        case .getattr(let obj, let name):
            return try getattr(try eval(obj, frame), name)
        case .getitem(let obj, let key):
            return try getitem(try eval(obj, frame), try eval(key, frame))
        case .slice(let obj, let start, let stop, let step):
            let base = try eval(obj, frame)
            func bound(_ x: Expr?) throws -> Int? {
                guard let x else { return nil }
                switch try eval(x, frame) {
                case .none: return nil
                case .int(let i): return i
                case .bool(let b): return b ? 1 : 0
                default: throw EvalError("slice indices must be integers or None")
                }
            }
            return try pySlice(base, start: try bound(start), stop: try bound(stop), step: try bound(step))
        case .call(let callee, let argExprs, let kwargExprs):
            if case .name("super") = callee.kind, let block = frame.block, frame.scope.lookup("super") == nil {
                guard argExprs.isEmpty, kwargExprs.isEmpty else { throw EvalError("super() takes no arguments") }
                var buffer = ""
                try renderBlock(block.name, index: block.index + 1, base: block.base, frame, &buffer, line: e.line)
                return .string(buffer)
            }
            let fn = try eval(callee, frame)
            let args = try argExprs.map { try eval($0, frame) }
            var kwargs: [(String, TemplateValue)] = []
            for kw in kwargExprs { kwargs.append((kw.name, try eval(kw.value, frame))) }
            return try call(fn, args, kwargs, frame, line: e.line)
        case .filter(let base, let name, let argExprs, let kwargExprs):
            let value = try eval(base, frame)
            let args = try argExprs.map { try eval($0, frame) }
            var kwargs: [(String, TemplateValue)] = []
            for kw in kwargExprs { kwargs.append((kw.name, try eval(kw.value, frame))) }
            return try Filters.apply(name, value, args, kwargs)
        case .test(let base, let name, let argExprs, let kwargExprs):
            let value = try eval(base, frame)
            let args = try argExprs.map { try eval($0, frame) }
            var kwargs: [(String, TemplateValue)] = []
            for kw in kwargExprs { kwargs.append((kw.name, try eval(kw.value, frame))) }
            return .bool(try Filters.test(name, value, args, kwargs))
        case .not(let x):
            return .bool(!(try eval(x, frame).isTruthy))
        case .neg(let x):
            return try unary(negate: true, try eval(x, frame))
        case .pos(let x):
            return try unary(negate: false, try eval(x, frame))
        case .binary(let op, let a, let b):
            return try binary(op, try eval(a, frame), try eval(b, frame))
        case .and(let a, let b):
            let left = try eval(a, frame)
            return left.isTruthy ? try eval(b, frame) : left
        case .or(let a, let b):
            let left = try eval(a, frame)
            return left.isTruthy ? left : try eval(b, frame)
        case .compare(let first, let steps):
            var left = try eval(first, frame)
            for step in steps {
                let right = try eval(step.rhs, frame)
                guard try compare(step.op, left, right) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .concat(let parts):
            return .string(try parts.map { try eval($0, frame).pyStr }.joined())
        case .cond(let test, let then, let otherwise):
            if try eval(test, frame).isTruthy { return try eval(then, frame) }
            if let otherwise { return try eval(otherwise, frame) }
            return .undefined(
                "the inline if-expression on line \(e.line) evaluated to false and no else section was defined.")
        }
    }

    /// Calls a function or macro value.
    static func call(
        _ fn: TemplateValue, _ args: [TemplateValue], _ kwargs: [(String, TemplateValue)], _ frame: Frame, line: Int
    ) throws -> TemplateValue {
        switch fn {
        case .function(let f):
            guard kwargs.isEmpty else {
                throw EvalError("keyword arguments are not supported when calling a function value")
            }
            do {
                return try f(args)
            } catch let error as TemplateError {
                throw error
            } catch let error as EvalError {
                throw error
            } catch {
                throw EvalError("\(error)")
            }
        case .macro(let m):
            return try callMacro(m, args, kwargs, frame, line: line)
        case .undefined(let message):
            throw EvalError(message)
        default:
            throw EvalError("\(pyRepr(fn.pyTypeName)) object is not callable")
        }
    }

    private static func callMacro(
        _ m: TemplateMacro, _ args: [TemplateValue], _ kwargs: [(String, TemplateValue)], _ frame: Frame, line: Int
    ) throws -> TemplateValue {
        let params = m.def.params
        guard args.count <= params.count else {
            throw EvalError("macro \(pyRepr(m.name)) takes not more than \(params.count) argument(s)")
        }
        frame.state.callDepth += 1
        defer { frame.state.callDepth -= 1 }
        guard frame.state.callDepth <= RenderState.maxCallDepth else {
            throw EvalError("blocks or macros nested too deeply (more than \(RenderState.maxCallDepth) calls)")
        }
        let scope = Scope(parent: m.scope)
        let f = Frame(
            template: m.template, context: m.context, scope: scope, toplevel: false, outputCheck: false,
            root: RootState(), state: frame.state, block: nil)
        var given: [String: TemplateValue] = [:]
        for (i, a) in args.enumerated() { given[params[i].name] = a }
        for (k, v) in kwargs {
            guard params.contains(where: { $0.name == k }) else {
                throw EvalError("macro \(pyRepr(m.name)) takes no keyword argument \(pyRepr(k))")
            }
            guard given[k] == nil else {
                throw EvalError("macro \(pyRepr(m.name)) got multiple values for argument \(pyRepr(k))")
            }
            given[k] = v
        }
        for p in params {
            if let v = given[p.name] {
                scope.vars[p.name] = v
            } else if let def = p.defaultValue {
                scope.vars[p.name] = try eval(def, f)
            } else {
                scope.vars[p.name] = .undefined("parameter \(pyRepr(p.name)) was not provided")
            }
        }
        var out = ""
        try execute(m.def.body, f, &out)
        return .string(out)
    }

    // MARK: Python operations

    /// `environment.getattr`: attribute (dict/str methods) first, then item lookup.
    static func getattr(_ v: TemplateValue, _ name: String) throws -> TemplateValue {
        if case .undefined(let message) = v { throw EvalError(message) }
        if let method = Methods.bound(v, name) { return method }
        if case .dict(let d) = v, let x = d[name] { return x }
        return .undefined("\(pyRepr(v.objectTypeRepr)) has no attribute \(pyRepr(name))")
    }

    /// `environment.getitem`: item lookup first, then attribute for string keys.
    static func getitem(_ v: TemplateValue, _ key: TemplateValue) throws -> TemplateValue {
        if case .undefined(let message) = v { throw EvalError(message) }
        switch (v, key) {
        case (.dict(let d), _):
            if let k = key.stringContent, let x = d[k] { return x }
        case (.list(let l), _):
            if case .int(let i)? = key.numeric, let x = pyIndex(l, i) { return x }
        case (.string(let s), _), (.markup(let s), _):
            if case .int(let i)? = key.numeric, let c = pyIndex(Array(s.unicodeScalars), i) {
                return .string(String(String.UnicodeScalarView([c])))
            }
        default:
            break
        }
        if let k = key.stringContent {
            if let method = Methods.bound(v, k) { return method }
            return .undefined("\(pyRepr(v.objectTypeRepr)) has no attribute \(pyRepr(k))")
        }
        return .undefined("\(v.objectTypeRepr) has no element \(key.pyReprString)")
    }

    private static func pyIndex<T>(_ a: [T], _ i: Int) -> T? {
        let j = i < 0 ? i + a.count : i
        return j >= 0 && j < a.count ? a[j] : nil
    }

    /// Python slicing of lists and strings.
    static func pySlice(_ v: TemplateValue, start: Int?, stop: Int?, step: Int?) throws -> TemplateValue {
        if case .undefined(let message) = v { throw EvalError(message) }
        let step = step ?? 1
        guard step != 0 else { throw EvalError("slice step cannot be zero") }
        func indices(_ n: Int) -> [Int] {
            func clamp(_ x: Int?, _ def: Int, lo: Int, hi: Int) -> Int {
                guard var x else { return def }
                if x < 0 { x += n }
                return min(max(x, lo), hi)
            }
            var out: [Int] = []
            if step > 0 {
                var i = clamp(start, 0, lo: 0, hi: n)
                let end = clamp(stop, n, lo: 0, hi: n)
                while i < end { out.append(i); i += step }
            } else {
                var i = clamp(start, n - 1, lo: -1, hi: n - 1)
                let end = clamp(stop, -1, lo: -1, hi: n - 1)
                while i > end { out.append(i); i += step }
            }
            return out
        }
        switch v {
        case .list(let l):
            return .list(indices(l.count).map { l[$0] })
        case .string(let s), .markup(let s):
            let scalars = Array(s.unicodeScalars)
            var view = String.UnicodeScalarView()
            for i in indices(scalars.count) { view.append(scalars[i]) }
            return v.isMarkup ? .markup(String(view)) : .string(String(view))
        default:
            throw EvalError("\(pyRepr(v.pyTypeName)) object is not subscriptable")
        }
    }

    /// Iterating a value as a Python `for` would. Undefined iterates as empty.
    static func iterate(_ v: TemplateValue) throws -> [TemplateValue] {
        switch v {
        case .list(let l): return l
        case .dict(let d): return d.keys.sorted(by: pyLess).map { .string($0) }
        case .string(let s), .markup(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        default: throw EvalError("\(pyRepr(v.pyTypeName)) object is not iterable")
        }
    }

    static func unary(negate: Bool, _ v: TemplateValue) throws -> TemplateValue {
        if case .undefined(let message) = v { throw EvalError(message) }
        switch v.numeric {
        case .int(let i)?:
            if !negate { return .int(i) }
            let (r, overflow) = (0).subtractingReportingOverflow(i)
            if overflow { throw EvalError("integer overflow") }
            return .int(r)
        case .double(let d)?:
            return .double(negate ? -d : d)
        case nil:
            throw EvalError("bad operand type for unary \(negate ? "-" : "+"): \(pyRepr(v.pyTypeName))")
        }
    }

    static func binary(_ op: BinaryOp, _ a: TemplateValue, _ b: TemplateValue) throws -> TemplateValue {
        if case .undefined(let message) = a { throw EvalError(message) }
        if case .undefined(let message) = b { throw EvalError(message) }
        if let x = a.numeric, let y = b.numeric { return try arithmetic(op, x, y) }
        switch op {
        case .add:
            if let s = a.stringContent, let t = b.stringContent {
                // markupsafe: Markup + str escapes the plain side.
                if a.isMarkup || b.isMarkup {
                    return .markup((a.isMarkup ? s : markupEscape(s)) + (b.isMarkup ? t : markupEscape(t)))
                }
                return .string(s + t)
            }
            if case .list(let l) = a, case .list(let m) = b { return .list(l + m) }
            if a.stringContent != nil { throw EvalError("can only concatenate str (not \"\(b.pyTypeName)\") to str") }
            if case .list = a { throw EvalError("can only concatenate list (not \"\(b.pyTypeName)\") to list") }
        case .mul:
            var seq = a, count = b
            if a.numeric != nil { seq = b; count = a }
            if case .int(let n)? = count.numeric {
                let times = max(0, n)
                switch seq {
                case .string(let s), .markup(let s):
                    guard
                        s.unicodeScalars.count.multipliedReportingOverflow(by: times).partialValue <= maxSequenceLength,
                        !s.unicodeScalars.count.multipliedReportingOverflow(by: times).overflow
                    else { throw EvalError("repeated string too long") }
                    let r = String(repeating: s, count: times)
                    return seq.isMarkup ? .markup(r) : .string(r)
                case .list(let l):
                    guard !l.count.multipliedReportingOverflow(by: times).overflow, l.count * times <= maxSequenceLength
                    else {
                        throw EvalError("repeated list too long")
                    }
                    return .list(Array([[TemplateValue]](repeating: l, count: times).joined()))
                default: break
                }
            }
        case .mod:
            if a.stringContent != nil {
                throw EvalError("printf-style string formatting (%) is not supported by this template engine")
            }
        default:
            break
        }
        throw EvalError(
            "unsupported operand type(s) for \(op.rawValue): \(pyRepr(a.pyTypeName)) and \(pyRepr(b.pyTypeName))")
    }

    private static func arithmetic(_ op: BinaryOp, _ x: TemplateValue.Numeric, _ y: TemplateValue.Numeric) throws
        -> TemplateValue
    {
        if case .int(let i) = x, case .int(let j) = y {
            func checked(_ r: (partialValue: Int, overflow: Bool)) throws -> TemplateValue {
                if r.overflow { throw EvalError("integer overflow") }
                return .int(r.partialValue)
            }
            switch op {
            case .add: return try checked(i.addingReportingOverflow(j))
            case .sub: return try checked(i.subtractingReportingOverflow(j))
            case .mul: return try checked(i.multipliedReportingOverflow(by: j))
            case .div:
                guard j != 0 else { throw EvalError("division by zero") }
                return .double(Double(i) / Double(j))
            case .floorDiv:
                guard j != 0 else { throw EvalError("integer division or modulo by zero") }
                let (q, overflow) = i.dividedReportingOverflow(by: j)
                if overflow { throw EvalError("integer overflow") }
                return .int((i % j != 0 && ((i < 0) != (j < 0))) ? q - 1 : q)
            case .mod:
                guard j != 0 else { throw EvalError("integer modulo by zero") }
                let r = i.remainderReportingOverflow(dividingBy: j).partialValue
                return .int((r != 0 && ((r < 0) != (j < 0))) ? r + j : r)
            case .pow:
                if j < 0 { return .double(Foundation.pow(Double(i), Double(j))) }
                var result = 1, base = i, e = j
                while e > 0 {
                    if e & 1 == 1 { result = try checkedInt(result.multipliedReportingOverflow(by: base)) }
                    e >>= 1
                    if e > 0 { base = try checkedInt(base.multipliedReportingOverflow(by: base)) }
                }
                return .int(result)
            }
        }
        let a = x.asDouble, b = y.asDouble
        switch op {
        case .add: return .double(a + b)
        case .sub: return .double(a - b)
        case .mul: return .double(a * b)
        case .div:
            guard b != 0 else { throw EvalError("float division by zero") }
            return .double(a / b)
        case .floorDiv, .mod:
            guard b != 0 else { throw EvalError(op == .mod ? "float modulo" : "float floor division by zero") }
            // CPython's float_divmod.
            var mod = fmod(a, b)
            var div = (a - mod) / b
            if mod != 0 {
                if (b < 0) != (mod < 0) { mod += b; div -= 1 }
            } else {
                mod = copysign(0, b)
            }
            if op == .mod { return .double(mod) }
            var floordiv: Double
            if div != 0 {
                floordiv = div.rounded(.down)
                if div - floordiv > 0.5 { floordiv += 1 }
            } else {
                floordiv = copysign(0, a / b)
            }
            return .double(floordiv)
        case .pow:
            if a == 0, b < 0 { throw EvalError("0.0 cannot be raised to a negative power") }
            if a < 0, b != b.rounded() {
                throw EvalError("negative number cannot be raised to a fractional power (complex result)")
            }
            return .double(Foundation.pow(a, b))
        }
    }

    private static func checkedInt(_ r: (partialValue: Int, overflow: Bool)) throws -> Int {
        if r.overflow { throw EvalError("integer overflow") }
        return r.partialValue
    }

    static func compare(_ op: CompareOp, _ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        switch op {
        case .eq: return a.pyEquals(b)
        case .ne: return !a.pyEquals(b)
        case .in: return try contains(b, a)
        case .notIn: return !(try contains(b, a))
        case .lt, .gt, .le, .ge:
            if case .undefined(let message) = a { throw EvalError(message) }
            if case .undefined(let message) = b { throw EvalError(message) }
            let result: Bool?
            switch op {
            case .lt: result = a.pyLessThan(b)
            case .gt: result = b.pyLessThan(a)
            case .le: result = b.pyLessThan(a).map { !$0 }
            default: result = a.pyLessThan(b).map { !$0 }
            }
            guard let result else {
                throw EvalError(
                    "\(pyRepr(op.rawValue)) not supported between instances of \(pyRepr(a.pyTypeName)) and \(pyRepr(b.pyTypeName))"
                )
            }
            return result
        }
    }

    /// Python `item in container`.
    static func contains(_ container: TemplateValue, _ item: TemplateValue) throws -> Bool {
        switch container {
        case .string(let s), .markup(let s):
            guard let needle = item.stringContent else {
                throw EvalError("'in <string>' requires string as left operand, not \(item.pyTypeName)")
            }
            if needle.isEmpty { return true }
            let hay = Array(s.unicodeScalars), n = Array(needle.unicodeScalars)
            guard n.count <= hay.count else { return false }
            for i in 0...(hay.count - n.count) where hay[i..<i + n.count].elementsEqual(n) { return true }
            return false
        case .list(let l): return l.contains { $0.pyEquals(item) }
        case .dict(let d):
            if case .list = item { throw EvalError("unhashable type: 'list'") }
            if case .dict = item { throw EvalError("unhashable type: 'dict'") }
            return item.stringContent.map { d[$0] != nil } ?? false
        case .undefined: return false
        default: throw EvalError("argument of type \(pyRepr(container.pyTypeName)) is not iterable")
        }
    }

    /// Python's `range()` (materialised as a list, bounded by `maxSequenceLength`).
    static func pyRange(_ args: [TemplateValue]) throws -> TemplateValue {
        var ints: [Int] = []
        for a in args {
            switch a {
            case .int(let i): ints.append(i)
            case .bool(let b): ints.append(b ? 1 : 0)
            default: throw EvalError("\(pyRepr(a.pyTypeName)) object cannot be interpreted as an integer")
            }
        }
        let start: Int, stop: Int, step: Int
        switch ints.count {
        case 1: (start, stop, step) = (0, ints[0], 1)
        case 2: (start, stop, step) = (ints[0], ints[1], 1)
        case 3: (start, stop, step) = (ints[0], ints[1], ints[2])
        default: throw EvalError("range expected 1 to 3 arguments, got \(ints.count)")
        }
        guard step != 0 else { throw EvalError("range() arg 3 must not be zero") }
        let count =
            step > 0
            ? (stop > start ? (Double(stop) - Double(start) + Double(step) - 1) / Double(step) : 0)
            : (start > stop ? (Double(start) - Double(stop) - Double(step) - 1) / Double(-step) : 0)
        guard count <= Double(maxSequenceLength) else {
            throw EvalError("range too large (more than \(maxSequenceLength) items)")
        }
        return .list(Array(stride(from: start, to: stop, by: step)).map { .int($0) })
    }
}
