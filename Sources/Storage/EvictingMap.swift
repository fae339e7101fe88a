/// A dictionary of at most `capacity` entries that, when full, forgets the entry added longest
/// ago: one at a time, so that filling it (with the thumbprints of made-up certificates, say)
/// pushes out old entries but never empties it for everyone at once.
public struct EvictingMap<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private var entries: [Key: Value] = [:]
    private var order: [Key] = []
    private var head = 0
    /// The most entries kept.
    public let capacity: Int

    /// An empty map of at most `capacity` entries.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The value for `key`, if kept.
    public subscript(key: Key) -> Value? { entries[key] }

    /// How many entries are kept.
    public var count: Int { entries.count }

    /// Keeps `value` for `key`, forgetting the oldest entry when full.
    public mutating func insert(_ value: Value, for key: Key) {
        if entries.updateValue(value, forKey: key) != nil { return }
        order.append(key)
        while entries.count > capacity, head < order.count {
            entries[order[head]] = nil
            head += 1
        }
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    /// Forgets everything.
    public mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
        head = 0
    }
}
