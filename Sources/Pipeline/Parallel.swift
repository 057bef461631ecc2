import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Running independent work items over the machine's cores with `DispatchQueue.concurrentPerform`.
enum Parallel {
    static let coreCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Calls `body(i)` for every i in 0..<count, in parallel when there is more than one item.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if count == 1 || coreCount == 1 { for i in 0..<count { body(i) }; return }
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}
