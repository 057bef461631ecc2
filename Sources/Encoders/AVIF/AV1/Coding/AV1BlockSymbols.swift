/// Block-level symbols shared by the lossy and the lossless block coders.
extension AV1TileEncoder {
    /// intra_frame_mode_info (§5.11.7) of a block in our intra frames (no segmentation, cdef_bits 0, no delta q,
    /// no filter intra; palette_mode_info when the frame allows screen content tools): skip, y mode, its angle delta, uv mode, CFL alphas, the uv angle delta. Angle
    /// deltas exist only from BLOCK_8X8 up (§5.11.42, §5.11.43).
    func writeIntraModeInfo<S: AV1SymbolSink>(_ r: Int, _ c: Int, _ bsize: Int, _ m: AV1BlockModes, skip: Bool,
                                              hasChroma: Bool, yModeCdf: UnsafeMutablePointer<UInt16>, uvCdf: UnsafeMutablePointer<UInt16>,
                                              uvN: Int, _ sink: inout S) {
        let availU = r - 1 >= miRowStart, availL = c - 1 >= miColStart
        let skipCtx = (availU ? Int(f.skip[(r - 1) * f.miCols + c]) : 0) + (availL ? Int(f.skip[r * f.miCols + c - 1]) : 0)
        let angles = bsize >= AV1Block.b8x8
        sink.symbol(skip ? 1 : 0, cdf.at(cdf.skip + skipCtx * 3), 2)
        if !skip && !f.codedLossless { sink.cdefIndex(miRow: r, miCol: c) }   // read_cdef (§5.11.56)
        sink.symbol(m.yMode, yModeCdf, 13)
        if angles && AV1Mode.isDirectional(m.yMode) { sink.symbol(m.yAngle + 3, cdf.at(cdf.angleDelta + (m.yMode - 1) * 8), 7) }
        if hasChroma { writeUvModeInfo(bsize, m, uvCdf: uvCdf, uvN: uvN, &sink) }
        // palette_mode_info for 8x8 ... 64x64 blocks of frames with allow_screen_content_tools.
        if paletteAllowed(bsize: bsize) { writePaletteModeInfo(r, c, bsize, m, hasChroma: hasChroma, &sink) }
    }

    /// uv_mode, the CFL alphas (read_cfl_alphas, §5.11.45) and the uv angle delta (§5.11.43).
    func writeUvModeInfo<S: AV1SymbolSink>(_ bsize: Int, _ m: AV1BlockModes, uvCdf: UnsafeMutablePointer<UInt16>, uvN: Int,
                                           _ sink: inout S) {
        sink.symbol(m.uvMode, uvCdf, uvN)
        if m.uvMode == AV1Mode.cfl {
            let signU = m.cflU == 0 ? 0 : (m.cflU < 0 ? 1 : 2), signV = m.cflV == 0 ? 0 : (m.cflV < 0 ? 1 : 2)
            sink.symbol(signU * 3 + signV - 1, cdf.at(cdf.cflSign), 8)
            if signU != 0 { sink.symbol(abs(m.cflU) - 1, cdf.at(cdf.cflAlpha + ((signU - 1) * 3 + signV) * 17), 16) }
            if signV != 0 { sink.symbol(abs(m.cflV) - 1, cdf.at(cdf.cflAlpha + ((signV - 1) * 3 + signU) * 17), 16) }
        }
        if bsize >= AV1Block.b8x8 && AV1Mode.isDirectional(m.uvMode) {
            sink.symbol(m.uvAngle + 3, cdf.at(cdf.angleDelta + (m.uvMode - 1) * 8), 7)
        }
    }

    /// reset_block_context (§5.11.5) of a skipped block: its above/left level and dc contexts to 0 in the planes it
    /// codes (luma only for a 4:2:0 4x4 block without chroma).
    func resetBlockContexts(_ r: Int, _ c: Int, _ bsize: Int, hasChroma: Bool) {
        let side4 = AV1Block.side4(bsize)
        for p in 0..<(hasChroma ? f.numPlanes : 1) {
            let sx = p > 0 ? f.subX : 0, sy = p > 0 ? f.subY : 0
            for i in (c >> sx)..<((c + side4) >> sx) { ctx.aboveLevel[p][i] = 0; ctx.aboveDc[p][i] = 0 }
            for i in (r >> sy)..<((r + side4) >> sy) { ctx.leftLevel[p][i] = 0; ctx.leftDc[p][i] = 0 }
        }
    }

    /// The y_mode CDF of the block at mi (r, c): its context is the above and left blocks' luma modes (§8.3.2).
    func yModeCdfOf(_ r: Int, _ c: Int) -> UnsafeMutablePointer<UInt16> {
        let aboveMode = r - 1 >= miRowStart ? Int(f.yMode[(r - 1) * f.miCols + c]) : AV1Mode.dc
        let leftMode = c - 1 >= miColStart ? Int(f.yMode[r * f.miCols + c - 1]) : AV1Mode.dc
        return cdf.at(cdf.yMode + (Int(intraModeContext[aboveMode]) * 5 + Int(intraModeContext[leftMode])) * 14)
    }

    /// The uv_mode CDF and symbol count for a luma mode: 14 symbols with chroma-from-luma allowed, else 13.
    func uvModeCdf(yMode: Int, cflAllowed: Bool) -> (cdf: UnsafeMutablePointer<UInt16>, n: Int) {
        cflAllowed ? (cdf.at(cdf.uvCfl + yMode * 15), 14) : (cdf.at(cdf.uvNoCfl + yMode * 14), 13)
    }

    /// The uv_mode CDF of a lossy block.
    func uvModeCdfOf(_ b: AV1BlockGeometry, yMode: Int) -> (cdf: UnsafeMutablePointer<UInt16>, n: Int) {
        uvModeCdf(yMode: yMode, cflAllowed: b.cflAllowed)
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
}
