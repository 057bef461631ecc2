/// Transform decisions of a lossy block: which transform types are tried, which tx_depth values, and the RD search
/// over tx_depth that leaves the winner's reconstruction and levels in place.
extension AV1TileEncoder {
    /// Luma transform types the RD search tries for a transform block of side 1 << txLog2 (TX_SET_INTRA_2 up to
    /// 16x16 with reduced_tx_set, DCT only above).
    func lumaTypeCandidates(_ txLog2: Int) -> [Int] {
        txLog2 <= 4 ? f.settings.lumaTxTypes : [AV1Tx.dctDct]
    }

    /// Types tried per transform block of a split (tx_depth > 0), given the type the whole-block transform chose.
    func splitTypeCandidates(_ txLog2: Int, _ wholeType: Int) -> [Int] {
        let all = lumaTypeCandidates(txLog2)
        if all.count == 1 { return all }
        switch f.settings.splitTxTypes {
        case .all: return all
        case .wholeOnly: return [all.contains(wholeType) ? wholeType : AV1Tx.dctDct]
        case .dctAndWhole:
            return wholeType == AV1Tx.dctDct || !all.contains(wholeType) ? [AV1Tx.dctDct, AV1Tx.adstAdst] : [AV1Tx.dctDct, wholeType]
        }
    }

    /// Transform depths the RD search may try for a block (tx_depth ≤ MAX_TX_DEPTH = 2).
    func txDepthChoices(_ bsize: Int) -> ClosedRange<Int> {
        guard f.txModeSelect && bsize != AV1Block.b4x4 else { return 0...0 }
        let maxDepth = min(2, AV1Block.maxTxDepth(bsize))
        if let forced = f.forced.txDepth { let d = min(max(forced, 0), maxDepth); return d...d }
        return 0...min(maxDepth, f.settings.maxTxDepth)
    }

    /// Codes the block's luma at each tx_depth of `depths` (with the mode already chosen) and keeps the cheapest by
    /// distortion + λ·(coefficient rate + tx_depth symbol): sets txDepth and txTypes, leaves that depth's
    /// reconstruction, levels and BlockDecoded marks in place and the coefficient contexts as before. Returns the
    /// luma squared error and MaxLumaW/H for chroma-from-luma.
    func searchLumaTxDepth(_ b: AV1BlockGeometry, depths: ClosedRange<Int>, _ m: inout AV1BlockModes)
        -> (sse: Int, lumaExtent: (w: Int, h: Int)) {
        let saved = saveLumaContexts(x4: b.c, y4: b.r, w4: b.side4)
        let (depthCdf, depthN) = txDepthCdf(b.r, b.c, b.bsize)
        var best = (cost: Double.infinity, depth: 0, types: [Int](), sse: 0, extent: (w: 0, h: 0))
        // The luma levels of the block: at most side² (64-point transforms keep 32x32 each), never the chroma part.
        let lumaLevels = min(AV1TileEncoder.chromaLevels, b.side * b.side)
        var lastIsBest = true
        var depth0Rate = 0.0
        for d in depths {
            if d > depths.lowerBound {
                // Smaller transforms pay only where the whole-block transform costs enough luma bits per sample
                // (measured on the corpus photos: below these rates the split won < 5 %).
                if best.depth == 0 && f.settings.pruneTxSplit && depth0Rate < AV1Tuning.txSplitMinBitsPerSample[min(b.log2 - 3, 2)] { break }
                restoreLumaContexts(saved)
                setDecoded(b.r, b.c, b.bsize, 0, lumaOnly: true)
            }
            var types = d == 0 ? [m.txType] : []
            let res = codeLumaTransformBlocks(b.r, b.c, log2: b.log2, txLog2: b.log2 - d, mode: m.yMode, angle: m.yAngle,
                                              palette: m.palette, types: &types,
                                              candidates: d > 0 ? splitTypeCandidates(b.log2 - d, m.txType) : [], measure: true)
            var rc = AV1RateCounter()
            rc.symbol(d, depthCdf, depthN)
            let cost = Double(res.sse) + lambda / 512 * Double(res.rate + rc.cost)
            if d == 0 { depth0Rate = Double(res.rate) / 512 / Double(1 << (2 * b.log2)) }
            if cost < best.cost {
                if d < depths.upperBound {
                    copyRecon(b.r, b.c, b.bsize, slot: txSearchReconSlot, lumaOnly: true, restore: false)
                    quantBest.update(from: quant, count: lumaLevels)
                }
                best = (cost, d, types, res.sse, (res.maxLumaW, res.maxLumaH))
                lastIsBest = true
            } else {
                lastIsBest = false
                if f.settings.pruneTxSplit { break }
            }
        }
        restoreLumaContexts(saved)
        m.txDepth = best.depth; m.txTypes = best.types
        if !lastIsBest {
            // Bring back the winner's reconstruction and levels, which a later candidate overwrote.
            copyRecon(b.r, b.c, b.bsize, slot: txSearchReconSlot, lumaOnly: true, restore: true)
            quant.update(from: quantBest, count: lumaLevels)
            setDecoded(b.r, b.c, b.bsize, 0, lumaOnly: true)
            forEachLumaTransformBlock(b.r, b.c, log2: b.log2, txLog2: b.log2 - m.txDepth) { _, x, y, _, _ in
                markDecoded(plane: 0, x: x, y: y, log2: b.log2 - m.txDepth)
            }
        }
        return (best.sse, best.extent)
    }
}
