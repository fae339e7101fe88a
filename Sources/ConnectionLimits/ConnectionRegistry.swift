import NIOConcurrencyHelpers
import NIOCore

/// The open connections of one listener, with those that have no request in progress ordered by
/// how long they have waited. When the listener is full, a new connection pushes out the one
/// that has waited longest without a request in progress (a connection still in its handshake,
/// trickling its headers, or idle between requests), so a flood of connections that never send a
/// request cannot lock out clients that do. Only when every connection is busy does accepting pause.
public final class ConnectionRegistry: Sendable {
    private struct State {
        var open = 0
        /// Connections with no request in progress, with the sequence number of when they became so.
        var waiting: [ObjectIdentifier: (sequence: Int, channel: any Channel)] = [:]
        /// `waiting` in order; entries whose sequence no longer matches are stale and skipped.
        var order: [(sequence: Int, id: ObjectIdentifier)] = []
        var head = 0
        var sequence = 0

        mutating func markWaiting(_ channel: any Channel) {
            sequence += 1
            waiting[ObjectIdentifier(channel)] = (sequence, channel)
            order.append((sequence, ObjectIdentifier(channel)))
        }

        mutating func popOldestWaiting(sparing spared: ObjectIdentifier) -> (any Channel)? {
            defer { compact() }
            while head < order.count {
                let (sequence, id) = order[head]
                head += 1
                guard id != spared, let entry = waiting[id], entry.sequence == sequence else { continue }
                waiting[id] = nil
                return entry.channel
            }
            return nil
        }

        mutating func compact() {
            if head > 1024, head * 2 > order.count {
                order.removeFirst(head)
                head = 0
            }
        }
    }

    private let state = NIOLockedValueBox(State())
    /// Connections the listener keeps open at most.
    public let maximum: Int

    /// A registry for a listener of `maximum` connections.
    public init(maximum: Int) {
        self.maximum = max(1, maximum)
    }

    /// Counts a newly accepted connection in, waiting for its first request; when the listener is
    /// now over its maximum, closes the connection that has waited longest.
    public func admit(_ channel: any Channel) {
        let pushedOut: (any Channel)? = state.withLockedValue { state in
            state.open += 1
            state.markWaiting(channel)
            return state.open > maximum ? state.popOldestWaiting(sparing: ObjectIdentifier(channel)) : nil
        }
        channel.closeFuture.whenComplete { _ in
            self.state.withLockedValue { state in
                state.open -= 1
                state.waiting[ObjectIdentifier(channel)] = nil
                state.compact()
            }
        }
        pushedOut?.close(promise: nil)
    }

    /// The connection has a request in progress: it is not pushed out.
    public func busy(_ channel: any Channel) {
        _ = state.withLockedValue { $0.waiting.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// The connection finished its request and waits for the next one.
    public func waiting(_ channel: any Channel) {
        state.withLockedValue { $0.markWaiting(channel) }
    }

    /// Whether a new connection can be taken: there is room, or one waiting can be pushed out.
    public var hasRoom: Bool {
        state.withLockedValue { $0.open < maximum || !$0.waiting.isEmpty }
    }

    /// Open connections now.
    public var openCount: Int { state.withLockedValue { $0.open } }
}
