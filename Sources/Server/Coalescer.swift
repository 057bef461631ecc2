/// Collapses identical concurrent work (SPEC §5): the first caller for a key runs `work`; callers arriving while
/// it runs wait and receive the same value. The flight is forgotten once finished (the result cache serves
/// later requests).
///
/// It also knows who still waits (SPEC §5 "work nobody waits for stops"): every caller brings its client's
/// `ClientPresence`; a caller whose client goes stops counting, a waiting one returns nil at once, and when no
/// caller's client is left the flight's `FlightControl` is abandoned — the leader's job is cancelled
/// (`JobStop.abandoned`) and the key is free for a new flight.
public final class Coalescer<Value: Sendable>: @unchecked Sendable {
    private final class Flight: @unchecked Sendable {
        var value: Value?
        /// Callers whose client is still there.
        var interested = 1
        let control = FlightControl()
    }

    private let lock = ConditionLock()
    private var flights: [String: Flight] = [:]

    public init() {}

    /// Number of keys currently being computed.
    public var inFlight: Int { lock.withLock { flights.count } }

    /// Runs or joins the flight for `key`. `shared` tells whether the value came from another caller's work. Nil
    /// when this caller's client went away while it waited for another caller's work (nobody to answer).
    public func run(_ key: String, client: ClientPresence = .attached,
                    _ work: (FlightControl) -> Value) -> (value: Value, shared: Bool)? {
        let (flight, isLeader): (Flight, Bool) = lock.withLock {
            if let existing = flights[key] {
                existing.interested += 1
                return (existing, false)
            }
            let flight = Flight()
            flights[key] = flight
            return (flight, true)
        }
        let observer = client.onGone { [self] in leave(key, flight) }
        defer { client.removeObserver(observer) }
        if isLeader {
            let value = work(flight.control)
            lock.withLock {
                flight.value = value
                if flights[key] === flight { flights[key] = nil }
                lock.broadcast()
            }
            return (value, false)
        }
        return lock.withLock {
            while true {
                if let value = flight.value { return (value, true) }
                if client.isGone { return nil }
                lock.wait()
            }
        }
    }

    /// A caller's client went away: one fewer waits for the flight; with none left, its work is abandoned.
    private func leave(_ key: String, _ flight: Flight) {
        let abandon: Bool = lock.withLock {
            flight.interested -= 1
            lock.broadcast()   // a waiting caller whose client this was returns
            guard flight.interested == 0, flight.value == nil else { return false }
            if flights[key] === flight { flights[key] = nil }
            return true
        }
        if abandon { flight.control.abandon() }
    }
}

/// What a flight's work checks and attaches its job to, so that the job stops once nobody waits for it.
public final class FlightControl: @unchecked Sendable {
    private let lock = ConditionLock()
    private var abandoned = false
    private var tickets: [JobTicket] = []

    public init() {}

    /// Every caller's client went away.
    public var isAbandoned: Bool { lock.withLock { abandoned } }

    /// Ties a job to the flight: it is cancelled (`.abandoned`) when the flight is — at once if it already was.
    public func attach(_ ticket: JobTicket) {
        let cancelNow: Bool = lock.withLock {
            if !abandoned { tickets.append(ticket) }
            return abandoned
        }
        if cancelNow { ticket.cancel(.abandoned) }
    }

    func abandon() {
        let attached: [JobTicket] = lock.withLock {
            abandoned = true
            defer { tickets.removeAll() }
            return tickets
        }
        for ticket in attached { ticket.cancel(.abandoned) }
    }
}
