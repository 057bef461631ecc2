import Glibc

/// Progress of macroblock rows coded in parallel (a wavefront): a macroblock may start once the row above has
/// finished the macroblock above-right of it, since intra prediction and the token contexts reach that far.
/// Rows are handed out in order (`Job.parallelFor` claims items in increasing order), so a row only ever waits
/// for rows that are already running, and the result does not depend on how many threads run them.
final class VP8Wavefront: @unchecked Sendable {
    private var done: [Int]
    private var aborted = false
    private var waiters = 0
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    let columns: Int

    /// A waiting row sleeps until the row above is this many macroblocks further than it needs, so that it then
    /// runs for a while without waking up again.
    static let slack = 4

    init(rows: Int, columns: Int) {
        done = [Int](repeating: 0, count: rows)
        self.columns = columns
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex); pthread_cond_destroy(condition)
        mutex.deallocate(); condition.deallocate()
    }

    /// Records that `row` has finished `count` macroblocks.
    func publish(row: Int, count: Int) {
        pthread_mutex_lock(mutex)
        done[row] = count
        if waiters > 0 { pthread_cond_broadcast(condition) }
        pthread_mutex_unlock(mutex)
    }

    /// Waits until row `row − 1` has finished `count` macroblocks (capped at the row length); false when the
    /// frame was abandoned (another row stopped).
    func waitForRowAbove(row: Int, count: Int) -> Bool {
        guard row > 0 else { return true }
        let needed = min(count, columns)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if done[row - 1] >= needed || aborted { return !aborted }
        let target = min(needed + VP8Wavefront.slack, columns)
        waiters += 1
        while done[row - 1] < target && !aborted { pthread_cond_wait(condition, mutex) }
        waiters -= 1
        return !aborted
    }

    /// Waits until every row before `row` is complete.
    func waitForRowsBefore(_ row: Int) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        waiters += 1
        while !aborted && (0..<row).contains(where: { done[$0] < columns }) { pthread_cond_wait(condition, mutex) }
        waiters -= 1
        return !aborted
    }

    /// Wakes every waiting row and makes it give up.
    func abort() {
        pthread_mutex_lock(mutex)
        aborted = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
