import XCTest
@testable import Server

final class ServerCacheTests: XCTestCase {
    func response(_ size: Int) -> HTTPResponse { HTTPResponse(status: 200, body: [UInt8](repeating: 1, count: size)) }

    func testEvictsLeastRecentlyUsedWithinTheByteBudget() {
        let cache = ResultCache(budgetBytes: 3 * (1000 + 130))
        cache.put("a", response(1000))
        cache.put("b", response(1000))
        cache.put("c", response(1000))
        XCTAssertEqual(cache.count, 3)
        XCTAssertNotNil(cache.get("a"))          // a is now most recent
        cache.put("d", response(1000))           // evicts b
        XCTAssertNil(cache.get("b"))
        XCTAssertEqual(Set(cache.keysByRecency), ["a", "c", "d"])
        XCTAssertEqual(cache.keysByRecency.first, "d")
        XCTAssertLessThanOrEqual(cache.byteCount, cache.budgetBytes)
        cache.put("big", response(2000))         // needs room for 2 more entries
        XCTAssertEqual(cache.keysByRecency, ["big", "d"])
        XCTAssertLessThanOrEqual(cache.byteCount, cache.budgetBytes)
    }

    func testReplacingAKeyKeepsAccountingExact() {
        let cache = ResultCache(budgetBytes: 100_000)
        cache.put("k", response(500))
        let once = cache.byteCount
        cache.put("k", response(500))
        XCTAssertEqual(cache.byteCount, once)
        XCTAssertEqual(cache.count, 1)
    }

    func testEntryLargerThanTheBudgetIsNotStored() {
        let cache = ResultCache(budgetBytes: 1000)
        cache.put("x", response(5000))
        XCTAssertNil(cache.get("x"))
        XCTAssertEqual(cache.byteCount, 0)
        let off = ResultCache(budgetBytes: 0)
        off.put("y", response(1))
        XCTAssertNil(off.get("y"))
    }

    func testExpiredEntriesAreDropped() {
        let cache = ResultCache(budgetBytes: 100_000, timeToLive: 10)
        cache.put("k", response(10), now: 100)
        XCTAssertNotNil(cache.get("k", now: 105))
        XCTAssertNil(cache.get("k", now: 111))
        XCTAssertEqual(cache.count, 0)
    }

    func testManyOperationsStayConsistent() {
        let cache = ResultCache(budgetBytes: 20 * 200)
        for i in 0..<2000 {
            cache.put("k\(i % 37)", response(i % 50))
            _ = cache.get("k\((i * 7) % 37)")
        }
        XCTAssertEqual(cache.keysByRecency.count, cache.count)
        XCTAssertLessThanOrEqual(cache.byteCount, cache.budgetBytes)
    }

    func testBoundedMemoComputesOnceAndForgetsAtCapacity() {
        let memo = BoundedMemo<Int>(capacity: 3)
        var calls = 0
        XCTAssertEqual(memo.value("a") { calls += 1; return 1 }, 1)
        XCTAssertEqual(memo.value("a") { calls += 1; return 99 }, 1)
        XCTAssertEqual(calls, 1)
        _ = memo.value("b") { 2 }
        _ = memo.value("c") { 3 }
        XCTAssertEqual(memo.count, 3)
        _ = memo.value("d") { 4 }          // full: forgets everything, keeps the new one
        XCTAssertEqual(memo.count, 1)
        XCTAssertEqual(memo.value("a") { 5 }, 5)
    }

    func testCachedEntryKeepsItsOutcome() {
        let cache = ResultCache(budgetBytes: 1 << 20)
        cache.put("k", response(10), outcome: "skipped", skipReason: "compression: rate limit is exceeded")
        XCTAssertEqual(cache.lookup("k")?.outcome, "skipped")
        XCTAssertEqual(cache.lookup("k")?.skipReason, "compression: rate limit is exceeded")
    }
}
