import Raster

/// Deblocking parameters of the frame header (loop_filter_params, §5.9.11). Deltas and segmentation are not used,
/// so every block of a plane and direction gets the frame's level.
struct AV1DeblockParams: Equatable {
    /// loop_filter_level[0...3]: luma vertical edges, luma horizontal edges, U, V.
    var levels = [0, 0, 0, 0]
    var sharpness = 0
    /// The decoder runs the loop filter only when a luma level is non-zero (§7.3 decode_frame_wrapup); the chroma
    /// levels are then not even coded.
    var isOff: Bool { levels[0] == 0 && levels[1] == 0 }
}

/// The transform size of every 4x4 unit of one plane, as the decoder's LoopfilterTxSizes holds it (§5.11.35): the
/// luma TX_SIZE the block coder stored per mi, and for chroma the size get_tx_size derives from the block size
/// (§5.11.37; intra chroma never splits its transform).
struct AV1PlaneTxGrid {
    let cols: Int, rows: Int
    /// Transform width and height in samples.
    let w: [UInt8], h: [UInt8]

    init(frame f: AV1FrameState, plane: Int) {
        let sx = plane > 0 ? f.subX : 0, sy = plane > 0 ? f.subY : 0
        cols = f.miCols >> sx; rows = f.miRows >> sy
        var w = [UInt8](repeating: 4, count: cols * rows), h = w
        for y in 0..<rows {
            for x in 0..<cols {
                // The mode info of a chroma unit is the one at (row | subY, col | subX), the block that carries
                // the chroma of that 2x2 group (§7.14.2).
                let mi = ((y << sy) | sy) * f.miCols + ((x << sx) | sx)
                if plane == 0 {
                    let t = Int(f.txSize[mi])
                    w[y * cols + x] = AV1FilterTables.txWidth[t]; h[y * cols + x] = AV1FilterTables.txHeight[t]
                } else {
                    // get_plane_residual_size (Subsampled_Size, at least 4x4), Max_Tx_Size_Rect, then 64 → 32.
                    let b = Int(f.miSize[mi])
                    let bw = max(4, Int(AV1FilterTables.num4x4Wide[b]) * 4 >> sx)
                    let bh = max(4, Int(AV1FilterTables.num4x4High[b]) * 4 >> sy)
                    w[y * cols + x] = UInt8(min(32, bw)); h[y * cols + x] = UInt8(min(32, bh))
                }
            }
        }
        self.w = w; self.h = h
    }
}

/// The decoder's deblocking loop filter (AV1 spec §7.14), applied by the encoder to its reconstruction so that it
/// can search the levels and so that CDEF and the caller see exactly the decoder's samples. Intra frames only:
/// every block is intra, so every transform edge is filtered (applyFilter of §7.14.2 reduces to isTxEdge).
enum AV1Deblock {
    /// limit, blimit and thresh of the adaptive filter strength process (§7.14.4) for 8-bit samples.
    static func strength(level: Int, sharpness: Int) -> (limit: Int32, blimit: Int32, thresh: Int32) {
        let shift = sharpness > 4 ? 2 : (sharpness > 0 ? 1 : 0)
        let limit = sharpness > 0 ? min(max(level >> shift, 1), 9 - sharpness) : max(1, level >> shift)
        return (Int32(limit), Int32(2 * (level + 2) + limit), Int32(level >> 4))
    }

    /// Applies the loop filter to all planes of the frame (`planes` laid out like the frame state's recon).
    static func apply(frame f: AV1FrameState, width: Int, height: Int, planes: [AV1Plane], params: AV1DeblockParams) {
        if params.isOff { return }
        for p in 0..<f.numPlanes {
            let levels = p == 0 ? (params.levels[0], params.levels[1]) : (params.levels[p + 1], params.levels[p + 1])
            if levels.0 == 0 && levels.1 == 0 { continue }
            let grid = AV1PlaneTxGrid(frame: f, plane: p)
            filterPlane(planes[p].data, stride: planes[p].stride, grid: grid, plane: p, frame: f, width: width,
                        height: height, levels: levels, sharpness: params.sharpness)
        }
    }

    /// Both passes of one plane: all vertical edges, then all horizontal edges (§7.14.1). The edges of one pass
    /// never touch each other's samples (the filter length is bounded by the transform sizes on both sides), so
    /// bands of 4x4 rows are filtered concurrently.
    static func filterPlane(_ data: UnsafeMutablePointer<UInt8>, stride: Int, grid: AV1PlaneTxGrid, plane: Int,
                            frame f: AV1FrameState, width: Int, height: Int, levels: (Int, Int), sharpness: Int) {
        let sx = plane > 0 ? f.subX : 0, sy = plane > 0 ? f.subY : 0
        // Edges at or beyond the visible picture are not filtered (onScreen of §7.14.2).
        let colsOn = min(grid.cols, (width + (4 << sx) - 1) / (4 << sx))
        let rowsOn = min(grid.rows, (height + (4 << sy) - 1) / (4 << sy))
        let maxSize = plane == 0 ? 16 : 8
        let bands = min(rowsOn, 8)
        for pass in 0..<2 {
            let level = pass == 0 ? levels.0 : levels.1
            if level == 0 { continue }
            let (limit, blimit, thresh) = strength(level: level, sharpness: sharpness)
            let work = { (band: Int) in
                let y0 = band * rowsOn / bands, y1 = (band + 1) * rowsOn / bands
                grid.w.withUnsafeBufferPointer { gw in
                    grid.h.withUnsafeBufferPointer { gh in
                        for y in y0..<y1 {
                            for x in 0..<colsOn {
                                let i = y * grid.cols + x
                                let size: Int
                                let d: Int
                                if pass == 0 {
                                    let tw = Int(gw[i])
                                    if x == 0 || (x * 4) & (tw - 1) != 0 { continue }
                                    size = min(maxSize, tw, Int(gw[i - 1]))
                                    d = 1
                                } else {
                                    let th = Int(gh[i])
                                    if y == 0 || (y * 4) & (th - 1) != 0 { continue }
                                    size = min(maxSize, th, Int(gh[i - grid.cols]))
                                    d = stride
                                }
                                let along = pass == 0 ? stride : 1
                                let q = data + y * 4 * stride + x * 4
                                for k in 0..<4 {
                                    filterSample(q + k * along, d, size: size, chroma: plane > 0,
                                                 limit: limit, blimit: blimit, thresh: thresh)
                                }
                            }
                        }
                    }
                }
            }
            if bands > 1 && rowsOn * colsOn >= 4096 {
                Job.parallelFor(bands, work)
            } else {
                for b in 0..<bands { work(b) }
            }
        }
    }

    /// Sample filtering process (§7.14.6) across the edge before `q` (q0 at `q`, p0 at `q - d`).
    @inline(__always)
    static func filterSample(_ q: UnsafeMutablePointer<UInt8>, _ d: Int, size: Int, chroma: Bool,
                             limit: Int32, blimit: Int32, thresh: Int32) {
        let p0 = Int32(q[-d]), p1 = Int32(q[-2 * d]), q0 = Int32(q[0]), q1 = Int32(q[d])
        // Filter mask (§7.14.6.2).
        let ap = abs(p1 - p0), aq = abs(q1 - q0)
        if ap > limit || aq > limit || abs(p0 - q0) * 2 + abs(p1 - q1) / 2 > blimit { return }
        let filterLen = size == 4 ? 4 : (chroma ? 6 : (size == 8 ? 8 : 16))
        var p2: Int32 = 0, q2: Int32 = 0, p3: Int32 = 0, q3: Int32 = 0
        if filterLen >= 6 {
            p2 = Int32(q[-3 * d]); q2 = Int32(q[2 * d])
            if abs(p2 - p1) > limit || abs(q2 - q1) > limit { return }
        }
        if filterLen >= 8 {
            p3 = Int32(q[-4 * d]); q3 = Int32(q[3 * d])
            if abs(p3 - p2) > limit || abs(q3 - q2) > limit { return }
        }
        let hev = ap > thresh || aq > thresh
        if size == 4 { narrow(q, d, hev: hev, p1, p0, q0, q1); return }
        var flat = ap <= 1 && aq <= 1 && abs(p2 - p0) <= 1 && abs(q2 - q0) <= 1
        if filterLen >= 8 { flat = flat && abs(p3 - p0) <= 1 && abs(q3 - q0) <= 1 }
        if !flat { narrow(q, d, hev: hev, p1, p0, q0, q1); return }
        if size == 8 { wide(q, d, log2Size: 3, chroma: chroma); return }
        let p4 = Int32(q[-5 * d]), p5 = Int32(q[-6 * d]), p6 = Int32(q[-7 * d])
        let q4 = Int32(q[4 * d]), q5 = Int32(q[5 * d]), q6 = Int32(q[6 * d])
        let flat2 = abs(p6 - p0) <= 1 && abs(q6 - q0) <= 1 && abs(p5 - p0) <= 1 && abs(q5 - q0) <= 1
            && abs(p4 - p0) <= 1 && abs(q4 - q0) <= 1
        wide(q, d, log2Size: flat2 ? 4 : 3, chroma: chroma)
    }

    /// Narrow filter process (§7.14.6.3), 8-bit.
    @inline(__always)
    static func narrow(_ q: UnsafeMutablePointer<UInt8>, _ d: Int, hev: Bool, _ p1: Int32, _ p0: Int32, _ q0: Int32, _ q1: Int32) {
        @inline(__always) func c4(_ v: Int32) -> Int32 { min(max(v, -128), 127) }
        let ps1 = p1 - 128, ps0 = p0 - 128, qs0 = q0 - 128, qs1 = q1 - 128
        var filter = hev ? c4(ps1 - qs1) : 0
        filter = c4(filter + 3 * (qs0 - ps0))
        let filter1 = c4(filter + 4) >> 3
        let filter2 = c4(filter + 3) >> 3
        q[0] = UInt8(c4(qs0 - filter1) + 128)
        q[-d] = UInt8(c4(ps0 + filter2) + 128)
        if !hev {
            let f = (filter1 + 1) >> 1
            q[d] = UInt8(c4(qs1 - f) + 128)
            q[-2 * d] = UInt8(c4(ps1 + f) + 128)
        }
    }

    /// Wide filter process (§7.14.6.4): taps of weight 1, those within n2 of the centre of weight 2, positions
    /// clamped to the n + 1 samples each side.
    @inline(__always)
    static func wide(_ q: UnsafeMutablePointer<UInt8>, _ d: Int, log2Size: Int, chroma: Bool) {
        let n = log2Size == 4 ? 6 : (chroma ? 2 : 3)
        let n2 = (log2Size == 3 && !chroma) ? 0 : 1
        // v[k + 7] holds the sample at offset k (k >= 0: q_k, k < 0: p_(-k-1)).
        var v: (Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &v) { raw in
            let s = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            for k in -(n + 1)...n { s[k + 7] = Int32(q[k * d]) }
            var out: (Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &out) { ro in
                let o = ro.baseAddress!.assumingMemoryBound(to: Int32.self)
                let round = Int32(1 << (log2Size - 1))
                for i in -n..<n {
                    var t: Int32 = 0
                    for j in -n...n {
                        let p = min(max(i + j, -(n + 1)), n)
                        t += s[p + 7] * (abs(j) <= n2 ? 2 : 1)
                    }
                    o[i + 6] = (t + round) >> Int32(log2Size)
                }
                for i in -n..<n { q[i * d] = UInt8(o[i + 6]) }
            }
        }
    }
}
