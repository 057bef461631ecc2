import Glibc
import Raster
import Synchronization

/// Two-thread wavefront over macroblock rows: worker k codes rows k, k+2, ...; a macroblock may start once the
/// row above has finished the macroblock above-right of it (intra prediction and contexts reach that far).
final class VP8Wavefront: @unchecked Sendable {
    /// Per worker: row · (mbWidth + 1) + macroblocks finished in that row.
    private let progress0 = Atomic<Int>(-1)
    private let progress1 = Atomic<Int>(-1)
    let mbWidth: Int

    init(mbWidth: Int) { self.mbWidth = mbWidth }

    private func progress(_ worker: Int) -> Int {
        worker == 0 ? progress0.load(ordering: .acquiring) : progress1.load(ordering: .acquiring)
    }

    func publish(worker: Int, row: Int, done: Int) {
        let v = row * (mbWidth + 1) + done
        if worker == 0 { progress0.store(v, ordering: .releasing) } else { progress1.store(v, ordering: .releasing) }
    }

    /// Blocks until row `row − 1` (owned by the other worker) has finished `columns` macroblocks.
    func waitForRowAbove(row: Int, columns: Int, workers: Int) {
        guard row > 0, workers > 1 else { return }
        let other = (row - 1) % workers
        let needed = (row - 1) * (mbWidth + 1) + min(columns, mbWidth)
        var spins = 0
        while progress(other) < needed {
            spins += 1
            if spins > 64 { sched_yield() }
        }
    }

    /// Runs `body(worker, workers)` on two threads when the job may use two and a second thread can be started,
    /// else once on this one. The second thread works for the same job.
    static func run(_ body: @escaping (Int, Int) -> Void) {
        let job = Job.current
        guard job.threads >= 2 else { body(0, 1); return }
        final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
        let box = Unmanaged.passRetained(Box { Job.run(job) { body(1, 2) } }).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { arg in
            guard let arg else { return nil }
            Unmanaged<Box>.fromOpaque(arg).takeRetainedValue().body()
            return nil
        }, box)
        if status != 0 {
            Unmanaged<Box>.fromOpaque(box).release()
            body(0, 1)
            return
        }
        body(0, 2)
        pthread_join(thread, nil)
    }
}
