import NIOCore

/// How long a connection may take for each step, and how many one listener keeps open at once.
///
/// Every listener of the server (the API, each load balancer, each role-instance endpoint) gets
/// these, so that connections that send nothing, or too little, are closed in bounded time and
/// a flood of them cannot exhaust the process's file descriptors (`ConnectionRegistry`).
public struct ConnectionLimits: Sendable, Equatable {
    /// From accepting a connection to the end of its TLS handshake (for plain TCP: its first bytes).
    public var handshakeTimeout: TimeAmount
    /// From the end of the handshake to a complete request (head and body).
    public var headerTimeout: TimeAmount
    /// Between the end of one response and the start of the next request on a kept-alive connection,
    /// and, on a load balancer, with no bytes in either direction.
    public var idleTimeout: TimeAmount
    /// Open connections on the API listener (`ConnectionRegistry` keeps to it).
    public var maximumConnections: Int

    /// Limits from their parts.
    public init(
        handshakeTimeout: TimeAmount = .seconds(10), headerTimeout: TimeAmount = .seconds(30),
        idleTimeout: TimeAmount = .seconds(60), maximumConnections: Int
    ) {
        self.handshakeTimeout = handshakeTimeout
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnections = max(1, maximumConnections)
    }

    /// The defaults for a process allowed `fileDescriptors` open files: a quarter of them for the
    /// API listener, an eighth for each load balancer and role-instance endpoint (a connection
    /// through a load balancer uses three descriptors in this process).
    public static func standard(fileDescriptors: Int) -> ConnectionLimits {
        ConnectionLimits(maximumConnections: max(16, fileDescriptors / 4))
    }

    /// Open connections on one load balancer or one role-instance endpoint.
    public var maximumConnectionsPerEndpoint: Int { max(8, maximumConnections / 2) }
}

extension ConnectionLimits {
    /// What a listener gets when nothing else is said (tests, tools): the standard timeouts and
    /// 1,024 connections.
    public static let defaults = ConnectionLimits(maximumConnections: 1024)
}
