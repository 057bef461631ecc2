/// The RD partition search of a superblock: each block is tried whole (PARTITION_NONE) and split in four
/// (PARTITION_SPLIT, or the implicit split_or_horz/vert forms at frame edges), recursively, keeping the cheaper by
/// distortion + λ·rate. Which blocks are tried at all is decided from source statistics and from the whole block's
/// result (the speed settings' pruning rules below).
extension AV1TileEncoder {
    /// RD search; leaves the state as if the chosen tree had been coded. Returns the chosen tree's distortion and
    /// rate (1/512 bit). Each block weighs them with its own λ (`blockLambda`): a split's children decide with
    /// theirs, and the split is compared with the whole block by the parent's λ.
    func search<S: AV1SymbolSink>(_ r: Int, _ c: Int, _ bsize: Int, _ sink: inout S) -> (dist: Double, rate: Int, node: AV1PartitionNode) {
        if r >= f.miRows || c >= f.miCols { return (0, 0, .outside) }
        let side4 = AV1Block.side4(bsize)
        let half = side4 >> 1
        let hasRows = r + half < f.miRows, hasCols = c + half < f.miCols
        var canNone = hasRows && hasCols
        if canNone && tooBusyToCodeWhole(r, c, bsize) { canNone = false }
        if f.forced.split4x4 && bsize > AV1Block.b4x4 { canNone = false }
        let canSplit = bsize > smallestBlock() || !canNone
        let blockLambda = lambdaOf(r, c, bsize)
        let lambdaBits = blockLambda / 512

        var noneCost = Double.infinity, noneDist = 0.0, noneRate = 0
        var noneModes = AV1BlockModes()
        var savedCtx: [UInt8] = []
        var noneCtx: [UInt8] = []
        if canNone {
            if canSplit { savedCtx = snapshotContexts(r, c, bsize) }
            lambda = blockLambda
            var rc = AV1RateCounter()
            writePartition(r, c, bsize, split: false, &rc)
            var modes: AV1BlockModes? = nil
            let dist = codeBlock(r, c, bsize, &modes, &rc)
            noneModes = modes!
            noneDist = Double(dist); noneRate = rc.cost
            noneCost = Double(dist) + lambdaBits * Double(rc.cost)
            if !canSplit || wholeIsGoodEnough(bsize, distortion: dist, rate: rc.cost, skip: noneModes.skip) {
                return (noneDist, noneRate, .leaf(noneModes))
            }
            noneCtx = snapshotContexts(r, c, bsize)
            copyRecon(r, c, bsize, slot: reconSlot(bsize), restore: false)
            copyBlockLevels(r, c, bsize, restore: false)
            restoreContexts(r, c, bsize, savedCtx)
            setDecoded(r, c, bsize, 0)
        }
        var rc = AV1RateCounter()
        writePartition(r, c, bsize, split: true, &rc)
        var splitDist = 0.0, splitRate = rc.cost
        var splitCost = lambdaBits * Double(rc.cost)
        let sub = AV1Block.splitSize(bsize)
        var children: [AV1PartitionNode] = []
        for (dr, dc) in [(0, 0), (0, half), (half, 0), (half, half)] {
            let child = search(r + dr, c + dc, sub, &sink)
            splitDist += child.dist; splitRate += child.rate
            splitCost = splitDist + lambdaBits * Double(splitRate)
            children.append(child.node)
            if canNone && splitCost > noneCost && f.settings.splitEarlyExit { break }
        }
        if canNone && noneCost <= splitCost {
            copyRecon(r, c, bsize, slot: reconSlot(bsize), restore: true)
            copyBlockLevels(r, c, bsize, restore: true)
            restoreContexts(r, c, bsize, noneCtx)
            setDecoded(r, c, bsize, 1)
            storeModeInfo(r, c, bsize, noneModes, skip: noneModes.skip)
            return (noneDist, noneRate, .leaf(noneModes))
        }
        return (splitDist, splitRate, .split(children))
    }

    /// λ of the block at mi (r, c): the frame's, scaled by the perceptual map of the tune.
    func lambdaOf(_ r: Int, _ c: Int, _ bsize: Int) -> Double {
        f.lambda * f.perceptualLambda.multiplier(r: r, c: c, side4: AV1Block.side4(bsize))
    }

    /// The smallest block the search splits down to: 4x4 where the settings allow it (lossless: 4:4:4 and gray only,
    /// its block coder has no sub-8x8 4:2:0 chroma rules), else 8x8, or 16x16 at the fastest settings.
    func smallestBlock() -> Int {
        let s = f.settings
        if s.min16x16 { return AV1Block.b16x16 }
        let lossless420 = f.codedLossless && f.numPlanes > 1 && f.subX == 1
        let allow4x4 = f.codedLossless ? (s.lossless4x4Blocks && !lossless420) : s.lossy4x4Blocks
        return allow4x4 ? AV1Block.b4x4 : AV1Block.b8x8
    }

    /// Busy large blocks are never coded whole at useful quantizers: go straight to the split (source luma
    /// variance above AV1Tuning.varianceLimit64 / varianceLimit32 squared quantizer steps).
    func tooBusyToCodeWhole(_ r: Int, _ c: Int, _ bsize: Int) -> Bool {
        guard bsize >= AV1Block.b32x32 && f.settings.pruneBusyLargeBlocks else { return false }
        let v = lumaVariance(r, c, AV1Block.side4(bsize) * 4)
        let step = Double(f.acQ) / 8
        let limit = (bsize == AV1Block.b64x64 || f.codedLossless ? AV1Tuning.varianceLimit64 : AV1Tuning.varianceLimit32) * step * step
        return v > limit
    }

    /// Whether the whole block's result makes the split not worth trying: a flat, well-predicted block; a skipped or
    /// very cheap block at the fastest settings; an 8x8 block whose residual is not worth four 4x4 mode sets.
    func wholeIsGoodEnough(_ bsize: Int, distortion: Int, rate: Int, skip: Bool) -> Bool {
        let s = f.settings
        let side4 = AV1Block.side4(bsize)
        let step = Double(f.acQ) / 8
        let perPixel = Double(distortion) / Double(side4 * side4 * 16)
        if s.keepWellPredictedBlocks && perPixel <= 0.25 && !f.codedLossless { return true }
        if s.keepCheapBlocks && skip && perPixel < 0.1 * step * step { return true }
        if s.keepCheapBlocks && bsize <= AV1Block.b16x16 && rate < 512 * 24 { return true }
        return bsize == AV1Block.b8x8 && s.gate4x4ByRate && (skip || rate < 512 * AV1Tuning.split4x4MinBits)
    }

    /// Variance of the source luma over a size*size block.
    func lumaVariance(_ r: Int, _ c: Int, _ size: Int) -> Double {
        let src = f.source[0]
        var sum = 0, sq = 0
        for y in 0..<size {
            let row = src.data + (r * 4 + y) * src.stride + c * 4
            for x in 0..<size { let v = Int(row[x]); sum += v; sq += v * v }
        }
        let n = Double(size * size)
        let mean = Double(sum) / n
        return Double(sq) / n - mean * mean
    }
}
