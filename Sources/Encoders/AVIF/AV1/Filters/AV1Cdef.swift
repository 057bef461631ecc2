import Raster

/// One CDEF strength preset of the frame header (cdef_params, §5.9.19): primary 0...15, secondary 0, 1, 2 or 4.
struct AV1CdefStrength: Equatable, Hashable {
    var pri: Int, sec: Int
}

/// The CDEF configuration of a frame: damping, the presets and the preset chosen for every 64x64 unit.
struct AV1CdefParams {
    /// CdefDamping (3...6).
    var damping = 3
    /// cdef_bits: 1 << bits presets.
    var bits = 0
    var y: [AV1CdefStrength] = [AV1CdefStrength(pri: 0, sec: 0)]
    var uv: [AV1CdefStrength] = [AV1CdefStrength(pri: 0, sec: 0)]
    /// cdef_idx per 64x64 unit (sbRows x sbCols, row-major); -1 where the unit has no non-skip block, which the
    /// decoder leaves unfiltered.
    var index: [Int] = []

    /// No filtering anywhere: the sequence header can disable CDEF.
    var isIdentity: Bool {
        bits == 0 && y[0] == AV1CdefStrength(pri: 0, sec: 0) && uv[0] == AV1CdefStrength(pri: 0, sec: 0)
    }
}

/// Per 8x8 luma block: whether CDEF skips it (all four mi skip, §7.15.1), and the direction and variance of the
/// CDEF direction process (§7.15.2) measured on the deblocked luma.
final class AV1CdefAnalysis {
    let cols8: Int, rows8: Int, sbCols: Int, sbRows: Int
    let skip: [Bool], dir: [UInt8], variance: [Int32]
    /// Units holding a non-skip block (the decoder reads their cdef_idx).
    let unitCoded: [Bool]

    init(frame f: AV1FrameState, luma: AV1Plane) {
        cols8 = f.miCols >> 1; rows8 = f.miRows >> 1
        sbCols = (f.miCols + 15) >> 4; sbRows = (f.miRows + 15) >> 4
        let n = cols8 * rows8
        var skip = [Bool](repeating: true, count: n)
        var unitCoded = [Bool](repeating: false, count: sbCols * sbRows)
        for by in 0..<rows8 {
            for bx in 0..<cols8 {
                let r = by * 2, c = bx * 2
                let s = f.skip[r * f.miCols + c] & f.skip[r * f.miCols + c + 1] & f.skip[(r + 1) * f.miCols + c]
                    & f.skip[(r + 1) * f.miCols + c + 1]
                if s == 0 { skip[by * cols8 + bx] = false }
            }
        }
        for y in 0..<f.miRows {
            for x in 0..<f.miCols where f.skip[y * f.miCols + x] == 0 { unitCoded[(y >> 4) * sbCols + (x >> 4)] = true }
        }
        self.skip = skip; self.unitCoded = unitCoded
        let rows = rows8, cols = cols8
        let parts = min(rows, 16)
        let dirs = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, n))
        let vars = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, n))
        dirs.initialize(repeating: 0, count: max(1, n)); vars.initialize(repeating: 0, count: max(1, n))
        defer { dirs.deallocate(); vars.deallocate() }
        let skipMap = skip
        let work = { (part: Int) in
            for by in (part * rows / parts)..<((part + 1) * rows / parts) {
                for bx in 0..<cols where !skipMap[by * cols + bx] {
                    let (d, v) = AV1Cdef.direction(luma.data + by * 8 * luma.stride + bx * 8, luma.stride)
                    dirs[by * cols + bx] = UInt8(d); vars[by * cols + bx] = v
                }
            }
        }
        if rows * cols >= 1024 { Job.parallelFor(parts, work) } else { for p in 0..<parts { work(p) } }
        dir = Array(UnsafeBufferPointer(start: dirs, count: n))
        variance = Array(UnsafeBufferPointer(start: vars, count: n))
    }
}

/// The decoder's CDEF process (AV1 spec §7.15) on 8-bit samples, and the encoder's search of its parameters.
enum AV1Cdef {
    /// CDEF direction process (§7.15.2) of the 8x8 luma block at `p`.
    static func direction(_ p: UnsafeMutablePointer<UInt8>, _ rowStride: Int) -> (Int, Int32) {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 8 * 15 + 8) { buffer in
            let partial = buffer.baseAddress!, cost = partial + 8 * 15
            partial.initialize(repeating: 0, count: 8 * 15 + 8)
            @inline(__always) func at(_ k: Int, _ i: Int) -> UnsafeMutablePointer<Int32> { partial + k * 15 + i }
            for i in 0..<8 {
                let row = p + i * rowStride
                for j in 0..<8 {
                    let x = Int32(row[j]) - 128
                    at(0, i + j).pointee += x
                    at(1, i + j / 2).pointee += x
                    at(2, i).pointee += x
                    at(3, 3 + i - j / 2).pointee += x
                    at(4, 7 + i - j).pointee += x
                    at(5, 3 - i / 2 + j).pointee += x
                    at(6, j).pointee += x
                    at(7, i / 2 + j).pointee += x
                }
            }
            @inline(__always) func sq(_ k: Int, _ i: Int) -> Int32 { let v = at(k, i).pointee; return v * v }
            let div = AV1FilterTables.cdefDivTable
            for i in 0..<8 {
                cost[2] += sq(2, i)
                cost[6] += sq(6, i)
            }
            cost[2] *= div[8]
            cost[6] *= div[8]
            for i in 0..<7 {
                cost[0] += (sq(0, i) + sq(0, 14 - i)) * div[i + 1]
                cost[4] += (sq(4, i) + sq(4, 14 - i)) * div[i + 1]
            }
            cost[0] += sq(0, 7) * div[8]
            cost[4] += sq(4, 7) * div[8]
            for i in stride(from: 1, to: 8, by: 2) {
                for j in 0..<5 { cost[i] += sq(i, 3 + j) }
                cost[i] *= div[8]
                for j in 0..<3 {
                    cost[i] += (sq(i, j) + sq(i, 10 - j)) * div[2 * j + 2]
                }
            }
            var best: Int32 = 0, yDir = 0
            for i in 0..<8 where cost[i] > best { best = cost[i]; yDir = i }
            return (yDir, (best - cost[(yDir + 4) & 7]) >> 10)
        }
    }

    /// constrain() of §7.15.3 for every difference -255...255 and every threshold 0...15, for the luma damping
    /// and the chroma damping (one less): y[threshold * 511 + diff + 255].
    final class ConstrainTables {
        let y: UnsafeMutablePointer<Int16>, uv: UnsafeMutablePointer<Int16>
        init(damping: Int) {
            y = .allocate(capacity: 16 * 511); uv = .allocate(capacity: 16 * 511)
            for (t, damp) in [(y, damping), (uv, damping - 1)] {
                t.initialize(repeating: 0, count: 16 * 511)
                for th in 1..<16 {
                    let adj = max(0, damp - (Int.bitWidth - 1 - th.leadingZeroBitCount))
                    for diff in -255...255 {
                        let v = min(abs(diff), max(0, th - (abs(diff) >> adj)))
                        t[th * 511 + diff + 255] = Int16(diff < 0 ? -v : v)
                    }
                }
            }
        }
        deinit { y.deallocate(); uv.deallocate() }
    }

    /// Offsets of the taps of direction `dir` at distance k (0, 1), Cdef_Directions of §7.15.3.
    @inline(__always)
    static func tapOffset(_ dir: Int, _ k: Int) -> (Int, Int) {
        (Int(cdefDirections[dir * 4 + k * 2]), Int(cdefDirections[dir * 4 + k * 2 + 1]))
    }

    /// The luma primary strength after the variance adjustment of §7.15.1 (steps 4 and 5).
    @inline(__always)
    static func adjustedPrimary(_ pri: Int, variance v: Int32) -> Int {
        let vs = (v >> 6) != 0 ? min(Int.bitWidth - 1 - Int(v >> 6).leadingZeroBitCount, 12) : 0
        return v != 0 ? (pri * (4 + vs) + 8) >> 4 : 0
    }

    /// Block geometry of one plane for the CDEF filter process: the available area (is_inside_filter_region: the
    /// frame's mi grid) and the 8x8 block size in that plane.
    struct PlaneGeometry {
        let availW: Int, availH: Int, bw: Int, bh: Int, sx: Int, sy: Int
        init(frame f: AV1FrameState, plane: Int) {
            sx = plane > 0 ? f.subX : 0; sy = plane > 0 ? f.subY : 0
            availW = (f.miCols * 4) >> sx; availH = (f.miRows * 4) >> sy
            bw = 8 >> sx; bh = 8 >> sy
        }
    }

    /// The 12 tap offsets (dy, dx) of direction `dir`: primary k0+, k0-, k1+, k1-, then the secondary taps of
    /// dir + 2 and dir - 2 in the same order (§7.15.3), into `o` (24 values).
    static func tapOffsets(dir: Int, into o: UnsafeMutablePointer<Int>) {
        var n = 0
        for m in 0..<3 {
            let d = m == 0 ? dir : (m == 1 ? (dir + 2) & 7 : (dir + 6) & 7)
            for k in 0..<2 {
                let oy = Int(cdefDirections[d * 4 + k * 2]), ox = Int(cdefDirections[d * 4 + k * 2 + 1])
                o[n] = oy; o[n + 1] = ox; o[n + 2] = -oy; o[n + 3] = -ox
                n += 4
            }
        }
    }

    /// The 12 taps of the sample at (x, y), with unavailable taps (outside is_inside_filter_region) replaced by
    /// the sample itself: such a tap then adds nothing to the sum nor to the min/max, exactly as CdefAvailable = 0.
    @inline(__always)
    static func gather(_ src: UnsafeMutablePointer<UInt8>, _ stride: Int, x: Int, y: Int, offsets o: UnsafeMutablePointer<Int>,
                       g: PlaneGeometry, interior: Bool, into t: UnsafeMutablePointer<Int32>) {
        let center = Int32(src[y * stride + x])
        for n in 0..<12 {
            let yy = y + o[2 * n], xx = x + o[2 * n + 1]
            if interior || (yy >= 0 && yy < g.availH && xx >= 0 && xx < g.availW) {
                t[n] = Int32(src[yy * stride + xx])
            } else {
                t[n] = center
            }
        }
    }

    /// CDEF filter process (§7.15.3) for one 8x8 block (in luma units) of `plane`, reading `src` (the deblocked
    /// frame) and writing `dst`.
    /// `damping` is the plane's (the luma damping, one less for chroma), the one `table` was made with.
    static func filterBlock(src: UnsafeMutablePointer<UInt8>, dst: UnsafeMutablePointer<UInt8>, stride: Int, g: PlaneGeometry,
                            bx: Int, by: Int, pri: Int, sec: Int, dir: Int, table: UnsafePointer<Int16>, damping: Int) {
        let x0 = bx * g.bw, y0 = by * g.bh
        let interior = x0 >= 2 && y0 >= 2 && x0 + g.bw + 2 <= g.availW && y0 + g.bh + 2 <= g.availH
        let priTaps = (pri & 1) == 0 ? (Int32(4), Int32(2)) : (Int32(3), Int32(3))
        let pt = table + pri * 511 + 255, st = table + sec * 511 + 255
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 12) { tb in
          withUnsafeTemporaryAllocation(of: Int.self, capacity: 24) { ob in
            let t = tb.baseAddress!, o = ob.baseAddress!
            tapOffsets(dir: dir, into: o)
            if interior && g.bw == 8 {
                AV1CdefRows.filter(SIMD8<Int32>.self, src: src, dst: dst, stride: stride, x0: x0, y0: y0, rows: g.bh,
                                   offsets: o, pri: pri, sec: sec, damping: damping)
                return
            }
            if interior && g.bw == 4 {
                AV1CdefRows.filter(SIMD4<Int32>.self, src: src, dst: dst, stride: stride, x0: x0, y0: y0, rows: g.bh,
                                   offsets: o, pri: pri, sec: sec, damping: damping)
                return
            }
            for i in 0..<g.bh {
                for j in 0..<g.bw {
                    let x = x0 + j, y = y0 + i
                    gather(src, stride, x: x, y: y, offsets: o, g: g, interior: interior, into: t)
                    let c = Int32(src[y * stride + x])
                    var mn = c, mx = c
                    for k in 0..<12 { mn = min(mn, t[k]); mx = max(mx, t[k]) }
                    var sum: Int32 = 0
                    sum += priTaps.0 * (Int32(pt[Int(t[0] - c)]) + Int32(pt[Int(t[1] - c)]))
                    sum += priTaps.1 * (Int32(pt[Int(t[2] - c)]) + Int32(pt[Int(t[3] - c)]))
                    for m in 0..<2 {
                        let b = 4 + m * 4
                        sum += 2 * (Int32(st[Int(t[b] - c)]) + Int32(st[Int(t[b + 1] - c)]))
                        sum += Int32(st[Int(t[b + 2] - c)]) + Int32(st[Int(t[b + 3] - c)])
                    }
                    let v = c + ((8 + sum - (sum < 0 ? 1 : 0)) >> 4)
                    dst[y * stride + x] = UInt8(min(max(v, mn), mx))
                }
            }
          }
        }
    }

    /// The CDEF process (§7.15) over the whole frame, in place on `planes` (the deblocked reconstruction).
    static func apply(frame f: AV1FrameState, analysis a: AV1CdefAnalysis, params: AV1CdefParams, planes: [AV1Plane]) {
        if params.isIdentity { return }
        let tables = ConstrainTables(damping: params.damping)
        // The filter reads the unfiltered frame: keep a copy.
        let copies = (0..<f.numPlanes).map { p -> UnsafeMutablePointer<UInt8> in
            let n = planes[p].width * planes[p].height
            let c = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
            c.initialize(from: planes[p].data, count: n)
            return c
        }
        defer { for c in copies { c.deallocate() } }
        let geo = (0..<f.numPlanes).map { PlaneGeometry(frame: f, plane: $0) }
        let rows = a.rows8, parts = min(rows, 16)
        let work = { (part: Int) in
            for by in (part * rows / parts)..<((part + 1) * rows / parts) {
                for bx in 0..<a.cols8 {
                    let idx = params.index[(by >> 3) * a.sbCols + (bx >> 3)]
                    if idx < 0 || a.skip[by * a.cols8 + bx] { continue }
                    let yDir = Int(a.dir[by * a.cols8 + bx])
                    for p in 0..<f.numPlanes {
                        let s = p == 0 ? params.y[idx] : params.uv[idx]
                        let pri = p == 0 ? adjustedPrimary(s.pri, variance: a.variance[by * a.cols8 + bx]) : s.pri
                        if pri == 0 && s.sec == 0 { continue }
                        var d = s.pri == 0 ? 0 : yDir
                        if p > 0 && s.pri != 0 { d = Int(cdefUvDir[(f.subX * 2 + f.subY) * 8 + yDir]) }
                        filterBlock(src: copies[p], dst: planes[p].data, stride: planes[p].stride, g: geo[p],
                                    bx: bx, by: by, pri: pri, sec: s.sec, dir: d, table: p == 0 ? tables.y : tables.uv,
                                    damping: p == 0 ? params.damping : params.damping - 1)
                    }
                }
            }
        }
        if rows * a.cols8 >= 1024 { Job.parallelFor(parts, work) } else { for p in 0..<parts { work(p) } }
    }
}
