/// Block-level symbols shared by the lossy and the lossless block coders.
extension AV1TileEncoder {
    /// intra_frame_mode_info (§5.11.7) of a block in our intra frames (no segmentation, cdef_bits 0, no delta q,
    /// no palette, no filter intra): skip, y mode, its angle delta, uv mode, CFL alphas, the uv angle delta. Angle
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
        guard hasChroma else { return }
        sink.symbol(m.uvMode, uvCdf, uvN)
        if m.uvMode == AV1Mode.cfl {
            let signU = m.cflU == 0 ? 0 : (m.cflU < 0 ? 1 : 2), signV = m.cflV == 0 ? 0 : (m.cflV < 0 ? 1 : 2)
            sink.symbol(signU * 3 + signV - 1, cdf.at(cdf.cflSign), 8)
            if signU != 0 { sink.symbol(abs(m.cflU) - 1, cdf.at(cdf.cflAlpha + ((signU - 1) * 3 + signV) * 17), 16) }
            if signV != 0 { sink.symbol(abs(m.cflV) - 1, cdf.at(cdf.cflAlpha + ((signV - 1) * 3 + signU) * 17), 16) }
        }
        if angles && AV1Mode.isDirectional(m.uvMode) { sink.symbol(m.uvAngle + 3, cdf.at(cdf.angleDelta + (m.uvMode - 1) * 8), 7) }
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
}
