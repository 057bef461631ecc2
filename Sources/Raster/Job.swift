import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why a job stopped before its end.
public enum JobStop: Error, Sendable, Equatable, CustomStringConvertible {
    /// The client that asked went away and nobody else waits for the result.
    case abandoned
    /// The job ran past its processing deadline (`timeouts.processingMs`).
    case deadlineExceeded

    public var description: String {
        switch self {
        case .abandoned: return "job cancelled: nobody waits for its result"
        case .deadlineExceeded: return "job cancelled: processing time limit exceeded"
        }
    }
}

/// The execution context of one image job: how many threads it may use, and whether it should stop.
///
/// One place decides threads: whoever starts a job (the server's worker pool, the CLI) creates its `Job` with a
/// thread count, and every codec asks `Job.current` instead of reading the core count. Codecs call
/// `try Job.checkpoint()` between stages and inside long loops (per macroblock row, superblock row, tile, scan);
/// it throws `JobStop` once the job was cancelled or its deadline passed. Results never depend on `threads`.
public final class Job: Sendable {
    /// Threads this job may use for its own parallel loops (≥ 1).
    public let threads: Int
    /// When set, `checkpoint()` throws `.deadlineExceeded` from this instant on.
    public let deadline: ContinuousClock.Instant?
    /// 0 running, 1 abandoned, 2 deadline exceeded.
    private let state = Atomic<Int>(0)

    public init(threads: Int, deadline: ContinuousClock.Instant? = nil) {
        self.threads = max(1, threads)
        self.deadline = deadline
    }

    /// The machine's online cores; the only place the core count is read.
    public static let machineCores: Int = {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }()

    /// Asks the job to stop at its next checkpoint. The first reason wins.
    public func cancel(_ reason: JobStop) {
        _ = state.compareExchange(expected: 0, desired: reason == .abandoned ? 1 : 2, ordering: .relaxed)
    }

    /// Why the job must stop, or nil while it may go on. Reading it also notices a passed deadline.
    public var stopReason: JobStop? {
        switch state.load(ordering: .relaxed) {
        case 1: return .abandoned
        case 2: return .deadlineExceeded
        default:
            if let deadline, ContinuousClock.now >= deadline {
                cancel(.deadlineExceeded)
                return self.stopReason
            }
            return nil
        }
    }

    public var isStopped: Bool { stopReason != nil }

    /// Throws the reason the job must stop, if any.
    public func checkIn() throws {
        if let reason = stopReason { throw reason }
    }

    // MARK: The calling thread's job

    /// The job the calling thread works for: the one installed by `run`, else a job with every core and no
    /// deadline (command-line use, tests).
    public static var current: Job {
        if let raw = pthread_getspecific(currentKey) { return Unmanaged<Job>.fromOpaque(raw).takeUnretainedValue() }
        return unbounded
    }

    /// A job with every core, never cancelled.
    public static let unbounded = Job(threads: machineCores)

    /// Runs `body` with `job` as the calling thread's current job (restored afterwards).
    public static func run<T>(_ job: Job, _ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(currentKey)
        pthread_setspecific(currentKey, Unmanaged.passUnretained(job).toOpaque())
        defer { pthread_setspecific(currentKey, previous) }
        return try body()
    }

    /// Throws when the calling thread's job must stop. Cheap: one relaxed atomic load and a clock read when a
    /// deadline is set. Call it between pipeline stages and once per row of blocks, not per pixel.
    public static func checkpoint() throws {
        try current.checkIn()
    }

    /// Calls `body(i)` for every i in 0..<count on at most `current.threads` threads (the calling one included),
    /// each running under the same job. Items must be independent: their results may not depend on which thread or
    /// in which order they run. Sequential when the job has one thread or there is one item.
    /// A body may throw (typically `JobStop` from `checkpoint()`): no further items start, the items already running
    /// finish, and the first error is rethrown. Non-throwing bodies need no `try` (`E` is then `Never`).
    public static func parallelFor<E: Error>(_ count: Int, _ body: (Int) throws(E) -> Void) throws(E) {
        if count <= 0 { return }
        let job = current
        let workers = min(job.threads, count)
        if workers <= 1 {
            for i in 0..<count { try body(i) }
            return
        }
        let next = Atomic<Int>(0)
        let failure = FirstError<E>()
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                run(job) {
                    while true {
                        let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                        if i >= count { break }
                        do throws(E) { try body(i) } catch {
                            failure.record(error)
                            // Every later item index is past `count`: the other workers stop taking items.
                            next.store(count, ordering: .relaxed)
                            break
                        }
                    }
                }
            }
        }
        if let error = failure.error { throw error }
    }
}

/// The first error thrown by a `parallelFor` item (later ones are dropped).
private final class FirstError<E: Error>: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    private var stored: E?
    func record(_ error: E) { lock.withLock { _ in if stored == nil { stored = error } } }
    var error: E? { lock.withLock { _ in stored } }
}

/// The thread-local slot holding the current job (an unretained pointer: `run` keeps the job alive).
private let currentKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
