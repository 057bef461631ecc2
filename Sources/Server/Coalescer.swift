/// Collapses identical concurrent work (SPEC §5): the first caller for a key runs `work`; callers arriving while
/// it runs wait and receive the same value. The flight is forgotten once finished (the result cache serves
/// later requests).
public final class Coalescer<Value: Sendable>: @unchecked Sendable {
    private final class Flight: @unchecked Sendable {
        var value: Value?
        var waiters = 0
    }

    private let lock = ConditionLock()
    private var flights: [String: Flight] = [:]

    public init() {}

    /// Number of keys currently being computed.
    public var inFlight: Int { lock.withLock { flights.count } }

    /// Runs or joins the flight for `key`. `shared` tells whether the value came from another caller's work.
    public func run(_ key: String, _ work: () -> Value) -> (value: Value, shared: Bool) {
        let (flight, isLeader): (Flight, Bool) = lock.withLock {
            if let existing = flights[key] {
                existing.waiters += 1
                return (existing, false)
            }
            let flight = Flight()
            flights[key] = flight
            return (flight, true)
        }
        if isLeader {
            let value = work()
            lock.withLock {
                flight.value = value
                flights[key] = nil
                lock.broadcast()
            }
            return (value, false)
        }
        return lock.withLock {
            while true {
                if let value = flight.value { return (value, true) }
                lock.wait()
            }
        }
    }
}
