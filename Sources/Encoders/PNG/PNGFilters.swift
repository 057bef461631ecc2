import Glibc

/// PNG row filtering (PNG spec §9): each row gets the filter type whose output is predicted to deflate best.
enum PNGFilters {
    /// How the filter of each row is chosen.
    enum Strategy {
        /// Filter type 0 everywhere (palette and sub-byte images, where prediction across bytes does not help).
        case none
        /// The filter whose output has the smallest sum of absolute values (bytes read as signed), the
        /// heuristic of PNG spec §12.8.
        case minimumSumOfAbsolutes
        /// The filter whose output bytes have the lowest zeroth-order entropy.
        case minimumEntropy
    }

    /// `rows` filtered into `height * (rowBytes + 1)` bytes, each row preceded by its filter type byte.
    static func filter(_ rows: [UInt8], rowBytes: Int, height: Int, stride bpp: Int, strategy: Strategy) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: height * (rowBytes + 1))
        var candidates = [UInt8](repeating: 0, count: 5 * rowBytes)
        let zeroRow = [UInt8](repeating: 0, count: rowBytes)
        var histogram = [Int](repeating: 0, count: 256)
        let entropyTable = (0...max(1, rowBytes)).map { c -> Double in c == 0 ? 0 : Double(c) * log2(Double(c)) }
        rows.withUnsafeBufferPointer { src in
        zeroRow.withUnsafeBufferPointer { zero in
        out.withUnsafeMutableBufferPointer { dst in
        candidates.withUnsafeMutableBufferPointer { cand in
        histogram.withUnsafeMutableBufferPointer { hist in
            for y in 0..<height {
                let row = UnsafeBufferPointer(rebasing: src[(y * rowBytes)..<((y + 1) * rowBytes)])
                let above = y == 0 ? zero : UnsafeBufferPointer(rebasing: src[((y - 1) * rowBytes)..<(y * rowBytes)])
                let outRow = y * (rowBytes + 1)
                if case .none = strategy {
                    dst[outRow] = 0
                    for i in 0..<rowBytes { dst[outRow + 1 + i] = row[i] }
                    continue
                }
                applyAll(row, above, bpp: bpp, into: cand)
                var bestType = 0
                var bestScore = Double.infinity
                for type in 0..<5 {
                    let filtered = UnsafeBufferPointer(rebasing: cand[(type * rowBytes)..<((type + 1) * rowBytes)])
                    let score: Double
                    if case .minimumEntropy = strategy {
                        for i in 0..<256 { hist[i] = 0 }
                        for b in filtered { hist[Int(b)] += 1 }
                        // n·H = n·log2(n) − Σ c·log2(c): the bits an order-0 coder would need for the row.
                        var sum = 0.0
                        for i in 0..<256 where hist[i] > 0 { sum += entropyTable[hist[i]] }
                        score = entropyTable[rowBytes] - sum
                    } else {
                        var sum = 0
                        for b in filtered { sum += b < 128 ? Int(b) : 256 - Int(b) }
                        score = Double(sum)
                    }
                    if score < bestScore { bestScore = score; bestType = type }
                }
                dst[outRow] = UInt8(bestType)
                for i in 0..<rowBytes { dst[outRow + 1 + i] = cand[bestType * rowBytes + i] }
            }
        }}}}}
        return out
    }

    /// Writes the five filter outputs (None, Sub, Up, Average, Paeth; PNG spec §9.2) of `row` one after another.
    @inline(__always)
    private static func applyAll(_ row: UnsafeBufferPointer<UInt8>, _ above: UnsafeBufferPointer<UInt8>, bpp: Int,
                                 into out: UnsafeMutableBufferPointer<UInt8>) {
        let n = row.count
        for i in 0..<n {
            let x = row[i], b = above[i]
            let a: UInt8 = i >= bpp ? row[i - bpp] : 0
            let c: UInt8 = i >= bpp ? above[i - bpp] : 0
            out[i] = x
            out[n + i] = x &- a
            out[2 * n + i] = x &- b
            out[3 * n + i] = x &- UInt8((Int(a) + Int(b)) >> 1)
            out[4 * n + i] = x &- paeth(a, b, c)
        }
    }

    /// The Paeth predictor (PNG spec §9.4): whichever of left, above, upper-left is closest to left + above − upper-left.
    @inline(__always)
    static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let ia = Int(a), ib = Int(b), ic = Int(c)
        let pa = abs(ib - ic), pb = abs(ia - ic), pc = abs(ia + ib - 2 * ic)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }
}
