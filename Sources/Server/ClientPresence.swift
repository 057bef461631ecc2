/// Whether the client of a connection is still there, as the event loop sees it while a handler works on the
/// connection's request: the loop watches a busy connection for the peer's hang-up (EPOLLRDHUP / EPOLLHUP /
/// EPOLLERR) and marks it gone. Work done only for this client (a coalesced transform) registers to hear it.
public final class ClientPresence: @unchecked Sendable {
    private let lock = ConditionLock()
    private var gone = false
    private var nextToken = 0
    private var observers: [(token: Int, action: @Sendable () -> Void)] = []

    public init() {}

    /// A client that never goes away (requests made in-process: tests, tools).
    public static var attached: ClientPresence { ClientPresence() }

    public var isGone: Bool { lock.withLock { gone } }

    /// Calls `action` once when the client goes — at once (on this thread) if it already has. Returns a token for
    /// `removeObserver`, or nil when the action already ran.
    @discardableResult
    public func onGone(_ action: @escaping @Sendable () -> Void) -> Int? {
        let token: Int? = lock.withLock {
            if gone { return nil }
            nextToken += 1
            observers.append((nextToken, action))
            return nextToken
        }
        if token == nil { action() }
        return token
    }

    public func removeObserver(_ token: Int?) {
        guard let token else { return }
        lock.withLock { observers.removeAll { $0.token == token } }
    }

    /// Marks the client gone and runs the observers (outside the lock: they take other locks).
    func markGone() {
        let actions: [@Sendable () -> Void] = lock.withLock {
            if gone { return [] }
            gone = true
            defer { observers.removeAll() }
            return observers.map(\.action)
        }
        for action in actions { action() }
    }
}
