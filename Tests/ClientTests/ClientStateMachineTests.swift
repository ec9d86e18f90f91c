import DocumentModel
import Protocol
import Testing

@testable import Client

/// One test per transition of the client's protocol state machine (bokeh.client.states).
struct ClientStateMachineTests {
    func reply(to id: String, _ type: MessageType = .ok) -> Message {
        Message(header: MessageHeader(messageID: "s1", type: type, requestID: id), metadata: .object([:]))
    }

    func patch() -> Message {
        Message(
            header: MessageHeader(messageID: "s2", type: .patchDocument), metadata: .object([:]),
            content: .object(["events": .array([])]))
    }

    func acknowledged() -> ClientStateMachine {
        var machine = ClientStateMachine()
        machine.opened()
        _ = machine.received(.ack())
        return machine
    }

    @Test func startsNotYetConnected() {
        #expect(ClientStateMachine().state == .notYetConnected)
        #expect(!ClientStateMachine().state.isConnected)
    }

    @Test func openingWaitsForACK() {
        var machine = ClientStateMachine()
        let r1 = machine.opened()
        #expect(r1)
        #expect(machine.state == .connectedBeforeACK)
        #expect(!machine.state.isConnected)
        let r2 = machine.opened()
        #expect(!r2)
    }

    @Test func ackConnects() {
        var machine = ClientStateMachine()
        machine.opened()
        let r3 = machine.received(.ack())
        #expect(r3 == .acknowledged)
        #expect(machine.state == .connectedAfterACK)
        #expect(machine.state.isConnected)
    }

    @Test func anythingButACKFirstIsAViolation() {
        var machine = ClientStateMachine()
        machine.opened()
        guard case .violation(let detail) = machine.received(patch()) else {
            Issue.record("expected a violation")
            return
        }
        #expect(detail.contains("PATCH-DOC"))
    }

    @Test func requestsNeedTheACK() {
        var machine = ClientStateMachine()
        let r4 = machine.sending(requestID: "r1")
        #expect(!r4)
        machine.opened()
        let r5 = machine.sending(requestID: "r1")
        #expect(!r5)
        #expect(machine.pending.isEmpty)
    }

    @Test func requestWaitsForItsReply() {
        var machine = acknowledged()
        let r6 = machine.sending(requestID: "r1")
        #expect(r6)
        #expect(machine.state == .waitingForReply(requestID: "r1"))
        #expect(machine.state.isConnected)
        let answer = reply(to: "r1")
        let r7 = machine.received(answer)
        #expect(r7 == .reply(requestID: "r1", answer))
        #expect(machine.state == .connectedAfterACK)
    }

    @Test func replyToAnotherRequestIsIgnored() {
        var machine = acknowledged()
        _ = machine.sending(requestID: "r1")
        let r8 = machine.received(reply(to: "other"))
        #expect(r8 == .ignore)
        #expect(machine.state == .waitingForReply(requestID: "r1"))
    }

    @Test func patchWhileWaitingIsApplied() {
        var machine = acknowledged()
        _ = machine.sending(requestID: "r1")
        let message = patch()
        let r9 = machine.received(message)
        #expect(r9 == .applyPatch(message))
        #expect(machine.state == .waitingForReply(requestID: "r1"))
    }

    @Test func patchWhileIdleIsApplied() {
        var machine = acknowledged()
        let message = patch()
        let r10 = machine.received(message)
        #expect(r10 == .applyPatch(message))
        #expect(machine.state == .connectedAfterACK)
    }

    @Test func repliesMatchByRequestIDInAnyOrder() {
        var machine = acknowledged()
        _ = machine.sending(requestID: "r1")
        _ = machine.sending(requestID: "r2")
        #expect(machine.state == .waitingForReply(requestID: "r1"))
        let second = reply(to: "r2", .serverInfoReply)
        let r11 = machine.received(second)
        #expect(r11 == .reply(requestID: "r2", second))
        #expect(machine.state == .waitingForReply(requestID: "r1"))
        let r12 = machine.received(reply(to: "r2"))
        #expect(r12 == .ignore)
        _ = machine.received(reply(to: "r1"))
        #expect(machine.state == .connectedAfterACK)
    }

    @Test func abandonedRequestNoLongerMatches() {
        var machine = acknowledged()
        _ = machine.sending(requestID: "r1")
        machine.abandon(requestID: "r1")
        #expect(machine.state == .connectedAfterACK)
        let r13 = machine.received(reply(to: "r1"))
        #expect(r13 == .ignore)
    }

    @Test func disconnectReturnsUnansweredRequests() {
        var machine = acknowledged()
        _ = machine.sending(requestID: "r1")
        _ = machine.sending(requestID: "r2")
        let unanswered = machine.disconnected(reason: .networkError, code: 10001, detail: "protocol error")
        #expect(unanswered == ["r1", "r2"])
        #expect(machine.state == .disconnected(reason: .networkError, code: 10001, detail: "protocol error"))
        #expect(machine.pending.isEmpty)
    }

    @Test func firstDisconnectReasonSticks() {
        var machine = acknowledged()
        machine.disconnected(reason: .noError, detail: "closed")
        let r14 = machine.disconnected(reason: .networkError, code: 1006, detail: "lost")
        #expect(r14.isEmpty)
        #expect(machine.state == .disconnected(reason: .noError, code: nil, detail: "closed"))
    }

    @Test func messagesAfterDisconnectAreIgnored() {
        var machine = acknowledged()
        machine.disconnected(reason: .networkError)
        let r15 = machine.received(patch())
        #expect(r15 == .ignore)
        let r16 = machine.sending(requestID: "r1")
        #expect(!r16)
    }

    @Test func notConnectedCanFailWithoutOpening() {
        var machine = ClientStateMachine()
        machine.disconnected(reason: .httpError, code: 404, detail: "Not Found")
        #expect(machine.state == .disconnected(reason: .httpError, code: 404, detail: "Not Found"))
        let r17 = machine.opened()
        #expect(!r17)
    }
}
