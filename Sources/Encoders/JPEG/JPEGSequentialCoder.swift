/// Symbols of sequential scans (Ss = 0, Se = 63; T.81 §F.1.2) straight from the coefficient store: each block's
/// zig-zag non-zero mask is walked bit by bit, so zero coefficients cost nothing, and codes come from
/// table-indexed code and length arrays. The same walk counts symbols for the optimized tables (first pass) and
/// writes them (second pass).
enum JPEGSequentialCoder {
    /// Magnitude category SSSS of a value and its extra bits (T.81 §F.1.2.1.1: negative values as value − 1).
    @inline(__always)
    static func category(_ value: Int) -> (size: Int, bits: UInt64) {
        let sign = value >> (Int.bitWidth - 1)
        let magnitude = (value ^ sign) &- sign
        let size = Int.bitWidth &- magnitude.leadingZeroBitCount
        let bits = UInt64(truncatingIfNeeded: value &+ sign) & ((1 << UInt64(size)) &- 1)
        return (size, bits)
    }

    /// Calls `symbol(runSize, extraBits, extraCount)` for each AC symbol of one block in order: ZRL (0xF0) for
    /// each 16 zeros before a coefficient, the coefficient's run/size, and EOB (0x00) when the block ends in zeros.
    /// `values` are the block's non-zero AC coefficients in zig-zag order, one per set bit of `nonZero` above bit 0.
    @inline(__always)
    static func forEachACSymbol(_ values: UnsafePointer<Int16>, nonZero: UInt64, _ symbol: (Int, UInt64, Int) -> Void) {
        var mask = nonZero & ~1
        var last = 0
        var value = values
        while mask != 0 {
            let k = mask.trailingZeroBitCount
            mask &= mask &- 1
            var run = k &- last &- 1
            last = k
            while run > 15 { symbol(0xF0, 0, 0); run &-= 16 }
            let c = category(Int(value.pointee))
            value += 1
            symbol(run << 4 | c.size, c.bits, c.size)
        }
        if last != 63 { symbol(0x00, 0, 0) }
    }

    /// Counts the AC symbols of one block into `counts` (256 entries).
    @inline(__always)
    static func countAC(_ values: UnsafePointer<Int16>, nonZero: UInt64, into counts: UnsafeMutablePointer<Int>) {
        forEachACSymbol(values, nonZero: nonZero) { symbol, _, _ in counts[symbol] &+= 1 }
    }

    /// Codes and lengths of a table's 256 symbols, as the writer indexes them.
    struct CodeTable {
        var codes = [UInt64](repeating: 0, count: 256)
        var lengths = [Int](repeating: 0, count: 256)
        init(_ table: JPEGHuffmanTable) {
            for s in 0..<256 { codes[s] = UInt64(table.codes[s]); lengths[s] = Int(table.lengths[s]) }
        }
    }

    /// Writes one block: DC difference against `predictor`, then the AC symbols.
    @inline(__always)
    static func encodeBlock(dc: Int, acValues: UnsafePointer<Int16>, nonZero: UInt64, predictor: inout Int,
                            dcCodes: UnsafePointer<UInt64>, dcLengths: UnsafePointer<Int>,
                            acCodes: UnsafePointer<UInt64>, acLengths: UnsafePointer<Int>,
                            into writer: inout JPEGEntropyWriter) {
        writer.reserve(520)
        let d = category(dc &- predictor)
        predictor = dc
        writer.put(dcCodes[d.size] << UInt64(d.size) | d.bits, dcLengths[d.size] &+ d.size)
        forEachACSymbol(acValues, nonZero: nonZero) { symbol, bits, size in
            writer.put(acCodes[symbol] << UInt64(size) | bits, acLengths[symbol] &+ size)
        }
    }
}
