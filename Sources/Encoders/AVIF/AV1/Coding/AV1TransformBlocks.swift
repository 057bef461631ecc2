/// Coding of transform blocks (AV1 spec §5.11.35 transform_block, §7.11.2 intra prediction edges, §7.11.5
/// chroma-from-luma, §7.12.3 dequantisation): edges, prediction, forward transform, quantisation, bit-exact
/// reconstruction and the coefficient symbols, for one transform block or the uniform transform blocks of a block.
extension AV1TileEncoder {
    /// Sum of absolute 4x4 Hadamard-transformed differences between the source block and `p` (n*n).
    func satd(_ src: UnsafePointer<UInt8>, _ stride: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        AV1Distortion.satd(src, stride, p, n)
    }

    /// Builds the intra edges of a square transform block at plane position (x, y) as transform_block() does (§5.11.35).
    func buildEdges(plane: Int, x: Int, y: Int, log2: Int, haveLeft: Bool, haveAbove: Bool) {
        buildEdges(plane: plane, x: x, y: y, log2W: log2, log2H: log2, haveLeft: haveLeft, haveAbove: haveAbove)
    }

    /// Builds the intra edges of a w×h transform block at plane position (x, y) as transform_block() does
    /// (§5.11.35: the above-right and below-left availability from BlockDecoded), with the block's edge filterType.
    func buildEdges(plane: Int, x: Int, y: Int, log2W: Int, log2H: Int, haveLeft: Bool, haveAbove: Bool) {
        let sx = plane > 0 ? f.subX : 0, sy = plane > 0 ? f.subY : 0
        let row = (y << sy) >> 2, col = (x << sx) >> 2
        let sbRow = (row & 15) >> sy, sbCol = (col & 15) >> sx
        let stepX = 1 << (log2W - 2), stepY = 1 << (log2H - 2)
        let ar = decoded[plane][(sbRow - 1 + 1) * 18 + sbCol + stepX + 1] != 0
        let bl = decoded[plane][(sbRow + stepY + 1) * 18 + sbCol - 1 + 1] != 0
        let maxX = ((f.miCols * 4) >> sx) - 1, maxY = ((f.miRows * 4) >> sy) - 1
        let pl = f.recon[plane]
        edges.smoothNeighbour = plane == 0 ? edgeFilterTypes.luma : edgeFilterTypes.chroma
        edges.build(frame: pl.data, stride: pl.stride, x: x, y: y, w: 1 << log2W, h: 1 << log2H, haveLeft: haveLeft,
                    haveAbove: haveAbove, haveAboveRight: ar, haveBelowLeft: bl, maxX: maxX, maxY: maxY)
    }

    /// Sets `edgeFilterTypes` for the block at mi (r, c): the intra filter type process (§7.11.2.8) — whether the
    /// block above or to the left uses a smooth mode, luma from YModes, chroma from UVModes at the positions that
    /// carry chroma with subsampling.
    func setEdgeFilterTypes(_ r: Int, _ c: Int, availU: Bool, availL: Bool, availUChroma: Bool, availLChroma: Bool) {
        guard f.intraEdgeFilter else { return }
        @inline(__always) func smooth(_ modes: UnsafeMutablePointer<UInt8>, _ row: Int, _ col: Int) -> Bool {
            let m = Int(modes[row * f.miCols + col])
            return m == AV1Mode.smooth || m == AV1Mode.smoothV || m == AV1Mode.smoothH
        }
        let luma = (availU && smooth(f.yMode, r - 1, c)) || (availL && smooth(f.yMode, r, c - 1))
        var chroma = false
        if f.numPlanes > 1 {
            if availUChroma {
                let col = f.subX == 1 && c & 1 == 0 ? c + 1 : c
                let row = f.subY == 1 && r & 1 == 1 ? r - 2 : r - 1
                chroma = smooth(f.uvMode, row, col)
            }
            if availLChroma && !chroma {
                let col = f.subX == 1 && c & 1 == 1 ? c - 2 : c - 1
                let row = f.subY == 1 && r & 1 == 0 ? r + 1 : r
                chroma = smooth(f.uvMode, row, col)
            }
        }
        edgeFilterTypes = (luma, chroma)
    }

    func markDecoded(plane: Int, x: Int, y: Int, log2: Int) {
        let sx = plane > 0 ? f.subX : 0, sy = plane > 0 ? f.subY : 0
        let row = (y << sy) >> 2, col = (x << sx) >> 2
        let sbRow = (row & 15) >> sy, sbCol = (col & 15) >> sx
        let step = 1 << (log2 - 2)
        for i in 0..<step { for j in 0..<step { decoded[plane][(sbRow + i + 1) * 18 + sbCol + j + 1] = 1 } }
    }

    /// Coefficient contexts of the luma columns/rows a transform block touches, saved around trial codings.
    struct LumaContexts {
        let x4: Int, y4: Int
        let above: [UInt8], aboveDc: [UInt8], left: [UInt8], leftDc: [UInt8]
    }

    func saveLumaContexts(x4: Int, y4: Int, w4: Int) -> LumaContexts {
        LumaContexts(x4: x4, y4: y4, above: Array(ctx.aboveLevel[0][x4..<(x4 + w4)]), aboveDc: Array(ctx.aboveDc[0][x4..<(x4 + w4)]),
                     left: Array(ctx.leftLevel[0][y4..<(y4 + w4)]), leftDc: Array(ctx.leftDc[0][y4..<(y4 + w4)]))
    }

    func restoreLumaContexts(_ s: LumaContexts) {
        for k in 0..<s.above.count {
            ctx.aboveLevel[0][s.x4 + k] = s.above[k]; ctx.aboveDc[0][s.x4 + k] = s.aboveDc[k]
            ctx.leftLevel[0][s.y4 + k] = s.left[k]; ctx.leftDc[0][s.y4 + k] = s.leftDc[k]
        }
    }

    /// Visits the transform blocks of side 1 << txLog2 that tile a block of side 1 << log2 at sample (x0, y0) of
    /// `plane`, in the raster order of residual() (§5.11.34), skipping those that start outside the frame as
    /// transform_block() does (§5.11.35). Arguments: index in the block's grid, sample x, y, grid column, grid row.
    func forEachTransformBlock(plane: Int, x0: Int, y0: Int, log2: Int, txLog2: Int, _ body: (Int, Int, Int, Int, Int) -> Void) {
        let n = 1 << (log2 - txLog2)
        let maxX = (f.miCols * 4) >> (plane > 0 ? f.subX : 0), maxY = (f.miRows * 4) >> (plane > 0 ? f.subY : 0)
        for ty in 0..<n {
            let y = y0 + (ty << txLog2)
            if y >= maxY { break }
            for tx in 0..<n {
                let x = x0 + (tx << txLog2)
                if x >= maxX { break }
                body(ty * n + tx, x, y, tx, ty)
            }
        }
    }

    /// The luma transform blocks of the block at mi (r, c) (see forEachTransformBlock).
    func forEachLumaTransformBlock(_ r: Int, _ c: Int, log2: Int, txLog2: Int, _ body: (Int, Int, Int, Int, Int) -> Void) {
        forEachTransformBlock(plane: 0, x0: c * 4, y0: r * 4, log2: log2, txLog2: txLog2, body)
    }

    /// Levels of chroma transform block k of `plane` (1 or 2): each plane has room for a 64x64 block's levels.
    func chromaLevels(plane: Int, _ k: Int, txLog2: Int) -> UnsafeMutablePointer<Int32> {
        chromaQuant + (plane - 1) * 4096 + k * AV1TileEncoder.levelCount(txLog2)
    }

    /// Number of levels stored per transform block of side 1 << txLog2 (64-point transforms keep 32x32).
    static func levelCount(_ txLog2: Int) -> Int { min(32, 1 << txLog2) * min(32, 1 << txLog2) }

    /// Codes the luma of an intra block as uniform transform blocks of side 1 << txLog2 (TX_4X4 up to the block
    /// size): each is predicted from the reconstruction of the previous ones with its own edge availability,
    /// transformed, quantised and reconstructed, as transform_block() decodes it (§5.11.35). With several
    /// `candidates`, each transform block's type is chosen by RD and stored in `types`; otherwise `types[k]` is used.
    /// Levels of transform block k go to `quant + k * levelCount(txLog2)`. With `measure`, the coefficients are also
    /// counted as they would be written (updating the coefficient contexts like the decoder). Returns the squared
    /// error, the rate (1/512 bit) and MaxLumaW/MaxLumaH (§5.11.35) for chroma-from-luma.
    func codeLumaTransformBlocks(_ r: Int, _ c: Int, log2: Int, txLog2: Int, mode: Int, angle: Int,
                                 palette: AV1BlockPalette? = nil, types: inout [Int],
                                 candidates: [Int], measure: Bool) -> (sse: Int, rate: Int, maxLumaW: Int, maxLumaH: Int) {
        let availU = r - 1 >= miRowStart, availL = c - 1 >= miColStart
        let n = 1 << (log2 - txLog2), area = AV1TileEncoder.levelCount(txLog2), w4 = 1 << (txLog2 - 2)
        if types.count != n * n { types = [Int](repeating: types.first ?? AV1Tx.dctDct, count: n * n) }
        var sse = 0, maxW = 0, maxH = 0
        var rate = AV1RateCounter()
        let lambdaBits = lambda / 512
        forEachLumaTransformBlock(r, c, log2: log2, txLog2: txLog2) { k, x, y, tx, ty in
            if let palette, palette.ySize > 0 {
                predictFromPalette(palette, plane: 0, x: x - c * 4, y: y - r * 4, log2: txLog2)
            } else {
                buildEdges(plane: 0, x: x, y: y, log2: txLog2, haveLeft: availL || tx > 0, haveAbove: availU || ty > 0)
                edges.predict(mode: mode, angleDelta: angle, log2: txLog2, pred: pred)
            }
            let levels = quant + k * area
            if candidates.count > 1 {
                let saved = saveLumaContexts(x4: x >> 2, y4: y >> 2, w4: w4)
                var best = Double.infinity
                for type in candidates {
                    let (d, nonzero, _) = quantizeOnly(plane: 0, x: x, y: y, log2: txLog2, txType: type, levels: levels)
                    var rc = AV1RateCounter()
                    AV1Coefficients.write(&rc, cdf: cdf, ctx: &ctx, plane: 0, x4: x >> 2, y4: y >> 2, maxX4: f.miCols, maxY4: f.miRows,
                                          log2: txLog2, blockLog2: log2, txType: type, intraDir: mode, quant: levels,
                                          knownAllZero: !nonzero)
                    restoreLumaContexts(saved)
                    let cost = d + lambdaBits * Double(rc.cost)
                    if cost < best { best = cost; types[k] = type }
                }
            }
            if let known = rdWinner, palette == nil, txLog2 == log2, known.mode == mode, known.angle == angle, known.type == types[k] {
                // The mode decision quantised and counted exactly this transform block (same prediction, type and
                // contexts): reuse its levels and rate.
                levels.update(from: rdWinnerLevels, count: area)
                sse += reconstruct(plane: 0, x: x, y: y, log2: txLog2, txType: types[k], levels: levels, nonzero: known.nonzero)
                markDecoded(plane: 0, x: x, y: y, log2: txLog2)
                if measure { rate.cost += known.rate }
                maxW = x + (1 << txLog2); maxH = y + (1 << txLog2)
                return
            }
            sse += transformQuantize(plane: 0, x: x, y: y, log2: txLog2, txType: types[k], levels: levels)
            markDecoded(plane: 0, x: x, y: y, log2: txLog2)
            if measure {
                AV1Coefficients.write(&rate, cdf: cdf, ctx: &ctx, plane: 0, x4: x >> 2, y4: y >> 2, maxX4: f.miCols, maxY4: f.miRows,
                                      log2: txLog2, blockLog2: log2, txType: types[k], intraDir: mode, quant: levels)
            }
            maxW = x + (1 << txLog2); maxH = y + (1 << txLog2)
        }
        return (sse, rate.cost, maxW, maxH)
    }

    /// Writes the luma coefficients of every transform block of the block, in the order residual() reads them.
    func writeLumaCoefficients<S: AV1SymbolSink>(_ r: Int, _ c: Int, log2: Int, _ m: AV1BlockModes, _ sink: inout S) {
        let txLog2 = log2 - m.txDepth, area = AV1TileEncoder.levelCount(txLog2)
        forEachLumaTransformBlock(r, c, log2: log2, txLog2: txLog2) { k, x, y, _, _ in
            AV1Coefficients.write(&sink, cdf: cdf, ctx: &ctx, plane: 0, x4: x >> 2, y4: y >> 2, maxX4: f.miCols, maxY4: f.miRows,
                                  log2: txLog2, blockLog2: log2, txType: m.txTypes[k], intraDir: m.yMode, quant: quant + k * area)
        }
    }

    /// Residual → levels → reconstruction for one transform block whose prediction is in `pred`.
    /// Returns the reconstruction's squared error; levels go to `levels` (tw*tw).
    func transformQuantize(plane: Int, x: Int, y: Int, log2: Int, txType: Int, levels: UnsafeMutablePointer<Int32>) -> Int {
        let src = f.source[plane]
        let s0 = src.data + y * src.stride + x
        forwardCache.forward(plane: plane, x: x, y: y, log2: log2, txType: txType, src: s0, stride: src.stride, pred: pred,
                             resid: resid, out: coef)
        let any = quantizeBlock(plane: plane, widthLog2: log2, heightLog2: log2, levels: levels).nonzero
        return reconstruct(plane: plane, x: x, y: y, log2: log2, txType: txType, levels: levels, nonzero: any)
    }

    /// Levels → reconstruction for one transform block whose prediction is in `pred` (the second half of
    /// `transformQuantize`, for levels already quantised). Returns the reconstruction's squared error.
    func reconstruct(plane: Int, x: Int, y: Int, log2: Int, txType: Int, levels: UnsafeMutablePointer<Int32>, nonzero any: Bool) -> Int {
        let n = 1 << log2
        let tw = min(32, n)
        let src = f.source[plane], rec = f.recon[plane]
        let s0 = src.data + y * src.stride + x
        let denomShift = log2 == 6 ? 2 : (log2 == 5 ? 1 : 0)
        if any {
            for k in 0..<(tw * tw) {
                let l = Int(levels[k])
                if l == 0 { dequant[k] = 0; continue }
                let dq = abs(l) * (k == 0 ? (plane > 0 ? f.uvDcQ : f.dcQ) : (plane > 0 ? f.uvAcQ : f.acQ))
                let dq2 = (dq & 0xFFFFFF) >> denomShift
                dequant[k] = Int32(min(dq2, 32767)) * (l < 0 ? -1 : 1)
                if l < 0 && dq2 > 32768 { dequant[k] = -32768 }
            }
            AV1InverseTransform.inverse2D(dequant, log2: log2, txType: txType, residual: resid)
        }
        return AV1PixelKernels.reconstruct(pred: pred, resid: any ? resid : nil, n, dst: rec.data + y * rec.stride + x, rec.stride,
                                           src: s0, src.stride)
    }

    /// Quantises like `transformQuantize` but leaves the frame untouched and returns the distortion measured in
    /// the transform domain (AV1Quantizer's estimate, in pixel SSE units).
    /// With `contexts`, the RD quantiser also returns the exact rate of the coefficient symbols but transform_type.
    func quantizeOnly(plane: Int, x: Int, y: Int, log2: Int, txType: Int, levels: UnsafeMutablePointer<Int32>,
                      contexts: AV1TxbContexts? = nil) -> (distortion: Double, nonzero: Bool, rate: Int?) {
        let src = f.source[plane]
        forwardCache.forward(plane: plane, x: x, y: y, log2: log2, txType: txType, src: src.data + y * src.stride + x,
                             stride: src.stride, pred: pred, resid: resid, out: coef)
        let q = quantizeBlock(plane: plane, widthLog2: log2, heightLog2: log2, levels: levels, contexts: contexts)
        return (Double(q.distortion), q.nonzero, q.rate)
    }

    /// Chroma-from-luma (§7.11.5), step 1: the subsampled reconstructed luma minus its average (3 fractional bits)
    /// for the chroma block at (x, y), into `cflScratch`.
    func prepareCfl(x: Int, y: Int, log2: Int, maxLumaW: Int, maxLumaH: Int) {
        let n = 1 << log2
        let luma = f.recon[0]
        let sx = f.subX, sy = f.subY
        let l = cflScratch
        var sum = 0
        if sx == 1 && sy == 1 && (x + n) << 1 <= maxLumaW {
            // 4:2:0 with every column inside MaxLumaW: the same sums without the per-sample clamps.
            for i in 0..<n {
                let ly = min((y + i) << 1, maxLumaH - 2)
                let r0 = luma.data + ly * luma.stride + (x << 1), r1 = r0 + luma.stride
                let o = l + i * n
                var rowSum: Int32 = 0
                for j in 0..<n {
                    let v = (Int32(r0[2 * j]) &+ Int32(r0[2 * j + 1]) &+ Int32(r1[2 * j]) &+ Int32(r1[2 * j + 1])) &<< 1
                    o[j] = v
                    rowSum &+= v
                }
                sum += Int(rowSum)
            }
            let avg = Int32((sum + (1 << (2 * log2 - 1))) >> (2 * log2))
            for k in 0..<(n * n) { l[k] &-= avg }
            return
        }
        for i in 0..<n {
            let ly = min((y + i) << sy, maxLumaH - (1 << sy))
            for j in 0..<n {
                let lx = min((x + j) << sx, maxLumaW - (1 << sx))
                var t: Int32 = 0
                for dy in 0...sy { for dx in 0...sx { t += Int32(luma.data[(ly + dy) * luma.stride + lx + dx]) } }
                let v = t << Int32(3 - sx - sy)
                l[i * n + j] = v
                sum += Int(v)
            }
        }
        let avg = Int32((sum + (1 << (2 * log2 - 1))) >> (2 * log2))
        for k in 0..<(n * n) { l[k] -= avg }
    }

    /// Step 2: DC prediction in `pred` plus alpha times the prepared luma AC, into `out`.
    func applyCfl(log2: Int, alpha: Int, into out: UnsafeMutablePointer<UInt8>) {
        let l = cflScratch
        let a = Int32(alpha)
        for k in 0..<(1 << (2 * log2)) {
            // Round_Signed(alpha · L, 6) without branches: the magnitude rounded, the sign put back.
            let prod = a &* l[k]
            let m = prod &>> 31
            let scaled = ((((prod ^ m) &- m) &+ 32) &>> 6 ^ m) &- m
            out[k] = UInt8(truncatingIfNeeded: min(max(Int32(pred[k]) &+ scaled, 0), 255))
        }
    }
}
