/// Palette decisions of a lossy block (AV1 spec §5.11.46, §7.11.4): the block's colours (AV1PaletteColors), the
/// colour index maps, and the RD trial of the palette
/// against the block's best other luma mode and, separately, against its chroma mode — each costed as distortion
/// + λ·(mode, palette, colour map and coefficient bits).
extension AV1TileEncoder {
    /// Whether the block may code a palette (`paletteAllowed(bsize:)`, the syntax's rule).
    func paletteAllowed(_ b: AV1BlockGeometry) -> Bool { paletteAllowed(bsize: b.bsize) }

    /// Palette prediction (§7.11.4) of the transform block at (x, y) (samples, relative to the block) into `pred`.
    func predictFromPalette(_ p: AV1BlockPalette, plane: Int, x: Int, y: Int, log2: Int) {
        let n = 1 << log2
        let colors = plane == 0 ? p.yColors : (plane == 1 ? p.uColors : p.vColors)
        let map = plane == 0 ? p.yMap : p.uvMap
        let stride = plane == 0 ? p.lumaSide : p.chromaWidth
        for i in 0..<n {
            for j in 0..<n { pred[i * n + j] = colors[Int(map[(y + i) * stride + x + j])] }
        }
    }

    /// On-screen width and height of the block in luma samples (palette_tokens, §5.11.49).
    func paletteOnscreen(_ b: AV1BlockGeometry) -> (w: Int, h: Int) {
        (min(b.side, (f.miCols - b.c) * 4), min(b.side, (f.miRows - b.r) * 4))
    }

    // MARK: Luma

    /// The luma palette of the block (AV1PaletteColors.choose over its on-screen source, k-means with `kMeansLambda`
    /// when given), added to `palette`; nil when none fits.
    func lumaPaletteCandidate(_ b: AV1BlockGeometry, budget: Double, kMeansLambda: Double?,
                              into palette: AV1BlockPalette = AV1BlockPalette()) -> AV1BlockPalette? {
        let (w, h) = paletteOnscreen(b)
        let src = f.source[0]
        guard let colors = AV1PaletteColors.choose(src.data + b.y0 * src.stride + b.x0, stride: src.stride, width: w, height: h,
                                                   maxColors: 8, lambda: kMeansLambda, budget: budget)
        else { return nil }
        var p = palette
        p.lumaSide = b.side
        p.yColors = colors
        p.yMap = AV1PaletteColors.indexMap(src.data + b.y0 * src.stride + b.x0, stride: src.stride, side: b.side, onscreenW: w,
                                           onscreenH: h, colors: colors)
        return p
    }

    /// Tries a luma palette against the luma the block has coded (`normal`, modes `m`): keeps the cheaper by
    /// distortion + λ·rate and leaves its reconstruction, levels and BlockDecoded marks in place. Returns the luma
    /// squared error and extent of the winner.
    func tryLumaPalette(_ b: AV1BlockGeometry, yModeCdf: UnsafeMutablePointer<UInt16>, normal: (sse: Int, lumaExtent: (w: Int, h: Int)),
                        _ m: inout AV1BlockModes) -> (sse: Int, lumaExtent: (w: Int, h: Int)) {
        guard paletteAllowed(b) else { return normal }
        let lambdaBits = lambda / 512
        let lumaLevels = min(AV1TileEncoder.chromaLevels, b.side * b.side)
        let normalCost = Double(normal.sse) + lambdaBits * Double(lumaRate(b, m, yModeCdf: yModeCdf))
        guard var palette = lumaPaletteCandidate(b, budget: f.forced.palette ? .infinity : normalCost,
                                                 kMeansLambda: f.settings.paletteKMeans ? lambda : nil) else { return normal }
        let normalModes = m
        copyRecon(b.r, b.c, b.bsize, slot: txSearchReconSlot, lumaOnly: true, restore: false)
        quantBest.update(from: quant, count: lumaLevels)

        m.yMode = AV1Mode.dc; m.yAngle = 0; m.txType = AV1Tx.dctDct
        palette.uColors = []; palette.vColors = []
        m.palette = palette
        rdWinner = nil
        setDecoded(b.r, b.c, b.bsize, 0, lumaOnly: true)
        let res = codeLuma(b, depth: txDepthChoices(b.bsize).lowerBound, chooseTypes: true, &m)
        let paletteCost = Double(res.sse) + lambdaBits * Double(lumaRate(b, m, yModeCdf: yModeCdf))
        if paletteCost < normalCost || f.forced.palette { return res }

        m = normalModes
        copyRecon(b.r, b.c, b.bsize, slot: txSearchReconSlot, lumaOnly: true, restore: true)
        quant.update(from: quantBest, count: lumaLevels)
        setDecoded(b.r, b.c, b.bsize, 0, lumaOnly: true)
        forEachLumaTransformBlock(b.r, b.c, log2: b.log2, txLog2: b.log2 - m.txDepth) { _, x, y, _, _ in
            markDecoded(plane: 0, x: x, y: y, log2: b.log2 - m.txDepth)
        }
        return normal
    }

    /// Bits (1/512) of the block's luma as coded with `m`: y_mode (with the angle allowance), has_palette_y, the
    /// palette's size, colours and colour map, tx_depth, and the luma coefficients (contexts left as they were).
    func lumaRate(_ b: AV1BlockGeometry, _ m: AV1BlockModes, yModeCdf: UnsafeMutablePointer<UInt16>) -> Int {
        var rc = AV1RateCounter()
        rc.cost = yModeBits(yModeCdf, m.yMode, angleCoded: true)
        if m.yMode == AV1Mode.dc {
            var luma = m
            if var p = luma.palette { p.uColors = []; p.vColors = []; luma.palette = p }
            writePaletteModeInfo(b.r, b.c, b.bsize, luma, hasChroma: false, &rc)
            if let p = luma.palette, p.ySize > 0 { writePaletteTokens(b.r, b.c, b.bsize, p, &rc) }
        }
        if f.txModeSelect {
            let (depthCdf, depthN) = txDepthCdf(b.r, b.c, b.bsize)
            rc.symbol(m.txDepth, depthCdf, depthN)
        }
        let saved = saveLumaContexts(x4: b.c, y4: b.r, w4: b.side4)
        writeLumaCoefficients(b.r, b.c, log2: b.log2, m, &rc)
        restoreLumaContexts(saved)
        return rc.cost
    }

    // MARK: Chroma

    /// The chroma palette of the block (AV1PaletteColors.choosePairs over its on-screen (U, V) source pairs, k-means
    /// with `kMeansLambda` when given), added to `palette`; nil when none fits. Entries ordered by U then V (the decoder sorts U; V follows the entries).
    func chromaPaletteCandidate(_ b: AV1BlockGeometry, budget: Double, kMeansLambda: Double?,
                                into palette: AV1BlockPalette) -> AV1BlockPalette? {
        let (w, h) = paletteOnscreen(b)
        let cw = w >> f.subX, ch = h >> f.subY
        let side = b.side >> f.subX, sideH = b.side >> f.subY
        let su = f.source[1], sv = f.source[2]
        let pu = su.data + b.cy0 * su.stride + b.cx0, pv = sv.data + b.cy0 * sv.stride + b.cx0
        guard let pairs = AV1PaletteColors.choosePairs(pu, pv, stride: su.stride, width: cw, height: ch, maxColors: 8,
                                                       lambda: kMeansLambda, budget: budget)
        else { return nil }
        let map = AV1PaletteColors.pairIndexMap(pu, pv, stride: su.stride, width: side, height: sideH, onscreenW: cw, onscreenH: ch,
                                                u: pairs.u, v: pairs.v)
        var p = palette
        p.uColors = pairs.u; p.vColors = pairs.v
        p.uvMap = map; p.chromaWidth = side; p.chromaHeight = sideH
        return p
    }

    /// Tries a chroma palette (uv_mode DC_PRED) against the chroma the block has coded with `m` (distortion
    /// `normalDist`); keeps the cheaper, leaving its reconstruction and levels in place. Returns the chroma squared
    /// error of the winner.
    func tryChromaPalette(_ b: AV1BlockGeometry, uvCdf: (cdf: UnsafeMutablePointer<UInt16>, n: Int), txLog2: Int,
                          lumaExtent: (w: Int, h: Int), normalDist: Int, _ m: inout AV1BlockModes) -> Int {
        guard paletteAllowed(b), b.hasChroma else { return normalDist }
        let lambdaBits = lambda / 512
        let normalCost = Double(normalDist) + lambdaBits * Double(chromaRate(b, m, uvCdf: uvCdf, txLog2: txLog2))
        guard let palette = chromaPaletteCandidate(b, budget: f.forced.palette ? .infinity : normalCost,
                                                   kMeansLambda: f.settings.paletteKMeans ? lambda : nil,
                                                   into: m.palette ?? AV1BlockPalette()) else { return normalDist }
        let normalModes = m
        copyRecon(b.r, b.c, b.bsize, slot: paletteReconSlot, restore: false)
        paletteLevelsSlot.update(from: chromaQuant, count: 2 * 4096)

        m.uvMode = AV1Mode.dc; m.uvAngle = 0; m.cflU = 0; m.cflV = 0
        m.palette = palette
        let dist = codeChroma(b, m, txLog2: txLog2, lumaExtent: lumaExtent)
        let paletteCost = Double(dist) + lambdaBits * Double(chromaRate(b, m, uvCdf: uvCdf, txLog2: txLog2))
        if paletteCost < normalCost || f.forced.palette { return dist }

        m = normalModes
        copyRecon(b.r, b.c, b.bsize, slot: paletteReconSlot, restore: true)
        chromaQuant.update(from: paletteLevelsSlot, count: 2 * 4096)
        return normalDist
    }

    /// Bits (1/512) of the block's chroma as coded with `m`: uv_mode with its CFL alphas and angle, has_palette_uv,
    /// the chroma palette and its colour map, and the chroma coefficients (contexts left as they were).
    func chromaRate(_ b: AV1BlockGeometry, _ m: AV1BlockModes, uvCdf: (cdf: UnsafeMutablePointer<UInt16>, n: Int), txLog2: Int) -> Int {
        var rc = AV1RateCounter()
        writeUvModeInfo(b.bsize, m, uvCdf: uvCdf.cdf, uvN: uvCdf.n, &rc)
        writeChromaPaletteInfo(b.r, b.c, b.bsize, m, &rc)
        if m.uvMode == AV1Mode.dc, var chromaOnly = m.palette, chromaOnly.uvSize > 0 {
            chromaOnly.yColors = []
            writePaletteTokens(b.r, b.c, b.bsize, chromaOnly, &rc)
        }
        let saved = snapshotContexts(b.r, b.c, b.bsize)
        writeChromaCoefficients(b, m, chromaTxLog2: txLog2, &rc)
        restoreContexts(b.r, b.c, b.bsize, saved)
        return rc.cost
    }
}
