import NIOCore
import NIOPosix

/// The thread the control plane's actors run on: the deployment runtime and the role-instance
/// agents in this process. Their work blocks (unpacking packages, writing certificate stores
/// with fsync, removing folders), so it runs here and never on an event loop, where it would
/// stall the TLS handshakes of the API, the load balancers and every role instance.
public enum ControlPlaneThread {
    /// One event loop that serves no connection: an executor of its own.
    private static let loop: any EventLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1).next()

    /// The executor an actor names as its `unownedExecutor` to run here.
    public static var executor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }

    /// Whether the caller runs on this thread (for tests).
    public static var isCurrent: Bool { loop.inEventLoop }
}
