import NIOHTTP1
import NIOHTTPTypes

/// A part of an HTTP message as `ConnectionDeadlines` sees it: the head, a piece of body, or the end.
/// NIOHTTP1's parts (role instances) and HTTPTypes' parts (the API) both are.
public protocol HTTPMessagePart: SendableMetatype {
    /// The message's head.
    var isHead: Bool { get }
    /// The message's end.
    var isEnd: Bool { get }
}

extension HTTPPart: HTTPMessagePart {
    public var isHead: Bool {
        if case .head = self { return true }
        return false
    }

    public var isEnd: Bool {
        if case .end = self { return true }
        return false
    }
}

extension HTTPRequestPart: HTTPMessagePart {
    public var isHead: Bool {
        if case .head = self { return true }
        return false
    }

    public var isEnd: Bool {
        if case .end = self { return true }
        return false
    }
}

extension HTTPResponsePart: HTTPMessagePart {
    public var isHead: Bool {
        if case .head = self { return true }
        return false
    }

    public var isEnd: Bool {
        if case .end = self { return true }
        return false
    }
}
