import XCTest
import Dispatch
@testable import Server

final class ServerConcurrencyTests: XCTestCase {
    func testIdenticalConcurrentWorkRunsOnce() {
        let coalescer = Coalescer<Int>()
        let runs = ConditionLock()
        nonisolated(unsafe) var runCount = 0
        nonisolated(unsafe) var results = [Int](repeating: 0, count: 16)
        nonisolated(unsafe) var sharedCount = 0
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let result = coalescer.run("same") { _ in
                runs.withLock { runCount += 1 }
                usleep(200_000)
                return 42
            }
            runs.withLock { results[i] = result?.value ?? -1; if result?.shared == true { sharedCount += 1 } }
        }
        XCTAssertEqual(results, [Int](repeating: 42, count: 16))
        // concurrentPerform may run the iterations in waves on few cores; each wave is coalesced.
        XCTAssertLessThan(runCount, 16)
        XCTAssertEqual(sharedCount, 16 - runCount)
        XCTAssertEqual(coalescer.inFlight, 0)
    }

    func testDifferentKeysDoNotWait() {
        let coalescer = Coalescer<String>()
        XCTAssertEqual(coalescer.run("a") { _ in "A" }?.value, "A")
        XCTAssertEqual(coalescer.run("b") { _ in "B" }?.value, "B")
    }

    func testWorkerPoolRefusesWhenTheQueueIsFull() {
        let pool = WorkerPool(workers: 1, queueCapacity: 1)
        let gate = Gate()
        let first = Async { pool.run(JobTicket(timeout: nil)) { gate.pass(); return 1 } }      // runs on the worker
        gate.waitForArrivals(1)
        let second = Async { pool.run(JobTicket(timeout: nil)) { 2 } }                          // waits in the queue
        for _ in 0..<200 where pool.queueDepth < 1 { usleep(5_000) }
        XCTAssertEqual(pool.queueDepth, 1)
        guard case .refused = pool.run(JobTicket(timeout: nil), { 3 }) else { return XCTFail("queue full: refused") }
        gate.open()
        guard case .finished(1) = first.value, case .finished(2) = second.value else { return XCTFail("both ran") }
        guard case .finished(7) = pool.run(JobTicket(timeout: nil), { 7 }) else { return XCTFail("runs again") }
        pool.shutdown()
    }
}

/// A gate that jobs wait at until the test opens it; counts the jobs that reached it.
final class Gate: @unchecked Sendable {
    private let lock = ConditionLock()
    private var isOpen = false
    private var arrivals = 0
    func pass() { lock.withLock { arrivals += 1; lock.broadcast(); while !isOpen { lock.wait() } } }
    func waitForArrivals(_ n: Int) { lock.withLock { while arrivals < n { lock.wait() } } }
    func open() { lock.withLock { isOpen = true; lock.broadcast() } }
}

/// Runs `body` on its own thread; `value` waits for the result.
final class Async<T>: @unchecked Sendable {
    private let lock = ConditionLock()
    private var result: T?
    init(_ body: @escaping () -> T) {
        spawnThread { [self] in
            let value = body()
            lock.withLock { result = value; lock.broadcast() }
        }
    }
    var value: T { lock.withLock { while result == nil { lock.wait() }; return result! } }
    var isDone: Bool { lock.withLock { result != nil } }
}
