/// Where a square block lies and what its neighbourhood offers (decode_block, AV1 spec §5.11.5): position, size,
/// edge availability inside the tile, and whether it carries chroma — with 4:2:0 a 4x4 luma block carries the chroma
/// of its 8x8 area only at odd mi row and column (the last of the four), whose chroma neighbours lie two mi away.
struct AV1BlockGeometry {
    let r: Int, c: Int, bsize: Int
    /// log2 of the luma side in samples, the side, and the side in 4x4 units.
    let log2: Int, side: Int, side4: Int
    /// Luma sample position.
    let x0: Int, y0: Int
    let availU: Bool, availL: Bool
    let hasChroma: Bool
    let availUChroma: Bool, availLChroma: Bool
    /// Chroma sample position of the block's chroma (the 8x8 area's for a 4:2:0 4x4 block).
    let cx0: Int, cy0: Int
    /// log2 of the chroma side (at least 4 samples).
    let cLog2: Int
    /// Chroma-from-luma is allowed up to 32x32 (§5.11.46 is_cfl_allowed for lossy frames).
    var cflAllowed: Bool { log2 <= 5 }

    init(r: Int, c: Int, bsize: Int, tile t: AV1TileEncoder) {
        let f = t.f
        self.r = r; self.c = c; self.bsize = bsize
        side4 = AV1Block.side4(bsize)
        log2 = AV1Block.log2Side4(bsize) + 2
        side = 1 << log2
        x0 = c * 4; y0 = r * 4
        availU = r - 1 >= t.miRowStart; availL = c - 1 >= t.miColStart
        let sub4 = bsize == AV1Block.b4x4
        hasChroma = f.numPlanes > 1 && !(sub4 && ((f.subY == 1 && r & 1 == 0) || (f.subX == 1 && c & 1 == 0)))
        availUChroma = sub4 && f.subY == 1 ? r - 2 >= t.miRowStart : availU
        availLChroma = sub4 && f.subX == 1 ? c - 2 >= t.miColStart : availL
        cx0 = (c >> f.subX) * 4; cy0 = (r >> f.subY) * 4
        cLog2 = max(2, log2 - (hasChroma ? f.subX : 0))
    }
}

/// Coding of one square lossy block (§5.11.5 decode_block, §5.11.7 intra_frame_mode_info, §5.11.34 residual):
/// the mode and transform decisions when asked (AV1ModeDecision, AV1TransformSearch), then prediction, transform,
/// quantisation and bit-exact reconstruction of luma and chroma, then the symbols in the decoder's order.
extension AV1TileEncoder {
    /// Codes the block with `modesIn`, or decides its modes first when `modesIn` is nil (and returns them there).
    /// Returns the squared error of the reconstruction (all planes).
    func codeBlock<S: AV1SymbolSink>(_ r: Int, _ c: Int, _ bsize: Int, _ modesIn: inout AV1BlockModes?, _ sink: inout S) -> Int {
        if f.codedLossless { return codeBlockLossless(r, c, bsize, &modesIn, &sink) }
        let b = AV1BlockGeometry(r: r, c: c, bsize: bsize, tile: self)
        selectLevels(r, c)
        rdWinner = nil
        let deciding = modesIn == nil
        var m = modesIn ?? AV1BlockModes()
        let yModeCdf = yModeCdfOf(r, c)
        setEdgeFilterTypes(r, c, availU: b.availU, availL: b.availL, availUChroma: b.availUChroma, availLChroma: b.availLChroma)

        buildEdges(plane: 0, x: b.x0, y: b.y0, log2: b.log2, haveLeft: b.availL, haveAbove: b.availU)
        if deciding {
            let ranked = rankLumaModes(b, yModeCdf: yModeCdf)
            chooseLumaModeByRD(b, ranked: ranked, yModeCdf: yModeCdf, &m)
        }
        let depths = deciding ? txDepthChoices(bsize) : m.txDepth...m.txDepth
        var luma = depths.count == 1 ? codeLuma(b, depth: depths.lowerBound, chooseTypes: deciding, &m)
                                     : searchLumaTxDepth(b, depths: depths, &m)
        if deciding { luma = tryLumaPalette(b, yModeCdf: yModeCdf, normal: luma, &m) }
        rdWinner = nil   // valid for this block's luma only
        var dist = luma.sse

        let chromaTxLog2 = chromaTransformLog2(b)
        let uvCdf = uvModeCdfOf(b, yMode: m.yMode)
        if b.hasChroma {
            if deciding { decideChromaMode(b, uvCdf: uvCdf.cdf, txLog2: chromaTxLog2, lumaExtent: luma.lumaExtent, &m) }
            let chroma = codeChroma(b, m, txLog2: chromaTxLog2, lumaExtent: luma.lumaExtent)
            dist += deciding ? tryChromaPalette(b, uvCdf: uvCdf, txLog2: chromaTxLog2, lumaExtent: luma.lumaExtent,
                                                normalDist: chroma, &m)
                             : chroma
        }
        m.skip = allLevelsZero(b, m, chromaTxLog2: chromaTxLog2)
        writeBlock(b, m, yModeCdf: yModeCdf, uvCdf: uvCdf, chromaTxLog2: chromaTxLog2, &sink)
        storeModeInfo(r, c, bsize, m, skip: m.skip)
        modesIn = m
        return dist
    }

    /// Writes the symbols of a block the search coded with modes `m` and left in place (reconstruction, mode info,
    /// levels in the level store): what `codeBlock` would write for it, without predicting and transforming again.
    func writeSearchedBlock<S: AV1SymbolSink>(_ r: Int, _ c: Int, _ bsize: Int, _ m: AV1BlockModes, _ sink: inout S) {
        let b = AV1BlockGeometry(r: r, c: c, bsize: bsize, tile: self)
        selectLevels(r, c)
        let chromaTxLog2 = chromaTransformLog2(b)
        writeBlock(b, m, yModeCdf: yModeCdfOf(r, c), uvCdf: uvModeCdfOf(b, yMode: m.yMode), chromaTxLog2: chromaTxLog2, &sink)
    }

    /// get_tx_size (§5.11.37): chroma uses the largest transform of its block (64 coded as 32).
    func chromaTransformLog2(_ b: AV1BlockGeometry) -> Int { min(b.cLog2, 5) }

    /// Luma at one tx_depth with the block's mode: the whole-block type at depth 0; at a forced depth > 0 the
    /// per-transform-block types are chosen when `chooseTypes`, else `m.txTypes` are used.
    func codeLuma(_ b: AV1BlockGeometry, depth: Int, chooseTypes: Bool, _ m: inout AV1BlockModes)
        -> (sse: Int, lumaExtent: (w: Int, h: Int)) {
        m.txDepth = depth
        if chooseTypes { m.txTypes = [m.txType] }
        let res = codeLumaTransformBlocks(b.r, b.c, log2: b.log2, txLog2: b.log2 - depth, mode: m.yMode, angle: m.yAngle,
                                          palette: m.palette, types: &m.txTypes,
                                          candidates: chooseTypes && depth > 0 ? splitTypeCandidates(b.log2 - depth, m.txType) : [],
                                          measure: false)
        return (res.sse, (res.maxLumaW, res.maxLumaH))
    }

    /// Predicts, transforms, quantises and reconstructs both chroma planes with the block's chroma mode; levels go
    /// to `chromaLevels`. Returns the squared error.
    func codeChroma(_ b: AV1BlockGeometry, _ m: AV1BlockModes, txLog2: Int, lumaExtent: (w: Int, h: Int)) -> Int {
        var dist = 0
        let txType = chromaTxType(m, txLog2: txLog2)
        for p in 1...2 {
            forEachTransformBlock(plane: p, x0: b.cx0, y0: b.cy0, log2: b.cLog2, txLog2: txLog2) { k, x, y, tx, ty in
                buildEdges(plane: p, x: x, y: y, log2: txLog2, haveLeft: b.availLChroma || tx > 0, haveAbove: b.availUChroma || ty > 0)
                if let palette = m.palette, palette.uvSize > 0 {
                    predictFromPalette(palette, plane: p, x: x - b.cx0, y: y - b.cy0, log2: txLog2)
                } else if m.uvMode == AV1Mode.cfl {
                    edges.predict(mode: AV1Mode.dc, angleDelta: 0, log2: txLog2, pred: pred)
                    prepareCfl(x: x, y: y, log2: txLog2, maxLumaW: lumaExtent.w, maxLumaH: lumaExtent.h)
                    applyCfl(log2: txLog2, alpha: p == 1 ? m.cflU : m.cflV, into: predAlt)
                    pred.update(from: predAlt, count: 1 << (2 * txLog2))
                } else {
                    edges.predict(mode: m.uvMode, angleDelta: m.uvAngle, log2: txLog2, pred: pred)
                }
                dist += transformQuantize(plane: p, x: x, y: y, log2: txLog2, txType: txType, levels: chromaLevels(plane: p, k, txLog2: txLog2))
                markDecoded(plane: p, x: x, y: y, log2: txLog2)
            }
        }
        return dist
    }

    /// The chroma transform type: implied by the uv mode (Mode_To_Txfm) up to 16x16, DCT above (§5.11.40).
    func chromaTxType(_ m: AV1BlockModes, txLog2: Int) -> Int {
        txLog2 <= 4 ? AV1Mode.modeToTxfm[m.uvMode] : AV1Tx.dctDct
    }

    /// True when every level of every transform block of the block is zero: the block is coded as skip.
    func allLevelsZero(_ b: AV1BlockGeometry, _ m: AV1BlockModes, chromaTxLog2: Int) -> Bool {
        var skip = true
        let lumaTxLog2 = b.log2 - m.txDepth, lumaArea = AV1TileEncoder.levelCount(lumaTxLog2)
        forEachLumaTransformBlock(b.r, b.c, log2: b.log2, txLog2: lumaTxLog2) { k, _, _, _, _ in
            for i in 0..<lumaArea where skip && quant[k * lumaArea + i] != 0 { skip = false }
        }
        if b.hasChroma {
            let area = AV1TileEncoder.levelCount(chromaTxLog2)
            for p in 1...2 {
                forEachTransformBlock(plane: p, x0: b.cx0, y0: b.cy0, log2: b.cLog2, txLog2: chromaTxLog2) { k, _, _, _, _ in
                    let levels = chromaLevels(plane: p, k, txLog2: chromaTxLog2)
                    for i in 0..<area where skip && levels[i] != 0 { skip = false }
                }
            }
        }
        return skip
    }

    /// The block's symbols in the order of §5.11.7 intra_frame_mode_info, §5.11.16 read_block_tx_size and
    /// §5.11.34 residual.
    func writeBlock<S: AV1SymbolSink>(_ b: AV1BlockGeometry, _ m: AV1BlockModes, yModeCdf: UnsafeMutablePointer<UInt16>,
                                      uvCdf: (cdf: UnsafeMutablePointer<UInt16>, n: Int), chromaTxLog2: Int, _ sink: inout S) {
        writeIntraModeInfo(b.r, b.c, b.bsize, m, skip: m.skip, hasChroma: b.hasChroma, yModeCdf: yModeCdf,
                           uvCdf: uvCdf.cdf, uvN: uvCdf.n, &sink)
        if let palette = m.palette { writePaletteTokens(b.r, b.c, b.bsize, palette, &sink) }   // palette_tokens (§5.11.49)
        // read_block_tx_size (§5.11.16): intra blocks always read tx_depth under TX_MODE_SELECT.
        if f.txModeSelect && b.bsize != AV1Block.b4x4 {
            let (depthCdf, depthN) = txDepthCdf(b.r, b.c, b.bsize)
            sink.symbol(m.txDepth, depthCdf, depthN)
        }
        if m.skip {
            resetBlockContexts(b.r, b.c, b.bsize, hasChroma: b.hasChroma)
            return
        }
        writeLumaCoefficients(b.r, b.c, log2: b.log2, m, &sink)
        if b.hasChroma { writeChromaCoefficients(b, m, chromaTxLog2: chromaTxLog2, &sink) }
    }

    /// The coefficients of both chroma planes' transform blocks, in the order residual() reads them.
    func writeChromaCoefficients<S: AV1SymbolSink>(_ b: AV1BlockGeometry, _ m: AV1BlockModes, chromaTxLog2: Int, _ sink: inout S) {
        let maxX4 = f.miCols >> f.subX, maxY4 = f.miRows >> f.subY
        let txType = chromaTxType(m, txLog2: chromaTxLog2)
        for p in 1...2 {
            forEachTransformBlock(plane: p, x0: b.cx0, y0: b.cy0, log2: b.cLog2, txLog2: chromaTxLog2) { k, x, y, _, _ in
                AV1Coefficients.write(&sink, cdf: cdf, ctx: &ctx, plane: p, x4: x >> 2, y4: y >> 2, maxX4: maxX4, maxY4: maxY4,
                                      log2: chromaTxLog2, blockLog2: b.cLog2, txType: txType,
                                      intraDir: m.yMode, quant: chromaLevels(plane: p, k, txLog2: chromaTxLog2))
            }
        }
    }
}
