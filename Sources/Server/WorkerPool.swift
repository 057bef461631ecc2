/// The bounded pool that does CPU work (decode, resize, encode), sized to the cores (SPEC §5). Jobs beyond
/// `queueCapacity` waiting are refused at once, so the caller can serve the original with
/// `compression: rate limit is exceeded` instead of queueing without bound.
public final class WorkerPool: @unchecked Sendable {
    private let lock = ConditionLock()
    private var queue: [() -> Void] = []
    private var queueHead = 0
    private var running = 0
    private var stopping = false
    public let workerCount: Int
    public let queueCapacity: Int

    public init(workers: Int, queueCapacity: Int) {
        workerCount = max(1, workers)
        self.queueCapacity = max(0, queueCapacity)
        for _ in 0..<workerCount {
            // Codecs recurse little but keep sizeable frames; give workers a roomy stack.
            spawnThread(stackBytes: 16 << 20) { [self] in workerLoop() }
        }
    }

    /// Jobs waiting for a worker.
    public var queueDepth: Int { lock.withLock { queue.count - queueHead } }
    /// Jobs being run.
    public var busyWorkers: Int { lock.withLock { running } }

    /// Enqueues `job` unless the queue is full (or the pool is stopping); returns whether it was accepted.
    /// A job is accepted when a worker is idle even with a zero-length queue.
    public func trySubmit(_ job: @escaping () -> Void) -> Bool {
        lock.withLock {
            let waiting = queue.count - queueHead
            let idle = workerCount - running - waiting
            guard !stopping, idle > 0 || waiting < queueCapacity else { return false }
            queue.append(job)
            lock.signal()
            return true
        }
    }

    /// Runs `work` on the pool and waits for its result; nil when the pool refused it (queue full).
    public func run<T>(_ work: @escaping () -> T) -> T? {
        let slot = ResultSlot<T>()
        let done = ConditionLock()
        let accepted = trySubmit {
            let value = work()
            done.withLock { slot.value = value; slot.done = true; done.broadcast() }
        }
        guard accepted else { return nil }
        return done.withLock {
            while !slot.done { done.wait() }
            return slot.value
        }
    }

    /// Lets queued jobs finish, then ends the workers.
    public func shutdown() {
        lock.withLock { stopping = true; lock.broadcast() }
    }

    private func workerLoop() {
        while true {
            let job: (() -> Void)? = lock.withLock {
                while queueHead == queue.count && !stopping { lock.wait() }
                guard queueHead < queue.count else { return nil }
                let job = queue[queueHead]
                queueHead += 1
                if queueHead > 64 && queueHead * 2 > queue.count {
                    queue.removeFirst(queueHead)
                    queueHead = 0
                }
                running += 1
                return job
            }
            guard let job else { return }
            job()
            lock.withLock { running -= 1 }
        }
    }
}

private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
    var done = false
}
