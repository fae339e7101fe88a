import Synchronization

/// Answers of one kind of read, kept while the database's data version stays the same and
/// dropped entirely as soon as it changes. Bounded: when full it forgets its oldest answer.
/// Only answers that found something are kept: a lookup of what does not exist (an unknown
/// client certificate) costs a read each time but takes no room from those that do.
final class ReadCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var version: Int64 = .min
        var entries: EvictingMap<Key, Value>
    }

    private let state: Mutex<State>

    /// A cache of at most `capacity` answers.
    init(capacity: Int) {
        state = Mutex(State(entries: EvictingMap(capacity: capacity)))
    }

    /// The answer for `key` at database `version`, loading it when not known, and keeping it
    /// when there is one. With no version (the watch failed) it always loads.
    func value(for key: Key, at version: Int64?, load: () async throws(StorageError) -> Value?) async throws(StorageError) -> Value? {
        guard let version else { return try await load() }
        let known: Value? = state.withLock { state in
            if state.version != version {
                state.version = version
                state.entries.removeAll()
            }
            return state.entries[key]
        }
        if let known { return known }
        guard let loaded = try await load() else { return nil }
        state.withLock { state in
            // Keep it only if nothing changed meanwhile as far as this cache knows.
            guard state.version == version else { return }
            state.entries.insert(loaded, for: key)
        }
        return loaded
    }

    /// How many answers are kept (for tests).
    var count: Int { state.withLock { $0.entries.count } }
}
