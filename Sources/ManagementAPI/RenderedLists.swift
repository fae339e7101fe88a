import NIOCore
import Storage
import Synchronization

/// The last List Management Certificates body rendered for each subscription, reused while the
/// store answers with the same certificates: listing is the hottest request, and its XML is
/// the same until a certificate is added or removed.
final class RenderedLists: Sendable {
    private let bodies = Mutex<[SubscriptionID: (certificates: [ManagementCertificate], body: ByteBuffer)]>([:])
    private let capacity = 10_000

    /// The body for `certificates`, rendered by `render` only when they changed.
    func body(for subscription: SubscriptionID, _ certificates: [ManagementCertificate], render: () -> String) -> ByteBuffer {
        if let known = bodies.withLock({ $0[subscription] }), known.certificates == certificates { return known.body }
        let body = ByteBuffer(string: render())
        bodies.withLock { bodies in
            if bodies.count >= capacity { bodies.removeAll(keepingCapacity: true) }
            bodies[subscription] = (certificates, body)
        }
        return body
    }
}
