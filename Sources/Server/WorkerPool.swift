import Raster

/// The bounded pool that does CPU work (decode, resize, encode), sized to the cores (SPEC §5). Jobs beyond
/// `queueCapacity` waiting are refused at once, so the caller can serve the original with
/// `compression: rate limit is exceeded` instead of queueing without bound.
///
/// Each job runs as one `Job`, made by the worker that starts it: its thread count comes from `ThreadBudget` at
/// that moment and its deadline from the `JobTicket` (set when it was submitted, so time spent queued counts). A
/// ticket cancelled while its job waits in the queue, or whose deadline passes there, never starts.
public final class WorkerPool: @unchecked Sendable {
    /// How a submitted job ended.
    public enum Outcome<T> {
        /// It ran (possibly stopping early at a checkpoint: `T` then says so).
        case finished(T)
        /// The queue was full (or the pool is shutting down).
        case refused
        /// It was cancelled or passed its deadline before a worker started it.
        case stoppedBeforeStart(JobStop)
    }

    private final class Entry {
        let ticket: JobTicket
        let body: (Job) -> Void
        /// Set under the pool's lock: a worker took it, or its waiter gave up on it (deadline while queued).
        var taken = false
        init(ticket: JobTicket, body: @escaping (Job) -> Void) { self.ticket = ticket; self.body = body }
    }

    private let lock = ConditionLock()
    private var queue: [Entry] = []
    private var queueHead = 0
    private var running = 0
    /// Threads held by the running jobs (their `Job.threads`).
    private var heldThreads = 0
    private var stopping = false
    public let workerCount: Int
    public let queueCapacity: Int
    /// Cores the budget shares out (the machine's, or fewer in tests).
    public let cores: Int

    public init(workers: Int, queueCapacity: Int, cores: Int = Job.machineCores) {
        workerCount = max(1, workers)
        self.queueCapacity = max(0, queueCapacity)
        self.cores = max(1, cores)
        for _ in 0..<workerCount {
            // Codecs recurse little but keep sizeable frames; give workers a roomy stack.
            spawnThread(stackBytes: 16 << 20) { [self] in workerLoop() }
        }
    }

    /// Jobs waiting for a worker.
    public var queueDepth: Int { lock.withLock { queue[queueHead...].filter { !$0.taken }.count } }
    /// Jobs being run.
    public var busyWorkers: Int { lock.withLock { running } }
    /// Threads the running jobs may use in total.
    public var threadsInUse: Int { lock.withLock { heldThreads } }

    /// Runs `work` on the pool as the job of `ticket` and waits for it. `work` runs inside `Job.run` and should
    /// check the job (`Job.checkpoint()`); it is not called at all when the ticket is stopped before a worker
    /// starts it. The wait ends at the ticket's deadline if the job is still queued then.
    public func run<T>(_ ticket: JobTicket, _ work: @escaping () -> T) -> Outcome<T> {
        if let stop = ticket.stopReason { return .stoppedBeforeStart(stop) }
        let slot = ResultSlot<Outcome<T>>()
        let done = ConditionLock()
        let entry = Entry(ticket: ticket) { job in
            let outcome: Outcome<T>
            if let stop = job.stopReason { outcome = .stoppedBeforeStart(stop) } else { outcome = .finished(Job.run(job, work)) }
            done.withLock { slot.value = outcome; done.broadcast() }
        }
        ticket.onCancel = { done.withLock { done.broadcast() } }
        let accepted: Bool = lock.withLock {
            let waiting = queue.count - queueHead
            let idle = workerCount - running - waiting
            guard !stopping, idle > 0 || waiting < queueCapacity else { return false }
            queue.append(entry)
            lock.signal()
            return true
        }
        guard accepted else { return .refused }
        return done.withLock {
            while true {
                if let value = slot.value { return value }
                // Cancelled while queued, or still queued at the deadline: give up on it now (the worker that
                // reaches it skips it), so a full queue never holds a client past its deadline.
                if let stop = ticket.stopReason, withdraw(entry) { return .stoppedBeforeStart(stop) }
                done.wait(until: min(ticket.monotonicDeadline ?? .infinity, monotonicSeconds() + 1))
            }
        }
    }

    /// Marks a queued entry as given up; false when a worker already took it.
    private func withdraw(_ entry: Entry) -> Bool {
        lock.withLock {
            guard !entry.taken else { return false }
            entry.taken = true
            return true
        }
    }

    /// Lets queued jobs finish, then ends the workers.
    public func shutdown() {
        lock.withLock { stopping = true; lock.broadcast() }
    }

    private func workerLoop() {
        while true {
            let started: (Entry, Job, Int)? = lock.withLock {
                while true {
                    while queueHead == queue.count && !stopping { lock.wait() }
                    guard queueHead < queue.count else { return nil }
                    let entry = queue[queueHead]
                    queueHead += 1
                    if queueHead > 64 && queueHead * 2 > queue.count {
                        queue.removeFirst(queueHead)
                        queueHead = 0
                    }
                    if entry.taken { continue }   // withdrawn by its waiter
                    entry.taken = true
                    let threads = ThreadBudget.threads(cores: cores, heldByRunning: heldThreads,
                                                       waiting: queue.count - queueHead)
                    running += 1
                    heldThreads += threads
                    return (entry, entry.ticket.start(threads: threads), threads)
                }
            }
            guard let (entry, job, threads) = started else { return }
            entry.body(job)
            lock.withLock { running -= 1; heldThreads -= threads }
        }
    }
}

/// The one place that decides how many threads an image job may use (`Job.threads`), when a worker starts it.
///
/// Policy: a job starting while others wait in the queue gets one thread (the waiting jobs will take the other
/// cores); otherwise it gets the cores the running jobs do not hold, and at least one. So an idle server gives a
/// lone big job every core, and under load every job runs on one thread and the pool (one worker per core) keeps
/// the total at the core count. A job keeps its count to the end: a job that started alone with every core and
/// is then joined by others briefly makes the total cores + (workers − 1) at most, until it ends.
public enum ThreadBudget {
    public static func threads(cores: Int, heldByRunning: Int, waiting: Int) -> Int {
        if waiting > 0 { return 1 }
        return max(1, cores - heldByRunning)
    }
}

/// A job asked of the pool, from submission to its end: it carries the deadline (fixed at submission, so queue
/// time counts) and takes cancellation before the job exists — the `Job` itself, with its thread count, is made
/// only when a worker starts it.
public final class JobTicket: @unchecked Sendable {
    /// `Job.deadline` of the job to come.
    public let deadline: ContinuousClock.Instant?
    /// The same instant on the monotonic clock of the pool's waits.
    let monotonicDeadline: Double?
    private let lock = ConditionLock()
    private var job: Job?
    private var requestedStop: JobStop?
    /// Called (outside the lock) after `cancel`, so a waiter can stop waiting for a queued job.
    var onCancel: (@Sendable () -> Void)? {
        get { lock.withLock { cancelHook } }
        set { lock.withLock { cancelHook = newValue } }
    }
    private var cancelHook: (@Sendable () -> Void)?

    /// `timeout` in seconds from now; nil for no deadline.
    public init(timeout: Double?) {
        if let timeout {
            deadline = ContinuousClock.now + .nanoseconds(Int64(timeout * 1e9))
            monotonicDeadline = monotonicSeconds() + timeout
        } else {
            deadline = nil
            monotonicDeadline = nil
        }
    }

    /// Stops the job at its next checkpoint, or keeps it from starting. The first reason wins.
    public func cancel(_ reason: JobStop) {
        let hook: (@Sendable () -> Void)? = lock.withLock {
            if let job { job.cancel(reason) } else if requestedStop == nil { requestedStop = reason }
            return cancelHook
        }
        hook?()
    }

    /// Why the job must stop (a cancel, or the deadline), or nil.
    public var stopReason: JobStop? {
        lock.withLock {
            if let job { return job.stopReason }
            if let requestedStop { return requestedStop }
            if let monotonicDeadline, monotonicSeconds() >= monotonicDeadline { return .deadlineExceeded }
            return nil
        }
    }

    /// The job was started by a worker (its `Job` exists).
    public var started: Bool { lock.withLock { job != nil } }

    /// Makes the job for a worker starting it, carrying a stop requested while it was queued.
    func start(threads: Int) -> Job {
        lock.withLock {
            let made = Job(threads: threads, deadline: deadline)
            if let requestedStop { made.cancel(requestedStop) }
            job = made
            return made
        }
    }
}

private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
}
