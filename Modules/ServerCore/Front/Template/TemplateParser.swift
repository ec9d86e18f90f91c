// TemplateParser.swift — the template AST and a recursive-descent parser that follows
// jinja2/parser.py (same precedence, same filter/test/postfix binding).

import Foundation

// MARK: - AST

/// An expression node with the line it starts on (used for runtime error locations).
struct Expr: Sendable {
    let kind: ExprKind
    let line: Int
}

/// A keyword argument `name=value` in a call, filter or test.
struct KeywordArg: Sendable {
    let name: String
    let value: Expr
}

/// One `key: value` entry of a dict literal.
struct DictEntry: Sendable {
    let key: Expr
    let value: Expr
}

enum BinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", floorDiv = "//", mod = "%", pow = "**"
}

enum CompareOp: String, Sendable {
    case eq = "==", ne = "!=", lt = "<", gt = ">", le = "<=", ge = ">=", `in` = "in", notIn = "not in"
}

/// One comparison step `op rhs` of a (possibly chained) comparison.
struct CompareStep: Sendable {
    let op: CompareOp
    let rhs: Expr
}

indirect enum ExprKind: Sendable {
    case const(TemplateValue)
    case name(String)
    case list([Expr])
    case dict([DictEntry])
    case getattr(Expr, String)
    case getitem(Expr, Expr)
    case slice(Expr, start: Expr?, stop: Expr?, step: Expr?)
    case call(Expr, args: [Expr], kwargs: [KeywordArg])
    case filter(Expr, name: String, args: [Expr], kwargs: [KeywordArg])
    case test(Expr, name: String, args: [Expr], kwargs: [KeywordArg])
    case not(Expr)
    case neg(Expr)
    case pos(Expr)
    case binary(BinaryOp, Expr, Expr)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case compare(Expr, [CompareStep])
    /// `a ~ b ~ c`: string concatenation of the operands' `str()`.
    case concat([Expr])
    /// `then if test else otherwise`; a missing else yields undefined.
    case cond(test: Expr, then: Expr, otherwise: Expr?)
}

/// How a literal template name in extends/include/import was resolved at parse time.
enum TemplateRef: Sendable {
    /// The name is an expression, evaluated when rendering.
    case dynamic
    /// Parsed eagerly from the loader.
    case resolved(Template)
    /// Not found, tolerated by `ignore missing`.
    case missing
    /// Part of an include cycle: loaded (depth-limited) when rendering.
    case deferred(String)
}

/// One `if`/`elif` branch.
struct IfBranch: Sendable {
    let condition: Expr
    let body: [Node]
}

/// `{% for targets in iterable [if filter] %} body {% else %} elseBody {% endfor %}`.
struct ForNode: Sendable {
    let targets: [String]
    let iterable: Expr
    let filter: Expr?
    let body: [Node]
    let elseBody: [Node]
    /// Whether the body mentions `loop`: as in Jinja, the loop variable only exists then (so an
    /// included template never sees a `loop` its includer did not use).
    let usesLoop: Bool
    let line: Int
}

/// A `{% block %}` definition, registered by name on its template.
struct BlockDef: Sendable {
    let name: String
    let scoped: Bool
    let required: Bool
    let body: [Node]
    let line: Int
}

/// A macro parameter with its optional default.
struct MacroParam: Sendable {
    let name: String
    let defaultValue: Expr?
}

/// A `{% macro name(params) %}` definition.
struct MacroDef: Sendable {
    let name: String
    let params: [MacroParam]
    let body: [Node]
    let line: Int
}

/// One imported name of `{% from x import name as alias %}`.
struct ImportName: Sendable {
    let name: String
    let alias: String
}

/// One `name = value` of a `{% with %}` statement.
struct Assignment: Sendable {
    let name: String
    let value: Expr
}

/// A template statement / content node.
indirect enum Node: Sendable {
    case text(String)
    case output(Expr)
    case ifs([IfBranch], elseBody: [Node])
    case forLoop(ForNode)
    case set(String, Expr, line: Int)
    case setBlock(String, [Node], line: Int)
    case block(name: String, scoped: Bool, required: Bool, line: Int)
    case extends(Expr, TemplateRef, line: Int)
    case include(Expr, TemplateRef, ignoreMissing: Bool, withContext: Bool, line: Int)
    case fromImport(Expr, TemplateRef, names: [ImportName], withContext: Bool, line: Int)
    case importAs(Expr, TemplateRef, alias: String, withContext: Bool, line: Int)
    case macro(MacroDef)
    case with([Assignment], [Node], line: Int)
}

/// What a literal template name is needed for (it changes the cycle rule).
enum TemplateRefKind {
    case extends, include, `import`
}

// MARK: - Parser

/// Parses tokens into nodes, collecting the template's blocks. Limits expression nesting
/// (`maxExpressionDepth`) and statement nesting so that hostile input cannot overflow the stack.
struct TemplateParser {
    static let maxExpressionDepth = 200
    static let maxStatementDepth = 200

    /// The filters this engine implements; anything else is a parse-time error, as in Jinja.
    static let knownFilters: Set<String> = [
        "safe", "e", "escape", "forceescape", "indent", "tojson", "default", "d", "length", "count", "upper", "lower",
        "title", "capitalize", "trim", "center", "join", "replace", "int", "float", "string", "first", "last", "list",
        "reverse", "round", "abs", "sum", "attr", "items",
    ]
    /// The tests this engine implements (`x is name`).
    static let knownTests: Set<String> = [
        "defined", "undefined", "none", "boolean", "true", "false", "integer", "float", "number", "string", "mapping",
        "iterable", "sequence", "callable", "even", "odd", "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt",
        "lessthan", "<", "gt", "greaterthan", ">", "le", "<=", "ge", ">=", "in", "lower", "upper", "escaped", "sameas",
    ]

    /// Resolves a literal template name at parse time.
    typealias Resolver = (_ name: String, _ line: Int, _ kind: TemplateRefKind, _ ignoreMissing: Bool) throws ->
        TemplateRef

    private var tokens: [Token]
    private var index = 0
    private let file: String
    private let resolver: Resolver
    private var exprDepth = 0
    private var stmtDepth = 0
    /// Open statements, innermost last, for "unexpected end tag" messages.
    private var openTags: [(tag: String, line: Int)] = []
    /// Number of enclosing scopes (for/block/macro/...) where `extends` is not allowed.
    private var nonTopLevel = 0
    private(set) var blocks: [String: BlockDef] = [:]

    init(tokens: [Token], file: String, resolver: @escaping Resolver) {
        self.tokens = tokens
        self.file = file
        self.resolver = resolver
    }

    // MARK: Token helpers

    private var current: Token { tokens[min(index, tokens.count - 1)] }
    private func peek(_ offset: Int = 1) -> Token { tokens[min(index + offset, tokens.count - 1)] }
    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private func error(_ message: String, line: Int? = nil) -> TemplateError {
        TemplateError(file: file, line: line ?? current.line, message: message)
    }

    private mutating func expect(_ kind: TokenKind, _ what: String) throws -> Token {
        let tok = current
        guard tok.kind == kind else { throw error("expected \(what), got '\(tok.described)'") }
        advance()
        return tok
    }

    private mutating func expectOp(_ op: String) throws {
        guard current.isOp(op) else { throw error("expected '\(op)', got '\(current.described)'") }
        advance()
    }

    private mutating func expectBlockEnd() throws {
        guard current.kind == .blockEnd else {
            throw error("expected end of statement block ('%}'), got '\(current.described)'")
        }
        advance()
    }

    private mutating func expectName(_ name: String) throws {
        guard current.isName(name) else { throw error("expected '\(name)', got '\(current.described)'") }
        advance()
    }

    // MARK: Statements

    /// Parses a whole template.
    mutating func parseTemplate() throws -> [Node] {
        let (body, _) = try subparse(until: [])
        return body
    }

    /// Parses nodes until a `{% tag %}` in `endTags` (returned, with the stream at that tag's name) or the end
    /// of the template (returned as nil).
    private mutating func subparse(until endTags: Set<String>) throws -> ([Node], String?) {
        var body: [Node] = []
        while true {
            let tok = current
            switch tok.kind {
            case .data:
                body.append(.text(tok.text))
                advance()
            case .variableBegin:
                advance()
                let expr = try parseExpression()
                guard current.kind == .variableEnd else {
                    throw error("expected end of print statement ('}}'), got '\(current.described)'")
                }
                advance()
                body.append(.output(expr))
            case .blockBegin:
                advance()
                guard current.kind == .name else {
                    throw error("expected a tag name after '{%', got '\(current.described)'")
                }
                if endTags.contains(current.text) { return (body, current.text) }
                body.append(contentsOf: try parseStatement())
            case .eof:
                return (body, nil)
            default:
                throw error("unexpected '\(tok.described)'")
            }
        }
    }

    /// Parses a nested body that must end with one of `endTags`; an end of template instead is an
    /// "unclosed tag" error located at the opening tag.
    private mutating func parseBody(until endTags: Set<String>, opener: String, line: Int, detail: String? = nil) throws
        -> ([Node], String)
    {
        let (body, end) = try subparse(until: endTags)
        guard let end else {
            let what = detail ?? "'\(opener)'"
            let expected = endTags.sorted().map { "'\($0)'" }.joined(separator: " or ")
            throw TemplateError(
                file: file, line: line,
                message:
                    "unclosed \(what) tag opened on line \(line): reached the end of the template while looking for \(expected)"
            )
        }
        return (body, end)
    }

    private static let endTagOwners: [String: String] = [
        "endif": "if", "elif": "if", "else": "if or for", "endfor": "for", "endblock": "block", "endmacro": "macro",
        "endset": "set", "endwith": "with", "endraw": "raw", "endfilter": "filter", "endcall": "call",
    ]

    private mutating func parseStatement() throws -> [Node] {
        let tok = current
        stmtDepth += 1
        defer { stmtDepth -= 1 }
        guard stmtDepth <= Self.maxStatementDepth else {
            throw error("statements nested too deeply (more than \(Self.maxStatementDepth) levels)")
        }
        switch tok.text {
        case "for": return [try parseFor()]
        case "if": return [try parseIf()]
        case "block": return [try parseBlock()]
        case "extends": return [try parseExtends()]
        case "include": return [try parseInclude()]
        case "from": return [try parseFrom()]
        case "import": return [try parseImport()]
        case "set": return [try parseSet()]
        case "macro": return [try parseMacro()]
        case "with": return [try parseWith()]
        case "print":
            advance()
            let expr = try parseExpression()
            try expectBlockEnd()
            return [.output(expr)]
        case "filter", "call", "autoescape", "do", "continue", "break", "trans":
            throw error("tag '\(tok.text)' is not supported by this template engine")
        default:
            if let owner = Self.endTagOwners[tok.text] {
                if let open = openTags.last {
                    throw error(
                        "unexpected '\(tok.text)': the innermost open tag is '\(open.tag)' (opened on line \(open.line))"
                    )
                }
                throw error("unexpected '\(tok.text)': there is no open '\(owner)' tag")
            }
            throw error("Encountered unknown tag \(pyRepr(tok.text)).")
        }
    }

    private mutating func parseFor() throws -> Node {
        let line = current.line
        advance()
        var targets: [String] = []
        let parenthesized = current.isOp("(")
        if parenthesized { advance() }
        repeat {
            if !targets.isEmpty { advance() }  // the comma
            if parenthesized, current.isOp(")") { break }
            targets.append(try expect(.name, "a loop variable name").text)
        } while current.isOp(",")
        if parenthesized { try expectOp(")") }
        try expectName("in")
        let iterable = try parseExpression(withCondExpr: false)
        if current.isOp(",") { throw error("tuple expressions are not supported by this template engine") }
        var filter: Expr? = nil
        if current.isName("if") {
            advance()
            filter = try parseExpression()
        }
        if current.isName("recursive") { throw error("recursive loops are not supported by this template engine") }
        try expectBlockEnd()
        openTags.append(("for", line)); nonTopLevel += 1
        defer { openTags.removeLast(); nonTopLevel -= 1 }
        var (body, end) = try parseBody(until: ["endfor", "else"], opener: "for", line: line)
        var elseBody: [Node] = []
        if end == "else" {
            advance()
            try expectBlockEnd()
            (elseBody, end) = try parseBody(until: ["endfor"], opener: "for", line: line)
        }
        advance()
        try expectBlockEnd()
        let usesLoop = body.contains { $0.mentions("loop") }
        return .forLoop(
            ForNode(
                targets: targets, iterable: iterable, filter: filter, body: body, elseBody: elseBody,
                usesLoop: usesLoop, line: line))
    }

    private mutating func parseIf() throws -> Node {
        let line = current.line
        advance()
        openTags.append(("if", line))
        defer { openTags.removeLast() }
        var branches: [IfBranch] = []
        var elseBody: [Node] = []
        var condition = try parseExpression()
        try expectBlockEnd()
        while true {
            let (body, end) = try parseBody(until: ["elif", "else", "endif"], opener: "if", line: line)
            branches.append(IfBranch(condition: condition, body: body))
            advance()
            if end == "elif" {
                condition = try parseExpression()
                try expectBlockEnd()
                continue
            }
            if end == "else" {
                try expectBlockEnd()
                (elseBody, _) = try parseBody(until: ["endif"], opener: "if", line: line)
                advance()
            }
            try expectBlockEnd()
            return .ifs(branches, elseBody: elseBody)
        }
    }

    private mutating func parseBlock() throws -> Node {
        let line = current.line
        advance()
        let name = try expect(.name, "a block name").text
        var scoped = false, required = false
        while current.kind == .name {
            if current.text == "scoped" {
                scoped = true
            } else if current.text == "required" {
                required = true
            } else {
                break
            }
            advance()
        }
        try expectBlockEnd()
        openTags.append(("block", line)); nonTopLevel += 1
        defer { openTags.removeLast(); nonTopLevel -= 1 }
        let (body, _) = try parseBody(until: ["endblock"], opener: "block", line: line, detail: "block \(pyRepr(name))")
        advance()
        if current.kind == .name {
            guard current.text == name else {
                throw error("'endblock \(current.text)' does not match block \(pyRepr(name)) opened on line \(line)")
            }
            advance()
        }
        try expectBlockEnd()
        if let existing = blocks[name] {
            throw TemplateError(
                file: file, line: line, message: "block \(pyRepr(name)) defined twice (first on line \(existing.line))")
        }
        blocks[name] = BlockDef(name: name, scoped: scoped, required: required, body: body, line: line)
        return .block(name: name, scoped: scoped, required: required, line: line)
    }

    /// Resolves `expr` eagerly when it is a string literal.
    private func resolveLiteral(_ expr: Expr, kind: TemplateRefKind, ignoreMissing: Bool) throws -> TemplateRef {
        guard case .const(.string(let name)) = expr.kind else { return .dynamic }
        return try resolver(name, expr.line, kind, ignoreMissing)
    }

    private mutating func parseExtends() throws -> Node {
        let line = current.line
        if nonTopLevel > 0 { throw error("cannot use extend from a non top-level scope") }
        advance()
        let expr = try parseExpression()
        try expectBlockEnd()
        return .extends(expr, try resolveLiteral(expr, kind: .extends, ignoreMissing: false), line: line)
    }

    /// `with context` / `without context`, if present.
    private mutating func parseImportContext(default value: Bool) -> Bool {
        if current.isName("with") || current.isName("without"), peek().isName("context") {
            let with = current.text == "with"
            advance(); advance()
            return with
        }
        return value
    }

    private mutating func parseInclude() throws -> Node {
        let line = current.line
        advance()
        let expr = try parseExpression()
        var ignoreMissing = false
        if current.isName("ignore"), peek().isName("missing") {
            advance(); advance()
            ignoreMissing = true
        }
        let withContext = parseImportContext(default: true)
        try expectBlockEnd()
        let ref = try resolveLiteral(expr, kind: .include, ignoreMissing: ignoreMissing)
        return .include(expr, ref, ignoreMissing: ignoreMissing, withContext: withContext, line: line)
    }

    private mutating func parseFrom() throws -> Node {
        let line = current.line
        advance()
        let expr = try parseExpression()
        try expectName("import")
        var names: [ImportName] = []
        var withContext = false
        while true {
            if !names.isEmpty { try expectOp(",") }
            guard current.kind == .name else { throw error("expected a name to import, got '\(current.described)'") }
            if current.isName("with") || current.isName("without"), peek().isName("context") {
                withContext = parseImportContext(default: false)
                break
            }
            let name = current.text
            if name.hasPrefix("_") { throw error("names starting with an underline can not be imported") }
            advance()
            var alias = name
            if current.isName("as") {
                advance()
                alias = try expect(.name, "an alias name").text
            }
            names.append(ImportName(name: name, alias: alias))
            if current.isName("with") || current.isName("without"), peek().isName("context") {
                withContext = parseImportContext(default: false)
                break
            }
            if !current.isOp(",") { break }
        }
        try expectBlockEnd()
        let ref = try resolveLiteral(expr, kind: .import, ignoreMissing: false)
        return .fromImport(expr, ref, names: names, withContext: withContext, line: line)
    }

    private mutating func parseImport() throws -> Node {
        let line = current.line
        advance()
        let expr = try parseExpression()
        try expectName("as")
        let alias = try expect(.name, "a name").text
        let withContext = parseImportContext(default: false)
        try expectBlockEnd()
        let ref = try resolveLiteral(expr, kind: .import, ignoreMissing: false)
        return .importAs(expr, ref, alias: alias, withContext: withContext, line: line)
    }

    private mutating func parseSet() throws -> Node {
        let line = current.line
        advance()
        let name = try expect(.name, "a variable name").text
        if current.isOp(".") || current.isOp(",") {
            throw error("only simple names can be assigned by this template engine")
        }
        if current.isOp("=") {
            advance()
            let value = try parseExpression()
            if current.isOp(",") { throw error("tuple expressions are not supported by this template engine") }
            try expectBlockEnd()
            return .set(name, value, line: line)
        }
        try expectBlockEnd()
        openTags.append(("set", line)); nonTopLevel += 1
        defer { openTags.removeLast(); nonTopLevel -= 1 }
        let (body, _) = try parseBody(until: ["endset"], opener: "set", line: line)
        advance()
        try expectBlockEnd()
        return .setBlock(name, body, line: line)
    }

    private mutating func parseMacro() throws -> Node {
        let line = current.line
        advance()
        let name = try expect(.name, "a macro name").text
        try expectOp("(")
        var params: [MacroParam] = []
        while !current.isOp(")") {
            if !params.isEmpty {
                try expectOp(",")
                if current.isOp(")") { break }
            }
            let pname = try expect(.name, "a parameter name").text
            var def: Expr? = nil
            if current.isOp("=") {
                advance()
                def = try parseExpression()
            } else if params.last?.defaultValue != nil {
                throw error("non-default argument follows default argument")
            }
            params.append(MacroParam(name: pname, defaultValue: def))
        }
        advance()
        try expectBlockEnd()
        openTags.append(("macro", line)); nonTopLevel += 1
        defer { openTags.removeLast(); nonTopLevel -= 1 }
        let (body, _) = try parseBody(until: ["endmacro"], opener: "macro", line: line, detail: "macro \(pyRepr(name))")
        advance()
        try expectBlockEnd()
        return .macro(MacroDef(name: name, params: params, body: body, line: line))
    }

    private mutating func parseWith() throws -> Node {
        let line = current.line
        advance()
        var assignments: [Assignment] = []
        while current.kind != .blockEnd {
            if !assignments.isEmpty { try expectOp(",") }
            let name = try expect(.name, "a variable name").text
            try expectOp("=")
            assignments.append(Assignment(name: name, value: try parseExpression()))
        }
        try expectBlockEnd()
        openTags.append(("with", line)); nonTopLevel += 1
        defer { openTags.removeLast(); nonTopLevel -= 1 }
        let (body, _) = try parseBody(until: ["endwith"], opener: "with", line: line)
        advance()
        try expectBlockEnd()
        return .with(assignments, body, line: line)
    }

    // MARK: Expressions

    /// Runs `body` one nesting level deeper, failing cleanly past `maxExpressionDepth`.
    private mutating func nested<T>(_ body: (inout TemplateParser) throws -> T) throws -> T {
        exprDepth += 1
        defer { exprDepth -= 1 }
        guard exprDepth <= Self.maxExpressionDepth else {
            throw error("expression nested too deeply (more than \(Self.maxExpressionDepth) levels)")
        }
        return try body(&self)
    }

    /// Jinja's parse_expression: a conditional expression (or, without it, an `or` chain).
    mutating func parseExpression(withCondExpr: Bool = true) throws -> Expr {
        try nested { p in withCondExpr ? try p.parseCondExpr() : try p.parseOr() }
    }

    private mutating func parseCondExpr() throws -> Expr {
        var expr = try parseOr()
        while current.isName("if") {
            let line = current.line
            advance()
            let test = try parseOr()
            var otherwise: Expr? = nil
            if current.isName("else") {
                advance()
                otherwise = try nested { p in try p.parseCondExpr() }
            }
            expr = Expr(kind: .cond(test: test, then: expr, otherwise: otherwise), line: line)
        }
        return expr
    }

    private mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while current.isName("or") {
            let line = current.line
            advance()
            left = Expr(kind: .or(left, try parseAnd()), line: line)
        }
        return left
    }

    private mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while current.isName("and") {
            let line = current.line
            advance()
            left = Expr(kind: .and(left, try parseNot()), line: line)
        }
        return left
    }

    private mutating func parseNot() throws -> Expr {
        if current.isName("not") {
            let line = current.line
            advance()
            return Expr(kind: .not(try nested { p in try p.parseNot() }), line: line)
        }
        return try parseCompare()
    }

    private static let compareOps: [String: CompareOp] = [
        "==": .eq, "!=": .ne, "<": .lt, ">": .gt, "<=": .le, ">=": .ge,
    ]

    private mutating func parseCompare() throws -> Expr {
        let line = current.line
        let expr = try parseMath1()
        var steps: [CompareStep] = []
        while true {
            if current.kind == .op, let op = Self.compareOps[current.text] {
                advance()
                steps.append(CompareStep(op: op, rhs: try parseMath1()))
            } else if current.isName("in") {
                advance()
                steps.append(CompareStep(op: .in, rhs: try parseMath1()))
            } else if current.isName("not"), peek().isName("in") {
                advance(); advance()
                steps.append(CompareStep(op: .notIn, rhs: try parseMath1()))
            } else {
                break
            }
        }
        return steps.isEmpty ? expr : Expr(kind: .compare(expr, steps), line: line)
    }

    private mutating func parseMath1() throws -> Expr {
        var left = try parseConcat()
        while current.isOp("+") || current.isOp("-") {
            let op: BinaryOp = current.text == "+" ? .add : .sub
            let line = current.line
            advance()
            left = Expr(kind: .binary(op, left, try parseConcat()), line: line)
        }
        return left
    }

    private mutating func parseConcat() throws -> Expr {
        let line = current.line
        var args = [try parseMath2()]
        while current.isOp("~") {
            advance()
            args.append(try parseMath2())
        }
        return args.count == 1 ? args[0] : Expr(kind: .concat(args), line: line)
    }

    private mutating func parseMath2() throws -> Expr {
        var left = try parsePow()
        while current.kind == .op, let op = ["*": BinaryOp.mul, "/": .div, "//": .floorDiv, "%": .mod][current.text] {
            let line = current.line
            advance()
            left = Expr(kind: .binary(op, left, try parsePow()), line: line)
        }
        return left
    }

    private mutating func parsePow() throws -> Expr {
        var left = try parseUnary()
        while current.isOp("**") {
            let line = current.line
            advance()
            left = Expr(kind: .binary(.pow, left, try parseUnary()), line: line)
        }
        return left
    }

    private mutating func parseUnary(withFilter: Bool = true) throws -> Expr {
        let line = current.line
        var node: Expr
        if current.isOp("-") {
            advance()
            node = Expr(kind: .neg(try nested { p in try p.parseUnary(withFilter: false) }), line: line)
        } else if current.isOp("+") {
            advance()
            node = Expr(kind: .pos(try nested { p in try p.parseUnary(withFilter: false) }), line: line)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpr(node) }
        return node
    }

    private mutating func parsePrimary() throws -> Expr {
        let tok = current
        switch tok.kind {
        case .name:
            advance()
            switch tok.text {
            case "true", "True": return Expr(kind: .const(.bool(true)), line: tok.line)
            case "false", "False": return Expr(kind: .const(.bool(false)), line: tok.line)
            case "none", "None": return Expr(kind: .const(.none), line: tok.line)
            default: return Expr(kind: .name(tok.text), line: tok.line)
            }
        case .string:
            advance()
            var s = tok.text
            while current.kind == .string {  // adjacent literals concatenate, as in Python
                s += current.text
                advance()
            }
            return Expr(kind: .const(.string(s)), line: tok.line)
        case .integer:
            advance()
            return Expr(kind: .const(.int(tok.intValue)), line: tok.line)
        case .float:
            advance()
            return Expr(kind: .const(.double(tok.doubleValue)), line: tok.line)
        case .op where tok.text == "(":
            advance()
            if current.isOp(")") { throw error("tuple expressions are not supported by this template engine") }
            let inner = try parseExpression()
            if current.isOp(",") { throw error("tuple expressions are not supported by this template engine") }
            try expectOp(")")
            return inner
        case .op where tok.text == "[":
            advance()
            var items: [Expr] = []
            while !current.isOp("]") {
                if !items.isEmpty {
                    try expectOp(",")
                    if current.isOp("]") { break }
                }
                items.append(try parseExpression())
            }
            advance()
            return Expr(kind: .list(items), line: tok.line)
        case .op where tok.text == "{":
            advance()
            var entries: [DictEntry] = []
            while !current.isOp("}") {
                if !entries.isEmpty {
                    try expectOp(",")
                    if current.isOp("}") { break }
                }
                let key = try parseExpression()
                try expectOp(":")
                entries.append(DictEntry(key: key, value: try parseExpression()))
            }
            advance()
            return Expr(kind: .dict(entries), line: tok.line)
        default:
            throw error("unexpected '\(tok.described)'")
        }
    }

    private mutating func parsePostfix(_ start: Expr) throws -> Expr {
        var node = start
        while true {
            if current.isOp(".") || current.isOp("[") {
                node = try parseSubscript(node)
            } else if current.isOp("(") {
                node = try parseCall(node)
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ node: Expr) throws -> Expr {
        let tok = current
        advance()
        if tok.text == "." {
            let attr = current
            advance()
            if attr.kind == .name { return Expr(kind: .getattr(node, attr.text), line: tok.line) }
            guard attr.kind == .integer else { throw error("expected name or number", line: attr.line) }
            return Expr(kind: .getitem(node, Expr(kind: .const(.int(attr.intValue)), line: attr.line)), line: tok.line)
        }
        var args: [Expr] = []
        while !current.isOp("]") {
            if !args.isEmpty { try expectOp(",") }
            args.append(try parseSubscribed())
        }
        advance()
        guard args.count == 1 else {
            throw error("tuple subscripts are not supported by this template engine", line: tok.line)
        }
        if case .slice(_, let a, let b, let c) = args[0].kind {
            return Expr(kind: .slice(node, start: a, stop: b, step: c), line: tok.line)
        }
        return Expr(kind: .getitem(node, args[0]), line: tok.line)
    }

    /// One subscript: an expression or a slice `a:b:c` (returned as a `.slice` over a dummy base).
    private mutating func parseSubscribed() throws -> Expr {
        let line = current.line
        var start: Expr? = nil
        if current.isOp(":") {
            advance()
        } else {
            let node = try parseExpression()
            guard current.isOp(":") else { return node }
            advance()
            start = node
        }
        var stop: Expr? = nil
        if !current.isOp(":"), !current.isOp("]"), !current.isOp(",") { stop = try parseExpression() }
        var step: Expr? = nil
        if current.isOp(":") {
            advance()
            if !current.isOp("]"), !current.isOp(",") { step = try parseExpression() }
        }
        let dummy = Expr(kind: .const(.none), line: line)
        return Expr(kind: .slice(dummy, start: start, stop: stop, step: step), line: line)
    }

    private mutating func parseCallArgs() throws -> ([Expr], [KeywordArg]) {
        try expectOp("(")
        var args: [Expr] = []
        var kwargs: [KeywordArg] = []
        var needComma = false
        while !current.isOp(")") {
            if needComma {
                try expectOp(",")
                if current.isOp(")") { break }
            }
            if current.isOp("*") || current.isOp("**") {
                throw error("*args and **kwargs are not supported by this template engine")
            }
            if current.kind == .name, peek().isOp("=") {
                let key = current.text
                advance(); advance()
                kwargs.append(KeywordArg(name: key, value: try parseExpression()))
            } else {
                if !kwargs.isEmpty {
                    throw error(
                        "invalid syntax for function call expression (positional argument after keyword argument)")
                }
                args.append(try parseExpression())
            }
            needComma = true
        }
        advance()
        return (args, kwargs)
    }

    private mutating func parseCall(_ node: Expr) throws -> Expr {
        let line = current.line
        let (args, kwargs) = try parseCallArgs()
        return Expr(kind: .call(node, args: args, kwargs: kwargs), line: line)
    }

    private mutating func parseFilterExpr(_ start: Expr) throws -> Expr {
        var node = start
        while true {
            if current.isOp("|") {
                node = try parseFilter(node)
            } else if current.isName("is") {
                node = try parseTest(node)
            } else if current.isOp("(") {
                node = try parseCall(node)
            } else {
                return node
            }
        }
    }

    private mutating func parseFilter(_ start: Expr) throws -> Expr {
        var node = start
        while current.isOp("|") {
            advance()
            let tok = try expect(.name, "a filter name")
            var name = tok.text
            while current.isOp(".") {
                advance()
                name += "." + (try expect(.name, "a filter name").text)
            }
            guard Self.knownFilters.contains(name) else {
                throw TemplateError(file: file, line: tok.line, message: "No filter named \(pyRepr(name)).")
            }
            var args: [Expr] = [], kwargs: [KeywordArg] = []
            if current.isOp("(") { (args, kwargs) = try parseCallArgs() }
            node = Expr(kind: .filter(node, name: name, args: args, kwargs: kwargs), line: tok.line)
        }
        return node
    }

    private mutating func parseTest(_ node: Expr) throws -> Expr {
        let line = current.line
        advance()  // 'is'
        var negated = false
        if current.isName("not") {
            advance()
            negated = true
        }
        let nameTok = try expect(.name, "a test name")
        var name = nameTok.text
        while current.isOp(".") {
            advance()
            name += "." + (try expect(.name, "a test name").text)
        }
        guard Self.knownTests.contains(name) else {
            throw TemplateError(file: file, line: nameTok.line, message: "No test named \(pyRepr(name)).")
        }
        var args: [Expr] = [], kwargs: [KeywordArg] = []
        if current.isOp("(") {
            (args, kwargs) = try parseCallArgs()
        } else if [.name, .string, .integer, .float].contains(current.kind) || current.isOp("[") || current.isOp("{"),
            !current.isName("else"), !current.isName("or"), !current.isName("and")
        {
            if current.isName("is") { throw error("You cannot chain multiple tests with is") }
            args = [try parsePostfix(try parsePrimary())]
        }
        var result = Expr(kind: .test(node, name: name, args: args, kwargs: kwargs), line: line)
        if negated { result = Expr(kind: .not(result), line: line) }
        return result
    }
}

// MARK: - Name scanning

extension Node {
    /// Whether this node (outside nested block bodies, as Jinja's find_undeclared) mentions `name`.
    func mentions(_ name: String) -> Bool {
        switch self {
        case .text, .block: return false
        case .output(let e): return e.mentions(name)
        case .ifs(let branches, let elseBody):
            return branches.contains { $0.condition.mentions(name) || $0.body.contains { $0.mentions(name) } }
                || elseBody.contains { $0.mentions(name) }
        case .forLoop(let f):
            return f.iterable.mentions(name) || (f.filter?.mentions(name) ?? false)
                || f.body.contains { $0.mentions(name) } || f.elseBody.contains { $0.mentions(name) }
        case .set(_, let e, _): return e.mentions(name)
        case .setBlock(_, let body, _): return body.contains { $0.mentions(name) }
        case .extends(let e, _, _), .include(let e, _, _, _, _), .fromImport(let e, _, _, _, _),
            .importAs(let e, _, _, _, _):
            return e.mentions(name)
        case .macro(let def):
            return def.params.contains { $0.defaultValue?.mentions(name) ?? false }
                || def.body.contains { $0.mentions(name) }
        case .with(let assignments, let body, _):
            return assignments.contains { $0.value.mentions(name) } || body.contains { $0.mentions(name) }
        }
    }
}

extension Expr {
    /// Whether this expression refers to the variable `name`.
    func mentions(_ name: String) -> Bool {
        func any(_ es: [Expr]) -> Bool { es.contains { $0.mentions(name) } }
        func kw(_ ks: [KeywordArg]) -> Bool { ks.contains { $0.value.mentions(name) } }
        switch kind {
        case .const: return false
        case .name(let n): return n == name
        case .list(let items): return any(items)
        case .dict(let entries): return entries.contains { $0.key.mentions(name) || $0.value.mentions(name) }
        case .getattr(let e, _), .not(let e), .neg(let e), .pos(let e): return e.mentions(name)
        case .getitem(let a, let b), .binary(_, let a, let b), .and(let a, let b), .or(let a, let b):
            return a.mentions(name) || b.mentions(name)
        case .slice(let e, let a, let b, let c): return e.mentions(name) || any([a, b, c].compactMap { $0 })
        case .call(let e, let args, let kwargs), .filter(let e, _, let args, let kwargs),
            .test(let e, _, let args, let kwargs):
            return e.mentions(name) || any(args) || kw(kwargs)
        case .compare(let e, let steps): return e.mentions(name) || steps.contains { $0.rhs.mentions(name) }
        case .concat(let parts): return any(parts)
        case .cond(let t, let a, let b): return t.mentions(name) || a.mentions(name) || (b?.mentions(name) ?? false)
        }
    }
}
