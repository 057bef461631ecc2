/// Filter parameters of a macroblock (RFC 6386 section 15 with section 9.3/9.6 adjustments, computed as in
/// dwebp): `limit` is 2·level + interior limit (0 = not filtered); the macroblock edges use `limit + 4`.
struct VP8FilterStrength {
    var limit: Int32 = 0
    var interiorLimit: Int32 = 0
    var hevThreshold: Int32 = 0
    /// Filter the edges inside the macroblock (B_PRED, or some non-zero coefficient).
    var inner = false

    /// [segment][subblock predicted ? 1 : 0]. Section 9.3: the segment level replaces or adjusts the frame level;
    /// section 9.6: the intra reference delta, plus the B_PRED mode delta, apply when deltas are enabled; the
    /// interior limit shrinks with sharpness (15.1: ≥ 1, and at most 9 - sharpness when sharpness > 0); the high
    /// edge variance threshold is 2 from level 40, 1 from level 15 (key frames, 15.3).
    static func table(_ h: VP8FrameHeader) -> [[VP8FilterStrength]] {
        (0..<4).map { segment in
            var base = h.filterLevel
            if h.segmentationEnabled {
                base = h.segmentFilterLevel[segment] + (h.segmentValuesAbsolute ? 0 : h.filterLevel)
            }
            return (0...1).map { subblocks in
                var level = base
                if h.filterDeltasEnabled {
                    level += h.referenceFilterDelta[0]
                    if subblocks == 1 { level += h.modeFilterDelta[0] }
                }
                level = max(0, min(63, level))
                var s = VP8FilterStrength()
                s.inner = subblocks == 1
                guard level > 0 else { return s }
                var interior = level
                if h.sharpness > 0 {
                    interior >>= h.sharpness > 4 ? 2 : 1
                    interior = min(interior, 9 - h.sharpness)
                }
                interior = max(interior, 1)
                s.interiorLimit = Int32(interior)
                s.limit = Int32(2 * level + interior)
                s.hevThreshold = level >= 40 ? 2 : (level >= 15 ? 1 : 0)
                return s
            }
        }
    }
}

/// The eight pixels across an edge (p3 p2 p1 p0 | q0 q1 q2 q3) at 16 positions along it, one lane each.
/// Lanes 0-7 and 8-15 come from two halves that may lie in different places (the U and V planes for chroma).
struct VP8EdgePixels {
    typealias Lanes = SIMD16<Int16>
    var p3 = Lanes(), p2 = Lanes(), p1 = Lanes(), p0 = Lanes()
    var q0 = Lanes(), q1 = Lanes(), q2 = Lanes(), q3 = Lanes()

    @_transparent
    static func lanes(_ low: UInt64, _ high: UInt64) -> Lanes {
        Lanes(truncatingIfNeeded: SIMD16<UInt8>(lowHalf: unsafeBitCast(low, to: SIMD8<UInt8>.self),
                                                highHalf: unsafeBitCast(high, to: SIMD8<UInt8>.self)))
    }

    @_transparent
    static func halves(_ v: Lanes) -> (UInt64, UInt64) {
        let bytes = SIMD16<UInt8>(truncatingIfNeeded: v)
        return (unsafeBitCast(bytes.lowHalf, to: UInt64.self), unsafeBitCast(bytes.highHalf, to: UInt64.self))
    }

    /// A horizontal edge: the row above `low`/`high` is p0; each half reads 8 pixels per row.
    @inline(__always)
    init(horizontalEdge low: UnsafeMutablePointer<UInt8>, _ high: UnsafeMutablePointer<UInt8>, stride: Int) {
        @inline(__always) func row(_ k: Int) -> Lanes {
            Self.lanes(UnsafeRawPointer(low + k * stride).loadUnaligned(as: UInt64.self),
                       UnsafeRawPointer(high + k * stride).loadUnaligned(as: UInt64.self))
        }
        p3 = row(-4); p2 = row(-3); p1 = row(-2); p0 = row(-1)
        q0 = row(0); q1 = row(1); q2 = row(2); q3 = row(3)
    }

    /// Writes back p2 ... q2 of a horizontal edge.
    @inline(__always)
    func storeHorizontalEdge(_ low: UnsafeMutablePointer<UInt8>, _ high: UnsafeMutablePointer<UInt8>, stride: Int) {
        @inline(__always) func row(_ k: Int, _ v: Lanes) {
            let (a, b) = Self.halves(v)
            UnsafeMutableRawPointer(low + k * stride).storeBytes(of: a, as: UInt64.self)
            UnsafeMutableRawPointer(high + k * stride).storeBytes(of: b, as: UInt64.self)
        }
        row(-3, p2); row(-2, p1); row(-1, p0); row(0, q0); row(1, q1); row(2, q2)
    }

    /// A vertical edge: the column left of `low`/`high` is p0; each half is 8 rows. The 8x8 blocks of bytes are
    /// transposed in 64-bit words (swapping 4x4, then 2x2, then 1x1 blocks).
    @inline(__always)
    init(verticalEdge low: UnsafeMutablePointer<UInt8>, _ high: UnsafeMutablePointer<UInt8>, stride: Int) {
        var a = Self.readBlock(low - 4, stride), b = Self.readBlock(high - 4, stride)
        Self.transpose(&a)
        Self.transpose(&b)
        p3 = Self.lanes(a.0, b.0); p2 = Self.lanes(a.1, b.1); p1 = Self.lanes(a.2, b.2); p0 = Self.lanes(a.3, b.3)
        q0 = Self.lanes(a.4, b.4); q1 = Self.lanes(a.5, b.5); q2 = Self.lanes(a.6, b.6); q3 = Self.lanes(a.7, b.7)
    }

    @inline(__always)
    func storeVerticalEdge(_ low: UnsafeMutablePointer<UInt8>, _ high: UnsafeMutablePointer<UInt8>, stride: Int) {
        let w3 = Self.halves(p3), w2 = Self.halves(p2), w1 = Self.halves(p1), w0 = Self.halves(p0)
        let v0 = Self.halves(q0), v1 = Self.halves(q1), v2 = Self.halves(q2), v3 = Self.halves(q3)
        var a = (w3.0, w2.0, w1.0, w0.0, v0.0, v1.0, v2.0, v3.0)
        var b = (w3.1, w2.1, w1.1, w0.1, v0.1, v1.1, v2.1, v3.1)
        Self.transpose(&a)
        Self.transpose(&b)
        Self.writeBlock(a, low - 4, stride)
        Self.writeBlock(b, high - 4, stride)
    }

    typealias Block = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    @inline(__always)
    static func readBlock(_ p: UnsafeMutablePointer<UInt8>, _ stride: Int) -> Block {
        @inline(__always) func r(_ k: Int) -> UInt64 { UnsafeRawPointer(p + k * stride).loadUnaligned(as: UInt64.self) }
        return (r(0), r(1), r(2), r(3), r(4), r(5), r(6), r(7))
    }

    @inline(__always)
    static func writeBlock(_ w: Block, _ p: UnsafeMutablePointer<UInt8>, _ stride: Int) {
        @inline(__always) func r(_ k: Int, _ v: UInt64) { UnsafeMutableRawPointer(p + k * stride).storeBytes(of: v, as: UInt64.self) }
        r(0, w.0); r(1, w.1); r(2, w.2); r(3, w.3); r(4, w.4); r(5, w.5); r(6, w.6); r(7, w.7)
    }

    /// Transposes an 8x8 byte matrix held as 8 little-endian words (word = row, byte = column).
    @inline(__always)
    static func transpose(_ w: inout Block) {
        @inline(__always) func swap(_ a: inout UInt64, _ b: inout UInt64, _ shift: UInt64, _ mask: UInt64) {
            let t = ((a &>> shift) ^ b) & mask
            a ^= t &<< shift
            b ^= t
        }
        swap(&w.0, &w.4, 32, 0x0000_0000_FFFF_FFFF); swap(&w.1, &w.5, 32, 0x0000_0000_FFFF_FFFF)
        swap(&w.2, &w.6, 32, 0x0000_0000_FFFF_FFFF); swap(&w.3, &w.7, 32, 0x0000_0000_FFFF_FFFF)
        swap(&w.0, &w.2, 16, 0x0000_FFFF_0000_FFFF); swap(&w.1, &w.3, 16, 0x0000_FFFF_0000_FFFF)
        swap(&w.4, &w.6, 16, 0x0000_FFFF_0000_FFFF); swap(&w.5, &w.7, 16, 0x0000_FFFF_0000_FFFF)
        swap(&w.0, &w.1, 8, 0x00FF_00FF_00FF_00FF); swap(&w.2, &w.3, 8, 0x00FF_00FF_00FF_00FF)
        swap(&w.4, &w.5, 8, 0x00FF_00FF_00FF_00FF); swap(&w.6, &w.7, 8, 0x00FF_00FF_00FF_00FF)
    }
}

/// The loop filters of RFC 6386 section 15 on the reconstructed planes, one macroblock at a time in raster order:
/// left macroblock edge, inner vertical edges, top macroblock edge, inner horizontal edges. Each edge segment is
/// filtered 16 positions at a time (luma, or U and V side by side); the arithmetic is that of the scalar
/// reference in `VP8LoopFilterReference`, which the tests hold it to.
///
/// The vector helpers are `@_transparent` rather than `@inline(__always)`: the optimizer left the latter as calls
/// inside the edge functions (32 calls to `pixel` alone), and inlining them cut lossy decoding time by 12 %
/// (volna 5120x2880: 165 -> 145 ms CPU).
enum VP8LoopFilter {
    typealias Lanes = SIMD16<Int16>

    // Lane-wise min/max written out: the generic standard-library versions are not inlined here.
    @_transparent static func maximum(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: b .> a) }
    @_transparent static func minimum(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: b .< a) }
    @_transparent static func absDiff(_ a: Lanes, _ b: Lanes) -> Lanes { maximum(a &- b, b &- a) }
    @_transparent static func clamp(_ v: Lanes, _ low: Int16, _ high: Int16) -> Lanes {
        minimum(maximum(v, Lanes(repeating: low)), Lanes(repeating: high))
    }
    @_transparent static func pixel(_ v: Lanes) -> Lanes { clamp(v, 0, 255) }

    /// Section 15.2: 4·|p0 - q0| + |p1 - q1| ≤ 2·limit + 1.
    @_transparent
    static func edgeMask(_ e: VP8EdgePixels, _ threshold2: Int16) -> SIMDMask<Lanes.MaskStorage> {
        4 &* absDiff(e.p0, e.q0) &+ absDiff(e.p1, e.q1) .<= Lanes(repeating: threshold2)
    }

    /// Section 15.2 common_adjust with outer taps on the lanes of `mask`: p0 and q0 only.
    @_transparent
    static func adjustTwo(_ e: inout VP8EdgePixels, where mask: SIMDMask<Lanes.MaskStorage>) {
        let a = 3 &* (e.q0 &- e.p0) &+ clamp(e.p1 &- e.q1, -128, 127)
        let a1 = clamp((a &+ 4) &>> 3, -16, 15)
        let a2 = clamp((a &+ 3) &>> 3, -16, 15)
        e.p0.replace(with: pixel(e.p0 &+ a2), where: mask)
        e.q0.replace(with: pixel(e.q0 &- a1), where: mask)
    }

    @_transparent
    static func simple(_ e: inout VP8EdgePixels, limit: Int32) {
        adjustTwo(&e, where: edgeMask(e, Int16(2 &* limit &+ 1)))
    }

    /// Section 15.3 normal filter: edge test plus interior differences ≤ `interior`; high edge variance lanes get
    /// the two-pixel adjustment, the others the 6-tap one on macroblock edges or the 4-pixel one inside.
    @_transparent
    static func normal(_ e: inout VP8EdgePixels, limit: Int32, interior: Int32, hev: Int32, macroblockEdge: Bool) {
        let i = Lanes(repeating: Int16(interior))
        var mask = edgeMask(e, Int16(2 &* limit &+ 1))
        mask = mask .& (absDiff(e.p3, e.p2) .<= i) .& (absDiff(e.p2, e.p1) .<= i) .& (absDiff(e.p1, e.p0) .<= i)
        mask = mask .& (absDiff(e.q3, e.q2) .<= i) .& (absDiff(e.q2, e.q1) .<= i) .& (absDiff(e.q1, e.q0) .<= i)
        if !any(mask) { return }
        let h = Lanes(repeating: Int16(hev))
        let highVariance = (absDiff(e.p1, e.p0) .> h) .| (absDiff(e.q1, e.q0) .> h)
        let smooth = mask .& .!highVariance
        if macroblockEdge {
            let w = clamp(3 &* (e.q0 &- e.p0) &+ clamp(e.p1 &- e.q1, -128, 127), -128, 127)
            let a1 = (27 &* w &+ 63) &>> 7, a2 = (18 &* w &+ 63) &>> 7, a3 = (9 &* w &+ 63) &>> 7
            adjustTwo(&e, where: mask .& highVariance)
            e.p2.replace(with: pixel(e.p2 &+ a3), where: smooth)
            e.p1.replace(with: pixel(e.p1 &+ a2), where: smooth)
            e.p0.replace(with: pixel(e.p0 &+ a1), where: smooth)
            e.q0.replace(with: pixel(e.q0 &- a1), where: smooth)
            e.q1.replace(with: pixel(e.q1 &- a2), where: smooth)
            e.q2.replace(with: pixel(e.q2 &- a3), where: smooth)
        } else {
            let a = 3 &* (e.q0 &- e.p0)
            let a1 = clamp((a &+ 4) &>> 3, -16, 15), a2 = clamp((a &+ 3) &>> 3, -16, 15), a3 = (a1 &+ 1) &>> 1
            // Computed from the pixels before either adjustment: the two lane sets are disjoint.
            let p1 = pixel(e.p1 &+ a3), p0 = pixel(e.p0 &+ a2), q0 = pixel(e.q0 &- a1), q1 = pixel(e.q1 &- a3)
            adjustTwo(&e, where: mask .& highVariance)
            e.p1.replace(with: p1, where: smooth)
            e.p0.replace(with: p0, where: smooth)
            e.q0.replace(with: q0, where: smooth)
            e.q1.replace(with: q1, where: smooth)
        }
    }

    // One function per edge direction and filter kind, not inlined: inside each, every helper is inlined into
    // one straight run of vector code; the twelve edges of a macroblock call them.

    @inline(never)
    static func simpleVertical(_ p: UnsafeMutablePointer<UInt8>, stride: Int, limit: Int32) {
        var e = VP8EdgePixels(verticalEdge: p, p + 8 * stride, stride: stride)
        simple(&e, limit: limit)
        e.storeVerticalEdge(p, p + 8 * stride, stride: stride)
    }

    @inline(never)
    static func simpleHorizontal(_ p: UnsafeMutablePointer<UInt8>, stride: Int, limit: Int32) {
        var e = VP8EdgePixels(horizontalEdge: p, p + 8, stride: stride)
        simple(&e, limit: limit)
        e.storeHorizontalEdge(p, p + 8, stride: stride)
    }

    @inline(never)
    static func normalVertical(_ a: UnsafeMutablePointer<UInt8>, _ b: UnsafeMutablePointer<UInt8>, stride: Int,
                               limit: Int32, interior: Int32, hev: Int32, macroblockEdge: Bool) {
        var e = VP8EdgePixels(verticalEdge: a, b, stride: stride)
        normal(&e, limit: limit, interior: interior, hev: hev, macroblockEdge: macroblockEdge)
        e.storeVerticalEdge(a, b, stride: stride)
    }

    @inline(never)
    static func normalHorizontal(_ a: UnsafeMutablePointer<UInt8>, _ b: UnsafeMutablePointer<UInt8>, stride: Int,
                                 limit: Int32, interior: Int32, hev: Int32, macroblockEdge: Bool) {
        var e = VP8EdgePixels(horizontalEdge: a, b, stride: stride)
        normal(&e, limit: limit, interior: interior, hev: hev, macroblockEdge: macroblockEdge)
        e.storeHorizontalEdge(a, b, stride: stride)
    }

    /// Filters one macroblock whose luma block starts at `y` (stride `yStride`) and chroma at `u`, `v`.
    static func filterMacroblock(simple isSimple: Bool, _ s: VP8FilterStrength, y: UnsafeMutablePointer<UInt8>, yStride: Int,
                                 u: UnsafeMutablePointer<UInt8>, v: UnsafeMutablePointer<UInt8>, uvStride: Int,
                                 left: Bool, top: Bool) {
        let limit = s.limit
        if limit == 0 { return }
        let ys = yStride, cs = uvStride
        if isSimple {
            if left { simpleVertical(y, stride: ys, limit: limit + 4) }
            if s.inner { for x in stride(from: 4, to: 16, by: 4) { simpleVertical(y + x, stride: ys, limit: limit) } }
            if top { simpleHorizontal(y, stride: ys, limit: limit + 4) }
            if s.inner { for r in stride(from: 4, to: 16, by: 4) { simpleHorizontal(y + r * ys, stride: ys, limit: limit) } }
            return
        }
        let i = s.interiorLimit, h = s.hevThreshold
        if left {
            normalVertical(y, y + 8 * ys, stride: ys, limit: limit + 4, interior: i, hev: h, macroblockEdge: true)
            normalVertical(u, v, stride: cs, limit: limit + 4, interior: i, hev: h, macroblockEdge: true)
        }
        if s.inner {
            for x in stride(from: 4, to: 16, by: 4) {
                normalVertical(y + x, y + x + 8 * ys, stride: ys, limit: limit, interior: i, hev: h, macroblockEdge: false)
            }
            normalVertical(u + 4, v + 4, stride: cs, limit: limit, interior: i, hev: h, macroblockEdge: false)
        }
        if top {
            normalHorizontal(y, y + 8, stride: ys, limit: limit + 4, interior: i, hev: h, macroblockEdge: true)
            normalHorizontal(u, v, stride: cs, limit: limit + 4, interior: i, hev: h, macroblockEdge: true)
        }
        if s.inner {
            for r in stride(from: 4, to: 16, by: 4) {
                normalHorizontal(y + r * ys, y + r * ys + 8, stride: ys, limit: limit, interior: i, hev: h, macroblockEdge: false)
            }
            normalHorizontal(u + 4 * cs, v + 4 * cs, stride: cs, limit: limit, interior: i, hev: h, macroblockEdge: false)
        }
    }
}
