import Raster

/// The pipeline's parallel loops run under the calling thread's job and its thread budget (`Job`).
enum Parallel {
    /// Calls `body(i)` for every i in 0..<count on at most `Job.current.threads` threads.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        Job.parallelFor(count, body)
    }
}
