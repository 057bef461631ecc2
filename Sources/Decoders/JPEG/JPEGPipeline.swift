import Dispatch
import Raster
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Two threads on one single-scan sequential image: one decodes MCU rows (entropy decoding plus the first
/// component's IDCT), the other "finishes" them (the other components' IDCT, upsampling, colour conversion), a few
/// rows behind. Runs inside `Job.parallelFor(2)`, which may run both items on one thread one after the other, so no
/// item ever waits for the other to start: roles are work, not threads. Step k of the finishing work (k = 0 ...
/// rows) transforms row k and draws row k − 1 (step `rows` only draws the last row); any thread may take the next
/// step once row k is decoded and nobody else is finishing. The decoder finishes steps itself when its ring of
/// coefficient rows is full and nobody finishes them, and after its last row, so item 0 alone completes the image.
///
/// A thread with nothing to do first asks the kernel to populate the next 2 MiB of the output buffer
/// (MADV_POPULATE_WRITE faults pages in without writing to them, so it may run beside the drawing): the page
/// clearing that a fresh output buffer costs is then done in the decoding thread's idle time.
final class JPEGRowPipeline: @unchecked Sendable {
    let rows: Int
    /// Coefficient ring rows: the decoder may start row r once step r − slots + 1 is done.
    let slots: Int
    private let decodedRows = Atomic<Int>(0)
    private let finishedStepCount = Atomic<Int>(0)
    private let finishing = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    /// Wake-up hints only (every waiter re-checks the state after a bounded wait): `decoded` for a thread waiting
    /// for a decoded row, `finished` for the decoder waiting for a finished step.
    private let decoded = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let prefault: JPEGPrefault

    init(rows: Int, slots: Int, output: UnsafeMutablePointer<UInt8>, bytes: Int) {
        self.rows = rows; self.slots = slots
        prefault = JPEGPrefault(output, bytes)
    }

    /// Runs the two work items. `decodeAll` decodes every row and calls `rowDecoded(r)` after row r (which must
    /// run `decodedRow`); `finishStep(k)` is step k of the finishing work.
    func run(decodeAll: (_ beforeRow: (Int) -> Void, _ afterRow: (Int) -> Void) throws -> Int,
             finishStep: (Int) -> Void) throws -> Int {
        try withoutActuallyEscaping(finishStep) { finishStep in try run(decodeAll, finishStep) }
    }

    private func run(_ decodeAll: (_ beforeRow: (Int) -> Void, _ afterRow: (Int) -> Void) throws -> Int,
                     _ finishStep: @escaping (Int) -> Void) throws -> Int {
        var next = 0
        try Job.parallelFor(2) { item in
            if item == 0 {
                do {
                    next = try decodeAll({ row in self.waitForSlot(row, finishStep) },
                                         { row in
                                             self.decodedRows.store(row + 1, ordering: .releasing)
                                             self.decoded.signal()
                                         })
                } catch {
                    stopped.store(true, ordering: .releasing)
                    decoded.signal()
                    throw error
                }
                // Whatever is left is finished here (the other item may not be running at all).
                while finishedStepCount.load(ordering: .acquiring) <= rows {
                    if !tryFinish(finishStep) { idle(finished) }
                }
            } else {
                while !stopped.load(ordering: .acquiring) && finishedStepCount.load(ordering: .acquiring) <= rows {
                    if !tryFinish(finishStep) { idle(decoded) }
                }
            }
        }
        return next
    }

    /// Finishing steps done so far (a hint for balancing work; it only grows).
    var finishedSteps: Int { finishedStepCount.load(ordering: .relaxed) }

    /// Before decoding row `row`: its ring slot must be free (step row − slots transformed it).
    private func waitForSlot(_ row: Int, _ finishStep: (Int) -> Void) {
        while finishedStepCount.load(ordering: .acquiring) <= row - slots {
            if !tryFinish(finishStep) { idle(finished) }
        }
    }

    /// Takes and runs the next finishing step if it is ready and nobody else is finishing.
    private func tryFinish(_ finishStep: (Int) -> Void) -> Bool {
        let k = finishedStepCount.load(ordering: .acquiring)
        guard k <= rows, k < rows ? decodedRows.load(ordering: .acquiring) > k : decodedRows.load(ordering: .acquiring) == rows,
              finishing.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        // Re-read under the flag: another thread may have finished step k meanwhile.
        let step = finishedStepCount.load(ordering: .acquiring)
        let ready = step <= rows && (step < rows ? decodedRows.load(ordering: .acquiring) > step
                                                 : decodedRows.load(ordering: .acquiring) == rows)
        if ready {
            finishStep(step)
            finishedStepCount.store(step + 1, ordering: .releasing)
        }
        finishing.store(false, ordering: .releasing)
        // Either thread may be waiting for this step (the decoder for its slot, the other for the flag).
        finished.signal()
        decoded.signal()
        return ready
    }

    /// Nothing ready: populate output pages, or wait for progress (the timeout only bounds a missed hint).
    private func idle(_ hint: DispatchSemaphore) {
        if prefault.next() { return }
        _ = hint.wait(timeout: .now() + .milliseconds(1))
    }
}

/// Hands out memory about to be written for the first time (the output buffer, coefficient planes) in 2 MiB chunks
/// for a thread with nothing else to do to populate (MADV_POPULATE_WRITE: pages are faulted in writable, their
/// contents untouched, so this may run beside the code that fills them).
final class JPEGPrefault: @unchecked Sendable {
    static let chunk = 2 << 20
    /// MADV_POPULATE_WRITE from Linux's uapi asm-generic/mman-common.h (Linux 5.14+); not in every Glibc header.
    static let populateWrite: Int32 = 23
    /// Whole pages inside each buffer, in the order they are populated.
    private let ranges: [(start: Int, end: Int)]
    private let total: Int
    private let cursor = Atomic<Int>(0)
    private let failed = Atomic<Bool>(false)

    init(_ buffers: [(UnsafeMutableRawPointer, Int)]) {
        let page = 4096
        ranges = buffers.map { base, bytes in
            let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
            return (start, max(start, (Int(bitPattern: base) + bytes) & ~(page - 1)))
        }
        total = ranges.reduce(0) { $0 + $1.end - $1.start }
    }

    convenience init(_ output: UnsafeMutablePointer<UInt8>, _ bytes: Int) {
        self.init([(UnsafeMutableRawPointer(output), bytes)])
    }

    /// Populates the next chunk; false when there is none left (or the kernel does not support it).
    func next() -> Bool {
        #if canImport(Glibc)
        guard !failed.load(ordering: .relaxed) else { return false }
        var offset = cursor.wrappingAdd(JPEGPrefault.chunk, ordering: .relaxed).oldValue
        guard offset < total else { return false }
        for r in ranges {
            let size = r.end - r.start
            if offset >= size { offset -= size; continue }
            guard let p = UnsafeMutableRawPointer(bitPattern: r.start + offset) else { return false }
            if madvise(p, min(JPEGPrefault.chunk, size - offset), JPEGPrefault.populateWrite) != 0 {
                failed.store(true, ordering: .relaxed)
                return false
            }
            return true
        }
        return false
        #else
        return false
        #endif
    }

    /// Runs `work` on this thread while another (when the job has one) populates chunks until `work` returns or
    /// nothing is left. Without a second thread `work` simply runs.
    func overlapping(_ work: () throws -> Void) throws {
        let done = Atomic<Bool>(false)
        try Job.parallelFor(2) { item in
            if item == 0 {
                defer { done.store(true, ordering: .releasing) }
                try work()
            } else {
                while !done.load(ordering: .acquiring) && next() {}
            }
        }
    }
}
