/// Coding of one square block (AV1 spec §5.11.5 decode_block, §5.11.7 intra_frame_mode_info, §5.11.34 residual):
/// mode decision when asked, prediction, forward transform, quantisation, bit-exact reconstruction, then the
/// symbols in the decoder's order.
extension AV1TileEncoder {
    static let lumaCandidates = [AV1Mode.dc, AV1Mode.smooth, AV1Mode.paeth, AV1Mode.v, AV1Mode.h, AV1Mode.smoothV,
                                 AV1Mode.smoothH, AV1Mode.d45, AV1Mode.d135, AV1Mode.d113, AV1Mode.d157, AV1Mode.d203, AV1Mode.d67]

    /// Sum of absolute 4x4 Hadamard-transformed differences between the source block and `p` (n*n).
    func satd(_ src: UnsafePointer<UInt8>, _ stride: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        AV1Distortion.satd(src, stride, p, n)
    }

    /// Builds the intra edges of a transform block at plane position (x, y) as transform_block() does (§5.11.35).
    func buildEdges(plane: Int, x: Int, y: Int, log2: Int, haveLeft: Bool, haveAbove: Bool) {
        let sx = plane > 0 ? f.subX : 0, sy = plane > 0 ? f.subY : 0
        let row = (y << sy) >> 2, col = (x << sx) >> 2
        let sbRow = (row & 15) >> sy, sbCol = (col & 15) >> sx
        let step = 1 << (log2 - 2)
        let ar = decoded[plane][(sbRow - 1 + 1) * 18 + sbCol + step + 1] != 0
        let bl = decoded[plane][(sbRow + step + 1) * 18 + sbCol - 1 + 1] != 0
        let maxX = ((f.miCols * 4) >> sx) - 1, maxY = ((f.miRows * 4) >> sy) - 1
        let pl = f.recon[plane]
        edges.build(frame: pl.data, stride: pl.stride, x: x, y: y, log2: log2, haveLeft: haveLeft, haveAbove: haveAbove,
                    haveAboveRight: ar, haveBelowLeft: bl, maxX: maxX, maxY: maxY)
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
        quant + AV1TileEncoder.chromaLevels + (plane - 1) * 4096 + k * AV1TileEncoder.levelCount(txLog2)
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
    func codeLumaTransformBlocks(_ r: Int, _ c: Int, log2: Int, txLog2: Int, mode: Int, angle: Int, types: inout [Int],
                                 candidates: [Int], measure: Bool) -> (sse: Int, rate: Int, maxLumaW: Int, maxLumaH: Int) {
        let availU = r - 1 >= miRowStart, availL = c - 1 >= miColStart
        let n = 1 << (log2 - txLog2), area = AV1TileEncoder.levelCount(txLog2), w4 = 1 << (txLog2 - 2)
        if types.count != n * n { types = [Int](repeating: types.first ?? AV1Tx.dctDct, count: n * n) }
        var sse = 0, maxW = 0, maxH = 0
        var rate = AV1RateCounter()
        let lambdaBits = f.lambda / 512
        forEachLumaTransformBlock(r, c, log2: log2, txLog2: txLog2) { k, x, y, tx, ty in
            buildEdges(plane: 0, x: x, y: y, log2: txLog2, haveLeft: availL || tx > 0, haveAbove: availU || ty > 0)
            edges.predict(mode: mode, angleDelta: angle, log2: txLog2, pred: pred)
            let levels = quant + k * area
            if candidates.count > 1 {
                let saved = saveLumaContexts(x4: x >> 2, y4: y >> 2, w4: w4)
                var best = Double.infinity
                for type in candidates {
                    let d = quantizeOnly(plane: 0, x: x, y: y, log2: txLog2, txType: type, levels: levels)
                    var rc = AV1RateCounter()
                    AV1Coefficients.write(&rc, cdf: cdf, ctx: &ctx, plane: 0, x4: x >> 2, y4: y >> 2, maxX4: f.miCols, maxY4: f.miRows,
                                          log2: txLog2, blockLog2: log2, txType: type, intraDir: mode, quant: levels)
                    restoreLumaContexts(saved)
                    let cost = d + lambdaBits * Double(rc.cost)
                    if cost < best { best = cost; types[k] = type }
                }
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

    /// The tx_depth symbol's CDF and symbol count for a square block (§8.3.2: the context compares the neighbours'
    /// transform width/height with the largest transform of the block).
    func txDepthCdf(_ r: Int, _ c: Int, _ bsize: Int) -> (UnsafeMutablePointer<UInt16>, Int) {
        let maxTx = AV1Block.maxTx(bsize)
        let aboveW = r - 1 >= miRowStart ? AV1Tx.width[Int(f.txSize[(r - 1) * f.miCols + c])] : 0
        let leftH = c - 1 >= miColStart ? AV1Tx.height[Int(f.txSize[r * f.miCols + c - 1])] : 0
        let tctx = (aboveW >= AV1Tx.width[maxTx] ? 1 : 0) + (leftH >= AV1Tx.height[maxTx] ? 1 : 0)
        switch AV1Block.maxTxDepth(bsize) {
        case 4: return (cdf.at(cdf.tx64x64 + tctx * 4), 3)
        case 3: return (cdf.at(cdf.tx32x32 + tctx * 4), 3)
        case 2: return (cdf.at(cdf.tx16x16 + tctx * 4), 3)
        default: return (cdf.at(cdf.tx8x8 + tctx * 3), 2)
        }
    }

    /// Luma transform types the RD search tries for a transform block of side 1 << txLog2 (TX_SET_INTRA_2 up to
    /// 16x16 with reduced_tx_set, DCT only above).
    func lumaTypeCandidates(_ txLog2: Int) -> [Int] {
        guard txLog2 <= 4 && f.speed <= 8 else { return [AV1Tx.dctDct] }
        return f.speed <= 4 ? [AV1Tx.dctDct, AV1Tx.adstAdst, AV1Tx.adstDct, AV1Tx.dctAdst, AV1Tx.idtx]
                            : [AV1Tx.dctDct, AV1Tx.adstAdst, AV1Tx.adstDct, AV1Tx.dctAdst]
    }

    /// Types tried per transform block of a split (tx_depth > 0): the whole set at speed <= 4, DCT and the type the
    /// whole-block transform chose at speed 5, only the latter from speed 6.
    func splitTypeCandidates(_ txLog2: Int, _ wholeType: Int) -> [Int] {
        let all = lumaTypeCandidates(txLog2)
        if f.speed <= 4 || all.count == 1 { return all }
        if f.speed >= 6 { return [all.contains(wholeType) ? wholeType : AV1Tx.dctDct] }
        return wholeType == AV1Tx.dctDct || !all.contains(wholeType) ? [AV1Tx.dctDct, AV1Tx.adstAdst] : [AV1Tx.dctDct, wholeType]
    }

    /// Transform depths the RD search may try for a block (tx_depth ≤ MAX_TX_DEPTH = 2).
    func txDepthChoices(_ bsize: Int) -> ClosedRange<Int> {
        guard f.txModeSelect && bsize != AV1Block.b4x4 else { return 0...0 }
        let maxDepth = min(2, AV1Block.maxTxDepth(bsize))
        if let forced = f.forced.txDepth { let d = min(max(forced, 0), maxDepth); return d...d }
        return 0...min(maxDepth, f.speed <= 4 ? 2 : 1)
    }

    /// Residual → levels → reconstruction for one transform block whose prediction is in `pred`.
    /// Returns the reconstruction's squared error; levels go to `levels` (tw*tw).
    func transformQuantize(plane: Int, x: Int, y: Int, log2: Int, txType: Int, levels: UnsafeMutablePointer<Int32>) -> Int {
        let n = 1 << log2
        let tw = min(32, n)
        let src = f.source[plane], rec = f.recon[plane]
        let s0 = src.data + y * src.stride + x
        forwardCache.forward(plane: plane, x: x, y: y, log2: log2, txType: txType, src: s0, stride: src.stride, pred: pred,
                             resid: resid, out: coef)
        let denomShift = log2 == 6 ? 2 : (log2 == 5 ? 1 : 0)
        let any = quantizeBlock(plane: plane, widthLog2: log2, heightLog2: log2, levels: levels).nonzero
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
    func quantizeOnly(plane: Int, x: Int, y: Int, log2: Int, txType: Int, levels: UnsafeMutablePointer<Int32>) -> Double {
        let src = f.source[plane]
        forwardCache.forward(plane: plane, x: x, y: y, log2: log2, txType: txType, src: src.data + y * src.stride + x,
                             stride: src.stride, pred: pred, resid: resid, out: coef)
        return Double(quantizeBlock(plane: plane, widthLog2: log2, heightLog2: log2, levels: levels).distortion)
    }

    /// Chroma-from-luma (§7.11.5), step 1: the subsampled reconstructed luma minus its average (3 fractional bits)
    /// for the chroma block at (x, y), into `cflScratch`.
    func prepareCfl(x: Int, y: Int, log2: Int, maxLumaW: Int, maxLumaH: Int) {
        let n = 1 << log2
        let luma = f.recon[0]
        let sx = f.subX, sy = f.subY
        let l = cflScratch
        var sum = 0
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
        for k in 0..<(1 << (2 * log2)) {
            let prod = Int32(alpha) * l[k]
            let scaled = prod >= 0 ? (prod + 32) >> 6 : -((-prod + 32) >> 6)
            out[k] = UInt8(min(max(Int32(pred[k]) + scaled, 0), 255))
        }
    }

    /// Least-squares CFL alpha for plane `p` given the DC prediction in `pred` and prepared luma, refined by SATD.
    func searchCflAlpha(plane p: Int, x: Int, y: Int, log2: Int) -> (alpha: Int, satd: Int) {
        let n = 1 << log2
        let sp = f.source[p]
        var num = 0.0, den = 0.0
        for i in 0..<n {
            for j in 0..<n {
                let a = Double(cflScratch[i * n + j])
                num += a * (Double(sp.data[(y + i) * sp.stride + x + j]) - Double(pred[i * n + j]))
                den += a * a
            }
        }
        let center = den > 0 ? Int((num / den * 64).rounded()) : 0
        var bestA = 0, bestS = Int.max
        for a in [0, center, center - 1, center + 1].map({ min(max($0, -16), 16) }) {
            applyCfl(log2: log2, alpha: a, into: predAlt)
            let s = satd(sp.data + y * sp.stride + x, sp.stride, predAlt, n)
            if s < bestS || (s == bestS && abs(a) < abs(bestA)) { bestS = s; bestA = a }
        }
        return (bestA, bestS)
    }

    func codeBlock<S: AV1SymbolSink>(_ r: Int, _ c: Int, _ bsize: Int, _ modesIn: inout AV1BlockModes?, _ sink: inout S) -> Int {
        if f.codedLossless { return codeBlockLossless(r, c, bsize, &modesIn, &sink) }
        let side4 = AV1Block.side4(bsize)
        let log2 = AV1Block.log2Side4(bsize) + 2
        let availU = r - 1 >= miRowStart, availL = c - 1 >= miColStart
        // HasChroma and the chroma edge availability of decode_block (§5.11.5): with 4:2:0 a 4x4 luma block carries
        // the chroma of its 8x8 area only at odd mi row and column (the last of the four), whose chroma neighbours
        // lie two mi away.
        let sub4 = bsize == AV1Block.b4x4
        let hasChroma = f.numPlanes > 1 && !(sub4 && ((f.subY == 1 && r & 1 == 0) || (f.subX == 1 && c & 1 == 0)))
        let availUChroma = sub4 && f.subY == 1 ? r - 2 >= miRowStart : availU
        let availLChroma = sub4 && f.subX == 1 ? c - 2 >= miColStart : availL
        let deciding = modesIn == nil
        var m = modesIn ?? AV1BlockModes()
        let x0 = c * 4, y0 = r * 4
        let aboveMode = availU ? Int(f.yMode[(r - 1) * f.miCols + c]) : AV1Mode.dc
        let leftMode = availL ? Int(f.yMode[r * f.miCols + c - 1]) : AV1Mode.dc
        let yModeCdf = cdf.at(cdf.yMode + (Int(intraModeContext[aboveMode]) * 5 + Int(intraModeContext[leftMode])) * 14)
        let sadLambda = (f.lambda).squareRoot() / 512 * 1.2

        // Luma.
        buildEdges(plane: 0, x: x0, y: y0, log2: log2, haveLeft: availL, haveAbove: availU)
        let src0 = f.source[0]
        if deciding {
            // Stage 1: rank (mode, angle) candidates by SATD plus mode bits.
            var ranked: [(cost: Double, mode: Int, angle: Int)] = []
            // Fewer candidates for large blocks and fast speeds: the directional modes pay off mostly on small blocks.
            let count = f.speed >= 8 ? 5 : (f.speed >= 5 && log2 >= 6 ? 7 : 13)
            let modeBits = { (mode: Int) -> Int in
                AV1CDF.bitCost[Int(yModeCdf[mode]) - (mode > 0 ? Int(yModeCdf[mode - 1]) : 0)] + (AV1Mode.isDirectional(mode) ? 600 : 0)
            }
            for mode in AV1TileEncoder.lumaCandidates.prefix(count) {
                edges.predict(mode: mode, angleDelta: 0, log2: log2, pred: predAlt)
                let cost = Double(satd(src0.data + y0 * src0.stride + x0, src0.stride, predAlt, 1 << log2)) + sadLambda * Double(modeBits(mode))
                ranked.append((cost, mode, 0))
            }
            ranked.sort { $0.cost < $1.cost }
            // Angle deltas exist only for blocks of 8x8 and above (intra_angle_info_y, §5.11.42).
            if AV1Mode.isDirectional(ranked[0].mode) && !sub4 && (f.speed <= 4 || (f.speed <= 6 && log2 <= 5)) {
                let mode = ranked[0].mode
                for delta in [-3, -2, -1, 1, 2, 3] {
                    edges.predict(mode: mode, angleDelta: delta, log2: log2, pred: predAlt)
                    let cost = Double(satd(src0.data + y0 * src0.stride + x0, src0.stride, predAlt, 1 << log2)) + sadLambda * Double(modeBits(mode) + 100)
                    ranked.append((cost, mode, delta))
                }
                ranked.sort { $0.cost < $1.cost }
            }
            // Stage 2: full rate-distortion over the best few modes and the transform types of the set.
            let topK = f.speed >= 8 ? 1 : (f.speed >= 6 ? 2 : 3)
            let types = lumaTypeCandidates(log2)
            if topK == 1 && types.count == 1 {
                m.yMode = ranked[0].mode; m.yAngle = ranked[0].angle; m.txType = AV1Tx.dctDct
            } else {
                var best = Double.infinity
                let w4 = 1 << (log2 - 2)
                let savedAbove = Array(ctx.aboveLevel[0][c..<(c + w4)]), savedAboveDc = Array(ctx.aboveDc[0][c..<(c + w4)])
                let savedLeft = Array(ctx.leftLevel[0][r..<(r + w4)]), savedLeftDc = Array(ctx.leftDc[0][r..<(r + w4)])
                for cand in ranked.prefix(topK) {
                    edges.predict(mode: cand.mode, angleDelta: cand.angle, log2: log2, pred: pred)
                    for type in types {
                        let sse = quantizeOnly(plane: 0, x: x0, y: y0, log2: log2, txType: type, levels: quant)
                        var rc = AV1RateCounter()
                        AV1Coefficients.write(&rc, cdf: cdf, ctx: &ctx, plane: 0, x4: c, y4: r, maxX4: f.miCols, maxY4: f.miRows,
                                              log2: log2, blockLog2: log2, txType: type, intraDir: cand.mode, quant: quant)
                        for k in 0..<w4 {
                            ctx.aboveLevel[0][c + k] = savedAbove[k]; ctx.aboveDc[0][c + k] = savedAboveDc[k]
                            ctx.leftLevel[0][r + k] = savedLeft[k]; ctx.leftDc[0][r + k] = savedLeftDc[k]
                        }
                        let cost = sse + f.lambda / 512 * Double(rc.cost + modeBits(cand.mode))
                        if cost < best { best = cost; m.yMode = cand.mode; m.yAngle = cand.angle; m.txType = type }
                    }
                }
            }
        }
        // Luma transform blocks: the RD choice of tx_depth, each depth coded with the block's mode.
        var dist: Int
        var lumaExtent: (w: Int, h: Int)
        let depths = deciding ? txDepthChoices(bsize) : m.txDepth...m.txDepth
        if depths.count == 1 {
            m.txDepth = depths.lowerBound
            if deciding { m.txTypes = [m.txType] }
            let res = codeLumaTransformBlocks(r, c, log2: log2, txLog2: log2 - m.txDepth, mode: m.yMode, angle: m.yAngle,
                                              types: &m.txTypes, candidates: deciding && m.txDepth > 0 ? splitTypeCandidates(log2 - m.txDepth, m.txType) : [],
                                              measure: false)
            dist = res.sse; lumaExtent = (res.maxLumaW, res.maxLumaH)
        } else {
            let saved = saveLumaContexts(x4: c, y4: r, w4: side4)
            let (depthCdf, depthN) = txDepthCdf(r, c, bsize)
            var best = (cost: Double.infinity, depth: 0, types: [Int](), sse: 0, extent: (w: 0, h: 0))
            var bestRecon: [[UInt8]] = []
            var lastIsBest = true
            var depth0Rate = 0.0
            for d in depths {
                if d > depths.lowerBound {
                    // Prune (speed >= 5): smaller transforms pay only where the whole-block transform costs enough
                    // luma bits per sample (measured on the corpus photos: below these rates the split won < 5 %).
                    if best.depth == 0 && f.speed >= 5 && depth0Rate < AV1Tuning.txSplitMinBitsPerSample[min(log2 - 3, 2)] { break }
                    restoreLumaContexts(saved)
                    setDecoded(r, c, bsize, 0, lumaOnly: true)
                }
                var types = d == 0 ? [m.txType] : []
                let res = codeLumaTransformBlocks(r, c, log2: log2, txLog2: log2 - d, mode: m.yMode, angle: m.yAngle, types: &types,
                                                  candidates: d > 0 ? splitTypeCandidates(log2 - d, m.txType) : [], measure: true)
                var rc = AV1RateCounter()
                rc.symbol(d, depthCdf, depthN)
                let cost = Double(res.sse) + f.lambda / 512 * Double(res.rate + rc.cost)
                if d == 0 { depth0Rate = Double(res.rate) / 512 / Double(1 << (2 * log2)) }
                if cost < best.cost {
                    if d < depths.upperBound {
                        bestRecon = saveRecon(r, c, bsize, lumaOnly: true)
                        quantBest.update(from: quant, count: AV1TileEncoder.chromaLevels)
                    }
                    best = (cost, d, types, res.sse, (res.maxLumaW, res.maxLumaH))
                    lastIsBest = true
                } else {
                    lastIsBest = false
                    if f.speed >= 5 { break }
                }
            }
            restoreLumaContexts(saved)
            m.txDepth = best.depth; m.txTypes = best.types
            dist = best.sse; lumaExtent = best.extent
            if !lastIsBest {
                // Bring back the winner's reconstruction and levels, which a later candidate overwrote.
                restoreRecon(r, c, bsize, bestRecon)
                quant.update(from: quantBest, count: AV1TileEncoder.chromaLevels)
                setDecoded(r, c, bsize, 0, lumaOnly: true)
                forEachLumaTransformBlock(r, c, log2: log2, txLog2: log2 - m.txDepth) { _, x, y, _, _ in
                    markDecoded(plane: 0, x: x, y: y, log2: log2 - m.txDepth)
                }
            }
        }

        // Chroma.
        let cLog2 = max(2, log2 - (hasChroma ? f.subX : 0))
        // get_tx_size (§5.11.37): chroma uses the largest transform of its block (64 coded as 32); the loops below
        // work for any smaller uniform size too (lossless: TX_4X4).
        let txLog2 = min(cLog2, 5)
        let cflAllowed = log2 <= 5
        let cx0 = (c >> f.subX) * 4, cy0 = (r >> f.subY) * 4
        let uvCdf = cflAllowed ? cdf.at(cdf.uvCfl + m.yMode * 15) : cdf.at(cdf.uvNoCfl + m.yMode * 14)
        let uvN = cflAllowed ? 14 : 13
        if hasChroma {
            if deciding {
                // Decide on the first transform block of both planes.
                var best = Double.infinity
                var candidates = [AV1Mode.dc]
                if f.speed <= 8 { candidates += [AV1Mode.v, AV1Mode.h, AV1Mode.smooth, AV1Mode.paeth] }
                let n = 1 << txLog2
                for mode in candidates {
                    var cost = 0.0
                    for p in 1...2 {
                        buildEdges(plane: p, x: cx0, y: cy0, log2: txLog2, haveLeft: availLChroma, haveAbove: availUChroma)
                        edges.predict(mode: mode, angleDelta: 0, log2: txLog2, pred: predAlt)
                        let sp = f.source[p]
                        cost += Double(satd(sp.data + cy0 * sp.stride + cx0, sp.stride, predAlt, n))
                    }
                    cost += sadLambda * Double(AV1CDF.bitCost[Int(uvCdf[mode]) - (mode > 0 ? Int(uvCdf[mode - 1]) : 0)])
                    if cost < best { best = cost; m.uvMode = mode }
                }
                if cflAllowed {
                    var alphas = [0, 0]
                    var cost = 0.0
                    prepareCfl(x: cx0, y: cy0, log2: txLog2, maxLumaW: lumaExtent.w, maxLumaH: lumaExtent.h)
                    for p in 1...2 {
                        buildEdges(plane: p, x: cx0, y: cy0, log2: txLog2, haveLeft: availLChroma, haveAbove: availUChroma)
                        edges.predict(mode: AV1Mode.dc, angleDelta: 0, log2: txLog2, pred: pred)
                        let (a, s) = searchCflAlpha(plane: p, x: cx0, y: cy0, log2: txLog2)
                        alphas[p - 1] = a
                        cost += Double(s)
                    }
                    cost += sadLambda * Double(AV1CDF.bitCost[Int(uvCdf[13]) - Int(uvCdf[12])] + 2500)
                    if (alphas[0] != 0 || alphas[1] != 0) && cost < best {
                        m.uvMode = AV1Mode.cfl; m.cflU = alphas[0]; m.cflV = alphas[1]
                    }
                }
            }
            let cTxType = txLog2 <= 4 ? AV1Mode.modeToTxfm[m.uvMode] : AV1Tx.dctDct
            for p in 1...2 {
                forEachTransformBlock(plane: p, x0: cx0, y0: cy0, log2: cLog2, txLog2: txLog2) { k, x, y, tx, ty in
                    buildEdges(plane: p, x: x, y: y, log2: txLog2, haveLeft: availLChroma || tx > 0, haveAbove: availUChroma || ty > 0)
                    if m.uvMode == AV1Mode.cfl {
                        edges.predict(mode: AV1Mode.dc, angleDelta: 0, log2: txLog2, pred: pred)
                        prepareCfl(x: x, y: y, log2: txLog2, maxLumaW: lumaExtent.w, maxLumaH: lumaExtent.h)
                        applyCfl(log2: txLog2, alpha: p == 1 ? m.cflU : m.cflV, into: predAlt)
                        pred.update(from: predAlt, count: 1 << (2 * txLog2))
                    } else {
                        edges.predict(mode: m.uvMode, angleDelta: m.uvAngle, log2: txLog2, pred: pred)
                    }
                    dist += transformQuantize(plane: p, x: x, y: y, log2: txLog2, txType: cTxType, levels: chromaLevels(plane: p, k, txLog2: txLog2))
                    markDecoded(plane: p, x: x, y: y, log2: txLog2)
                }
            }
        }

        // Skip when every level is zero.
        var skip = true
        let lumaTxLog2 = log2 - m.txDepth, lumaArea = AV1TileEncoder.levelCount(lumaTxLog2)
        forEachLumaTransformBlock(r, c, log2: log2, txLog2: lumaTxLog2) { k, _, _, _, _ in
            for i in 0..<lumaArea where skip && quant[k * lumaArea + i] != 0 { skip = false }
        }
        if hasChroma {
            let area = AV1TileEncoder.levelCount(txLog2)
            for p in 1...2 {
                forEachTransformBlock(plane: p, x0: cx0, y0: cy0, log2: cLog2, txLog2: txLog2) { k, _, _, _, _ in
                    let levels = chromaLevels(plane: p, k, txLog2: txLog2)
                    for i in 0..<area where skip && levels[i] != 0 { skip = false }
                }
            }
        }
        m.skip = skip

        // Symbols (§5.11.7 order).
        writeIntraModeInfo(r, c, bsize, m, skip: skip, hasChroma: hasChroma, yModeCdf: yModeCdf, uvCdf: uvCdf, uvN: uvN, &sink)
        // read_block_tx_size (§5.11.16): intra blocks always read tx_depth under TX_MODE_SELECT.
        if f.txModeSelect && bsize != AV1Block.b4x4 {
            let (depthCdf, depthN) = txDepthCdf(r, c, bsize)
            sink.symbol(m.txDepth, depthCdf, depthN)
        }
        if skip {
            resetBlockContexts(r, c, bsize, hasChroma: hasChroma)
        } else {
            writeLumaCoefficients(r, c, log2: log2, m, &sink)
            if hasChroma {
                let maxX4 = f.miCols >> f.subX, maxY4 = f.miRows >> f.subY
                for p in 1...2 {
                    forEachTransformBlock(plane: p, x0: cx0, y0: cy0, log2: cLog2, txLog2: txLog2) { k, x, y, _, _ in
                        AV1Coefficients.write(&sink, cdf: cdf, ctx: &ctx, plane: p, x4: x >> 2, y4: y >> 2, maxX4: maxX4, maxY4: maxY4,
                                              log2: txLog2, blockLog2: cLog2, txType: txLog2 <= 4 ? AV1Mode.modeToTxfm[m.uvMode] : AV1Tx.dctDct,
                                              intraDir: m.yMode, quant: chromaLevels(plane: p, k, txLog2: txLog2))
                    }
                }
            }
        }
        storeModeInfo(r, c, bsize, m, skip: skip)
        modesIn = m
        return dist
    }
}
