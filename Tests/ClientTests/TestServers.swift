import BokehChannel
import Protocol
import ServerCore
import Wire

/// Our server with the demo app on a free loopback port; `body` gets the app's http URL.
func withDemoServer(_ body: (String) async throws -> Void) async throws {
    var configuration = ServerConfiguration()
    configuration.network.address = "127.0.0.1"
    configuration.network.port = 0
    let server = try Server(applications: [(path: "/demo_app", application: .demo())], configuration: configuration)
    try server.start()
    defer { server.stop() }
    try await body("http://127.0.0.1:\(server.port)/demo_app")
}

/// A WebSocket server on a free loopback port; `onUpgrade` decides what it says. `body` gets its ws URL.
func withScriptedServer(
    _ onUpgrade: @escaping @Sendable (WebSocketChannel) -> Void, _ body: (String) async throws -> Void
) async throws {
    let group = try EventLoopGroup(numberOfThreads: 1, name: "scripted-server")
    defer { group.shutdown() }
    let server = try WebSocketServer(bindTo: try SocketAddress(host: "127.0.0.1", port: 0), group: group) {
        channel in
        onUpgrade(channel)
    }
    defer { server.close() }
    try await body("ws://127.0.0.1:\(server.localAddress.port ?? 0)/app/ws")
}

/// Sends a Bokeh message on a scripted server's channel.
func sendMessage(_ message: Message, on channel: WebSocketChannel) {
    guard let fragments = try? MessageEncoder().encode(message) else { return }
    channel.send(fragments.map(\.websocketMessage))
}
