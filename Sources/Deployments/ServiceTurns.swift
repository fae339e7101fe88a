/// Changes to a cloud service's deployments take turns, one at a time in the order they
/// arrived: a create, a configuration or status change, a swap (which touches both slots), a
/// delete, and deleting one of the service's certificates. Each reads the deployments as
/// stored once its turn comes, so no change works from, or writes back, a state older than the
/// one before it.
actor ServiceTurns {
    private var taken: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Waits until `service` is free, then holds it.
    func take(_ service: String) async {
        guard taken.contains(service) else {
            taken.insert(service)
            return
        }
        await withCheckedContinuation { waiting[service, default: []].append($0) }
        // The one before handed its turn straight to this one: `service` stays taken.
    }

    /// Hands `service` to the next in line, or frees it.
    func give(_ service: String) {
        guard var queue = waiting[service], !queue.isEmpty else {
            taken.remove(service)
            return
        }
        let next = queue.removeFirst()
        waiting[service] = queue.isEmpty ? nil : queue
        next.resume()
    }

    /// How many changes wait for `service` (for tests that line changes up).
    func waitingCount(_ service: String) -> Int { waiting[service]?.count ?? 0 }
}
