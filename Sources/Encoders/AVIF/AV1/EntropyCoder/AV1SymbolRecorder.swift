/// Records a tile's symbols during the coding pass, with the CDF values each one was coded with, so that the tile
/// can be written later by `replay`, once the frame-level in-loop filter search has chosen the CDEF index of every
/// 64x64 unit. cdef_idx is a literal (read_cdef, AV1 spec §5.11.56) and literals neither use nor adapt CDFs, so
/// replaying the recorded intervals with the chosen literal values in place gives exactly the bytes a direct
/// encoding would have produced.
struct AV1SymbolRecorder: AV1SymbolSink {
    /// One event per coded binary or multi-symbol decision: lowerCdf | upperCdf << 16 | s << 32 | n << 40;
    /// CDEF placeholders have bit 63 set and the unit's superblock row/column in bits 0...47.
    private(set) var events: [UInt64] = []
    private var lastCdefUnit = -1
    private static let cdefFlag: UInt64 = 1 << 63

    init(capacity: Int = 0) { events.reserveCapacity(capacity) }

    @inline(__always)
    private mutating func record(_ s: Int, _ n: Int, _ lower: UInt32, _ upper: UInt32) {
        events.append(UInt64(lower) | UInt64(upper) << 16 | UInt64(s) << 32 | UInt64(n) << 40)
    }

    mutating func symbol(_ s: Int, _ cdf: UnsafeMutablePointer<UInt16>, _ n: Int) {
        record(s, n, s > 0 ? UInt32(cdf[s - 1]) : 0, UInt32(cdf[s]))
        AV1CDF.adapt(cdf, s, n)
    }

    mutating func literal(_ value: Int, _ count: Int) {
        var i = count - 1
        while i >= 0 {
            let b = (value >> i) & 1
            record(b, 2, b == 1 ? 16384 : 0, b == 1 ? 32768 : 16384)
            i -= 1
        }
    }

    /// read_cdef: the index is coded at the first non-skip block of each 64x64 unit (superblocks are 64x64, so
    /// the blocks of one unit are coded consecutively).
    mutating func cdefIndex(miRow: Int, miCol: Int) {
        let unit = (miRow >> 4) << 24 | (miCol >> 4)
        if unit == lastCdefUnit { return }
        lastCdefUnit = unit
        events.append(AV1SymbolRecorder.cdefFlag | UInt64(unit))
    }

    /// Writes the recorded symbols; `cdefIndex(sbRow, sbCol)` gives the literal of each placeholder, `cdefBits`
    /// its width (no bits when 0).
    func replay(cdefBits: Int, cdefIndex: (Int, Int) -> Int) -> [UInt8] {
        var w = AV1SymbolWriter(capacity: events.count / 4)
        for e in events {
            if e & AV1SymbolRecorder.cdefFlag != 0 {
                if cdefBits > 0 { w.literal(cdefIndex(Int(e >> 24) & 0xFFFFFF, Int(e & 0xFFFFFF)), cdefBits) }
            } else {
                w.encodeRecorded(Int((e >> 32) & 0xFF), Int((e >> 40) & 0xFF),
                                 lowerCdf: UInt32(e & 0xFFFF), upperCdf: UInt32((e >> 16) & 0xFFFF))
            }
        }
        return w.finish()
    }
}
