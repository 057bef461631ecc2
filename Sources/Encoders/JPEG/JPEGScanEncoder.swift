/// Where the scan encoder sends Huffman symbols: a counter (first pass, for optimized tables) or the bit writer.
protocol JPEGSymbolSink {
    /// One Huffman-coded `symbol` of table `table` followed by `extraCount` raw bits of `extra`.
    mutating func emit(table: Int, symbol: Int, extra: UInt32, extraCount: Int)
}

/// Counts symbols per table (table t's symbol s at t * 256 + s).
struct JPEGSymbolCounter: JPEGSymbolSink {
    private(set) var counts: [Int]
    init(tables: Int) { counts = [Int](repeating: 0, count: tables * 256) }
    func frequencies(table: Int) -> [Int] { Array(counts[(table * 256)..<((table + 1) * 256)]) }
    @inline(__always)
    mutating func emit(table: Int, symbol: Int, extra: UInt32, extraCount: Int) { counts[table &* 256 &+ symbol] &+= 1 }
}

/// Writes symbols with their tables' codes into an entropy-coded segment (with 0xFF stuffing).
struct JPEGSymbolWriter: JPEGSymbolSink {
    var writer = MSBBitWriter(stuffsZeroAfterFF: true)
    /// Code and length of table t's symbol s at t * 256 + s; the extra bits are appended below the code.
    private let codes: [UInt32]
    private let lengths: [Int]
    init(tables: [JPEGHuffmanTable], capacity: Int) {
        codes = tables.flatMap(\.codes)
        lengths = tables.flatMap { $0.lengths.map(Int.init) }
        writer = MSBBitWriter(stuffsZeroAfterFF: true, reservingCapacity: capacity)
    }
    @inline(__always)
    mutating func emit(table: Int, symbol: Int, extra: UInt32, extraCount: Int) {
        let i = table &* 256 &+ symbol
        // Code (≤ 16 bits) and extra bits (≤ 15) fit one 32-bit write.
        writer.write(codes[i] << UInt32(extraCount) | extra, count: lengths[i] + extraCount)
    }
}

/// Turns quantized coefficients into the symbol stream of sequential (T.81 §F.1.2) and progressive first-pass
/// (T.81 §G.1.2.1, §G.1.2.2) scans.
enum JPEGScanEncoder {
    /// Magnitude category SSSS of a value and its extra bits (T.81 §F.1.2.1.1: negative values as value − 1).
    @inline(__always)
    static func category(_ value: Int) -> (size: Int, bits: UInt32) {
        let magnitude = value < 0 ? -value : value
        let size = magnitude == 0 ? 0 : Int.bitWidth - magnitude.leadingZeroBitCount
        let bits = value < 0 ? UInt32(truncatingIfNeeded: value - 1) & ((1 << UInt32(size)) - 1) : UInt32(value)
        return (size, bits)
    }

    /// AC symbols for zig-zag positions start...end. With `eobRun`, blocks that end in zeros are counted into an
    /// end-of-band run instead of each sending EOB (progressive, T.81 §G.1.2.2).
    @inline(__always)
    static func encodeACRange<S: JPEGSymbolSink>(_ coefficients: UnsafePointer<Int16>, natural: UnsafePointer<Int>,
                                                 start: Int, end: Int, table: Int, eobRun: inout Int, into sink: inout S) {
        var run = 0
        for k in start...end {
            let v = Int(coefficients[natural[k]])
            if v == 0 { run += 1; continue }
            if eobRun > 0 { flushEOBRun(&eobRun, table: table, into: &sink) }
            while run > 15 {
                sink.emit(table: table, symbol: 0xF0, extra: 0, extraCount: 0)
                run -= 16
            }
            let c = category(v)
            sink.emit(table: table, symbol: run << 4 | c.size, extra: c.bits, extraCount: c.size)
            run = 0
        }
        if run > 0 {
            eobRun += 1
            if eobRun == 0x7FFF { flushEOBRun(&eobRun, table: table, into: &sink) }
        }
    }

    /// EOBn symbol for a run of blocks: n = ⌊log2 run⌋, then n bits of run − 2^n (T.81 §G.1.2.2, Table G.1).
    static func flushEOBRun<S: JPEGSymbolSink>(_ eobRun: inout Int, table: Int, into sink: inout S) {
        let run = eobRun
        guard run > 0 else { return }
        let n = Int.bitWidth - 1 - run.leadingZeroBitCount
        sink.emit(table: table, symbol: n << 4, extra: UInt32(run - (1 << n)), extraCount: n)
        eobRun = 0
    }
}
