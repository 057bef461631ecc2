/// In-memory LRU cache of finished responses with a byte budget (SPEC §5). Keys are built by `ImageHandler` from
/// the origin path and query, the normalized image parameters and the negotiated format. O(1) get/put: a
/// dictionary into a doubly-linked list kept in arrays (indices instead of references, no per-node objects).
public final class ResultCache: @unchecked Sendable {
    public struct Entry: Sendable {
        public var response: HTTPResponse
        /// How the response came about (metrics and access log label: "transformed", "skipped", ...).
        public var outcome: String
        public var skipReason: String?
        public var storedAt: Double
        /// Bytes charged against the budget: body plus headers plus a fixed overhead.
        public var cost: Int
    }

    private struct Node {
        var key: String
        var entry: Entry
        var previous: Int
        var next: Int
    }

    public let budgetBytes: Int
    public let timeToLive: Double
    private let lock = ConditionLock()
    private var index: [String: Int] = [:]
    private var nodes: [Node] = []
    private var freeSlots: [Int] = []
    private var head = -1   // most recently used
    private var tail = -1   // least recently used
    private var usedBytes = 0

    public init(budgetBytes: Int, timeToLive: Double = 300) {
        self.budgetBytes = budgetBytes
        self.timeToLive = timeToLive
    }

    public var byteCount: Int { lock.withLock { usedBytes } }
    public var count: Int { lock.withLock { index.count } }

    public func get(_ key: String, now: Double = monotonicSeconds()) -> HTTPResponse? {
        lookup(key, now: now)?.response
    }

    /// The entry for `key` (marked most recently used), or nil when absent or expired.
    public func lookup(_ key: String, now: Double = monotonicSeconds()) -> Entry? {
        lock.withLock {
            guard let slot = index[key] else { return nil }
            if now - nodes[slot].entry.storedAt > timeToLive {
                removeSlot(slot)
                return nil
            }
            unlink(slot)
            pushFront(slot)
            return nodes[slot].entry
        }
    }

    /// Stores `response`; an entry larger than the whole budget is not stored. Evicts least recently used entries.
    public func put(_ key: String, _ response: HTTPResponse, outcome: String = "transformed", skipReason: String? = nil,
                    now: Double = monotonicSeconds()) {
        let cost = response.body.count + response.headers.fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
            + key.utf8.count + 128
        guard cost <= budgetBytes else { return }
        lock.withLock {
            if let slot = index[key] { removeSlot(slot) }
            while usedBytes + cost > budgetBytes && tail >= 0 { removeSlot(tail) }
            let node = Node(key: key, entry: Entry(response: response, outcome: outcome, skipReason: skipReason, storedAt: now,
                                                   cost: cost),
                            previous: -1, next: -1)
            let slot: Int
            if let free = freeSlots.popLast() { nodes[free] = node; slot = free } else { nodes.append(node); slot = nodes.count - 1 }
            index[key] = slot
            pushFront(slot)
            usedBytes += cost
        }
    }

    /// Keys from most to least recently used (for tests and debugging).
    public var keysByRecency: [String] {
        lock.withLock {
            var keys: [String] = []
            var slot = head
            while slot >= 0 { keys.append(nodes[slot].key); slot = nodes[slot].next }
            return keys
        }
    }

    private func removeSlot(_ slot: Int) {
        unlink(slot)
        index[nodes[slot].key] = nil
        usedBytes -= nodes[slot].entry.cost
        nodes[slot].entry.response = HTTPResponse(status: 0)
        nodes[slot].key = ""
        freeSlots.append(slot)
    }

    private func unlink(_ slot: Int) {
        let previous = nodes[slot].previous, next = nodes[slot].next
        if previous >= 0 { nodes[previous].next = next } else if head == slot { head = next }
        if next >= 0 { nodes[next].previous = previous } else if tail == slot { tail = previous }
        nodes[slot].previous = -1
        nodes[slot].next = -1
    }

    private func pushFront(_ slot: Int) {
        nodes[slot].previous = -1
        nodes[slot].next = head
        if head >= 0 { nodes[head].previous = slot }
        head = slot
        if tail < 0 { tail = slot }
    }
}
