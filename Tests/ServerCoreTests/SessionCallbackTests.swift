import DocumentModel
import Foundation
import Protocol
@testable import ServerCore
import Locking
import Testing
import Wire

/// Session callbacks as the session runs them, the document lock, and the session's Python-shaped lookups.
@Suite struct ServerSessionCallbackTests {
    /// An app whose handler adds callbacks on the document itself (Python's `curdoc().add_periodic_callback`).
    @Test func documentCallbacksRunUnderTheSessionAndStopWhenRemoved() async throws {
        let ticks = Lock(0)
        let handles = Lock<[SessionCallback]>([])
        let app = Application { document, _ in
            document.addRoot(Model("Div"))
            let periodic = document.addPeriodicCallback(every: .milliseconds(10)) { _ in ticks.withLock { $0 += 1 } }
            handles.withLock { $0.append(periodic) }
        }
        let clock = ManualClock()
        let f = try await Fixture(application: app, clock: clock)
        defer { f.shutdown() }
        for _ in 0..<3 { await clock.advance(by: .milliseconds(10)) }
        #expect(ticks.withLock { $0 } == 3)
        let periodic = try #require(handles.withLock { $0.first })
        let s = f.session
        try s.eventLoop.submitAndWait { try s.document.removePeriodicCallback(periodic) }
        await clock.advance(by: .milliseconds(50))
        #expect(ticks.withLock { $0 } == 3)
        #expect(try s.eventLoop.submitAndWait { s.runningCallbackCount } == 0)
    }

    @Test func oneShotCallbacksRemoveThemselvesBeforeRunningAndDoNotAccumulate() async throws {
        let f = try await Fixture()
        defer { f.shutdown() }
        let s = f.session
        let context = try #require(f.app.sessionContext("session-1"))
        let observed = Lock<[(removed: Bool, listed: Bool)]>([])
        let boxes = try s.eventLoop.submitAndWait { () -> [SessionCallback] in
            (0..<50).map { i in
                let box = CallbackBox()
                let callback =
                    i.isMultiple(of: 2)
                    ? context.addTimeoutCallback(after: .milliseconds(1)) { doc in
                        observed.withLock { $0.append(box.observe(in: doc)) }
                    }
                    : context.addNextTickCallback { doc in observed.withLock { $0.append(box.observe(in: doc)) } }
                box.callback = callback
                return callback
            }
        }
        #expect(await eventually { observed.withLock { $0.count } == 50 })
        #expect(observed.withLock { $0.allSatisfy { $0.removed && !$0.listed } })
        let (running, listed) = try s.eventLoop.submitAndWait {
            (s.runningCallbackCount, s.document.sessionCallbacks.count)
        }
        #expect(running == 0 && listed == 0)
        #expect(boxes.allSatisfy { $0.isRemoved })
        // Removing a spent callback is Bokeh's ValueError.
        let error = try s.eventLoop.submitAndWait { () -> DocumentError? in
            do {
                try s.document.removeTimeoutCallback(boxes[0])
                return nil
            } catch let error as DocumentError { return error } catch { return nil }
        }
        #expect(error?.isCallbackNotFound == true)
    }

    @Test func removeFromAnotherThreadStopsTheTimerAndTheListFollows() async throws {
        let clock = ManualClock()
        let f = try await Fixture(clock: clock)
        defer { f.shutdown() }
        let s = f.session
        let context = try #require(f.app.sessionContext("session-1"))
        let ticks = Lock(0)
        let callback = try s.eventLoop.submitAndWait {
            context.addPeriodicCallback(every: .milliseconds(5)) { _ in ticks.withLock { $0 += 1 } }
        }
        await clock.advance(by: .milliseconds(5))
        #expect(ticks.withLock { $0 } == 1)
        callback.remove()  // the test's thread, not the loop
        #expect(callback.isRemoved)
        await clock.advance(by: .milliseconds(20))
        #expect(ticks.withLock { $0 } == 1)
        #expect(await eventually { (try? s.eventLoop.submitAndWait { s.document.sessionCallbacks.isEmpty }) == true })
    }

    @Test func serverContextRemovalOfASpentOrUnknownCallbackThrows() async throws {
        let f = try await Fixture()
        defer { f.shutdown() }
        let server = f.app.serverContext
        let ran = Lock(false)
        let tick = server.addNextTickCallback { ran.withLock { $0 = true } }
        #expect(await eventually { ran.withLock { $0 } })
        #expect(throws: SessionError.callbackNotFound) { try server.removeNextTickCallback(tick) }
        let periodic = server.addPeriodicCallback(every: .seconds(60)) {}
        try server.removePeriodicCallback(periodic)
        #expect(throws: SessionError.callbackNotFound) { try server.removePeriodicCallback(periodic) }
        let timeout = server.addTimeoutCallback(after: .seconds(60)) {}
        try server.removeTimeoutCallback(timeout)
        #expect(throws: SessionError.callbackNotFound) { try server.removeTimeoutCallback(timeout) }
    }

    @Test func aLostConnectionRaisesConnectionLostOnTheDocument() async throws {
        let lost = Lock<[Double]>([])
        let app = Application { document, context in
            document.addRoot(Model("Div"))
            context.onEvent(.connectionLost) { event in
                if case .map(let values) = event.values, let t = values["timestamp"]?.doubleValue {
                    lost.withLock { $0.append(t) }
                }
            }
        }
        let f = try await Fixture(application: app)
        defer { f.shutdown() }
        let s = f.session
        try s.eventLoop.submitAndWait { s.notifyConnectionLost() }
        #expect(lost.withLock { $0.count } == 1)
        #expect(abs((lost.withLock { $0.first } ?? 0) - Date().timeIntervalSince1970 * 1000) < 60_000)
        s.destroy()
        #expect(await eventually { s.destroyed })
        try s.eventLoop.submitAndWait { s.notifyConnectionLost() }
        #expect(lost.withLock { $0.count } == 1)
    }
}

/// Holds a callback's handle for the callback itself to look at.
final class CallbackBox: @unchecked Sendable {
    var callback: SessionCallback?
    var isRemoved: Bool { callback?.isRemoved ?? false }
    func observe(in document: Document) -> (removed: Bool, listed: Bool) {
        (isRemoved, document.sessionCallbacks.contains { $0 === callback })
    }
}

@Suite struct DocumentLockTests {
    @Test func aDestroyedSessionRunsNoLockedWork() async throws {
        let f = try await Fixture()
        defer { f.shutdown() }
        f.session.destroy()
        #expect(await eventually { f.session.destroyed })
        let ran = Lock(false)
        await #expect(throws: SessionError.destroyed) {
            try await f.session.withDocumentLocked { _ in ran.withLock { $0 = true } }
        }
        await #expect(throws: SessionError.destroyed) {
            try await f.session.withDocumentLocked { _ async in ran.withLock { $0 = true } }
        }
        #expect(!ran.withLock { $0 })
    }

    @Test func anAsyncBodyHoldsTheDocumentAcrossItsAwaits() async throws {
        let f = try await Fixture()
        defer { f.shutdown() }
        let s = f.session
        let gate = Gate()
        let order = Recorder()
        let (sliderID, statusID) = (f.sliderID, f.statusID)
        let holder = Task {
            try await s.withDocumentLocked { document async throws -> String in
                document.model(id: sliderID)?.set("value", .int(40))
                order.append("body start")
                await gate.wait()
                order.append("body end")
                return document.model(id: statusID)?["text"]?.stringValue ?? ""
            }
        }
        #expect(await eventually { order.items == ["body start"] })
        // A client's patch and a sync locker arrive while the body waits: both wait their turn.
        _ = try f.setSlider(7, from: f.a)
        let sync = Task {
            try await s.withDocumentLocked { document in
                order.append("sync")
                return document.model(id: statusID)?["text"]?.stringValue ?? ""
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(f.inboxA.messages.isEmpty)
        #expect(order.items == ["body start"])
        await gate.open()
        let seenByHolder = try await holder.value
        #expect(seenByHolder == "value=40")
        #expect(try await sync.value == "value=7")
        #expect(order.items == ["body start", "body end", "sync"])
        #expect(await eventually { f.inboxA.types.last == "OK" })
        // The holder's change reached both connections before the patch was handled.
        #expect(text(f.inboxB.messages[0]).contains("\"new\":40"))
    }

    @Test func aSessionMadeWithoutATokenMintsOne() async throws {
        let group = try EventLoopGroup(numberOfThreads: 1, name: "mint")
        defer { group.shutdown() }
        let loop = group.loops[0]
        let ticks = Lock(0)
        let session = try loop.submitAndWait { () -> ServerSession in
            let document = Document()
            document.addNextTickCallback { _ in ticks.withLock { $0 += 1 } }
            return try ServerSession(id: "minted", document: document, eventLoop: loop)
        }
        let payload = try SessionToken(decoding: session.token)
        #expect(payload.sessionID == "minted")
        #expect(await eventually { ticks.withLock { $0 } == 1 })
        #expect(throws: SessionError.emptySessionID) {
            try loop.submitAndWait { try ServerSession(id: "", document: Document(), eventLoop: loop) }
        }
        session.destroy()
    }

    @Test func lookupsOfMissingSessionsThrowAsBokehRaises() async throws {
        let f = try await Fixture()
        defer { f.shutdown() }
        #expect(try f.app.getSession(id: "session-1") === f.session)
        #expect(throws: SessionError.sessionNotFound("nope")) { try f.app.getSession(id: "nope") }
        #expect(SessionError.sessionNotFound("nope").description == "No such session nope")
        let context = try #require(f.app.sessionContext("session-1"))
        #expect(context.logoutURL == nil && f.app.logoutURL == nil)
        let session = f.session
        #expect(try session.eventLoop.submitAndWait { context.document === session.document })
        let withLogout = ApplicationContext(
            application: testApplication, path: "/x", group: f.group, logoutURL: "/logout")
        let other = try await withLogout.createSessionIfNeeded(id: "s2", token: "t")
        #expect(withLogout.logoutURL == "/logout" && withLogout.sessionContext(other.id)?.logoutURL == "/logout")
    }
}

/// Strings appended from any thread.
final class Recorder: Sendable {
    private let storage = Lock<[String]>([])
    func append(_ item: String) { storage.withLock { $0.append(item) } }
    var items: [String] { storage.withLock { $0 } }
}

/// One-time gate an async test opens.
actor Gate {
    private var opened = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    func wait() async {
        if opened { return }
        await withCheckedContinuation { waiters.append($0) }
    }
    func open() {
        opened = true
        for w in waiters { w.resume() }
        waiters = []
    }
}

/// ERROR texts: Python's `repr(exception)`, the message quoted as `repr` quotes a string.
@Suite struct ErrorReprTests {
    struct Oops: Error, CustomStringConvertible {
        let description: String
    }

    @Test func messagesAreQuotedAsPythonsRepr() async throws {
        #expect(ServerSession.pythonRepr(Oops(description: "plain")) == "Oops('plain')")
        #expect(ServerSession.pythonRepr(Oops(description: "can't")) == "Oops(\"can't\")")
        #expect(ServerSession.pythonRepr(Oops(description: "a \"b\" 'c'")) == "Oops('a \"b\" \\'c\\'')")
        // A patch naming an unknown model: Bokeh's UnknownReferenceError text.
        let f = try await Fixture()
        defer { f.shutdown() }
        let bad = try patch("{\"kind\":\"ModelChanged\",\"model\":{\"id\":\"nope\"},\"attr\":\"value\",\"new\":1}")
        f.session.receive(bad, from: f.a)
        #expect(await eventually { f.inboxA.messages.count == 1 })
        guard case .error(let content)? = try f.inboxA.messages.first?.body() else {
            Issue.record("no ERROR")
            return
        }
        #expect(content.text == "UnknownReferenceError(\"can't resolve reference 'nope'\")")
    }
}
