/// The CDEF filter (§7.15.3) of interior blocks, one row of a block per SIMD vector (8 lanes for 8-wide blocks,
/// 4 for 4:2:0 chroma): every tap of the row loaded at once, constrain() computed arithmetically instead of from
/// the tables. Each function returns exactly what the per-sample loops of `AV1Cdef.filterBlock` and
/// `AV1FilterSearch.accumulateBlock` give on the same block (all arithmetic is exact integer arithmetic);
/// Tests/EncodersTests/AVIFSpeedKernelTests.swift checks that. Blocks whose taps may leave the filter region
/// (CdefAvailable, §7.15.2) and blocks cut by the picture's edge keep the per-sample loops.
enum AV1CdefRows {
    /// The SIMD vector of one block row.
    protocol Row: SIMD where Scalar == Int32 {
        static func load(_ p: UnsafePointer<UInt8>) -> Self
        func store(_ p: UnsafeMutablePointer<UInt8>)
    }

    /// Damping shift of constrain() for threshold `t` > 0 (§7.15.3): max(0, damping − FloorLog2(t)).
    @inline(__always)
    static func dampingShift(_ t: Int, damping: Int) -> Int32 {
        Int32(max(0, damping - (Int.bitWidth - 1 - t.leadingZeroBitCount)))
    }

    @inline(__always)
    static func minimum<V: Row>(_ a: V, _ b: V) -> V { let d = a &- b; return b &+ (d & (d &>> 31)) }
    @inline(__always)
    static func maximum<V: Row>(_ a: V, _ b: V) -> V { let d = a &- b; return a &- (d & (d &>> 31)) }

    /// constrain(diff, threshold, damping) of §7.15.3 lane-wise: sign(d)·Min(|d|, Max(0, t − (|d| >> shift))).
    @inline(__always)
    static func constrain<V: Row>(_ d: V, threshold t: Int32, shift: Int32) -> V {
        let m = d &>> 31
        let ad = (d ^ m) &- m
        var v = V(repeating: t) &- (ad &>> V(repeating: shift))
        v &= ~(v &>> 31)
        v = minimum(ad, v)
        return (v ^ m) &- m
    }

    /// The 12 taps of a row starting at `at` (offsets as `AV1Cdef.tapOffsets`, dy then dx), plus their min and
    /// max with the centre.
    @inline(__always)
    static func taps<V: Row>(_ at: UnsafePointer<UInt8>, _ stride: Int, _ o: UnsafePointer<Int>, _ t: UnsafeMutablePointer<V>,
                             centre c: V) -> (V, V) {
        var mn = c, mx = c
        for n in 0..<12 {
            let v = V.load(at + o[2 * n] * stride + o[2 * n + 1])
            t[n] = v
            mn = minimum(mn, v); mx = maximum(mx, v)
        }
        return (mn, mx)
    }

    /// Primary sum: (4, 2) or (3, 3) times the constrained primary taps (pri > 0).
    @inline(__always)
    static func primarySum<V: Row>(_ t: UnsafePointer<V>, _ c: V, pri: Int, damping: Int) -> V {
        let shift = dampingShift(pri, damping: damping), th = Int32(pri)
        let (a0, a1): (Int32, Int32) = (pri & 1) == 0 ? (4, 2) : (3, 3)
        return a0 &* (constrain(t[0] &- c, threshold: th, shift: shift) &+ constrain(t[1] &- c, threshold: th, shift: shift))
            &+ a1 &* (constrain(t[2] &- c, threshold: th, shift: shift) &+ constrain(t[3] &- c, threshold: th, shift: shift))
    }

    /// Secondary sum: 2 and 1 times the constrained taps of the two secondary directions (sec > 0).
    @inline(__always)
    static func secondarySum<V: Row>(_ t: UnsafePointer<V>, _ c: V, sec: Int, damping: Int) -> V {
        let shift = dampingShift(sec, damping: damping), th = Int32(sec)
        var sum = V()
        for b in [4, 8] {
            sum &+= 2 &* (constrain(t[b] &- c, threshold: th, shift: shift) &+ constrain(t[b + 1] &- c, threshold: th, shift: shift))
            sum &+= constrain(t[b + 2] &- c, threshold: th, shift: shift) &+ constrain(t[b + 3] &- c, threshold: th, shift: shift)
        }
        return sum
    }

    /// c + ((8 + sum − (sum < 0)) >> 4), clamped to the taps' [min, max].
    @inline(__always)
    static func output<V: Row>(_ c: V, _ sum: V, _ mn: V, _ mx: V) -> V {
        minimum(maximum(c &+ ((8 &+ sum &+ (sum &>> 31)) &>> 4), mn), mx)
    }

    /// filterBlock for an interior block whose rows are one `V` wide: `rows` rows from (x0, y0).
    static func filter<V: Row>(_: V.Type, src: UnsafeMutablePointer<UInt8>, dst: UnsafeMutablePointer<UInt8>, stride: Int,
                               x0: Int, y0: Int, rows: Int, offsets o: UnsafePointer<Int>, pri: Int, sec: Int, damping: Int) {
        withUnsafeTemporaryAllocation(of: V.self, capacity: 12) { tb in
            let t = tb.baseAddress!
            for i in 0..<rows {
                let at = src + (y0 + i) * stride + x0
                let c = V.load(at)
                let (mn, mx) = taps(at, stride, o, t, centre: c)
                var sum = V()
                if pri != 0 { sum &+= primarySum(t, c, pri: pri, damping: damping) }
                if sec != 0 { sum &+= secondarySum(t, c, sec: sec, damping: damping) }
                output(c, sum, mn, mx).store(dst + (y0 + i) * stride + x0)
            }
        }
    }

    /// accumulateBlock for an interior block whose rows are one `V` wide and all visible: adds the squared error
    /// against `source` of every candidate (adjusted primary `adjustedPri[k]`, secondary `cand[k].sec`; candidate
    /// 0 is no filtering) over rows 0, rowStep, ... < rows into `local`.
    static func accumulate<V: Row>(_: V.Type, rec: UnsafePointer<UInt8>, recStride: Int, source: UnsafePointer<UInt8>,
                                   sourceStride: Int, x0: Int, y0: Int, rows: Int, rowStep: Int, offsets o: UnsafePointer<Int>,
                                   cand: [AV1CdefStrength], adjustedPri: [Int], damping: Int, local: UnsafeMutablePointer<Int32>) {
        let n = cand.count
        withUnsafeTemporaryAllocation(of: V.self, capacity: 12 + 5 + n) { tb in
            let t = tb.baseAddress!, secSum = t + 12, acc = t + 17
            for k in 0..<n { acc[k] = V() }
            var i = 0
            while i < rows {
                let at = rec + (y0 + i) * recStride + x0
                let c = V.load(at)
                let s = V.load(source + (y0 + i) * sourceStride + x0)
                let (mn, mx) = taps(at, recStride, o, t, centre: c)
                secSum[0] = V()
                for sec in [1, 2, 4] { secSum[sec] = secondarySum(t, c, sec: sec, damping: damping) }
                let e0 = c &- s
                acc[0] &+= e0 &* e0
                var lastPri = -1, ps = V()
                for k in 1..<n {
                    let pri = adjustedPri[k]
                    if pri != lastPri { ps = pri == 0 ? V() : primarySum(t, c, pri: pri, damping: damping); lastPri = pri }
                    let e = output(c, ps &+ secSum[cand[k].sec], mn, mx) &- s
                    acc[k] &+= e &* e
                }
                i += rowStep
            }
            for k in 0..<n { local[k] &+= acc[k].wrappedSum() }
        }
    }
}

extension SIMD8: AV1CdefRows.Row where Scalar == Int32 {
    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>) -> SIMD8<Int32> {
        SIMD8<Int32>(truncatingIfNeeded: UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt8>.self))
    }
    @inline(__always)
    func store(_ p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: self), as: SIMD8<UInt8>.self)
    }
}

extension SIMD4: AV1CdefRows.Row where Scalar == Int32 {
    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>) -> SIMD4<Int32> {
        SIMD4<Int32>(truncatingIfNeeded: UnsafeRawPointer(p).loadUnaligned(as: SIMD4<UInt8>.self))
    }
    @inline(__always)
    func store(_ p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: SIMD4<UInt8>(truncatingIfNeeded: self), as: SIMD4<UInt8>.self)
    }
}
