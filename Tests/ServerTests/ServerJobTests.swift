import XCTest
#if canImport(Glibc)
import Glibc
#endif
import Raster
@testable import Server

/// The server side of `Job`: the thread budget, the pool's tickets (cancel and deadline before a job starts), the
/// coalescer's bookkeeping of who still waits, and the client-presence signal the event loop raises.
final class ServerJobTests: XCTestCase {
    func testThreadBudgetPolicy() {
        // Idle server: one job gets every core.
        XCTAssertEqual(ThreadBudget.threads(cores: 2, heldByRunning: 0, waiting: 0), 2)
        XCTAssertEqual(ThreadBudget.threads(cores: 8, heldByRunning: 0, waiting: 0), 8)
        // Others running: what they do not hold, at least one.
        XCTAssertEqual(ThreadBudget.threads(cores: 8, heldByRunning: 3, waiting: 0), 5)
        XCTAssertEqual(ThreadBudget.threads(cores: 2, heldByRunning: 2, waiting: 0), 1)
        XCTAssertEqual(ThreadBudget.threads(cores: 2, heldByRunning: 5, waiting: 0), 1)
        // Jobs waiting behind it: one thread each, the queue takes the other cores.
        XCTAssertEqual(ThreadBudget.threads(cores: 8, heldByRunning: 0, waiting: 1), 1)
    }

    /// A lone job gets every core; jobs started while others run get what is left, and under load each gets one,
    /// so the total stays near the core count.
    func testPoolGivesALoneJobEveryCoreAndConcurrentJobsOneEach() {
        let pool = WorkerPool(workers: 4, queueCapacity: 8, cores: 4)
        defer { pool.shutdown() }
        guard case .finished(let alone) = pool.run(JobTicket(timeout: nil), { Job.current.threads }) else { return XCTFail() }
        XCTAssertEqual(alone, 4)

        // Four jobs held at a gate at once: the first started takes what is free, the others one each.
        let gate = Gate()
        let jobs = (0..<4).map { _ in Async { pool.run(JobTicket(timeout: nil)) { () -> Int in gate.pass(); return Job.current.threads } } }
        gate.waitForArrivals(4)
        let inUse = pool.threadsInUse
        gate.open()
        let counts = jobs.map { job -> Int in if case .finished(let n) = job.value { return n }; return -1 }
        XCTAssertTrue(counts.allSatisfy { $0 >= 1 }, "\(counts)")
        XCTAssertEqual(inUse, counts.reduce(0, +))
        // The first job to start with more than one thread takes every free core; the others get one each.
        XCTAssertLessThanOrEqual(counts.filter { $0 > 1 }.count, 1, "\(counts)")
        XCTAssertLessThanOrEqual(counts.reduce(0, +), 4 + 3, "\(counts)")
        for _ in 0..<200 where pool.threadsInUse > 0 { usleep(1_000) }
        XCTAssertEqual(pool.threadsInUse, 0)
    }

    func testCancelledTicketNeverStartsAndFreesItsWaiter() {
        let pool = WorkerPool(workers: 1, queueCapacity: 4)
        defer { pool.shutdown() }
        let gate = Gate()
        let blocker = Async { pool.run(JobTicket(timeout: nil)) { gate.pass(); return 0 } }
        gate.waitForArrivals(1)
        let ran = ConditionLock()
        nonisolated(unsafe) var queuedRan = false
        let ticket = JobTicket(timeout: nil)
        let queued = Async { pool.run(ticket) { ran.withLock { queuedRan = true }; return 1 } }
        for _ in 0..<200 where pool.queueDepth < 1 { usleep(5_000) }
        ticket.cancel(.abandoned)
        // The waiter returns while the only worker is still held at the gate: it did not wait for a worker.
        guard case .stoppedBeforeStart(.abandoned) = queued.value else { return XCTFail("expected stoppedBeforeStart") }
        XCTAssertFalse(blocker.isDone)
        gate.open()
        _ = blocker.value
        guard case .finished(5) = pool.run(JobTicket(timeout: nil), { 5 }) else { return XCTFail() }
        XCTAssertFalse(ran.withLock { queuedRan }, "a cancelled queued job must never start")
        // A ticket cancelled before submission is not even queued.
        let early = JobTicket(timeout: nil)
        early.cancel(.abandoned)
        guard case .stoppedBeforeStart(.abandoned) = pool.run(early, { 9 }) else { return XCTFail() }
    }

    func testDeadlineWhileQueuedAnswersAtTheDeadline() {
        let pool = WorkerPool(workers: 1, queueCapacity: 4)
        defer { pool.shutdown() }
        let gate = Gate()
        let blocker = Async { pool.run(JobTicket(timeout: nil)) { gate.pass(); return 0 } }
        gate.waitForArrivals(1)
        guard case .stoppedBeforeStart(.deadlineExceeded) = pool.run(JobTicket(timeout: 0.05), { 1 }) else {
            return XCTFail("expected the deadline while queued")
        }
        XCTAssertFalse(blocker.isDone)
        gate.open()
        _ = blocker.value
    }

    func testDeadlineWhileRunningStopsTheJobAtItsCheckpoint() {
        let pool = WorkerPool(workers: 1, queueCapacity: 1)
        defer { pool.shutdown() }
        let outcome = pool.run(JobTicket(timeout: 0.02)) { () -> JobStop? in
            while true {
                do { try Job.checkpoint() } catch { return error as? JobStop }
                usleep(1_000)
            }
        }
        guard case .finished(let stop) = outcome else { return XCTFail() }
        XCTAssertEqual(stop, .deadlineExceeded)
    }

    func testFlightIsAbandonedOnlyWhenEveryClientHasGone() {
        let coalescer = Coalescer<Int>()
        let leaderClient = ClientPresence(), followerClient = ClientPresence()
        let started = Gate(), finish = Gate()
        nonisolated(unsafe) var control: FlightControl?
        let leader = Async {
            coalescer.run("k", client: leaderClient) { c -> Int in control = c; started.pass(); finish.pass(); return 7 }
        }
        started.waitForArrivals(1)
        let follower = Async { coalescer.run("k", client: followerClient) { _ in -1 } }
        for _ in 0..<200 where control == nil { usleep(1_000) }
        usleep(20_000)   // let the follower join the flight
        leaderClient.markGone()
        XCTAssertEqual(control?.isAbandoned, false, "the follower still waits")
        followerClient.markGone()
        XCTAssertNil(follower.value, "a follower whose client left returns at once")
        XCTAssertEqual(control?.isAbandoned, true)
        // The key is free: a new caller starts a new flight instead of joining the abandoned one.
        XCTAssertEqual(coalescer.run("k") { _ in 8 }?.value, 8)
        started.open(); finish.open()
        XCTAssertEqual(leader.value?.value, 7)
    }

    func testAbandonedFlightCancelsItsAttachedTicket() {
        let control = FlightControl()
        let before = JobTicket(timeout: nil)
        control.attach(before)
        XCTAssertNil(before.stopReason)
        control.abandon()
        XCTAssertEqual(before.stopReason, .abandoned)
        let after = JobTicket(timeout: nil)
        control.attach(after)
        XCTAssertEqual(after.stopReason, .abandoned)
        // The job made from a cancelled ticket starts stopped.
        XCTAssertEqual(after.start(threads: 2).stopReason, .abandoned)
    }

    func testClientPresenceRunsObserversOnce() {
        let presence = ClientPresence()
        let count = ConditionLock()
        nonisolated(unsafe) var calls = 0
        let token = presence.onGone { count.withLock { calls += 1 } }
        let removed = presence.onGone { count.withLock { calls += 100 } }
        presence.removeObserver(removed)
        XCTAssertNotNil(token)
        presence.markGone()
        presence.markGone()
        XCTAssertTrue(presence.isGone)
        XCTAssertNil(presence.onGone { count.withLock { calls += 10 } })   // runs at once
        XCTAssertEqual(count.withLock { calls }, 11)
    }

    /// The gathered write sends the parts in order as one stream, across partial writes (a body larger than the
    /// socket buffer), without joining them first.
    func testGatheredWriteSendsPartsInOrder() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        SocketIO.setNonBlocking(fds[0])
        var body = [UInt8](repeating: 0, count: 3 << 20)
        for i in body.indices { body[i] = UInt8(truncatingIfNeeded: i &* 31) }
        let parts: [[UInt8]] = [Array("HTTP/1.1 200 OK\r\n".utf8), [], Array("Connection: close\r\n\r\n".utf8), body]
        let reader = Async { () -> [UInt8] in
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { recv(fds[1], $0.baseAddress, $0.count, 0) }
                if n <= 0 { return received }
                received += chunk[0..<n]
            }
        }
        try SocketIO.writeAll(fds[0], parts: parts, deadline: monotonicSeconds() + 10)
        shutdown(fds[0], Int32(SHUT_WR))
        XCTAssertEqual(reader.value, parts.flatMap { $0 })
    }

    /// A cached response keeps its serialized head; changing a header drops it.
    func testSerializedHeadIsKeptUntilTheHeadersChange() {
        var response = HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "image/webp")]), body: [1, 2, 3])
        XCTAssertNil(response.head)
        response.serializeHead()
        XCTAssertEqual(response.head.map { String(decoding: $0, as: UTF8.self) },
                       "HTTP/1.1 200 OK\r\nContent-Type: image/webp\r\nContent-Length: 3\r\n")
        let cache = ResultCache(budgetBytes: 1 << 20)
        cache.put("k", response)
        XCTAssertEqual(cache.get("k")?.head, response.head)
        response.headers.set("ETag", "\"x\"")
        XCTAssertNil(response.head)
        XCTAssertTrue(String(decoding: response.headForSending, as: UTF8.self).contains("ETag: \"x\"\r\n"))
    }
}
