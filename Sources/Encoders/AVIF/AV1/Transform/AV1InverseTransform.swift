/// Bit-exact inverse transforms of AV1 spec §7.13 (butterfly DCT 4–64, ADST 4–16, identity 4–32, 2D process).
/// The encoder reconstructs with these so that its reference pixels equal the decoder's.
enum AV1InverseTransform {
    /// 1D kernels.
    enum Kind { case dct, adst, identity }

    @inline(__always) static func round2(_ x: Int, _ n: Int) -> Int { n == 0 ? x : (x + (1 << (n - 1))) >> n }

    @inline(__always) static func cos128(_ angle: Int) -> Int {
        let a = angle & 255
        if a <= 64 { return Int(cos128Lookup[a]) }
        if a <= 128 { return -Int(cos128Lookup[128 - a]) }
        if a <= 192 { return -Int(cos128Lookup[a - 128]) }
        return Int(cos128Lookup[256 - a])
    }
    @inline(__always) static func sin128(_ angle: Int) -> Int { cos128(angle - 64) }

    @inline(__always) static func brev(_ bits: Int, _ x: Int) -> Int {
        var t = 0
        for i in 0..<bits where (x >> i) & 1 != 0 { t |= 1 << (bits - 1 - i) }
        return t
    }

    /// Butterfly rotation B(a, b, angle, flip) of §7.13.2.1.
    @inline(__always) static func B(_ t: UnsafeMutablePointer<Int>, _ a: Int, _ b: Int, _ angle: Int, _ flip: Bool) {
        let x = t[a] * cos128(angle) - t[b] * sin128(angle)
        let y = t[a] * sin128(angle) + t[b] * cos128(angle)
        if flip { t[a] = round2(y, 12); t[b] = round2(x, 12) } else { t[a] = round2(x, 12); t[b] = round2(y, 12) }
    }

    /// Hadamard rotation H(a, b, flip, r) of §7.13.2.1.
    @inline(__always) static func H(_ t: UnsafeMutablePointer<Int>, _ a0: Int, _ b0: Int, _ flip: Bool, _ r: Int) {
        let a = flip ? b0 : a0, b = flip ? a0 : b0
        let x = t[a], y = t[b]
        let lo = -(1 << (r - 1)), hi = (1 << (r - 1)) - 1
        t[a] = min(max(x + y, lo), hi)
        t[b] = min(max(x - y, lo), hi)
    }

    /// Inverse DCT of §7.13.2.3 on 2^n values (2 <= n <= 6).
    static func dct(_ t: UnsafeMutablePointer<Int>, _ n: Int, _ r: Int) {
        let n0 = 1 << n
        withUnsafeTemporaryAllocation(of: Int.self, capacity: n0) { copy in
            for i in 0..<n0 { copy[i] = t[i] }
            for i in 0..<n0 { t[i] = copy[brev(n, i)] }
        }
        if n == 6 { for i in 0..<16 { B(t, 32 + i, 63 - i, 63 - 4 * brev(4, i), false) } }
        if n >= 5 { for i in 0..<8 { B(t, 16 + i, 31 - i, 6 + (brev(3, 7 - i) << 3), false) } }
        if n == 6 { for i in 0..<16 { H(t, 32 + i * 2, 33 + i * 2, i & 1 != 0, r) } }
        if n >= 4 { for i in 0..<4 { B(t, 8 + i, 15 - i, 12 + (brev(2, 3 - i) << 4), false) } }
        if n >= 5 { for i in 0..<8 { H(t, 16 + 2 * i, 17 + 2 * i, i & 1 != 0, r) } }
        if n == 6 { for i in 0..<4 { for j in 0..<2 { B(t, 62 - i * 4 - j, 33 + i * 4 + j, 60 - 16 * brev(2, i) + 64 * j, true) } } }
        if n >= 3 { for i in 0..<2 { B(t, 4 + i, 7 - i, 56 - 32 * i, false) } }
        if n >= 4 { for i in 0..<4 { H(t, 8 + 2 * i, 9 + 2 * i, i & 1 != 0, r) } }
        if n >= 5 { for i in 0..<2 { for j in 0..<2 { B(t, 30 - 4 * i - j, 17 + 4 * i + j, 24 + (j << 6) + ((1 - i) << 5), true) } } }
        if n == 6 { for i in 0..<8 { for j in 0..<2 { H(t, 32 + i * 4 + j, 35 + i * 4 - j, i & 1 != 0, r) } } }
        for i in 0..<2 { B(t, 2 * i, 2 * i + 1, 32 + 16 * i, i == 0) }
        if n >= 3 { for i in 0..<2 { H(t, 4 + 2 * i, 5 + 2 * i, i != 0, r) } }
        if n >= 4 { for i in 0..<2 { B(t, 14 - i, 9 + i, 48 + 64 * i, true) } }
        if n >= 5 { for i in 0..<4 { for j in 0..<2 { H(t, 16 + 4 * i + j, 19 + 4 * i - j, i & 1 != 0, r) } } }
        if n == 6 { for i in 0..<2 { for j in 0..<4 { B(t, 61 - i * 8 - j, 34 + i * 8 + j, 56 - i * 32 + (j >> 1) * 64, true) } } }
        for i in 0..<2 { H(t, i, 3 - i, false, r) }
        if n >= 3 { B(t, 6, 5, 32, true) }
        if n >= 4 { for i in 0..<2 { for j in 0..<2 { H(t, 8 + 4 * i + j, 11 + 4 * i - j, i != 0, r) } } }
        if n >= 5 { for i in 0..<4 { B(t, 29 - i, 18 + i, 48 + (i >> 1) * 64, true) } }
        if n == 6 { for i in 0..<4 { for j in 0..<4 { H(t, 32 + 8 * i + j, 39 + 8 * i - j, i & 1 != 0, r) } } }
        if n >= 3 { for i in 0..<4 { H(t, i, 7 - i, false, r) } }
        if n >= 4 { for i in 0..<2 { B(t, 13 - i, 10 + i, 32, true) } }
        if n >= 5 { for i in 0..<2 { for j in 0..<4 { H(t, 16 + i * 8 + j, 23 + i * 8 - j, i != 0, r) } } }
        if n == 6 { for i in 0..<8 { B(t, 59 - i, 36 + i, i < 4 ? 48 : 112, true) } }
        if n >= 4 { for i in 0..<8 { H(t, i, 15 - i, false, r) } }
        if n >= 5 { for i in 0..<4 { B(t, 27 - i, 20 + i, 32, true) } }
        if n == 6 { for i in 0..<8 { H(t, 32 + i, 47 - i, false, r); H(t, 48 + i, 63 - i, true, r) } }
        if n >= 5 { for i in 0..<16 { H(t, i, 31 - i, false, r) } }
        if n == 6 { for i in 0..<8 { B(t, 55 - i, 40 + i, 32, true) } }
        if n == 6 { for i in 0..<32 { H(t, i, 63 - i, false, r) } }
    }

    /// The DCT of §7.13.2.3 unrolled once per size into a list of butterflies with resolved angles, so the hot
    /// path runs the identical arithmetic without recomputing bit reversals and cosine lookups.
    struct Op { var hadamard: Bool; var a: Int; var b: Int; var cos: Int; var sin: Int; var flip: Bool }
    static let dctPrograms: [[Op]] = (0...6).map { n -> [Op] in
        guard n >= 2 else { return [] }
        var ops: [Op] = []
        func B(_ a: Int, _ b: Int, _ angle: Int, _ flip: Bool) { ops.append(Op(hadamard: false, a: a, b: b, cos: cos128(angle), sin: sin128(angle), flip: flip)) }
        func H(_ a: Int, _ b: Int, _ flip: Bool) { ops.append(Op(hadamard: true, a: a, b: b, cos: 0, sin: 0, flip: flip)) }
        if n == 6 { for i in 0..<16 { B(32 + i, 63 - i, 63 - 4 * brev(4, i), false) } }
        if n >= 5 { for i in 0..<8 { B(16 + i, 31 - i, 6 + (brev(3, 7 - i) << 3), false) } }
        if n == 6 { for i in 0..<16 { H(32 + i * 2, 33 + i * 2, i & 1 != 0) } }
        if n >= 4 { for i in 0..<4 { B(8 + i, 15 - i, 12 + (brev(2, 3 - i) << 4), false) } }
        if n >= 5 { for i in 0..<8 { H(16 + 2 * i, 17 + 2 * i, i & 1 != 0) } }
        if n == 6 { for i in 0..<4 { for j in 0..<2 { B(62 - i * 4 - j, 33 + i * 4 + j, 60 - 16 * brev(2, i) + 64 * j, true) } } }
        if n >= 3 { for i in 0..<2 { B(4 + i, 7 - i, 56 - 32 * i, false) } }
        if n >= 4 { for i in 0..<4 { H(8 + 2 * i, 9 + 2 * i, i & 1 != 0) } }
        if n >= 5 { for i in 0..<2 { for j in 0..<2 { B(30 - 4 * i - j, 17 + 4 * i + j, 24 + (j << 6) + ((1 - i) << 5), true) } } }
        if n == 6 { for i in 0..<8 { for j in 0..<2 { H(32 + i * 4 + j, 35 + i * 4 - j, i & 1 != 0) } } }
        for i in 0..<2 { B(2 * i, 2 * i + 1, 32 + 16 * i, i == 0) }
        if n >= 3 { for i in 0..<2 { H(4 + 2 * i, 5 + 2 * i, i != 0) } }
        if n >= 4 { for i in 0..<2 { B(14 - i, 9 + i, 48 + 64 * i, true) } }
        if n >= 5 { for i in 0..<4 { for j in 0..<2 { H(16 + 4 * i + j, 19 + 4 * i - j, i & 1 != 0) } } }
        if n == 6 { for i in 0..<2 { for j in 0..<4 { B(61 - i * 8 - j, 34 + i * 8 + j, 56 - i * 32 + (j >> 1) * 64, true) } } }
        for i in 0..<2 { H(i, 3 - i, false) }
        if n >= 3 { B(6, 5, 32, true) }
        if n >= 4 { for i in 0..<2 { for j in 0..<2 { H(8 + 4 * i + j, 11 + 4 * i - j, i != 0) } } }
        if n >= 5 { for i in 0..<4 { B(29 - i, 18 + i, 48 + (i >> 1) * 64, true) } }
        if n == 6 { for i in 0..<4 { for j in 0..<4 { H(32 + 8 * i + j, 39 + 8 * i - j, i & 1 != 0) } } }
        if n >= 3 { for i in 0..<4 { H(i, 7 - i, false) } }
        if n >= 4 { for i in 0..<2 { B(13 - i, 10 + i, 32, true) } }
        if n >= 5 { for i in 0..<2 { for j in 0..<4 { H(16 + i * 8 + j, 23 + i * 8 - j, i != 0) } } }
        if n == 6 { for i in 0..<8 { B(59 - i, 36 + i, i < 4 ? 48 : 112, true) } }
        if n >= 4 { for i in 0..<8 { H(i, 15 - i, false) } }
        if n >= 5 { for i in 0..<4 { B(27 - i, 20 + i, 32, true) } }
        if n == 6 { for i in 0..<8 { H(32 + i, 47 - i, false); H(48 + i, 63 - i, true) } }
        if n >= 5 { for i in 0..<16 { H(i, 31 - i, false) } }
        if n == 6 { for i in 0..<8 { B(55 - i, 40 + i, 32, true) } }
        if n == 6 { for i in 0..<32 { H(i, 63 - i, false) } }
        return ops
    }
    static let bitReversal: [[Int]] = (0...6).map { n in (0..<(1 << n)).map { brev(n, $0) } }

    /// Same result as `dct`, running the precompiled program.
    static func dctFast(_ t: UnsafeMutablePointer<Int>, _ n: Int, _ r: Int, program: UnsafePointer<Op>, count: Int,
                        reversal: UnsafePointer<Int>) {
        let n0 = 1 << n
        withUnsafeTemporaryAllocation(of: Int.self, capacity: n0) { copy in
            for i in 0..<n0 { copy[i] = t[i] }
            for i in 0..<n0 { t[i] = copy[reversal[i]] }
        }
        let lo = -(1 << (r - 1)), hi = (1 << (r - 1)) - 1
        for k in 0..<count {
            let op = program[k]
            if op.hadamard {
                let a = op.flip ? op.b : op.a, b = op.flip ? op.a : op.b
                let x = t[a], y = t[b]
                t[a] = min(max(x + y, lo), hi)
                t[b] = min(max(x - y, lo), hi)
            } else {
                let ta = t[op.a], tb = t[op.b]
                let x = (ta * op.cos - tb * op.sin + 2048) >> 12
                let y = (ta * op.sin + tb * op.cos + 2048) >> 12
                if op.flip { t[op.a] = y; t[op.b] = x } else { t[op.a] = x; t[op.b] = y }
            }
        }
    }

    /// Inverse ADST4 of §7.13.2.6.
    static func adst4(_ t: UnsafeMutablePointer<Int>) {
        let s1_9 = 1321, s2_9 = 2482, s3_9 = 3344, s4_9 = 3803
        var s0 = s1_9 * t[0], s1 = s2_9 * t[0], s2 = s3_9 * t[1], s3 = s4_9 * t[2]
        let s4 = s1_9 * t[2], s5 = s2_9 * t[3], s6 = s4_9 * t[3]
        let a7 = t[0] - t[2]
        let b7 = a7 + t[3]
        s0 = s0 + s3
        s1 = s1 - s4
        s3 = s2
        s2 = s3_9 * b7
        s0 = s0 + s5
        s1 = s1 - s6
        let x0 = s0 + s3, x1 = s1 + s3, x2 = s2, x3 = s0 + s1 - s3
        t[0] = round2(x0, 12); t[1] = round2(x1, 12); t[2] = round2(x2, 12); t[3] = round2(x3, 12)
    }

    static func adstInPermute(_ t: UnsafeMutablePointer<Int>, _ n: Int) {
        let n0 = 1 << n
        withUnsafeTemporaryAllocation(of: Int.self, capacity: n0) { c in
            for i in 0..<n0 { c[i] = t[i] }
            for i in 0..<n0 { t[i] = c[(i & 1) != 0 ? i - 1 : n0 - i - 1] }
        }
    }

    static func adstOutPermute(_ t: UnsafeMutablePointer<Int>, _ n: Int) {
        let n0 = 1 << n
        withUnsafeTemporaryAllocation(of: Int.self, capacity: n0) { c in
            for i in 0..<n0 { c[i] = t[i] }
            for i in 0..<n0 {
                let a = (i >> 3) & 1
                let b = ((i >> 2) & 1) ^ ((i >> 3) & 1)
                let cc = ((i >> 1) & 1) ^ ((i >> 2) & 1)
                let d = (i & 1) ^ ((i >> 1) & 1)
                let idx = ((d << 3) | (cc << 2) | (b << 1) | a) >> (4 - n)
                t[i] = (i & 1) != 0 ? -c[idx] : c[idx]
            }
        }
    }

    static func adst8(_ t: UnsafeMutablePointer<Int>, _ r: Int) {
        adstInPermute(t, 3)
        for i in 0..<4 { B(t, 2 * i, 2 * i + 1, 60 - 16 * i, true) }
        for i in 0..<4 { H(t, i, 4 + i, false, r) }
        for i in 0..<2 { B(t, 4 + 3 * i, 5 + i, 48 - 32 * i, true) }
        for i in 0..<2 { for j in 0..<2 { H(t, 4 * j + i, 2 + 4 * j + i, false, r) } }
        for i in 0..<2 { B(t, 2 + 4 * i, 3 + 4 * i, 32, true) }
        adstOutPermute(t, 3)
    }

    static func adst16(_ t: UnsafeMutablePointer<Int>, _ r: Int) {
        adstInPermute(t, 4)
        for i in 0..<8 { B(t, 2 * i, 2 * i + 1, 62 - 8 * i, true) }
        for i in 0..<8 { H(t, i, 8 + i, false, r) }
        for i in 0..<2 { B(t, 8 + 2 * i, 9 + 2 * i, 56 - 32 * i, true); B(t, 13 + 2 * i, 12 + 2 * i, 8 + 32 * i, true) }
        for i in 0..<4 { for j in 0..<2 { H(t, 8 * j + i, 4 + 8 * j + i, false, r) } }
        for i in 0..<2 { for j in 0..<2 { B(t, 4 + 8 * j + 3 * i, 5 + 8 * j + i, 48 - 32 * i, true) } }
        for i in 0..<2 { for j in 0..<4 { H(t, 4 * j + i, 2 + 4 * j + i, false, r) } }
        for i in 0..<4 { B(t, 2 + 4 * i, 3 + 4 * i, 32, true) }
        adstOutPermute(t, 4)
    }

    static func identity(_ t: UnsafeMutablePointer<Int>, _ n: Int) {
        let n0 = 1 << n
        switch n {
        case 2: for i in 0..<n0 { t[i] = round2(t[i] * 5793, 12) }
        case 3: for i in 0..<n0 { t[i] = t[i] * 2 }
        case 4: for i in 0..<n0 { t[i] = round2(t[i] * 11586, 12) }
        default: for i in 0..<n0 { t[i] = t[i] * 4 }
        }
    }

    static func run1D(_ kind: Kind, _ t: UnsafeMutablePointer<Int>, _ n: Int, _ r: Int) {
        switch kind {
        case .dct:
            dctPrograms[n].withUnsafeBufferPointer { p in
                bitReversal[n].withUnsafeBufferPointer { rv in
                    dctFast(t, n, r, program: p.baseAddress!, count: p.count, reversal: rv.baseAddress!)
                }
            }
        case .adst: if n == 2 { adst4(t) } else if n == 3 { adst8(t, r) } else { adst16(t, r) }
        case .identity: identity(t, n)
        }
    }

    /// Column (vertical) and row (horizontal) kernels of a transform type (§7.13.3).
    static func kinds(_ txType: Int) -> (col: Kind, row: Kind) {
        switch txType {
        case AV1Tx.dctDct: return (.dct, .dct)
        case AV1Tx.adstDct: return (.adst, .dct)
        case AV1Tx.dctAdst: return (.dct, .adst)
        case AV1Tx.adstAdst: return (.adst, .adst)
        default: return (.identity, .identity)
        }
    }

    /// 2D inverse transform (§7.13.3) of the square transform 2^log2 with coefficients `dequant` (tw x tw,
    /// tw = min(32, size), row-major by vertical frequency) into `residual` (size x size): the row transforms,
    /// rounded by the row shift and clamped to 16 bits, then the column transforms rounded by 4, on SIMD lanes
    /// (AV1InverseTransformLanes).
    static func inverse2D(_ dequant: UnsafePointer<Int32>, log2: Int, txType: Int, residual: UnsafeMutablePointer<Int32>) {
        if log2 == 2 {
            inverse2DLanes(dequant, log2: log2, txType: txType, residual: residual, SIMD4<Int32>.self)
        } else {
            inverse2DLanes(dequant, log2: log2, txType: txType, residual: residual, SIMD8<Int32>.self)
        }
    }
}
