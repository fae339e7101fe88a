import ConnectionLimits
import NIOCore
import NIOEmbedded
import Testing

@Suite("Connection registry: a full listener pushes out the longest-waiting idle connection")
struct ConnectionRegistryTests {
    let loop = EmbeddedEventLoop()

    func connected() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    @Test("over the maximum, the connection waiting longest without a request is closed; busy ones never are")
    func pushesOutOldestWaiting() throws {
        let registry = ConnectionRegistry(maximum: 2)
        let first = try connected()
        let second = try connected()
        let third = try connected()
        registry.admit(first)
        registry.admit(second)
        registry.busy(first)
        #expect(registry.hasRoom == true, "second is waiting and could be pushed out")
        registry.admit(third)
        loop.run()
        #expect(first.isActive, "busy with a request: kept")
        #expect(!second.isActive, "waited longest without a request: pushed out")
        #expect(third.isActive)
        #expect(registry.openCount == 2)

        // A connection that finished its request waits again, behind those already waiting.
        registry.waiting(first)
        let fourth = try connected()
        registry.admit(fourth)
        loop.run()
        #expect(!third.isActive && first.isActive && fourth.isActive, "third had waited longer than first")

        // When every connection is busy, there is no room: accepting pauses.
        registry.busy(first)
        registry.busy(fourth)
        #expect(registry.hasRoom == false)
        _ = try first.close().wait()
        loop.run()
        #expect(registry.hasRoom == true && registry.openCount == 1)
    }
}
