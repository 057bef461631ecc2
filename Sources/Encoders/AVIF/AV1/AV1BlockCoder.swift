/// Coding of one square block (AV1 spec §5.11.5 decode_block, §5.11.7 intra_frame_mode_info, §5.11.34 residual):
/// mode decision when asked, prediction, forward transform, quantisation, bit-exact reconstruction, then the
/// symbols in the decoder's order.
extension AV1TileEncoder {
    static let lumaCandidates = [AV1Mode.dc, AV1Mode.smooth, AV1Mode.paeth, AV1Mode.v, AV1Mode.h, AV1Mode.smoothV,
                                 AV1Mode.smoothH, AV1Mode.d45, AV1Mode.d135, AV1Mode.d113, AV1Mode.d157, AV1Mode.d203, AV1Mode.d67]

    /// Sum of absolute 4x4 Hadamard-transformed differences between the source block and `p` (n*n).
    func satd(_ src: UnsafePointer<UInt8>, _ stride: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var total = 0
        let d = satdScratch
        var by = 0
        while by < n {
            var bx = 0
            while bx < n {
                for y in 0..<4 { for x in 0..<4 { d[y * 4 + x] = Int32(src[(by + y) * stride + bx + x]) - Int32(p[(by + y) * n + bx + x]) } }
                for y in 0..<4 {
                    let a0 = d[y * 4] + d[y * 4 + 1], a1 = d[y * 4] - d[y * 4 + 1]
                    let a2 = d[y * 4 + 2] + d[y * 4 + 3], a3 = d[y * 4 + 2] - d[y * 4 + 3]
                    d[y * 4] = a0 + a2; d[y * 4 + 1] = a1 + a3; d[y * 4 + 2] = a0 - a2; d[y * 4 + 3] = a1 - a3
                }
                for x in 0..<4 {
                    let a0 = d[x] + d[4 + x], a1 = d[x] - d[4 + x]
                    let a2 = d[8 + x] + d[12 + x], a3 = d[8 + x] - d[12 + x]
                    total += Int(abs(a0 + a2) + abs(a1 + a3) + abs(a0 - a2) + abs(a1 - a3))
                }
                bx += 4
            }
            by += 4
        }
        return total / 2
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

    /// Residual → levels → reconstruction for one transform block whose prediction is in `pred`.
    /// Returns the reconstruction's squared error; levels go to `levels` (tw*tw).
    func transformQuantize(plane: Int, x: Int, y: Int, log2: Int, txType: Int, levels: UnsafeMutablePointer<Int32>) -> Int {
        let n = 1 << log2
        let tw = min(32, n)
        let src = f.source[plane], rec = f.recon[plane]
        for i in 0..<n {
            let s = src.data + (y + i) * src.stride + x
            for j in 0..<n { resid[i * n + j] = Int32(s[j]) - Int32(pred[i * n + j]) }
        }
        AV1ForwardTransform.forward2D(resid, log2: log2, txType: txType, out: coef, scratch: scratch)
        let denom = log2 == 6 ? 4 : (log2 == 5 ? 2 : 1)
        let any = quantizeBlock(plane: plane, widthLog2: log2, heightLog2: log2, levels: levels).nonzero
        if any {
            for k in 0..<(tw * tw) {
                let l = Int(levels[k])
                if l == 0 { dequant[k] = 0; continue }
                let dq = abs(l) * (k == 0 ? (plane > 0 ? f.uvDcQ : f.dcQ) : (plane > 0 ? f.uvAcQ : f.acQ))
                let dq2 = (dq & 0xFFFFFF) / denom
                dequant[k] = Int32(min(dq2, 32767)) * (l < 0 ? -1 : 1)
                if l < 0 && dq2 > 32768 { dequant[k] = -32768 }
            }
            AV1InverseTransform.inverse2D(dequant, log2: log2, txType: txType, residual: resid)
        }
        var sse = 0
        for i in 0..<n {
            let d = rec.data + (y + i) * rec.stride + x
            let s = src.data + (y + i) * src.stride + x
            for j in 0..<n {
                let v = any ? min(max(Int32(pred[i * n + j]) + resid[i * n + j], 0), 255) : Int32(pred[i * n + j])
                d[j] = UInt8(v)
                let e = Int(v) - Int(s[j])
                sse += e * e
            }
        }
        return sse
    }

    /// Quantises like `transformQuantize` but leaves the frame untouched and returns the distortion measured in
    /// the transform domain (AV1Quantizer's estimate, in pixel SSE units).
    func quantizeOnly(plane: Int, x: Int, y: Int, log2: Int, txType: Int, levels: UnsafeMutablePointer<Int32>) -> Double {
        let n = 1 << log2
        let src = f.source[plane]
        for i in 0..<n {
            let s = src.data + (y + i) * src.stride + x
            for j in 0..<n { resid[i * n + j] = Int32(s[j]) - Int32(pred[i * n + j]) }
        }
        AV1ForwardTransform.forward2D(resid, log2: log2, txType: txType, out: coef, scratch: scratch)
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
        let side4 = AV1Block.side4(bsize)
        let log2 = AV1Block.log2Side4(bsize) + 2
        let availU = r - 1 >= miRowStart, availL = c - 1 >= miColStart
        let hasChroma = f.numPlanes > 1
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
            if AV1Mode.isDirectional(ranked[0].mode) && (f.speed <= 4 || (f.speed <= 6 && log2 <= 5)) {
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
            let types = log2 <= 4 && f.speed <= 8 ? (f.speed <= 4 ? [AV1Tx.dctDct, AV1Tx.adstAdst, AV1Tx.adstDct, AV1Tx.dctAdst, AV1Tx.idtx]
                                                                    : [AV1Tx.dctDct, AV1Tx.adstAdst, AV1Tx.adstDct, AV1Tx.dctAdst]) : [AV1Tx.dctDct]
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
        edges.predict(mode: m.yMode, angleDelta: m.yAngle, log2: log2, pred: pred)
        var dist = transformQuantize(plane: 0, x: x0, y: y0, log2: log2, txType: m.txType, levels: quant)
        markDecoded(plane: 0, x: x0, y: y0, log2: log2)

        // Chroma.
        let cLog2 = log2 - (hasChroma ? f.subX : 0)
        let txLog2 = min(cLog2, 5)
        let perSide = 1 << (cLog2 - txLog2)
        let cflAllowed = log2 <= 5
        let cx0 = x0 >> f.subX, cy0 = y0 >> f.subY
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
                        buildEdges(plane: p, x: cx0, y: cy0, log2: txLog2, haveLeft: availL, haveAbove: availU)
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
                    prepareCfl(x: cx0, y: cy0, log2: txLog2, maxLumaW: x0 + (1 << log2), maxLumaH: y0 + (1 << log2))
                    for p in 1...2 {
                        buildEdges(plane: p, x: cx0, y: cy0, log2: txLog2, haveLeft: availL, haveAbove: availU)
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
            var slot = 1
            for p in 1...2 {
                for ty in 0..<perSide {
                    for tx in 0..<perSide {
                        let x = cx0 + (tx << txLog2), y = cy0 + (ty << txLog2)
                        buildEdges(plane: p, x: x, y: y, log2: txLog2, haveLeft: availL || tx > 0, haveAbove: availU || ty > 0)
                        if m.uvMode == AV1Mode.cfl {
                            edges.predict(mode: AV1Mode.dc, angleDelta: 0, log2: txLog2, pred: pred)
                            prepareCfl(x: x, y: y, log2: txLog2, maxLumaW: x0 + (1 << log2), maxLumaH: y0 + (1 << log2))
                            applyCfl(log2: txLog2, alpha: p == 1 ? m.cflU : m.cflV, into: predAlt)
                            pred.update(from: predAlt, count: 1 << (2 * txLog2))
                        } else {
                            edges.predict(mode: m.uvMode, angleDelta: m.uvAngle, log2: txLog2, pred: pred)
                        }
                        dist += transformQuantize(plane: p, x: x, y: y, log2: txLog2, txType: cTxType, levels: quant + slot * 1024)
                        markDecoded(plane: p, x: x, y: y, log2: txLog2)
                        slot += 1
                    }
                }
            }
        }

        // Skip when every level is zero.
        let slots = hasChroma ? 1 + 2 * perSide * perSide : 1
        var skip = true
        for s in 0..<slots where skip {
            let cnt = s == 0 ? min(1024, 1 << (2 * log2)) : 1 << (2 * txLog2)
            for k in 0..<cnt where quant[s * 1024 + k] != 0 { skip = false; break }
        }
        m.skip = skip

        // Symbols (§5.11.7 order).
        let skipCtx = (availU ? Int(f.skip[(r - 1) * f.miCols + c]) : 0) + (availL ? Int(f.skip[r * f.miCols + c - 1]) : 0)
        sink.symbol(skip ? 1 : 0, cdf.at(cdf.skip + skipCtx * 3), 2)
        sink.symbol(m.yMode, yModeCdf, 13)
        if AV1Mode.isDirectional(m.yMode) { sink.symbol(m.yAngle + 3, cdf.at(cdf.angleDelta + (m.yMode - 1) * 8), 7) }
        if hasChroma {
            sink.symbol(m.uvMode, uvCdf, uvN)
            if m.uvMode == AV1Mode.cfl {
                let signU = m.cflU == 0 ? 0 : (m.cflU < 0 ? 1 : 2), signV = m.cflV == 0 ? 0 : (m.cflV < 0 ? 1 : 2)
                sink.symbol(signU * 3 + signV - 1, cdf.at(cdf.cflSign), 8)
                if signU != 0 { sink.symbol(abs(m.cflU) - 1, cdf.at(cdf.cflAlpha + ((signU - 1) * 3 + signV) * 17), 16) }
                if signV != 0 { sink.symbol(abs(m.cflV) - 1, cdf.at(cdf.cflAlpha + ((signV - 1) * 3 + signU) * 17), 16) }
            }
            if AV1Mode.isDirectional(m.uvMode) { sink.symbol(m.uvAngle + 3, cdf.at(cdf.angleDelta + (m.uvMode - 1) * 8), 7) }
        }
        if skip {
            for p in 0..<f.numPlanes {
                let sx = p > 0 ? f.subX : 0, sy = p > 0 ? f.subY : 0
                for i in (c >> sx)..<((c + side4) >> sx) { ctx.aboveLevel[p][i] = 0; ctx.aboveDc[p][i] = 0 }
                for i in (r >> sy)..<((r + side4) >> sy) { ctx.leftLevel[p][i] = 0; ctx.leftDc[p][i] = 0 }
            }
        } else {
            AV1Coefficients.write(&sink, cdf: cdf, ctx: &ctx, plane: 0, x4: c, y4: r, maxX4: f.miCols, maxY4: f.miRows,
                                  log2: log2, blockLog2: log2, txType: m.txType, intraDir: m.yMode, quant: quant)
            if hasChroma {
                var slot = 1
                let maxX4 = f.miCols >> f.subX, maxY4 = f.miRows >> f.subY
                for p in 1...2 {
                    for ty in 0..<perSide {
                        for tx in 0..<perSide {
                            let x4 = (cx0 >> 2) + (tx << (txLog2 - 2)), y4 = (cy0 >> 2) + (ty << (txLog2 - 2))
                            AV1Coefficients.write(&sink, cdf: cdf, ctx: &ctx, plane: p, x4: x4, y4: y4, maxX4: maxX4, maxY4: maxY4,
                                                  log2: txLog2, blockLog2: cLog2, txType: txLog2 <= 4 ? AV1Mode.modeToTxfm[m.uvMode] : AV1Tx.dctDct,
                                                  intraDir: m.yMode, quant: quant + slot * 1024)
                            slot += 1
                        }
                    }
                }
            }
        }
        storeModeInfo(r, c, bsize, m, skip: skip)
        modesIn = m
        return dist
    }
}
