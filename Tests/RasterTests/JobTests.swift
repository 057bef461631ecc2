import XCTest
import Synchronization
@testable import Raster

final class JobTests: XCTestCase {
    func testCheckpointThrowsOnlyAfterCancel() throws {
        let job = Job(threads: 2)
        try Job.run(job) { try Job.checkpoint() }
        job.cancel(.abandoned)
        job.cancel(.deadlineExceeded)  // the first reason wins
        XCTAssertThrowsError(try Job.run(job) { try Job.checkpoint() }) { XCTAssertEqual($0 as? JobStop, .abandoned) }
        // Outside `run` the thread has no job: the unbounded one never stops.
        XCTAssertNoThrow(try Job.checkpoint())
    }

    func testDeadlineInThePastStops() {
        let job = Job(threads: 1, deadline: ContinuousClock.now - .milliseconds(1))
        XCTAssertEqual(job.stopReason, .deadlineExceeded)
        let later = Job(threads: 1, deadline: ContinuousClock.now + .seconds(60))
        XCTAssertNil(later.stopReason)
    }

    func testParallelForVisitsEveryItemOnceUnderTheSameJob() {
        for threads in [1, 2, 3] {
            let job = Job(threads: threads)
            let count = 1000
            let seen = Mutex([Int](repeating: 0, count: count))
            let wrongJob = Atomic<Int>(0)
            Job.run(job) {
                Job.parallelFor(count) { i in
                    if Job.current !== job { wrongJob.add(1, ordering: .relaxed) }
                    seen.withLock { $0[i] += 1 }
                }
            }
            XCTAssertEqual(seen.withLock { $0 }, [Int](repeating: 1, count: count), "threads \(threads)")
            XCTAssertEqual(wrongJob.load(ordering: .relaxed), 0)
        }
    }

    func testParallelForStopsTakingItemsAfterAThrowAndRethrows() {
        for threads in [1, 2, 4] {
            let job = Job(threads: threads)
            let ran = Atomic<Int>(0)
            XCTAssertThrowsError(try Job.run(job) {
                try Job.parallelFor(10_000) { i in
                    ran.add(1, ordering: .relaxed)
                    if i == 3 { job.cancel(.abandoned) }
                    try Job.checkpoint()
                }
            }) { XCTAssertEqual($0 as? JobStop, .abandoned, "threads \(threads)") }
            // Items already taken finish; no new ones start once one has thrown.
            XCTAssertLessThan(ran.load(ordering: .relaxed), 10_000, "threads \(threads)")
        }
    }

    func testThreadsNeverBelowOne() {
        XCTAssertEqual(Job(threads: 0).threads, 1)
        XCTAssertGreaterThanOrEqual(Job.machineCores, 1)
        XCTAssertEqual(Job.unbounded.threads, Job.machineCores)
    }
}
