/// A small thread-safe memo of a pure function's results, for values recomputed on every request (the variant a
/// URL and Accept header ask for). It forgets everything once it holds `capacity` entries: no eviction order
/// to maintain, and a flood of distinct keys costs one clear per `capacity` inserts.
final class BoundedMemo<Value>: @unchecked Sendable {
    private let lock = ConditionLock()
    private var values: [String: Value] = [:]
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { lock.withLock { values.count } }

    /// The stored value for `key`, else `make()` (computed outside the lock) stored and returned.
    func value(_ key: String, _ make: () -> Value) -> Value {
        if let known = lock.withLock({ values[key] }) { return known }
        let made = make()
        lock.withLock {
            if values.count >= capacity { values.removeAll(keepingCapacity: true) }
            values[key] = made
        }
        return made
    }
}
