/// Coding of one block in AV1's lossless mode (CodedLossless, §5.9.2: base_q_idx 0, no delta q).
///
/// What changes against the lossy block coder (§5.11.5 decode_block, §5.11.34 residual, §5.11.35 transform_block):
/// every transform block of every plane is TX_4X4 (read_tx_size returns TX_4X4 without a symbol), its type is the
/// Walsh-Hadamard transform (compute_tx_type gives DCT_DCT, so the default scan, and transform_type is not coded at
/// qindex 0, §5.11.47), and chroma-from-luma is allowed only when the chroma residual is 4x4 (§8.3.2 uv_mode).
/// Each 4x4 block is predicted from the reconstruction of the ones before it, so a block's samples are coded in the
/// decoder's raster order of transform blocks, plane by plane. The reconstruction equals the source, so the
/// search measures rate only.
extension AV1FrameState {
    var codedLossless: Bool { qIndex == 0 }
}

extension AV1TileEncoder {
    /// Levels of 4x4 transform block `index` of `plane` in `quant`: 16 per block, a 64x64 block's 256 blocks per plane.
    @inline(__always)
    func losslessLevels(plane: Int, index: Int) -> UnsafeMutablePointer<Int32> { quant + plane * 4096 + index * 16 }

    /// Side (log2, in samples) of the block's residual in `plane`.
    func losslessPlaneLog2(_ log2: Int, plane: Int) -> Int { plane == 0 ? log2 : max(2, log2 - f.subX) }

    /// Predicts, transforms and reconstructs the 4x4 transform blocks of `plane` in raster order, skipping those that
    /// start outside the frame's mi grid as transform_block() does. Levels go to `losslessLevels`. With `measure`
    /// the coefficients are counted into `rate` as written (updating the coefficient contexts). Returns the summed
    /// SATD of the residuals and whether any level is non-zero.
    func losslessCodePlane(plane p: Int, r: Int, c: Int, log2: Int, mode: Int, angle: Int, cflAlpha: Int = 0,
                           palette: AV1BlockPalette? = nil, measure: Bool, rate: inout AV1RateCounter) -> (satd: Int, nonZero: Bool) {
        let sx = p > 0 ? f.subX : 0, sy = p > 0 ? f.subY : 0
        let pLog2 = losslessPlaneLog2(log2, plane: p)
        let n = 1 << (pLog2 - 2)
        let x0 = (c * 4) >> sx, y0 = (r * 4) >> sy
        let maxX = (f.miCols * 4) >> sx, maxY = (f.miRows * 4) >> sy
        let availU = r - 1 >= miRowStart, availL = c - 1 >= miColStart
        let src = f.source[p], rec = f.recon[p]
        var satdSum = 0
        var nonZero = false
        for ty in 0..<n {
            let y = y0 + ty * 4
            if y >= maxY { break }
            for tx in 0..<n {
                let x = x0 + tx * 4
                if x >= maxX { break }
                if let palette, (p == 0 ? palette.ySize : palette.uvSize) > 0 {
                    predictFromPalette(palette, plane: p, x: x - x0, y: y - y0, log2: 2)
                } else if mode == AV1Mode.cfl {
                    buildEdges(plane: p, x: x, y: y, log2: 2, haveLeft: availL || tx > 0, haveAbove: availU || ty > 0)
                    // §7.11.5: DC prediction plus alpha times the luma AC of the (4x4 in 4:4:4) block.
                    edges.predict(mode: AV1Mode.dc, angleDelta: 0, log2: 2, pred: pred)
                    prepareCfl(x: x, y: y, log2: 2, maxLumaW: c * 4 + (1 << log2), maxLumaH: r * 4 + (1 << log2))
                    applyCfl(log2: 2, alpha: cflAlpha, into: predAlt)
                    pred.update(from: predAlt, count: 16)
                } else {
                    buildEdges(plane: p, x: x, y: y, log2: 2, haveLeft: availL || tx > 0, haveAbove: availU || ty > 0)
                    edges.predict(mode: mode, angleDelta: angle, log2: 2, pred: pred)
                }
                let s = src.data + y * src.stride + x
                satdSum += satd(s, src.stride, pred, 4)
                for i in 0..<4 { for j in 0..<4 { resid[i * 4 + j] = Int32(s[i * src.stride + j]) - Int32(pred[i * 4 + j]) } }
                let levels = losslessLevels(plane: p, index: ty * n + tx)
                AV1WalshHadamard.forward4x4(resid, levels: levels)
                // Reconstruct as the decoder does (§7.12.3 with Lossless = 1): the result is the source.
                AV1WalshHadamard.inverse4x4(levels, residual: resid)
                let d = rec.data + y * rec.stride + x
                for i in 0..<4 {
                    for j in 0..<4 { d[i * rec.stride + j] = UInt8(clamping: Int32(pred[i * 4 + j]) + resid[i * 4 + j]) }
                }
                for k in 0..<16 where levels[k] != 0 { nonZero = true; break }
                markDecoded(plane: p, x: x, y: y, log2: 2)
                if measure {
                    AV1Coefficients.write(&rate, cdf: cdf, ctx: &ctx, plane: p, x4: x >> 2, y4: y >> 2,
                                          maxX4: maxX >> 2, maxY4: maxY >> 2, log2: 2, blockLog2: pLog2,
                                          txType: AV1Tx.dctDct, intraDir: mode, quant: levels)
                }
            }
        }
        return (satdSum, nonZero)
    }

    /// Clears BlockDecoded for `plane` over the block after a trial coding.
    func losslessUndoDecoded(plane p: Int, r: Int, c: Int, log2: Int) {
        let sx = p > 0 ? f.subX : 0, sy = p > 0 ? f.subY : 0
        let n = 1 << (losslessPlaneLog2(log2, plane: p) - 2)
        let r0 = (r & 15) >> sy, c0 = (c & 15) >> sx
        for y in 0..<n { for x in 0..<n { decoded[p][(r0 + y + 1) * 18 + c0 + x + 1] = 0 } }
    }

    /// Chooses the mode of `plane` (0: luma; 1: both chroma planes) by the SATD of the real per-4x4 residuals plus the
    /// mode's bits, then, for the best `exact` candidates, by the coefficients' rate.
    func losslessChooseMode(luma: Bool, r: Int, c: Int, bsize: Int, candidates: [(mode: Int, angle: Int)],
                            cfl: (u: Int, v: Int) = (0, 0), modeBits: (Int) -> Int, exact: Int) -> (mode: Int, angle: Int) {
        let planes = luma ? [0] : [1, 2]
        let log2 = AV1Block.log2Side4(bsize) + 2
        var none = AV1RateCounter()
        // Rate proxy: a 4x4 WHT coefficient of magnitude m costs about 2·log2(m) bits; SATD/16 per block is a
        // fair scale for that against the mode's bits (1/512 bit).
        var ranked: [(cost: Double, mode: Int, angle: Int)] = []
        for cand in candidates {
            var s = 0
            for p in planes {
                s += losslessCodePlane(plane: p, r: r, c: c, log2: log2, mode: cand.mode, angle: cand.angle,
                                       cflAlpha: p == 1 ? cfl.u : cfl.v, measure: false, rate: &none).satd
                losslessUndoDecoded(plane: p, r: r, c: c, log2: log2)
            }
            ranked.append((Double(s) * 512 / 4 + Double(modeBits(cand.mode)), cand.mode, cand.angle))
        }
        ranked.sort { $0.cost < $1.cost }
        guard exact > 1 && ranked.count > 1 else { return (ranked[0].mode, ranked[0].angle) }
        var best = (cost: Int.max, mode: ranked[0].mode, angle: ranked[0].angle)
        for cand in ranked.prefix(exact) {
            let saved = snapshotContexts(r, c, bsize)
            var rc = AV1RateCounter()
            for p in planes {
                _ = losslessCodePlane(plane: p, r: r, c: c, log2: log2, mode: cand.mode, angle: cand.angle,
                                      cflAlpha: p == 1 ? cfl.u : cfl.v, measure: true, rate: &rc)
                losslessUndoDecoded(plane: p, r: r, c: c, log2: log2)
            }
            restoreContexts(r, c, bsize, saved)
            let cost = rc.cost + modeBits(cand.mode)
            if cost < best.cost { best = (cost, cand.mode, cand.angle) }
        }
        return (best.mode, best.angle)
    }

    /// decode_block for a lossless frame: mode decision when `modesIn` is nil, then the symbols in the decoder's
    /// order. Returns the distortion, which is zero.
    func codeBlockLossless<S: AV1SymbolSink>(_ r: Int, _ c: Int, _ bsize: Int, _ modesIn: inout AV1BlockModes?,
                                             _ sink: inout S) -> Int {
        let log2 = AV1Block.log2Side4(bsize) + 2
        let availU = r - 1 >= miRowStart, availL = c - 1 >= miColStart
        let hasChroma = f.numPlanes > 1
        var m = modesIn ?? AV1BlockModes()
        quant = levelStore
        let yModeCdf = yModeCdfOf(r, c)
        // 4x4 blocks are not coded in lossless 4:2:0 frames, so chroma availability is the luma one.
        setEdgeFilterTypes(r, c, availU: availU, availL: availL, availUChroma: availU, availLChroma: availL)
        let cLog2 = losslessPlaneLog2(log2, plane: 1)
        // §8.3.2 uv_mode: with Lossless, CFL is allowed only when the chroma residual is 4x4.
        let cflAllowed = cLog2 == 2
        let exact = f.settings.losslessExactCandidates
        if modesIn == nil {
            var candidates = lumaModeCandidates(log2: log2).map { (mode: $0, angle: 0) }
            // Angle deltas exist from 8x8 up (§5.11.42).
            let angles = bsize >= AV1Block.b8x8
            if f.settings.losslessAngleDeltas && angles {
                for mode in [AV1Mode.v, AV1Mode.h] { for delta in [-3, 3] { candidates.append((mode, delta)) } }
            }
            (m.yMode, m.yAngle) = losslessChooseMode(luma: true, r: r, c: c, bsize: bsize, candidates: candidates,
                                                     modeBits: { self.yModeBits(yModeCdf, $0, angleCoded: angles) }, exact: exact)
        }
        let uvCdf = uvModeCdf(yMode: m.yMode, cflAllowed: cflAllowed)
        // Luma, final: the chosen mode's levels stay in `quant`.
        var none = AV1RateCounter()
        if modesIn == nil { tryLosslessPalette(luma: true, r: r, c: c, bsize: bsize, yModeCdf: yModeCdf, uvCdf: nil, &m) }
        var nonZero = losslessCodePlane(plane: 0, r: r, c: c, log2: log2, mode: m.yMode, angle: m.yAngle, palette: m.palette,
                                        measure: false, rate: &none).nonZero
        if hasChroma {
            if modesIn == nil {
                var candidates = AV1TileEncoder.chromaModeOrder.map { (mode: $0, angle: 0) }
                if AV1Mode.isDirectional(m.yMode) || m.yMode > AV1Mode.smooth { candidates.append((m.yMode, m.yAngle)) }
                if cflAllowed {
                    // Least-squares alphas per plane (refined by SATD) against the reconstructed luma.
                    let cfl = chooseCflAlphas(x: (c * 4) >> f.subX, y: (r * 4) >> f.subY, log2: 2,
                                              lumaExtent: (c * 4 + (1 << log2), r * 4 + (1 << log2)),
                                              haveLeft: availL, haveAbove: availU)
                    m.cflU = cfl.u; m.cflV = cfl.v
                    if m.cflU != 0 || m.cflV != 0 { candidates.append((AV1Mode.cfl, 0)) }
                }
                // CFL also pays its alpha symbols (about 3 bits).
                let bits = { (mode: Int) -> Int in self.symbolBits(uvCdf.cdf, mode) + (mode == AV1Mode.cfl ? 1536 : 0) }
                (m.uvMode, m.uvAngle) = losslessChooseMode(luma: false, r: r, c: c, bsize: bsize, candidates: candidates,
                                                           cfl: (m.cflU, m.cflV), modeBits: bits, exact: exact)
                tryLosslessPalette(luma: false, r: r, c: c, bsize: bsize, yModeCdf: yModeCdf, uvCdf: uvCdf, &m)
            }
            for p in 1...2 {
                if losslessCodePlane(plane: p, r: r, c: c, log2: log2, mode: m.uvMode, angle: m.uvAngle,
                                     cflAlpha: p == 1 ? m.cflU : m.cflV, palette: m.palette, measure: false, rate: &none).nonZero {
                    nonZero = true
                }
            }
        }
        let skip = !nonZero
        m.skip = skip
        m.txSize = AV1Tx.t4x4
        m.txType = AV1Tx.dctDct

        // Symbols (§5.11.7 intra_frame_mode_info): no tx size, no transform type, no CDEF index in a lossless frame.
        writeIntraModeInfo(r, c, bsize, m, skip: skip, hasChroma: hasChroma, yModeCdf: yModeCdf, uvCdf: uvCdf.cdf, uvN: uvCdf.n, &sink)
        if let palette = m.palette { writePaletteTokens(r, c, bsize, palette, &sink) }   // palette_tokens (§5.11.49)
        if skip {
            resetBlockContexts(r, c, bsize, hasChroma: hasChroma)
        } else {
            for p in 0..<f.numPlanes {
                let sx = p > 0 ? f.subX : 0, sy = p > 0 ? f.subY : 0
                let pLog2 = losslessPlaneLog2(log2, plane: p)
                let n = 1 << (pLog2 - 2)
                let maxX4 = f.miCols >> sx, maxY4 = f.miRows >> sy
                for ty in 0..<n where (r >> sy) + ty < maxY4 {
                    for tx in 0..<n where (c >> sx) + tx < maxX4 {
                        AV1Coefficients.write(&sink, cdf: cdf, ctx: &ctx, plane: p, x4: (c >> sx) + tx, y4: (r >> sy) + ty,
                                              maxX4: maxX4, maxY4: maxY4, log2: 2, blockLog2: pLog2, txType: AV1Tx.dctDct,
                                              intraDir: m.yMode, quant: losslessLevels(plane: p, index: ty * n + tx))
                    }
                }
            }
        }
        storeModeInfo(r, c, bsize, m, skip: skip)
        modesIn = m
        return 0
    }

    /// Lossless palettes: a block of 8x8 and up tries its palette (AV1PaletteColors: the exact 2...8 luma values or
    /// (U, V) pairs, else, at speed ≤ 6, k-means colours weighing squared error against bits with
    /// AV1Tuning.losslessPaletteLambda) against the chosen mode by exact rate — mode and palette symbols, colour map
    /// and coefficients (an exact palette leaves a zero residual). Sets `m.palette` (and DC_PRED) when cheaper.
    func tryLosslessPalette(luma: Bool, r: Int, c: Int, bsize: Int, yModeCdf: UnsafeMutablePointer<UInt16>,
                            uvCdf: (cdf: UnsafeMutablePointer<UInt16>, n: Int)?, _ m: inout AV1BlockModes) {
        let b = AV1BlockGeometry(r: r, c: c, bsize: bsize, tile: self)
        guard paletteAllowed(b) else { return }
        let kMeansLambda = f.settings.paletteKMeans ? AV1Tuning.losslessPaletteLambda : nil
        var candidate = m
        var palette = m.palette ?? AV1BlockPalette()
        if luma {
            guard let withLuma = lumaPaletteCandidate(b, budget: .infinity, kMeansLambda: kMeansLambda, into: palette)
            else { return }
            palette = withLuma
            candidate.yMode = AV1Mode.dc; candidate.yAngle = 0
        } else {
            guard b.hasChroma, let withChroma = chromaPaletteCandidate(b, budget: .infinity, kMeansLambda: kMeansLambda,
                                                                       into: palette) else { return }
            palette = withChroma
            candidate.uvMode = AV1Mode.dc; candidate.uvAngle = 0; candidate.cflU = 0; candidate.cflV = 0
        }
        candidate.palette = palette
        if f.forced.palette || losslessPlanesRate(luma: luma, b, candidate, yModeCdf: yModeCdf, uvCdf: uvCdf)
            < losslessPlanesRate(luma: luma, b, m, yModeCdf: yModeCdf, uvCdf: uvCdf) {
            m = candidate
        }
    }

    /// Exact bits (1/512) of the luma (or both chroma planes) of a lossless block coded with `m`: the plane's mode
    /// symbols with its palette part, the colour map, and the coefficients; contexts and BlockDecoded left as they were.
    func losslessPlanesRate(luma: Bool, _ b: AV1BlockGeometry, _ m: AV1BlockModes, yModeCdf: UnsafeMutablePointer<UInt16>,
                            uvCdf: (cdf: UnsafeMutablePointer<UInt16>, n: Int)?) -> Int {
        var rc = AV1RateCounter()
        var own = m
        if var p = own.palette {
            if luma { p.uColors = []; p.vColors = [] } else { p.yColors = [] }
            own.palette = p
        }
        if luma {
            rc.cost = yModeBits(yModeCdf, own.yMode, angleCoded: true)
            writePaletteModeInfo(b.r, b.c, b.bsize, own, hasChroma: false, &rc)
        } else if let uvCdf {
            writeUvModeInfo(b.bsize, own, uvCdf: uvCdf.cdf, uvN: uvCdf.n, &rc)
            writeChromaPaletteInfo(b.r, b.c, b.bsize, m, &rc)   // m: its context is whether the luma has a palette
        }
        if let p = own.palette { writePaletteTokens(b.r, b.c, b.bsize, p, &rc) }
        let log2 = AV1Block.log2Side4(b.bsize) + 2
        let saved = snapshotContexts(b.r, b.c, b.bsize)
        for p in luma ? [0] : [1, 2] {
            _ = losslessCodePlane(plane: p, r: b.r, c: b.c, log2: log2, mode: luma ? own.yMode : own.uvMode,
                                  angle: luma ? own.yAngle : own.uvAngle, cflAlpha: p == 1 ? own.cflU : own.cflV,
                                  palette: own.palette, measure: true, rate: &rc)
            losslessUndoDecoded(plane: p, r: b.r, c: b.c, log2: log2)
        }
        restoreContexts(b.r, b.c, b.bsize, saved)
        return rc.cost
    }
}
