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
            let (value, shared) = coalescer.run("same") {
                runs.withLock { runCount += 1 }
                usleep(200_000)
                return 42
            }
            runs.withLock { results[i] = value; if shared { sharedCount += 1 } }
        }
        XCTAssertEqual(results, [Int](repeating: 42, count: 16))
        // concurrentPerform may run the iterations in waves on few cores; each wave is coalesced.
        XCTAssertLessThan(runCount, 16)
        XCTAssertEqual(sharedCount, 16 - runCount)
        XCTAssertEqual(coalescer.inFlight, 0)
    }

    func testDifferentKeysDoNotWait() {
        let coalescer = Coalescer<String>()
        XCTAssertEqual(coalescer.run("a") { "A" }.value, "A")
        XCTAssertEqual(coalescer.run("b") { "B" }.value, "B")
    }

    func testWorkerPoolRefusesWhenTheQueueIsFull() {
        let pool = WorkerPool(workers: 1, queueCapacity: 1)
        let gate = ConditionLock()
        nonisolated(unsafe) var open = false
        let block = { gate.withLock { while !open { gate.wait() } } }
        XCTAssertTrue(pool.trySubmit(block))          // runs on the single worker
        usleep(50_000)
        XCTAssertTrue(pool.trySubmit(block))          // waits in the queue
        XCTAssertFalse(pool.trySubmit(block))         // queue full
        XCTAssertNil(pool.run { 1 })                  // run() reports the refusal instead of waiting
        XCTAssertEqual(pool.queueDepth, 1)
        gate.withLock { open = true; gate.broadcast() }
        var answer: Int?
        for _ in 0..<100 where answer == nil { answer = pool.run { 7 }; if answer == nil { usleep(10_000) } }
        XCTAssertEqual(answer, 7)
        pool.shutdown()
    }
}
