/// The inverse transforms of §7.13 run on SIMD lanes: every lane is one row (row pass) or one column (column pass)
/// of the 2D transform, so 4 or 8 rows/columns share each butterfly instruction. The arithmetic is the scalar
/// kernels' (`AV1InverseTransform.dctFast`, `adst4/8/16`, `identity`) on 32-bit lanes, which hold every
/// intermediate value exactly: inputs are at most 16 bits, Hadamard steps clamp to 16 bits and a rotation by a
/// 12-bit cosine pair stays below 2^30, so the results are identical (AVIFSpeedKernelTests checks it).
extension AV1InverseTransform {
    @inline(__always)
    static func clamp16<V: SIMD>(_ v: V) -> V where V.Scalar == Int32 {
        let hi = V(repeating: 32767), lo = V(repeating: -32768)
        let over = v &- hi
        let a = hi &+ (over & (over &>> 31))          // min(v, hi)
        let under = a &- lo
        return a &- (under & (under &>> 31))          // max(a, lo)
    }

    /// x·c − y·s and x·s + y·c, each + 2048 then >> 12 (the rotation B of §7.13.2.1).
    @inline(__always)
    static func rotate<V: SIMD>(_ x: V, _ y: V, _ c: Int32, _ s: Int32) -> (V, V) where V.Scalar == Int32 {
        let cv = V(repeating: c), sv = V(repeating: s), r = V(repeating: 2048)
        return ((x &* cv &- y &* sv &+ r) &>> 12, (x &* sv &+ y &* cv &+ r) &>> 12)
    }

    @inline(__always)
    static func butterfly<V: SIMD>(_ t: UnsafeMutablePointer<V>, _ a: Int, _ b: Int, _ angle: Int, _ flip: Bool) where V.Scalar == Int32 {
        let (x, y) = rotate(t[a], t[b], Int32(cos128(angle)), Int32(sin128(angle)))
        if flip { t[a] = y; t[b] = x } else { t[a] = x; t[b] = y }
    }

    @inline(__always)
    static func hadamard<V: SIMD>(_ t: UnsafeMutablePointer<V>, _ a0: Int, _ b0: Int, _ flip: Bool) where V.Scalar == Int32 {
        let a = flip ? b0 : a0, b = flip ? a0 : b0
        let x = t[a], y = t[b]
        t[a] = clamp16(x &+ y)
        t[b] = clamp16(x &- y)
    }

    static func dctLanes<V: SIMD>(_ t: UnsafeMutablePointer<V>, _ n: Int) where V.Scalar == Int32 {
        let n0 = 1 << n
        dctPrograms[n].withUnsafeBufferPointer { pb in
        bitReversal[n].withUnsafeBufferPointer { rv in
            withUnsafeTemporaryAllocation(of: V.self, capacity: n0) { copy in
                for i in 0..<n0 { copy[i] = t[i] }
                for i in 0..<n0 { t[i] = copy[rv[i]] }
            }
            for op in pb {
                if op.hadamard {
                    let a = op.flip ? op.b : op.a, b = op.flip ? op.a : op.b
                    let x = t[a], y = t[b]
                    t[a] = clamp16(x &+ y)
                    t[b] = clamp16(x &- y)
                } else {
                    let (x, y) = rotate(t[op.a], t[op.b], Int32(op.cos), Int32(op.sin))
                    if op.flip { t[op.a] = y; t[op.b] = x } else { t[op.a] = x; t[op.b] = y }
                }
            }
        }}
    }

    static func adst4Lanes<V: SIMD>(_ t: UnsafeMutablePointer<V>) where V.Scalar == Int32 {
        let s19 = V(repeating: 1321), s29 = V(repeating: 2482), s39 = V(repeating: 3344), s49 = V(repeating: 3803)
        var s0 = s19 &* t[0], s1 = s29 &* t[0], s2 = s39 &* t[1], s3 = s49 &* t[2]
        let s4 = s19 &* t[2], s5 = s29 &* t[3], s6 = s49 &* t[3]
        let b7 = t[0] &- t[2] &+ t[3]
        s0 = s0 &+ s3
        s1 = s1 &- s4
        s3 = s2
        s2 = s39 &* b7
        s0 = s0 &+ s5
        s1 = s1 &- s6
        let r = V(repeating: 2048)
        t[0] = (s0 &+ s3 &+ r) &>> 12; t[1] = (s1 &+ s3 &+ r) &>> 12
        t[2] = (s2 &+ r) &>> 12; t[3] = (s0 &+ s1 &- s3 &+ r) &>> 12
    }

    static func adstPermuteLanes<V: SIMD>(_ t: UnsafeMutablePointer<V>, _ n: Int, output: Bool) where V.Scalar == Int32 {
        let n0 = 1 << n
        withUnsafeTemporaryAllocation(of: V.self, capacity: n0) { c in
            for i in 0..<n0 { c[i] = t[i] }
            for i in 0..<n0 {
                if !output { t[i] = c[(i & 1) != 0 ? i - 1 : n0 - i - 1]; continue }
                let a = (i >> 3) & 1
                let b = ((i >> 2) & 1) ^ ((i >> 3) & 1)
                let cc = ((i >> 1) & 1) ^ ((i >> 2) & 1)
                let d = (i & 1) ^ ((i >> 1) & 1)
                let idx = ((d << 3) | (cc << 2) | (b << 1) | a) >> (4 - n)
                t[i] = (i & 1) != 0 ? V() &- c[idx] : c[idx]
            }
        }
    }

    static func adst8Lanes<V: SIMD>(_ t: UnsafeMutablePointer<V>) where V.Scalar == Int32 {
        adstPermuteLanes(t, 3, output: false)
        for i in 0..<4 { butterfly(t, 2 * i, 2 * i + 1, 60 - 16 * i, true) }
        for i in 0..<4 { hadamard(t, i, 4 + i, false) }
        for i in 0..<2 { butterfly(t, 4 + 3 * i, 5 + i, 48 - 32 * i, true) }
        for i in 0..<2 { for j in 0..<2 { hadamard(t, 4 * j + i, 2 + 4 * j + i, false) } }
        for i in 0..<2 { butterfly(t, 2 + 4 * i, 3 + 4 * i, 32, true) }
        adstPermuteLanes(t, 3, output: true)
    }

    static func adst16Lanes<V: SIMD>(_ t: UnsafeMutablePointer<V>) where V.Scalar == Int32 {
        adstPermuteLanes(t, 4, output: false)
        for i in 0..<8 { butterfly(t, 2 * i, 2 * i + 1, 62 - 8 * i, true) }
        for i in 0..<8 { hadamard(t, i, 8 + i, false) }
        for i in 0..<2 { butterfly(t, 8 + 2 * i, 9 + 2 * i, 56 - 32 * i, true); butterfly(t, 13 + 2 * i, 12 + 2 * i, 8 + 32 * i, true) }
        for i in 0..<4 { for j in 0..<2 { hadamard(t, 8 * j + i, 4 + 8 * j + i, false) } }
        for i in 0..<2 { for j in 0..<2 { butterfly(t, 4 + 8 * j + 3 * i, 5 + 8 * j + i, 48 - 32 * i, true) } }
        for i in 0..<2 { for j in 0..<4 { hadamard(t, 4 * j + i, 2 + 4 * j + i, false) } }
        for i in 0..<4 { butterfly(t, 2 + 4 * i, 3 + 4 * i, 32, true) }
        adstPermuteLanes(t, 4, output: true)
    }

    static func identityLanes<V: SIMD>(_ t: UnsafeMutablePointer<V>, _ n: Int) where V.Scalar == Int32 {
        let n0 = 1 << n
        let r = V(repeating: 2048)
        switch n {
        case 2: for i in 0..<n0 { t[i] = (t[i] &* V(repeating: 5793) &+ r) &>> 12 }
        case 3: for i in 0..<n0 { t[i] = t[i] &+ t[i] }
        case 4: for i in 0..<n0 { t[i] = (t[i] &* V(repeating: 11586) &+ r) &>> 12 }
        default: for i in 0..<n0 { t[i] = t[i] &<< 2 }
        }
    }

    static func run1DLanes<V: SIMD>(_ kind: Kind, _ t: UnsafeMutablePointer<V>, _ n: Int) where V.Scalar == Int32 {
        switch kind {
        case .dct: dctLanes(t, n)
        case .adst: if n == 2 { adst4Lanes(t) } else if n == 3 { adst8Lanes(t) } else { adst16Lanes(t) }
        case .identity: identityLanes(t, n)
        }
    }

    /// 2D inverse transform on lanes of type V (4 or 8 lanes; the side n is a multiple of the lane count).
    /// Same contract as `inverse2D`.
    static func inverse2DLanes<V: SIMD>(_ dequant: UnsafePointer<Int32>, log2: Int, txType: Int,
                                        residual: UnsafeMutablePointer<Int32>, _: V.Type) where V.Scalar == Int32 {
        let n = 1 << log2
        let tw = min(32, n)
        let lanes = V.scalarCount
        let rowShift = Int32(transformRowShift[log2 - 2])
        let (colKind, rowKind) = kinds(txType)
        withUnsafeTemporaryAllocation(of: V.self, capacity: 64) { tb in
            let t = tb.baseAddress!
            // Row pass: lanes are rows i0 ..< i0 + lanes; rows from 32 on have no coefficients.
            var i0 = 0
            while i0 < n {
                var nonZero = false
                if i0 < 32 {
                    for j in 0..<n {
                        var v = V()
                        if j < 32 { for l in 0..<lanes { v[l] = dequant[(i0 + l) * tw + j] } }
                        t[j] = v
                        if v != V() { nonZero = true }
                    }
                }
                if !nonZero {   // zero rows (and every row from 32 on) transform to zero
                    for l in 0..<lanes { (residual + (i0 + l) * n).update(repeating: 0, count: n) }
                    i0 += lanes
                    continue
                }
                run1DLanes(rowKind, t, log2)
                let r = rowShift == 0 ? V() : V(repeating: 1 << (rowShift - 1))
                for j in 0..<n {
                    let v = clamp16((t[j] &+ r) &>> V(repeating: rowShift))
                    for l in 0..<lanes { residual[(i0 + l) * n + j] = v[l] }
                }
                i0 += lanes
            }
            // Column pass: lanes are columns j0 ..< j0 + lanes, read and written as contiguous row pieces.
            var j0 = 0
            while j0 < n {
                for i in 0..<n { t[i] = UnsafeRawPointer(residual + i * n + j0).loadUnaligned(as: V.self) }
                run1DLanes(colKind, t, log2)
                let eight = V(repeating: 8)
                for i in 0..<n {
                    UnsafeMutableRawPointer(residual + i * n + j0).storeBytes(of: (t[i] &+ eight) &>> 4, as: V.self)
                }
                j0 += lanes
            }
        }
    }
}
