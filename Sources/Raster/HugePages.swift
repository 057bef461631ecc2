#if canImport(Glibc)
import Glibc
#endif

/// Fresh large buffers (a decoder's output and coefficient planes) are faulted in page by page when first
/// written: a 44 MB buffer is 10 800 faults of 4 KiB. Asking the kernel to back it with 2 MiB pages makes that about
/// twenty. Purely a hint; failure changes nothing.
public enum HugePages {
    /// Advises the 2 MiB-aligned interior of a not yet touched buffer (only worth it from 8 MiB up).
    public static func advise(_ base: UnsafeMutableRawPointer, _ count: Int) {
        #if canImport(Glibc)
        let huge = 2 << 20
        guard count >= 4 * huge else { return }
        let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
        let end = (Int(bitPattern: base) + count) & ~(huge - 1)
        if end > start, let p = UnsafeMutableRawPointer(bitPattern: start) {
            _ = madvise(p, end - start, MADV_HUGEPAGE)
        }
        #endif
    }
}
