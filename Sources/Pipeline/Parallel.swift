import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Splitting row loops over the machine's cores with `DispatchQueue.concurrentPerform`.
enum Parallel {
    static let coreCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Calls `body` with disjoint ranges covering 0..<count, in parallel when there is enough work.
    static func forEachChunk(_ count: Int, minimumChunk: Int = 16, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(coreCount * 4, max(1, count / minimumChunk))
        if chunks == 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = count * c / chunks, hi = count * (c + 1) / chunks
            if lo < hi { body(lo..<hi) }
        }
    }
}
