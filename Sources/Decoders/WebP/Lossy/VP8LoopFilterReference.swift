/// The loop filters of RFC 6386 section 15, one pixel at a time: the plain reference that the vector filter
/// (`VP8LoopFilter`) must match exactly, as dwebp's are computed. Same macroblock order:
/// left macroblock edge, inner vertical edges, top macroblock edge, inner horizontal edges.
enum VP8LoopFilterReference {
    @inline(__always) static func clampSigned(_ v: Int32, _ low: Int32, _ high: Int32) -> Int32 {
        v < low ? low : (v > high ? high : v)
    }
    @inline(__always) static func pixel(_ v: Int32) -> UInt8 { UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v)) }

    /// Section 15.2 common_adjust with outer taps: moves p0 and q0 only.
    @inline(__always)
    static func filter2(_ p: UnsafeMutablePointer<UInt8>, _ step: Int) {
        let p1 = Int32(p[-2 * step]), p0 = Int32(p[-step]), q0 = Int32(p[0]), q1 = Int32(p[step])
        let a = 3 &* (q0 &- p0) &+ clampSigned(p1 &- q1, -128, 127)
        let a1 = clampSigned((a &+ 4) &>> 3, -16, 15)
        let a2 = clampSigned((a &+ 3) &>> 3, -16, 15)
        p[-step] = pixel(p0 &+ a2)
        p[0] = pixel(q0 &- a1)
    }

    /// Section 15.3 subblock filter without high edge variance: moves p1, p0, q0, q1.
    @inline(__always)
    static func filter4(_ p: UnsafeMutablePointer<UInt8>, _ step: Int) {
        let p1 = Int32(p[-2 * step]), p0 = Int32(p[-step]), q0 = Int32(p[0]), q1 = Int32(p[step])
        let a = 3 &* (q0 &- p0)
        let a1 = clampSigned((a &+ 4) &>> 3, -16, 15)
        let a2 = clampSigned((a &+ 3) &>> 3, -16, 15)
        let a3 = (a1 &+ 1) &>> 1
        p[-2 * step] = pixel(p1 &+ a3)
        p[-step] = pixel(p0 &+ a2)
        p[0] = pixel(q0 &- a1)
        p[step] = pixel(q1 &- a3)
    }

    /// Section 15.3 macroblock edge filter without high edge variance: moves p2...q2 by 27/18/9 · w / 128.
    @inline(__always)
    static func filter6(_ p: UnsafeMutablePointer<UInt8>, _ step: Int) {
        let p2 = Int32(p[-3 * step]), p1 = Int32(p[-2 * step]), p0 = Int32(p[-step])
        let q0 = Int32(p[0]), q1 = Int32(p[step]), q2 = Int32(p[2 * step])
        let a = clampSigned(3 &* (q0 &- p0) &+ clampSigned(p1 &- q1, -128, 127), -128, 127)
        let a1 = (27 &* a &+ 63) &>> 7
        let a2 = (18 &* a &+ 63) &>> 7
        let a3 = (9 &* a &+ 63) &>> 7
        p[-3 * step] = pixel(p2 &+ a3)
        p[-2 * step] = pixel(p1 &+ a2)
        p[-step] = pixel(p0 &+ a1)
        p[0] = pixel(q0 &- a1)
        p[step] = pixel(q1 &- a2)
        p[2 * step] = pixel(q2 &- a3)
    }

    /// Section 15.2: the edge is filtered when |p0 - q0|·2 + |p1 - q1|/2 ≤ limit, written 4·|p0-q0| + |p1-q1| ≤ 2·limit+1.
    @inline(__always)
    static func needsFilter(_ p: UnsafeMutablePointer<UInt8>, _ step: Int, _ threshold2: Int32) -> Bool {
        let p1 = Int32(p[-2 * step]), p0 = Int32(p[-step]), q0 = Int32(p[0]), q1 = Int32(p[step])
        return 4 &* abs(p0 &- q0) &+ abs(p1 &- q1) <= threshold2
    }

    /// Section 15.3: the edge test plus every interior difference within the interior limit.
    @inline(__always)
    static func needsFilterNormal(_ p: UnsafeMutablePointer<UInt8>, _ step: Int, _ threshold2: Int32, _ interior: Int32) -> Bool {
        let p3 = Int32(p[-4 * step]), p2 = Int32(p[-3 * step]), p1 = Int32(p[-2 * step]), p0 = Int32(p[-step])
        let q0 = Int32(p[0]), q1 = Int32(p[step]), q2 = Int32(p[2 * step]), q3 = Int32(p[3 * step])
        if 4 &* abs(p0 &- q0) &+ abs(p1 &- q1) > threshold2 { return false }
        return abs(p3 &- p2) <= interior && abs(p2 &- p1) <= interior && abs(p1 &- p0) <= interior
            && abs(q3 &- q2) <= interior && abs(q2 &- q1) <= interior && abs(q1 &- q0) <= interior
    }

    @inline(__always)
    static func highEdgeVariance(_ p: UnsafeMutablePointer<UInt8>, _ step: Int, _ threshold: Int32) -> Bool {
        let p1 = Int32(p[-2 * step]), p0 = Int32(p[-step]), q0 = Int32(p[0]), q1 = Int32(p[step])
        return abs(p1 &- p0) > threshold || abs(q1 &- q0) > threshold
    }

    /// Simple filter along one edge of `count` pixels: `across` steps over the edge, `along` along it.
    @inline(__always)
    static func simpleEdge(_ p: UnsafeMutablePointer<UInt8>, across: Int, along: Int, count: Int, limit: Int32) {
        let threshold2 = 2 &* limit &+ 1
        for i in 0..<count {
            let q = p + i * along
            if needsFilter(q, across, threshold2) { filter2(q, across) }
        }
    }

    /// Normal filter along one edge; `macroblockEdge` picks the 6-tap adjustment for low-variance pixels.
    @inline(__always)
    static func normalEdge(_ p: UnsafeMutablePointer<UInt8>, across: Int, along: Int, count: Int, limit: Int32,
                           interior: Int32, hev: Int32, macroblockEdge: Bool) {
        let threshold2 = 2 &* limit &+ 1
        for i in 0..<count {
            let q = p + i * along
            guard needsFilterNormal(q, across, threshold2, interior) else { continue }
            if highEdgeVariance(q, across, hev) {
                filter2(q, across)
            } else if macroblockEdge {
                filter6(q, across)
            } else {
                filter4(q, across)
            }
        }
    }

    /// Filters one macroblock whose luma block starts at `y` (stride `yStride`) and chroma at `u`, `v`.
    static func filterMacroblock(simple: Bool, _ s: VP8FilterStrength, y: UnsafeMutablePointer<UInt8>, yStride: Int,
                                 u: UnsafeMutablePointer<UInt8>, v: UnsafeMutablePointer<UInt8>, uvStride: Int,
                                 left: Bool, top: Bool) {
        let limit = s.limit
        if limit == 0 { return }
        if simple {
            if left { simpleEdge(y, across: 1, along: yStride, count: 16, limit: limit + 4) }
            if s.inner { for x in stride(from: 4, to: 16, by: 4) { simpleEdge(y + x, across: 1, along: yStride, count: 16, limit: limit) } }
            if top { simpleEdge(y, across: yStride, along: 1, count: 16, limit: limit + 4) }
            if s.inner { for r in stride(from: 4, to: 16, by: 4) { simpleEdge(y + r * yStride, across: yStride, along: 1, count: 16, limit: limit) } }
            return
        }
        let interior = s.interiorLimit, hev = s.hevThreshold
        if left {
            normalEdge(y, across: 1, along: yStride, count: 16, limit: limit + 4, interior: interior, hev: hev, macroblockEdge: true)
            normalEdge(u, across: 1, along: uvStride, count: 8, limit: limit + 4, interior: interior, hev: hev, macroblockEdge: true)
            normalEdge(v, across: 1, along: uvStride, count: 8, limit: limit + 4, interior: interior, hev: hev, macroblockEdge: true)
        }
        if s.inner {
            for x in stride(from: 4, to: 16, by: 4) {
                normalEdge(y + x, across: 1, along: yStride, count: 16, limit: limit, interior: interior, hev: hev, macroblockEdge: false)
            }
            normalEdge(u + 4, across: 1, along: uvStride, count: 8, limit: limit, interior: interior, hev: hev, macroblockEdge: false)
            normalEdge(v + 4, across: 1, along: uvStride, count: 8, limit: limit, interior: interior, hev: hev, macroblockEdge: false)
        }
        if top {
            normalEdge(y, across: yStride, along: 1, count: 16, limit: limit + 4, interior: interior, hev: hev, macroblockEdge: true)
            normalEdge(u, across: uvStride, along: 1, count: 8, limit: limit + 4, interior: interior, hev: hev, macroblockEdge: true)
            normalEdge(v, across: uvStride, along: 1, count: 8, limit: limit + 4, interior: interior, hev: hev, macroblockEdge: true)
        }
        if s.inner {
            for r in stride(from: 4, to: 16, by: 4) {
                normalEdge(y + r * yStride, across: yStride, along: 1, count: 16, limit: limit, interior: interior, hev: hev,
                           macroblockEdge: false)
            }
            normalEdge(u + 4 * uvStride, across: uvStride, along: 1, count: 8, limit: limit, interior: interior, hev: hev,
                       macroblockEdge: false)
            normalEdge(v + 4 * uvStride, across: uvStride, along: 1, count: 8, limit: limit, interior: interior, hev: hev,
                       macroblockEdge: false)
        }
    }
}
