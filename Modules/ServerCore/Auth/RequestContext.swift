import Foundation
import DocumentModel
import Protocol
import Locking

/// What of a request goes into a session token: Bokeh's `_filtered_headers` / `_filtered_cookies`.
enum RequestFilter {
    /// With `include`: those headers, named as listed, each with its values joined by `,` (Tornado's
    /// `headers[name]`), `Cookie` too if listed. Without: every header but the excluded ones and `Cookie`.
    static func headers(
        _ headers: [(name: String, value: String)], include: [String]?, exclude: [String]?
    ) -> [(name: String, value: String)] {
        if let include {
            var out: [(name: String, value: String)] = []
            for name in include where !out.contains(where: { $0.name == name }) {
                let values = headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
                if !values.isEmpty { out.append((name, values.joined(separator: ","))) }
            }
            return out
        }
        let excluded = Set((exclude ?? []).map { $0.lowercased() } + ["cookie"])
        return headers.filter { !excluded.contains($0.name.lowercased()) }
    }

    /// With `include`: those cookies (names match exactly). Without: every cookie but the excluded ones.
    static func cookies(
        _ cookies: [(name: String, value: String)], include: [String]?, exclude: [String]?
    ) -> [(name: String, value: String)] {
        if let include {
            var out: [(name: String, value: String)] = []
            for name in include where !out.contains(where: { $0.name == name }) {
                if let value = cookies.last(where: { $0.name == name })?.value { out.append((name, value)) }
            }
            return out
        }
        let excluded = Set(exclude ?? [])
        return cookies.filter { !excluded.contains($0.name) }
    }
}

/// Requests kept on the server for short tokens: a token carries `{"__bk_request": id}` and the request stays
/// here until the token expires. Bounded: beyond `capacity` the oldest entries go first.
final class RequestStore: Sendable {
    /// The token payload key naming a stored request.
    static let payloadKey = "__bk_request"

    private struct Entry {
        let payload: JSONObject
        let expiry: Int
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var order: [(id: String, expiry: Int)] = []
        var head = 0
    }

    private let capacity: Int
    private let state = Lock(State())

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Keeps `payload` until `expiry` (Unix seconds); returns its new opaque id.
    func store(_ payload: JSONObject, expiry: Int, now: Int) -> String {
        let id = SessionSigner.generateSecretKey()
        state.withLock { s in
            Self.expire(&s, now: now)
            while s.entries.count >= capacity, s.head < s.order.count {
                s.entries[s.order[s.head].id] = nil
                s.head += 1
            }
            s.entries[id] = Entry(payload: payload, expiry: expiry)
            s.order.append((id, expiry))
            if s.head > 1024, s.head * 2 > s.order.count {
                s.order.removeFirst(s.head)
                s.head = 0
            }
        }
        return id
    }

    /// The request stored under `id`, nil when unknown or expired.
    func lookup(_ id: String, now: Int) -> JSONObject? {
        state.withLock { s in
            guard let entry = s.entries[id], now < entry.expiry else { return nil }
            return entry.payload
        }
    }

    var count: Int { state.withLock { $0.entries.count } }

    private static func expire(_ s: inout State, now: Int) {
        while s.head < s.order.count, s.order[s.head].expiry <= now {
            let id = s.order[s.head].id
            if let entry = s.entries[id], entry.expiry <= now { s.entries[id] = nil }
            s.head += 1
        }
    }
}

extension AuthRoute {
    /// Extra-route identifiers of a policy's routes start with this.
    static let identifierPrefix = "bokeh-auth-route:"

    /// `path` as a route pattern: regular-expression characters escaped.
    static func pattern(_ path: String) -> String {
        var out = ""
        for c in path {
            if "\\^$.|?*+()[]{}".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}

extension Server {
    /// Whether a token's headers, cookies and arguments are believed: signed tokens, or unsigned ones with
    /// ``ServerConfiguration/Sessions-swift.struct/trustUnsignedTokens``.
    var trustsTokenRequests: Bool { signer.signsSessions || configuration.sessions.trustUnsignedTokens }

    /// The request a token carries and its payload as the session context shows it: a short token's stored
    /// request merged in; an untrusted token's request members dropped (nil request).
    func tokenRequest(_ token: SessionToken, trusted: Bool) -> (request: RequestSnapshot?, payload: JSONObject) {
        var payload = token.payload
        if case .string(let id)? = payload[RequestStore.payloadKey] {
            payload[RequestStore.payloadKey] = nil
            // Kept here, so believed; the id is random, so no one names another's request.
            guard let stored = requestStore?.lookup(id, now: clock.wholeUnixSeconds) else {
                log.warning(
                    "the request of session '\(token.sessionID)' is not kept here (expired, or another server's)")
                return (nil, payload)
            }
            for member in stored.members { payload[member.key] = member.value }
            return (RequestSnapshot(payload: payload), payload)
        }
        guard trusted else {
            return (nil, JSONObject(payload.members.filter { $0.key == "session_expiry" }))
        }
        return (RequestSnapshot(payload: payload), payload)
    }
}
