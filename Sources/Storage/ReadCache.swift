import Synchronization

/// Answers of one kind of read, kept while the database's data version stays the same and
/// dropped entirely as soon as it changes. Bounded: when full it starts over.
final class ReadCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var version: Int64 = .min
        var entries: [Key: Value] = [:]
    }

    private let state = Mutex(State())
    private let capacity: Int

    /// A cache of at most `capacity` answers.
    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The answer for `key` at database `version`, loading (and keeping) it when not known.
    /// With no version (the watch failed) it always loads.
    func value(for key: Key, at version: Int64?, load: () throws(StorageError) -> Value) throws(StorageError) -> Value {
        guard let version else { return try load() }
        let known: Value? = state.withLock { state in
            if state.version != version {
                state.version = version
                state.entries.removeAll(keepingCapacity: true)
            }
            return state.entries[key]
        }
        if let known { return known }
        let loaded = try load()
        state.withLock { state in
            // Keep it only if nothing changed meanwhile as far as this cache knows.
            guard state.version == version else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = loaded
        }
        return loaded
    }
}
