import Raster
#if canImport(Glibc)
import Glibc
#endif

/// Step 4 of T.81 decoding: entropy decoding of scans into quantized DCT coefficients, sequential (F.2.2) and
/// progressive (G.1.2: DC first/refine, AC first/refine with end-of-band runs). Coefficients are stored per
/// component in natural order, 64 per block, for the whole (MCU-padded) component.

/// A component's geometry and coefficient storage: either every block of the image (progressive and multi-scan
/// files) or a ring of a few MCU rows (single-scan sequential files, rendered while they are decoded).
final class JPEGComponentPlane {
    let id: Int
    let h: Int, v: Int
    let quantSlot: Int
    /// Blocks that carry image data (T.81 A.2.4): ceil(ceil(X * h / Hmax) / 8).
    let widthInBlocks: Int, heightInBlocks: Int
    /// Blocks including the padding needed to complete the last MCU of an interleaved scan.
    let paddedWidthInBlocks: Int, paddedHeightInBlocks: Int
    /// Block rows held in `coefficients`: all of them, or `ring MCU rows × v`.
    let storedBlockRows: Int
    let isRing: Bool
    let coefficients: UnsafeMutablePointer<Int16>
    let byteCount: Int
    /// The quantization table in natural order, latched when the component's first scan starts (as libjpeg does),
    /// as libjpeg-turbo's 16-bit IDCT multipliers (values above 32767 wrap).
    var quant: [Int16]?

    init(_ c: JPEGFrameComponent, frame: JPEGFrame, mcusX: Int, mcusY: Int, ringMCURows: Int?) throws {
        id = c.id; h = c.h; v = c.v; quantSlot = c.quantTable
        let compWidth = (frame.width * c.h + frame.maxH - 1) / frame.maxH
        let compHeight = (frame.height * c.v + frame.maxV - 1) / frame.maxV
        widthInBlocks = (compWidth + 7) / 8
        heightInBlocks = (compHeight + 7) / 8
        paddedWidthInBlocks = max(mcusX * c.h, widthInBlocks)
        paddedHeightInBlocks = max(mcusY * c.v, heightInBlocks)
        isRing = ringMCURows != nil
        storedBlockRows = ringMCURows.map { $0 * c.v } ?? paddedHeightInBlocks
        let count = paddedWidthInBlocks * storedBlockRows * 64
        // calloc: large zeroed allocations come straight from fresh (already zero) pages.
        guard let raw = calloc(count, MemoryLayout<Int16>.stride) else {
            throw jpegError(.limit, nil, "cannot allocate \(count) DCT coefficients")
        }
        coefficients = raw.bindMemory(to: Int16.self, capacity: count)
        byteCount = count * MemoryLayout<Int16>.stride
        // Whole-image planes are large and written all over by the first scan. With a second thread populating
        // them meanwhile (JPEGPrefault) 2 MiB pages are cheaper; faulted in by the decoding thread itself, 4 KiB
        // pages were (volna 5120x2880 progressive, paired runs on the shared machine: 1 thread 286 ms with 4 KiB
        // pages vs 337 ms with 2 MiB; 2 threads 270 vs 239 ms).
        if !isRing && JPEGParallel.workers > 1 { HugePages.advise(raw, byteCount) }
    }

    @inline(__always)
    func block(_ bx: Int, _ by: Int) -> UnsafeMutablePointer<Int16> {
        coefficients + ((by % storedBlockRows) &* paddedWidthInBlocks &+ bx) &* 64
    }

    /// The storage as a plain value for the decoding loops.
    var store: JPEGBlockStore {
        JPEGBlockStore(coefficients: coefficients, paddedWidthInBlocks: paddedWidthInBlocks, storedBlockRows: storedBlockRows,
                       h: h, v: v, isRing: isRing)
    }

    deinit { free(coefficients) }
}

/// Unowned view of a component's coefficient storage; valid while its `JPEGComponentPlane` is alive.
struct JPEGBlockStore {
    let coefficients: UnsafeMutablePointer<Int16>
    let paddedWidthInBlocks: Int
    let storedBlockRows: Int
    let h: Int, v: Int
    let isRing: Bool

    @inline(__always)
    func block(_ bx: Int, _ by: Int) -> UnsafeMutablePointer<Int16> {
        coefficients + ((by % storedBlockRows) &* paddedWidthInBlocks &+ bx) &* 64
    }

}

/// Decodes one scan's entropy-coded data starting at `position`; returns the position after the data (at the next
/// marker).
struct JPEGScanDecoder {
    let scan: JPEGScan
    let planes: [JPEGComponentPlane]
    let progressive: Bool
    let mcusX: Int, mcusY: Int
    let restartInterval: Int
    let dcTables: [JPEGHuffmanTable?]
    let acTables: [JPEGHuffmanTable?]
    /// Natural order with the 16 guard entries, as a pointer for the inner loops.
    let natural: UnsafePointer<Int>

    /// `rowWillStart` is called before each MCU row (to wait until its ring slot is free) and `rowDone` after it
    /// (the renderer of single-scan files draws it there).
    func run(base: UnsafePointer<UInt8>, end: Int, position: Int, rowWillStart: (Int) -> Void = { _ in },
             rowDone: (Int) throws -> Void = { _ in }) throws -> Int {
        var reader = JPEGBitReader(base: base, end: end, position: position)
        let n = scan.components.count
        // Tables stay alive through `dcTables` / `acTables`; the loops use their pointers.
        var dcT: [JPEGHuffmanLookup] = []
        var acT: [JPEGHuffmanLookup] = []
        let needDC = !progressive || (scan.ss == 0 && scan.ah == 0)
        let needAC = !progressive || scan.ss > 0
        for c in scan.components {
            guard !needDC || dcTables[c.dcTable] != nil else {
                throw jpegError(.malformed, position, "scan uses undefined DC Huffman table \(c.dcTable)")
            }
            guard !needAC || acTables[c.acTable] != nil else {
                throw jpegError(.malformed, position, "scan uses undefined AC Huffman table \(c.acTable)")
            }
            // The empty table stands in for a table this kind of scan never reads.
            dcT.append((dcTables[c.dcTable] ?? JPEGHuffmanTable.empty).lookup)
            acT.append((acTables[c.acTable] ?? JPEGHuffmanTable.empty).lookup)
        }
        var pred = [Int](repeating: 0, count: n)
        var eobrun = 0
        let single = n == 1
        let unitsX = single ? planes[scan.components[0].componentIndex].widthInBlocks : mcusX
        let unitsY = single ? planes[scan.components[0].componentIndex].heightInBlocks : mcusY
        let comps = scan.components.map { planes[$0.componentIndex].store }
        var untilRestart = restartInterval
        let total = unitsX * unitsY
        var done = 0
        // First block of the current MCU row per component; the MCU row's block rows follow it contiguously (also in
        // a ring), so blocks are found without a division per block.
        var rowStarts = [UnsafeMutablePointer<Int16>](repeating: comps[0].coefficients, count: n)
        for my in 0..<unitsY {
            try Job.checkpoint()
            rowWillStart(my)
            for i in 0..<n { rowStarts[i] = comps[i].block(0, single ? my : my &* comps[i].v) }
            for mx in 0..<unitsX {
                if restartInterval > 0 {
                    if untilRestart == 0 {
                        try reader.restart()
                        for i in 0..<n { pred[i] = 0 }
                        eobrun = 0
                        untilRestart = restartInterval
                    }
                    untilRestart -= 1
                }
                if single {
                    try decodeBlock(rowStarts[0] + mx &* 64, dc: dcT[0], ac: acT[0], pred: &pred[0], eobrun: &eobrun,
                                    reader: &reader)
                } else {
                    for i in 0..<n {
                        let p = comps[i]
                        var rowStart = rowStarts[i] + mx &* p.h &* 64
                        for _ in 0..<p.v {
                            for xx in 0..<p.h {
                                try decodeBlock(rowStart + xx &* 64, dc: dcT[i], ac: acT[i],
                                                pred: &pred[i], eobrun: &eobrun, reader: &reader)
                            }
                            rowStart += p.paddedWidthInBlocks &* 64
                        }
                    }
                }
                done += 1
            }
            // Stop early on data that has run out rather than decoding a whole image of zero bits.
            if reader.overran && done < total { throw reader.overrunError() }
            try rowDone(my)
        }
        if reader.overran { throw reader.overrunError() }
        return reader.position
    }

    @inline(__always)
    func decodeBlock(_ block: UnsafeMutablePointer<Int16>, dc: JPEGHuffmanLookup, ac: JPEGHuffmanLookup,
                     pred: inout Int, eobrun: inout Int, reader: inout JPEGBitReader) throws {
        if !progressive {
            try decodeSequential(block, dc: dc, ac: ac, pred: &pred, reader: &reader)
        } else if scan.ss == 0 {
            if scan.ah == 0 {
                if reader.count < 32 { reader.refill() }
                let s = try reader.decode(dc)
                guard s <= 15 else { throw jpegError(.malformed, reader.position, "DC difference category \(s) is invalid") }
                pred = pred &+ reader.receiveExtend(s)
                block[0] = Int16(truncatingIfNeeded: pred &<< scan.al)
            } else {
                if reader.count < 8 { reader.refill() }
                if reader.bits(1) != 0 { block[0] |= Int16(truncatingIfNeeded: 1 << scan.al) }
            }
        } else if scan.ah == 0 {
            try decodeACFirst(block, ac: ac, eobrun: &eobrun, reader: &reader)
        } else {
            try decodeACRefine(block, ac: ac, eobrun: &eobrun, reader: &reader)
        }
    }

    /// F.2.2.1 (DC) and F.2.2.2 (AC) for one block.
    @inline(__always)
    func decodeSequential(_ block: UnsafeMutablePointer<Int16>, dc: JPEGHuffmanLookup, ac: JPEGHuffmanLookup,
                          pred: inout Int, reader readerState: inout JPEGBitReader) throws {
        // A local copy keeps the bit buffer in registers through the block (the inout one lives in memory).
        var reader = readerState
        defer { readerState = reader }
        let natural = self.natural
        if reader.count < 32 { reader.refill() }
        let s = try reader.decode(dc)
        guard s <= 15 else { throw jpegError(.malformed, reader.position, "DC difference category \(s) is invalid") }
        pred = pred &+ reader.receiveExtend(s)
        block[0] = Int16(truncatingIfNeeded: pred)
        var k = 1
        let fast = ac.acFast
        while k < 64 {
            if reader.count < 32 { reader.refill() }
            let f = fast[reader.peek(JPEGHuffmanTable.lookaheadBits)]
            if f != 0 {
                reader.skip(Int(f & 0xFF))
                k &+= Int((f >> 8) & 0xFF)
                block[natural[k]] = Int16(truncatingIfNeeded: f >> 16)
                k &+= 1
                continue
            }
            let rs = try reader.decode(ac)
            let r = rs >> 4, size = rs & 15
            if size != 0 {
                k &+= r
                block[natural[k]] = Int16(truncatingIfNeeded: reader.receiveExtend(size))
            } else {
                if r != 15 { break }
                k &+= 15
            }
            k &+= 1
        }
    }

    /// G.1.2.2: first scan of a spectral band, with end-of-band runs.
    func decodeACFirst(_ block: UnsafeMutablePointer<Int16>, ac: JPEGHuffmanLookup, eobrun: inout Int,
                       reader readerState: inout JPEGBitReader) throws {
        if eobrun > 0 { eobrun -= 1; return }
        var reader = readerState
        defer { readerState = reader }
        let natural = self.natural
        var k = scan.ss
        let se = scan.se, al = scan.al
        while k <= se {
            if reader.count < 32 { reader.refill() }
            let rs = try reader.decode(ac)
            let r = rs >> 4, size = rs & 15
            if size != 0 {
                k &+= r
                block[natural[k]] = Int16(truncatingIfNeeded: reader.receiveExtend(size) &<< al)
            } else {
                if r != 15 {
                    eobrun = 1 << r
                    if r != 0 { eobrun &+= reader.bits(r) }
                    eobrun -= 1
                    break
                }
                k &+= 15
            }
            k &+= 1
        }
    }

    /// G.1.2.3: refinement scan of a spectral band (one more bit of every coefficient).
    func decodeACRefine(_ block: UnsafeMutablePointer<Int16>, ac: JPEGHuffmanLookup, eobrun: inout Int,
                        reader readerState: inout JPEGBitReader) throws {
        // A local copy keeps the bit buffer in registers through the block (the inout one lives in memory).
        var reader = readerState
        defer { readerState = reader }
        let natural = self.natural
        let p1 = Int16(truncatingIfNeeded: 1 << scan.al)
        let m1 = Int16(truncatingIfNeeded: -1 << scan.al)
        let se = scan.se
        var k = scan.ss

        /// The correction bit of a coefficient already non-zero (G.1.2.3: it moves away from zero).
        @inline(__always) func refine(_ z: Int, _ c: Int16, _ reader: inout JPEGBitReader) {
            if reader.count < 8 { reader.refill() }
            if reader.bits(1) != 0 && c & p1 == 0 {
                block[z] = c >= 0 ? c &+ p1 : c &+ m1
            }
        }

        if eobrun == 0 {
            while k <= se {
                // 32 bits cover the code (≤ 16) and its one sign bit or its end-of-band run bits (≤ 14).
                if reader.count < 32 { reader.refill() }
                let rs = try reader.decode(ac)
                var r = rs >> 4
                let size = rs & 15
                var value: Int16 = 0
                if size != 0 {
                    // Size must be 1 in a refinement scan; libjpeg tolerates other values the same way.
                    value = reader.bits(1) != 0 ? p1 : m1
                } else if r != 15 {
                    eobrun = 1 << r
                    if r != 0 { eobrun &+= reader.bits(r) }
                    break
                }
                while k <= se {
                    let z = natural[k]
                    let c = block[z]
                    if c != 0 {
                        refine(z, c, &reader)
                    } else {
                        if r == 0 { break }
                        r &-= 1
                    }
                    k &+= 1
                }
                if value != 0 { block[natural[k]] = value }
                k &+= 1
            }
        }
        if eobrun > 0 {
            while k <= se {
                let z = natural[k]
                let c = block[z]
                if c != 0 { refine(z, c, &reader) }
                k &+= 1
            }
            eobrun -= 1
        }
    }
}

extension JPEGScanDecoder {
    /// `jpegNaturalOrder` kept in memory for the lifetime of the program, for pointer access in the inner loops.
    nonisolated(unsafe) static let naturalOrder: UnsafePointer<Int> = {
        let p = UnsafeMutablePointer<Int>.allocate(capacity: jpegNaturalOrder.count)
        p.initialize(from: jpegNaturalOrder, count: jpegNaturalOrder.count)
        return UnsafePointer(p)
    }()
}
