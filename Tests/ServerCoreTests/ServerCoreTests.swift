import DocumentModel
import Foundation
import Protocol
import ServerCore
import Locking
import Testing
import Wire

/// Messages a fake connection received, in order.
final class Inbox: Sendable {
    private let storage = Lock<[Message]>([])
    func append(_ m: Message) { storage.withLock { $0.append(m) } }
    var messages: [Message] { storage.withLock { $0 } }
    var types: [String] { messages.map(\.type.rawValue) }
}

func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// A slider whose value sets a status text; value 13 makes the callback throw.
struct CallbackFailure: Error {}
let testApplication = Application { document, context in
    let slider = Model("Slider", ["name": .string("slider"), "start": .int(0), "end": .int(100), "value": .int(0)])
    let status = Model("Div", ["name": .string("status"), "text": .string("ready")])
    document.addRoot(slider)
    document.addRoot(status)
    context.onChange(of: slider, attribute: "value") { _, _, new in
        if new.intValue == 13 { throw CallbackFailure() }
        status.set("text", .string("value=\(new.intValue ?? -1)"))
    }
}

func patch(_ events: String) throws -> Message {
    let content = try JSONReader.parse(Array("{\"events\":[\(events)]}".utf8))
    return Message(header: .next(.patchDocument), content: content)
}

func text(_ message: Message) -> String {
    (try? JSONWriter(options: JSONWriterOptions(separators: .compact, ensureASCII: false)).string(message.content))
        ?? ""
}

/// A session of `testApplication` with two fake connections.
struct Fixture {
    let group: EventLoopGroup
    let app: ApplicationContext
    let session: ServerSession
    let a: ServerConnection, b: ServerConnection
    let inboxA = Inbox(), inboxB = Inbox()
    let sliderID: String, statusID: String

    init(application: Application = testApplication, clock: any LoopClock = SystemClock.shared) async throws {
        group = try EventLoopGroup(numberOfThreads: 1, name: "test", clock: clock)
        app = ApplicationContext(application: application, path: "/test", group: group)
        session = try await app.createSessionIfNeeded(id: "session-1", token: "t")
        let loop = session.eventLoop
        let (ia, ib) = (inboxA, inboxB)
        a = ServerConnection(eventLoop: loop) { ia.append($0) }
        b = ServerConnection(eventLoop: loop) { ib.append($0) }
        let (s, ca, cb) = (session, a, b)
        let ids = try loop.submitAndWait { () -> [String] in
            s.subscribe(ca)
            s.subscribe(cb)
            return ["slider", "status"].map { s.document.model(named: $0)?.id ?? "" }
        }
        sliderID = ids[0]
        statusID = ids[1]
    }

    func setSlider(_ value: Int, from c: ServerConnection) throws -> Message {
        let m = try patch(
            "{\"kind\":\"ModelChanged\",\"model\":{\"id\":\"\(sliderID)\"},\"attr\":\"value\",\"new\":\(value)}")
        session.receive(m, from: c)
        return m
    }

    func shutdown() { group.shutdown() }
}

@Suite struct DispatchTests {
    @Test func patchIsForwardedNotEchoedAndDerivedChangesPrecedeOK() async throws {
        let f = try await Fixture()
        defer { f.shutdown() }
        let request = try f.setSlider(5, from: f.a)
        #expect(await eventually { f.inboxA.messages.count == 2 && f.inboxB.messages.count == 2 })
        #expect(f.inboxA.types == ["PATCH-DOC", "OK"])
        #expect(f.inboxA.messages[1].requestID == request.messageID)
        #expect(text(f.inboxA.messages[0]).contains("\"value=5\""))
        #expect(!text(f.inboxA.messages[0]).contains("\"attr\":\"value\""))
        #expect(f.inboxB.types == ["PATCH-DOC", "PATCH-DOC"])
        #expect(text(f.inboxB.messages[0]).contains("\"attr\":\"value\""))
        #expect(text(f.inboxB.messages[1]).contains("\"value=5\""))
    }

    @Test func badPatchIsAnsweredWithErrorAndTheSessionGoesOn() async throws {
        let f = try await Fixture()
        defer { f.shutdown() }
        let bad = try patch(
            "{\"kind\":\"ModelChanged\",\"model\":{\"id\":\"nonexistent\"},\"attr\":\"value\",\"new\":1}")
        f.session.receive(bad, from: f.a)
        #expect(await eventually { f.inboxA.messages.count == 1 })
        let error = try #require(f.inboxA.messages.first)
        #expect(error.type == .error)
        #expect(error.requestID == bad.messageID)
        guard case .error(let content) = try error.body() else { Issue.record("not an ERROR"); return }
        #expect(content.text.hasPrefix("UnknownReferenceError("))
        #expect(content.traceback != nil)
        #expect(f.inboxB.messages.isEmpty)
        _ = try f.setSlider(3, from: f.a)
        #expect(await eventually { f.inboxA.types == ["ERROR", "PATCH-DOC", "OK"] })
    }

    @Test func throwingCallbackIsAnsweredWithError() async throws {
        let f = try await Fixture()
        defer { f.shutdown() }
        _ = try f.setSlider(13, from: f.a)
        #expect(await eventually { f.inboxA.types == ["ERROR"] })
        #expect(f.inboxB.types == ["PATCH-DOC"])
        _ = try f.setSlider(14, from: f.a)
        #expect(await eventually { f.inboxA.types == ["ERROR", "PATCH-DOC", "OK"] })
    }

    @Test func newModelFromOneClientReachesTheOtherInFull() async throws {
        let f = try await Fixture()
        defer { f.shutdown() }
        let added = try patch(
            "{\"kind\":\"RootAdded\",\"model\":{\"type\":\"object\",\"name\":\"Div\",\"id\":\"x1\",\"attributes\":{\"text\":\"hi\",\"tags\":[{\"type\":\"object\",\"name\":\"Range1d\",\"id\":\"x2\",\"attributes\":{\"end\":3}}]}}}"
        )
        f.session.receive(added, from: f.a)
        #expect(await eventually { f.inboxA.types == ["OK"] && f.inboxB.types == ["PATCH-DOC"] })
        let forwarded = text(f.inboxB.messages[0])
        #expect(forwarded.contains("\"text\":\"hi\""))
        #expect(forwarded.contains("\"end\":3"))
        // Once B has them, later changes refer to them by id only.
        let change = try patch(
            "{\"kind\":\"ModelChanged\",\"model\":{\"id\":\"x1\"},\"attr\":\"text\",\"new\":\"again\"}")
        f.session.receive(change, from: f.a)
        #expect(await eventually { f.inboxB.types == ["PATCH-DOC", "PATCH-DOC"] })
        #expect(
            text(f.inboxB.messages[1])
                == "{\"events\":[{\"kind\":\"ModelChanged\",\"model\":{\"id\":\"x1\"},\"attr\":\"text\",\"new\":\"again\"}]}"
        )
    }

    /// A callback that a client's patch triggers may add models (the crossfilter example replaces a plot): they
    /// go to that client in full too, not as references to models it never had.
    @Test func modelsACallbackCreatesReachThePatchingClientInFull() async throws {
        let app = Application { document, context in
            let slider = Model(
                "Slider", ["name": .string("slider"), "start": .int(0), "end": .int(10), "value": .int(0)])
            let status = Model("Div", ["name": .string("status"), "text": .string("ready")])
            let holder = Model("Column", ["children": .list([.model(slider)])])
            document.addRoot(holder)
            document.addRoot(status)
            context.onChange(of: slider, attribute: "value") { _, _, new in
                let fresh = Model("Div", ["name": .string("fresh-\(new.intValue ?? 0)"), "text": .string("new")])
                holder.set("children", .list([.model(slider), .model(fresh)]))
            }
        }
        let f = try await Fixture(application: app)
        defer { f.shutdown() }
        _ = try f.setSlider(4, from: f.a)
        #expect(await eventually { f.inboxA.types == ["PATCH-DOC", "OK"] && f.inboxB.types.count == 2 })
        let toSender = text(f.inboxA.messages[0])
        #expect(toSender.contains("\"attr\":\"children\""))
        #expect(toSender.contains("\"name\":\"fresh-4\""))
        #expect(toSender.contains("\"type\":\"object\""))
        #expect(text(f.inboxB.messages[1]).contains("\"name\":\"fresh-4\""))
    }

    /// Python's `unsubscribe` discards (a no-op for a stranger) and then restarts the unused clock regardless.
    @Test func unsubscribingAnUnknownConnectionStillRestartsTheUnusedClock() async throws {
        let clock = ManualClock()
        let f = try await Fixture(clock: clock)
        defer { f.shutdown() }
        let (s, a, b) = (f.session, f.a, f.b)
        try s.eventLoop.submitAndWait {
            s.unsubscribe(a)
            s.unsubscribe(b)
        }
        await clock.advance(by: .milliseconds(1_000))
        #expect(s.millisecondsSinceLastUnsubscribe == 1_000)
        let stranger = ServerConnection(eventLoop: s.eventLoop) { _ in }
        try s.eventLoop.submitAndWait { s.unsubscribe(stranger) }
        #expect(s.millisecondsSinceLastUnsubscribe == 0)
        #expect(s.connectionCount == 0)
    }

    @Test func pullAndPushReplies() async throws {
        let f = try await Fixture()
        defer { f.shutdown() }
        let pull = Message.pullDocumentRequest()
        f.session.receive(pull, from: f.a)
        #expect(await eventually { f.inboxA.types == ["PULL-DOC-REPLY"] })
        #expect(f.inboxA.messages[0].requestID == pull.messageID)
        let pushed = Document(title: "pushed")
        pushed.addRoot(Model("Div", ["text": .string("ü")]))
        let push = Message.pushDocument(pushed)
        f.session.receive(push, from: f.b)
        #expect(await eventually { f.inboxB.types == ["OK"] && f.inboxA.types.count == 5 })
        // A gets RootRemoved ×2, RootAdded (in full), TitleChanged.
        #expect(f.inboxA.types == ["PULL-DOC-REPLY", "PATCH-DOC", "PATCH-DOC", "PATCH-DOC", "PATCH-DOC"])
        #expect(
            f.inboxA.messages.map(text).joined().contains("\"text\":\"\\u00fc\"")
                || f.inboxA.messages.map(text).joined().contains("\"text\":\"ü\""))
    }
}

@Suite struct SessionBookkeepingTests {
    @Test func countsConnectionsAndBlocks() async throws {
        let f = try await Fixture()
        defer { f.shutdown() }
        #expect(f.session.connectionCount == 2)
        let (s, a) = (f.session, f.a)
        try f.session.eventLoop.submitAndWait { s.unsubscribe(a) }
        #expect(f.session.connectionCount == 1)
        #expect(f.session.millisecondsSinceLastUnsubscribe < 5000)
        f.session.blockExpiration()
        #expect(f.session.expirationBlocked && f.session.expirationBlockedCount == 1)
        try f.session.unblockExpiration()
        #expect(throws: SessionError.self) { try f.session.unblockExpiration() }
        #expect(!f.session.expirationRequested)
        f.session.requestExpiration()
        #expect(f.session.expirationRequested)
    }

    @Test func reaperDiscardsUnusedSessionsAndStopsTheirCallbacks() async throws {
        let ticks = Lock(0)
        let destroyedHooks = Lock<[String]>([])
        let app = Application(
            onSessionDestroyed: { ctx in destroyedHooks.withLock { $0.append("app:\(ctx.id)") } }
        ) { document, context in
            document.addRoot(Model("Div"))
            context.addPeriodicCallback(every: .milliseconds(5)) { _ in ticks.withLock { $0 += 1 } }
            context.onSessionDestroyed { ctx in destroyedHooks.withLock { $0.append("doc:\(ctx.id)") } }
        }
        let clock = ManualClock()
        let f = try await Fixture(application: app, clock: clock)
        defer { f.shutdown() }
        for _ in 0..<3 { await clock.advance(by: .milliseconds(5)) }
        #expect(ticks.withLock { $0 } == 3)
        // Connected sessions are kept.
        #expect(f.app.cleanupSessions(unusedLifetime: .zero) == 0)
        let (s, a, b) = (f.session, f.a, f.b)
        try f.session.eventLoop.submitAndWait {
            s.unsubscribe(a)
            s.unsubscribe(b)
        }
        // Unused for less than the lifetime: kept; one millisecond past it: discarded.
        await clock.advance(by: .milliseconds(60_000))
        #expect(f.session.millisecondsSinceLastUnsubscribe == 60_000)
        #expect(f.app.cleanupSessions(unusedLifetime: .seconds(60)) == 0)
        await clock.advance(by: .milliseconds(1))
        #expect(f.app.cleanupSessions(unusedLifetime: .seconds(60)) == 1)
        #expect(await eventually { f.session.destroyed && f.app.sessions.isEmpty })
        #expect(await eventually { destroyedHooks.withLock { $0 } == ["app:session-1", "doc:session-1"] })
        let after = ticks.withLock { $0 }
        await clock.advance(by: .milliseconds(50))
        #expect(ticks.withLock { $0 } == after)
    }

    @Test func concurrentCreationOfOneIDRunsTheHandlerOnce() async throws {
        let runs = Lock(0)
        let group = try EventLoopGroup(numberOfThreads: 2, name: "test")
        defer { group.shutdown() }
        let app = ApplicationContext(
            application: Application { _, _ in
                runs.withLock { $0 += 1 }
                Thread.sleep(forTimeInterval: 0.02)
            }, path: "/x", group: group)
        let sessions = try await withThrowingTaskGroup(of: ServerSession.self) { tasks in
            for _ in 0..<16 { tasks.addTask { try await app.createSessionIfNeeded(id: "same", token: "t") } }
            return try await tasks.reduce(into: [ServerSession]()) { $0.append($1) }
        }
        #expect(runs.withLock { $0 } == 1)
        #expect(Set(sessions.map { ObjectIdentifier($0) }).count == 1)
    }
}
