/// What the mode decision kept for one macroblock; the levels live in `VP8FrameState.levels`.
struct VP8MacroblockInfo {
    var yMode: UInt8 = 0
    var uvMode: UInt8 = 0
    var segment: UInt8 = 0
    var skip: Bool = false
}

/// Mode decision, quantization and reconstruction of macroblocks, in raster order within one row. Prediction
/// uses the reconstructed (unfiltered) pixels exactly as a decoder will rebuild them (RFC 6386 sections 12, 14,
/// 15: the loop filter does not feed intra prediction).
final class VP8MacroblockCoder {
    // Source and reconstruction planes (padded to whole macroblocks).
    let srcY: UnsafePointer<UInt8>, srcU: UnsafePointer<UInt8>, srcV: UnsafePointer<UInt8>
    let recY: UnsafeMutablePointer<UInt8>, recU: UnsafeMutablePointer<UInt8>, recV: UnsafeMutablePointer<UInt8>
    let yStride: Int, uvStride: Int, mbWidth: Int
    let costs: VP8CostTables
    let effort: Int

    // Scratch, allocated once.
    private let scratch: UnsafeMutablePointer<UInt8>
    private let coeffScratch: UnsafeMutablePointer<Int32>
    private let levelScratch: UnsafeMutablePointer<Int16>

    // Offsets into `scratch`.
    private var srcMB: UnsafeMutablePointer<UInt8> { scratch }                 // 16x16 source luma
    private var srcUV: UnsafeMutablePointer<UInt8> { scratch + 256 }           // 8x8 U then 8x8 V (stride 8)
    private var pred: UnsafeMutablePointer<UInt8> { scratch + 384 }            // 16x16 prediction
    private var recon: UnsafeMutablePointer<UInt8> { scratch + 640 }           // 16x16 candidate reconstruction
    private var bestRecon: UnsafeMutablePointer<UInt8> { scratch + 896 }       // 16x16 best luma reconstruction
    private var predUV: UnsafeMutablePointer<UInt8> { scratch + 1152 }         // 2x 8x8
    private var reconUV: UnsafeMutablePointer<UInt8> { scratch + 1280 }        // 2x 8x8
    private var bestReconUV: UnsafeMutablePointer<UInt8> { scratch + 1408 }    // 2x 8x8
    private var topEdge: UnsafeMutablePointer<UInt8> { scratch + 1536 }        // corner + 16 + 4 (21)
    private var leftEdge: UnsafeMutablePointer<UInt8> { scratch + 1568 }       // 16
    private var topU: UnsafeMutablePointer<UInt8> { scratch + 1584 }           // corner + 8 (9)
    private var leftU: UnsafeMutablePointer<UInt8> { scratch + 1600 }          // 8
    private var topV: UnsafeMutablePointer<UInt8> { scratch + 1608 }           // 9
    private var leftV: UnsafeMutablePointer<UInt8> { scratch + 1624 }          // 8
    private var subTop: UnsafeMutablePointer<UInt8> { scratch + 1640 }         // P + 8
    private var subLeft: UnsafeMutablePointer<UInt8> { scratch + 1656 }        // 4
    private var subPred: UnsafeMutablePointer<UInt8> { scratch + 1664 }        // 4x4 candidate (stride 16 window)
    private var i4Recon: UnsafeMutablePointer<UInt8> { scratch + 1700 }        // 16x16 B_PRED reconstruction

    // Coefficient scratch (Int32): coefficients 16 blocks x16, dequantized, DCs, WHT.
    private var coeffs: UnsafeMutablePointer<Int32> { coeffScratch }
    private var dequant: UnsafeMutablePointer<Int32> { coeffScratch + 256 }
    private var dcs: UnsafeMutablePointer<Int32> { coeffScratch + 512 }
    private var wht: UnsafeMutablePointer<Int32> { coeffScratch + 528 }
    private var whtDequant: UnsafeMutablePointer<Int32> { coeffScratch + 544 }
    private var blockCoeffs: UnsafeMutablePointer<Int32> { coeffScratch + 560 }
    private var blockDequant: UnsafeMutablePointer<Int32> { coeffScratch + 576 }

    // Level scratch (Int16), 25 blocks each: candidate and best for luma-16, best for B_PRED, uv candidate/best.
    private var levels16: UnsafeMutablePointer<Int16> { levelScratch }
    private var best16: UnsafeMutablePointer<Int16> { levelScratch + 400 }
    private var levels4: UnsafeMutablePointer<Int16> { levelScratch + 800 }
    private var levelsUV: UnsafeMutablePointer<Int16> { levelScratch + 1200 }
    private var bestUV: UnsafeMutablePointer<Int16> { levelScratch + 1328 }
    private var subLevels: UnsafeMutablePointer<Int16> { levelScratch + 1456 }

    init(picture: UnsafePointer<UInt8>, u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>,
         reconY: UnsafeMutablePointer<UInt8>, reconU: UnsafeMutablePointer<UInt8>, reconV: UnsafeMutablePointer<UInt8>,
         yStride: Int, uvStride: Int, mbWidth: Int, costs: VP8CostTables, effort: Int) {
        srcY = picture; srcU = u; srcV = v
        recY = reconY; recU = reconU; recV = reconV
        self.yStride = yStride; self.uvStride = uvStride; self.mbWidth = mbWidth
        self.costs = costs; self.effort = effort
        scratch = .allocate(capacity: 2048); scratch.initialize(repeating: 0, count: 2048)
        coeffScratch = .allocate(capacity: 640); coeffScratch.initialize(repeating: 0, count: 640)
        levelScratch = .allocate(capacity: 1500); levelScratch.initialize(repeating: 0, count: 1500)
    }

    /// Whole-block (16x16 luma, chroma) modes that get the full rate-distortion evaluation, by effort.
    private var wholeBlockCandidates: Int { effort >= 5 ? 4 : (effort >= 2 ? 2 : 1) }

    /// The four whole-block modes ordered by prediction error plus mode cost, packed 4 bits each (best first).
    @inline(__always)
    private func rankWholeBlockModes(size: Int, lambda: Int64, modeCost: [Int32], _ predictionError: (Int) -> Int64) -> Int {
        if wholeBlockCandidates >= 4 { return 0x3210 }
        // Insertion sort of (key, mode) pairs, kept in registers.
        var keys = (Int64.max, Int64.max, Int64.max, Int64.max)
        var modes = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &keys) { kb in withUnsafeMutableBytes(of: &modes) { mb in
            let k = kb.baseAddress!.assumingMemoryBound(to: Int64.self)
            let m = mb.baseAddress!.assumingMemoryBound(to: Int.self)
            for mode in 0..<4 {
                let key = predictionError(mode) * 4096 + lambda * Int64(modeCost[mode])
                var i = mode
                while i > 0 && k[i - 1] > key { k[i] = k[i - 1]; m[i] = m[i - 1]; i -= 1 }
                k[i] = key; m[i] = mode
            }
        } }
        return modes.0 | modes.1 << 4 | modes.2 << 8 | modes.3 << 12
    }

    /// Subblock modes that get the full rate-distortion evaluation, by effort.
    private var subblockCandidates: Int { effort >= 5 ? 10 : (effort >= 3 ? 4 : 2) }

    deinit { scratch.deallocate(); coeffScratch.deallocate(); levelScratch.deallocate() }

    /// Neighbour state the decisions depend on: non-zero flags (per column of the row above and for the left
    /// macroblock; 4 Y, 2 U, 2 V, 1 Y2) and subblock modes (4 above, 4 left).
    struct Context {
        var topNz: UnsafeMutablePointer<UInt8>     // mbWidth * 9
        var leftNz: UnsafeMutablePointer<UInt8>    // 9
        var topModes: UnsafeMutablePointer<UInt8>  // mbWidth * 4
        var leftModes: UnsafeMutablePointer<UInt8> // 4
    }

    @inline(__always) private func sse(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, stride: Int,
                                       width: Int, height: Int) -> Int64 {
        var s: Int32 = 0
        for r in 0..<height {
            let pa = a + r * stride, pb = b + r * stride
            for c in 0..<width { let d = Int32(pa[c]) - Int32(pb[c]); s &+= d &* d }
        }
        return Int64(s)
    }

    /// Chooses modes for macroblock (`mbX`, `mbY`), writes its reconstruction into the planes, its levels (25
    /// blocks of 16 in scan order: Y 0–15, U 16–19, V 20–23, Y2 24) into `levelsOut`, its subblock modes into
    /// `subModesOut` (16), and updates the neighbour context.
    func encode(mbX: Int, mbY: Int, quant: VP8SegmentQuantizer, context ctx: Context,
                levelsOut: UnsafeMutablePointer<Int16>, subModesOut: UnsafeMutablePointer<UInt8>) -> VP8MacroblockInfo {
        loadSourceAndEdges(mbX: mbX, mbY: mbY)
        let hasTop = mbY > 0, hasLeft = mbX > 0
        let topNz = ctx.topNz + mbX * 9, leftNz = ctx.leftNz
        let lambda = quant.lambda16

        // --- 16x16 luma modes -------------------------------------------------------------------------
        var best16Score = Int64.max, best16Mode = 0
        let modes16 = rankWholeBlockModes(size: 16, lambda: lambda, modeCost: VP8Modes.yCost) { mode in
            VP8Predict.block(mode: mode, size: 16, top: topEdge + 1, left: leftEdge, hasTop: hasTop,
                             hasLeft: hasLeft, out: pred)
            return sse(srcMB, pred, stride: 16, width: 16, height: 16)
        }
        for rank in 0..<wholeBlockCandidates {
            let mode = (modes16 >> (rank * 4)) & 15
            VP8Predict.block(mode: mode, size: 16, top: topEdge + 1, left: leftEdge, hasTop: hasTop,
                             hasLeft: hasLeft, out: pred)
            let rate = Int64(luma16(quant: quant, topNz: topNz, leftNz: leftNz)) + Int64(VP8Modes.yCost[mode])
            let distortion = sse(srcMB, recon, stride: 16, width: 16, height: 16)
            let score = distortion * 4096 + lambda * rate
            if score < best16Score {
                best16Score = score; best16Mode = mode
                bestRecon.update(from: recon, count: 256)
                best16.update(from: levels16, count: 400)
            }
        }

        // --- 4x4 luma modes (B_PRED) -------------------------------------------------------------------
        var useB = false
        if effort >= 1 {
            var score = lambda * Int64(VP8Modes.yCost[VP8Modes.bPred])
            var tnz = (topNz[0], topNz[1], topNz[2], topNz[3])
            var lnz = (leftNz[0], leftNz[1], leftNz[2], leftNz[3])
            var aboveModes = (ctx.topModes[mbX * 4], ctx.topModes[mbX * 4 + 1], ctx.topModes[mbX * 4 + 2],
                              ctx.topModes[mbX * 4 + 3])
            var leftModes = (ctx.leftModes[0], ctx.leftModes[1], ctx.leftModes[2], ctx.leftModes[3])
            var completed = true
            for k in 0..<16 {
                let r = k >> 2, c = k & 3
                let above = withUnsafeBytes(of: aboveModes) { Int($0[c]) }
                let left = withUnsafeBytes(of: leftModes) { Int($0[r]) }
                let nzCtx = Int(withUnsafeBytes(of: tnz) { $0[c] }) + Int(withUnsafeBytes(of: lnz) { $0[r] })
                let (blockScore, mode, nz) = bestSubblock(r: r, c: c, quant: quant, modeContext: above * 10 + left,
                                                          nzContext: nzCtx, levelsOut: levels4 + k * 16)
                score += blockScore
                subModesOut[k] = UInt8(mode)
                withUnsafeMutableBytes(of: &aboveModes) { $0[c] = UInt8(mode) }
                withUnsafeMutableBytes(of: &leftModes) { $0[r] = UInt8(mode) }
                withUnsafeMutableBytes(of: &tnz) { $0[c] = nz ? 1 : 0 }
                withUnsafeMutableBytes(of: &lnz) { $0[r] = nz ? 1 : 0 }
                if score >= best16Score { completed = false; break }
            }
            useB = completed && score < best16Score
        }

        var info = VP8MacroblockInfo()
        var anyNonZero = false
        if useB {
            info.yMode = UInt8(VP8Modes.bPred)
            (levelsOut).update(from: levels4, count: 256)
            (levelsOut + 384).update(repeating: 0, count: 16)
            bestRecon.update(from: i4Recon, count: 256)
        } else {
            info.yMode = UInt8(best16Mode)
            levelsOut.update(from: best16, count: 256)
            (levelsOut + 384).update(from: best16 + 384, count: 16)
            let implied = VP8Modes.impliedSubblockMode[best16Mode]
            subModesOut.update(repeating: implied, count: 16)
        }
        for i in 0..<256 where levelsOut[i] != 0 { anyNonZero = true; break }
        if !anyNonZero { for i in 384..<400 where levelsOut[i] != 0 { anyNonZero = true; break } }

        // --- chroma modes --------------------------------------------------------------------------------
        var bestUVScore = Int64.max, bestUVMode = 0
        let modesUV = rankWholeBlockModes(size: 8, lambda: quant.lambdaUV, modeCost: VP8Modes.uvCost) { mode in
            VP8Predict.block(mode: mode, size: 8, top: topU + 1, left: leftU, hasTop: hasTop, hasLeft: hasLeft, out: predUV)
            VP8Predict.block(mode: mode, size: 8, top: topV + 1, left: leftV, hasTop: hasTop, hasLeft: hasLeft,
                             out: predUV + 64)
            return sse(srcUV, predUV, stride: 8, width: 8, height: 16)
        }
        for rank in 0..<wholeBlockCandidates {
            let mode = (modesUV >> (rank * 4)) & 15
            VP8Predict.block(mode: mode, size: 8, top: topU + 1, left: leftU, hasTop: hasTop, hasLeft: hasLeft, out: predUV)
            VP8Predict.block(mode: mode, size: 8, top: topV + 1, left: leftV, hasTop: hasTop, hasLeft: hasLeft,
                             out: predUV + 64)
            let rate = Int64(chroma(quant: quant, topNz: topNz, leftNz: leftNz)) + Int64(VP8Modes.uvCost[mode])
            let distortion = sse(srcUV, reconUV, stride: 8, width: 8, height: 16)
            let score = distortion * 4096 + quant.lambdaUV * rate
            if score < bestUVScore {
                bestUVScore = score; bestUVMode = mode
                bestReconUV.update(from: reconUV, count: 128)
                bestUV.update(from: levelsUV, count: 128)
            }
        }
        info.uvMode = UInt8(bestUVMode)
        (levelsOut + 256).update(from: bestUV, count: 128)
        if !anyNonZero { for i in 256..<384 where levelsOut[i] != 0 { anyNonZero = true; break } }
        info.skip = !anyNonZero

        // --- commit: reconstruction, contexts -----------------------------------------------------------
        for r in 0..<16 { (recY + (mbY * 16 + r) * yStride + mbX * 16).update(from: bestRecon + r * 16, count: 16) }
        for r in 0..<8 {
            (recU + (mbY * 8 + r) * uvStride + mbX * 8).update(from: bestReconUV + r * 8, count: 8)
            (recV + (mbY * 8 + r) * uvStride + mbX * 8).update(from: bestReconUV + 64 + r * 8, count: 8)
        }
        updateContexts(levels: levelsOut, isB: useB, topNz: topNz, leftNz: leftNz)
        for i in 0..<4 {
            ctx.topModes[mbX * 4 + i] = subModesOut[12 + i]
            ctx.leftModes[i] = subModesOut[i * 4 + 3]
        }
        return info
    }

    /// Non-zero flags left for the neighbours, exactly as token coding will see them.
    private func updateContexts(levels: UnsafePointer<Int16>, isB: Bool, topNz: UnsafeMutablePointer<UInt8>,
                                leftNz: UnsafeMutablePointer<UInt8>) {
        @inline(__always) func nz(_ block: Int) -> UInt8 {
            let first = (!isB && block < 16) ? 1 : 0
            for n in first..<16 where levels[block * 16 + n] != 0 { return 1 }
            return 0
        }
        for r in 0..<4 { for c in 0..<4 { let f = nz(r * 4 + c); topNz[c] = f; leftNz[r] = f } }
        for r in 0..<2 { for c in 0..<2 {
            let fu = nz(16 + r * 2 + c); topNz[4 + c] = fu; leftNz[4 + r] = fu
            let fv = nz(20 + r * 2 + c); topNz[6 + c] = fv; leftNz[6 + r] = fv
        } }
        if !isB { let f = nz(24); topNz[8] = f; leftNz[8] = f }
    }

    /// Residual coding of the current 16x16 prediction `pred`: fills `levels16`, `recon`; returns the token rate.
    private func luma16(quant: VP8SegmentQuantizer, topNz: UnsafePointer<UInt8>, leftNz: UnsafePointer<UInt8>) -> Int32 {
        for k in 0..<16 {
            let off = (k >> 2) * 64 + (k & 3) * 4
            VP8Transform.forwardDCT(source: srcMB + off, prediction: pred + off, stride: 16, out: coeffs + k * 16)
            dcs[k] = coeffs[k * 16]
        }
        VP8Transform.forwardWHT(dcs, out: wht)
        _ = VP8Quantize.block(wht, first: 0, dc: quant.y2.dc, ac: quant.y2.ac, levels: levels16 + 384,
                              dequantized: whtDequant)
        VP8Transform.inverseWHT(whtDequant, out: dcs)
        var rate = costs.blockCost(levels16 + 384, first: 0, type: VP8Tokens.typeY2,
                                   context: Int(topNz[8]) + Int(leftNz[8]))
        var tnz = (topNz[0], topNz[1], topNz[2], topNz[3])
        var lnz = (leftNz[0], leftNz[1], leftNz[2], leftNz[3])
        for k in 0..<16 {
            let r = k >> 2, c = k & 3
            let off = r * 64 + c * 4
            let nz = VP8Quantize.block(coeffs + k * 16, first: 1, dc: quant.y1.dc, ac: quant.y1.ac,
                                       levels: levels16 + k * 16, dequantized: dequant)
            dequant[0] = dcs[k]
            VP8Transform.inverseDCTAdd(dequant, prediction: pred + off, predictionStride: 16,
                                       destination: recon + off, destinationStride: 16)
            let nzCtx = Int(withUnsafeBytes(of: tnz) { $0[c] }) + Int(withUnsafeBytes(of: lnz) { $0[r] })
            rate += costs.blockCost(levels16 + k * 16, first: 1, type: VP8Tokens.typeYAfterY2, context: nzCtx)
            withUnsafeMutableBytes(of: &tnz) { $0[c] = nz ? 1 : 0 }
            withUnsafeMutableBytes(of: &lnz) { $0[r] = nz ? 1 : 0 }
        }
        return rate
    }

    /// Residual coding of the chroma prediction `predUV`: fills `levelsUV`, `reconUV`; returns the token rate.
    private func chroma(quant: VP8SegmentQuantizer, topNz: UnsafePointer<UInt8>, leftNz: UnsafePointer<UInt8>) -> Int32 {
        var rate: Int32 = 0
        for plane in 0..<2 {
            var tnz = (topNz[4 + plane * 2], topNz[5 + plane * 2])
            var lnz = (leftNz[4 + plane * 2], leftNz[5 + plane * 2])
            for k in 0..<4 {
                let r = k >> 1, c = k & 1
                let off = plane * 64 + r * 32 + c * 4
                VP8Transform.forwardDCT(source: srcUV + off, prediction: predUV + off, stride: 8, out: blockCoeffs)
                let lv = levelsUV + (plane * 4 + k) * 16
                let nz = VP8Quantize.block(blockCoeffs, first: 0, dc: quant.uv.dc, ac: quant.uv.ac, levels: lv,
                                           dequantized: blockDequant)
                VP8Transform.inverseDCTAdd(blockDequant, prediction: predUV + off, predictionStride: 8,
                                           destination: reconUV + off, destinationStride: 8)
                let nzCtx = Int(withUnsafeBytes(of: tnz) { $0[c] }) + Int(withUnsafeBytes(of: lnz) { $0[r] })
                rate += costs.blockCost(lv, first: 0, type: VP8Tokens.typeChroma, context: nzCtx)
                withUnsafeMutableBytes(of: &tnz) { $0[c] = nz ? 1 : 0 }
                withUnsafeMutableBytes(of: &lnz) { $0[r] = nz ? 1 : 0 }
            }
        }
        return rate
    }

    /// Tries the subblock modes for subblock (`r`, `c`) of the B_PRED candidate; keeps the best in `i4Recon`.
    private func bestSubblock(r: Int, c: Int, quant: VP8SegmentQuantizer, modeContext: Int, nzContext: Int,
                              levelsOut: UnsafeMutablePointer<Int16>) -> (Int64, Int, Bool) {
        // Edges: P and 8 pixels above (the last 4 above-right), 4 to the left (section 12.3).
        let a = subTop + 1
        if r == 0 {
            (a - 1).update(from: topEdge + c * 4, count: 9)
        } else {
            let row = i4Recon + (r * 4 - 1) * 16
            a[-1] = c == 0 ? leftEdge[r * 4 - 1] : row[c * 4 - 1]
            a.update(from: row + c * 4, count: 4)
            if c < 3 { (a + 4).update(from: row + c * 4 + 4, count: 4) } else { (a + 4).update(from: topEdge + 17, count: 4) }
        }
        for i in 0..<4 { subLeft[i] = c == 0 ? leftEdge[r * 4 + i] : i4Recon[(r * 4 + i) * 16 + c * 4 - 1] }

        let off = r * 64 + c * 4
        var bestScore = Int64.max, bestMode = 0, bestNz = false
        let candidate = pred + off, out = recon + off
        // Early pruning: rank modes by prediction error plus mode cost, and run the full transform/quantize/
        // reconstruct round only on the most promising ones (all of them at the highest efforts).
        let tried = subblockCandidates
        var order = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var keys = (Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0))
        if tried < 10 {
            withUnsafeMutableBytes(of: &keys) { kb in
                let k = kb.baseAddress!.assumingMemoryBound(to: Int64.self)
                for mode in 0..<10 {
                    VP8Predict.subblock(mode: mode, top: a, left: subLeft, out: candidate, stride: 16)
                    k[mode] = sse(srcMB + off, candidate, stride: 16, width: 4, height: 4) * 4096
                        + quant.lambda4 * Int64(VP8Modes.bCost[modeContext * 10 + mode])
                }
            }
        }
        withUnsafeMutableBytes(of: &order) { ob in
            let o = ob.baseAddress!.assumingMemoryBound(to: Int.self)
            for i in 0..<10 { o[i] = i }
            if tried < 10 {
                withUnsafeBytes(of: keys) { kb in
                    let k = kb.baseAddress!.assumingMemoryBound(to: Int64.self)
                    // Partial selection sort: the `tried` smallest keys first.
                    for i in 0..<tried {
                        var m = i
                        for j in (i + 1)..<10 where k[o[j]] < k[o[m]] { m = j }
                        let t = o[i]; o[i] = o[m]; o[m] = t
                    }
                }
            }
        }
        for rank in 0..<tried {
            let mode = withUnsafeBytes(of: order) { $0.load(fromByteOffset: rank * MemoryLayout<Int>.stride, as: Int.self) }
            VP8Predict.subblock(mode: mode, top: a, left: subLeft, out: candidate, stride: 16)
            VP8Transform.forwardDCT(source: srcMB + off, prediction: candidate, stride: 16, out: blockCoeffs)
            let nz = VP8Quantize.block(blockCoeffs, first: 0, dc: quant.y1.dc, ac: quant.y1.ac, levels: subLevels,
                                       dequantized: blockDequant)
            VP8Transform.inverseDCTAdd(blockDequant, prediction: candidate, predictionStride: 16,
                                       destination: out, destinationStride: 16)
            let rate = Int64(costs.blockCost(subLevels, first: 0, type: VP8Tokens.typeYWithDC, context: nzContext))
                + Int64(VP8Modes.bCost[modeContext * 10 + mode])
            let distortion = sse(srcMB + off, out, stride: 16, width: 4, height: 4)
            let score = distortion * 4096 + quant.lambda4 * rate
            if score < bestScore {
                bestScore = score; bestMode = mode; bestNz = nz
                levelsOut.update(from: subLevels, count: 16)
                for i in 0..<4 { (i4Recon + off + i * 16).update(from: out + i * 16, count: 4) }
            }
        }
        return (bestScore, bestMode, bestNz)
    }

    /// Copies the source macroblock and builds the prediction edges from the reconstruction (127 above the
    /// frame, 129 left of it; section 12.2, 12.3).
    private func loadSourceAndEdges(mbX: Int, mbY: Int) {
        for r in 0..<16 { (srcMB + r * 16).update(from: srcY + (mbY * 16 + r) * yStride + mbX * 16, count: 16) }
        for r in 0..<8 {
            (srcUV + r * 8).update(from: srcU + (mbY * 8 + r) * uvStride + mbX * 8, count: 8)
            (srcUV + 64 + r * 8).update(from: srcV + (mbY * 8 + r) * uvStride + mbX * 8, count: 8)
        }
        if mbY == 0 {
            topEdge.update(repeating: 127, count: 21)
            topU.update(repeating: 127, count: 9)
            topV.update(repeating: 127, count: 9)
        } else {
            let rowY = recY + (mbY * 16 - 1) * yStride + mbX * 16
            topEdge[0] = mbX == 0 ? 129 : rowY[-1]
            (topEdge + 1).update(from: rowY, count: 16)
            if mbX == mbWidth - 1 { (topEdge + 17).update(repeating: rowY[15], count: 4) }
            else { (topEdge + 17).update(from: rowY + 16, count: 4) }
            let rowU = recU + (mbY * 8 - 1) * uvStride + mbX * 8
            let rowV = recV + (mbY * 8 - 1) * uvStride + mbX * 8
            topU[0] = mbX == 0 ? 129 : rowU[-1]
            topV[0] = mbX == 0 ? 129 : rowV[-1]
            (topU + 1).update(from: rowU, count: 8)
            (topV + 1).update(from: rowV, count: 8)
        }
        if mbX == 0 {
            leftEdge.update(repeating: 129, count: 16)
            leftU.update(repeating: 129, count: 8)
            leftV.update(repeating: 129, count: 8)
        } else {
            for r in 0..<16 { leftEdge[r] = recY[(mbY * 16 + r) * yStride + mbX * 16 - 1] }
            for r in 0..<8 {
                leftU[r] = recU[(mbY * 8 + r) * uvStride + mbX * 8 - 1]
                leftV[r] = recV[(mbY * 8 + r) * uvStride + mbX * 8 - 1]
            }
        }
    }
}
