import Glibc
/// What the mode decision kept for one macroblock; its levels live in the frame's level buffer.
struct VP8MacroblockInfo {
    /// 0...3: 16x16 mode (DC, V, H, TM); 4: B_PRED.
    var yMode: UInt8 = 0
    var uvMode: UInt8 = 0
    var segment: UInt8 = 0
    /// No non-zero level in any block.
    var skip: Bool = false
}

/// Rate-distortion terms of one candidate: distortion (SSE), texture distortion, token rate and mode-header
/// rate (1/256 bit), and the score `λ·(R + H) + 256·(D + SD)` under the λ of the decision at hand.
struct VP8Score {
    var distortion: Int64 = 0, texture: Int64 = 0, rate: Int64 = 0, header: Int64 = 0
    var score: Int64 = .max

    static let distortionScale: Int64 = 256

    @inline(__always) mutating func rescore(_ lambda: Int64) {
        score = (rate + header) * lambda + VP8Score.distortionScale * (distortion + texture)
    }
    @inline(__always) mutating func add(_ o: VP8Score) {
        distortion += o.distortion; texture += o.texture; rate += o.rate; header += o.header; score += o.score
    }
}

/// Mode decision, quantisation and reconstruction of macroblocks (RFC 6386 sections 12, 14): every candidate is
/// predicted from the reconstruction exactly as the decoder rebuilds it (the loop filter does not feed intra
/// prediction, section 15), quantised, reconstructed and priced with the current token costs; the lowest
/// rate-distortion score wins. One instance per worker thread: it owns its scratch memory.
final class VP8MacroblockEncoder {
    /// Neighbour state shared along rows and columns: non-zero flags (9 per column above and for the left
    /// macroblock: 4 Y, 2 U, 2 V, 1 Y2), subblock modes (4 above per column, 4 left), chroma DC diffusion errors
    /// (2 channels × 2 per column above and for the left macroblock).
    struct Context {
        var topNz: UnsafeMutablePointer<UInt8>
        var leftNz: UnsafeMutablePointer<UInt8>
        var topModes: UnsafeMutablePointer<UInt8>
        var leftModes: UnsafeMutablePointer<UInt8>
        var topDiffusion: UnsafeMutablePointer<Int8>
        var leftDiffusion: UnsafeMutablePointer<Int8>
    }

    /// Tuning constants (measured on the benchmark corpus).
    enum Tuning {
        /// Rate penalty (1/256 bit per block) on a non-DC mode whose residual is almost empty: in flat areas a
        /// directional predictor that happens to win by a hair paints streaks; DC does not.
        static let flatnessPenalty: Int64 = 140
        /// At most this many non-zero AC levels count as "almost empty" (per 4x4 block; per 8 chroma blocks).
        static let flatLimitI4 = 3, flatLimitUV = 2
        /// B_PRED's mode headers may not exceed this (1/256 bit per macroblock).
        static let maxIntra4HeaderBits: Int64 = 256 * 16 * 16
        /// Chroma DC error diffusion weights (1/16): to the block below and to the block on the right.
        static let diffusionDown: Int32 = 7, diffusionRight: Int32 = 8
    }

    // Source and reconstruction planes (padded to whole macroblocks).
    let srcY: UnsafePointer<UInt8>, srcU: UnsafePointer<UInt8>, srcV: UnsafePointer<UInt8>
    let recY: UnsafeMutablePointer<UInt8>, recU: UnsafeMutablePointer<UInt8>, recV: UnsafeMutablePointer<UInt8>
    let yStride: Int, uvStride: Int, mbWidth: Int
    let preset: VP8EffortPreset
    let diffuseChromaDC: Bool

    /// Largest DC step seen in DC-only 16x16 macroblocks with high distortion, per segment (filter floor input).
    var maxDCEdge = [Int](repeating: 0, count: 4)

    // Scratch (one allocation, carved below).
    private let bytes: UnsafeMutablePointer<UInt8>
    private let ints: UnsafeMutablePointer<Int32>
    private let shorts: UnsafeMutablePointer<Int16>

    // Pixels: stride 16 for luma, U|V side by side with stride 16 for chroma, 4x4 subblock candidates stride 4.
    private var srcMB: UnsafeMutablePointer<UInt8> { bytes }                   // 256
    private var srcUV: UnsafeMutablePointer<UInt8> { bytes + 256 }             // 128
    private var predY: UnsafeMutablePointer<UInt8> { bytes + 384 }            // 4 x 256
    private var predUV: UnsafeMutablePointer<UInt8> { bytes + 1408 }          // 4 x 128
    private var outY: UnsafeMutablePointer<UInt8> { bytes + 1920 }            // 2 x 256 (candidate, best)
    private var outI4: UnsafeMutablePointer<UInt8> { bytes + 2432 }           // 256: B_PRED reconstruction
    private var outUV: UnsafeMutablePointer<UInt8> { bytes + 2688 }           // 2 x 128 (candidate, best)
    private var predI4: UnsafeMutablePointer<UInt8> { bytes + 2944 }          // 10 x 16
    private var outSub: UnsafeMutablePointer<UInt8> { bytes + 3104 }          // 2 x 16
    private var topY: UnsafeMutablePointer<UInt8> { bytes + 3136 }            // corner, 16 above, 4 above-right
    private var leftY: UnsafeMutablePointer<UInt8> { bytes + 3160 }           // 16
    private var topU: UnsafeMutablePointer<UInt8> { bytes + 3176 }            // corner + 8
    private var leftU: UnsafeMutablePointer<UInt8> { bytes + 3185 }           // 8
    private var topV: UnsafeMutablePointer<UInt8> { bytes + 3193 }            // corner + 8
    private var leftV: UnsafeMutablePointer<UInt8> { bytes + 3202 }           // 8
    private var subTop: UnsafeMutablePointer<UInt8> { bytes + 3210 }          // corner + 8
    private var subLeft: UnsafeMutablePointer<UInt8> { bytes + 3219 }         // 4
    private var edgeScratch: UnsafeMutablePointer<UInt8> { bytes + 3232 }     // 112 (subblockScratchBytes)
    private var predLanes: UnsafeMutablePointer<UInt8> { bytes + 3344 }       // 16 x 16: subblock modes by lane
    private static let byteCount = 3600

    // Coefficients (Int32): 16 luma blocks, DCs, WHT, 8 chroma blocks, one subblock.
    private var coeffs: UnsafeMutablePointer<Int32> { ints }                  // 256
    private var dcs: UnsafeMutablePointer<Int32> { ints + 256 }               // 16
    private var wht: UnsafeMutablePointer<Int32> { ints + 272 }               // 16
    private var coeffsUV: UnsafeMutablePointer<Int32> { ints + 288 }          // 128
    private var coeffsSub: UnsafeMutablePointer<Int32> { ints + 416 }         // 16
    private var sourceEnergy: UnsafeMutablePointer<Int32> { ints + 432 }      // 16 weighted Hadamard sums
    private var sourceHadamard: UnsafeMutablePointer<Int32> { ints + 448 }    // 16 x 16: H of each source block
    private static let intCount = 704

    // Levels (Int16, scan order): 16x16 candidate and best (Y 0..255, Y2 256..271), B_PRED, subblock candidate,
    // chroma candidate and best.
    private var levels16: UnsafeMutablePointer<Int16> { shorts }              // 2 x 272
    private var levelsI4: UnsafeMutablePointer<Int16> { shorts + 544 }        // 256
    private var levelsSub: UnsafeMutablePointer<Int16> { shorts + 800 }       // 16
    private var levelsUV: UnsafeMutablePointer<Int16> { shorts + 816 }        // 2 x 128
    private var satdLanes: UnsafeMutablePointer<UInt16> {                     // 16
        UnsafeMutableRawPointer(shorts + 1072).assumingMemoryBound(to: UInt16.self)
    }
    private static let shortCount = 1088

    init(srcY: UnsafePointer<UInt8>, srcU: UnsafePointer<UInt8>, srcV: UnsafePointer<UInt8>,
         recY: UnsafeMutablePointer<UInt8>, recU: UnsafeMutablePointer<UInt8>, recV: UnsafeMutablePointer<UInt8>,
         yStride: Int, uvStride: Int, mbWidth: Int, preset: VP8EffortPreset, diffuseChromaDC: Bool) {
        self.srcY = srcY; self.srcU = srcU; self.srcV = srcV
        self.recY = recY; self.recU = recU; self.recV = recV
        self.yStride = yStride; self.uvStride = uvStride; self.mbWidth = mbWidth
        self.preset = preset; self.diffuseChromaDC = diffuseChromaDC
        bytes = .allocate(capacity: VP8MacroblockEncoder.byteCount)
        bytes.initialize(repeating: 0, count: VP8MacroblockEncoder.byteCount)
        ints = .allocate(capacity: VP8MacroblockEncoder.intCount)
        ints.initialize(repeating: 0, count: VP8MacroblockEncoder.intCount)
        shorts = .allocate(capacity: VP8MacroblockEncoder.shortCount)
        shorts.initialize(repeating: 0, count: VP8MacroblockEncoder.shortCount)
    }

    deinit { bytes.deallocate(); ints.deallocate(); shorts.deallocate() }

    /// Decides and reconstructs macroblock (`mbX`, `mbY`) of segment `segment`: writes its reconstruction into the
    /// planes, its levels (25 blocks of 16 in scan order: Y 0–15, U 16–19, V 20–23, Y2 24) to `levelsOut`, its
    /// subblock modes (16) to `subModesOut`, and updates the neighbour context.
    func encode(mbX: Int, mbY: Int, segment: Int, params p: VP8SegmentParams, costs: VP8LevelCosts,
                context ctx: Context, levelsOut: UnsafeMutablePointer<Int16>,
                subModesOut: UnsafeMutablePointer<UInt8>) -> VP8MacroblockInfo {
        loadSourceAndEdges(mbX: mbX, mbY: mbY)
        let topNz = ctx.topNz + mbX * 9, leftNz = ctx.leftNz

        var best = pickIntra16(p: p, segment: segment, costs: costs, topNz: topNz, leftNz: leftNz,
                               hasTop: mbY > 0, hasLeft: mbX > 0)
        let best16 = best.mode
        var useI4 = false
        if preset.tryIntra4 {
            let above = ctx.topModes + mbX * 4
            if let i4 = pickIntra4(p: p, costs: costs, bound: best.score.score, topNz: topNz, leftNz: leftNz,
                                   aboveModes: above, leftModes: ctx.leftModes, modesOut: subModesOut) {
                best.score = i4; useI4 = true
            }
        }
        if preset.trellis {
            if useI4 {
                requantizeIntra4(p: p, costs: costs, topNz: topNz, leftNz: leftNz, modes: subModesOut)
            } else {
                requantizeIntra16(mode: best16, slot: best.slot, p: p, costs: costs, topNz: topNz, leftNz: leftNz)
            }
        }
        let uvMode = pickChroma(p: p, costs: costs, topNz: topNz, leftNz: leftNz, hasTop: mbY > 0,
                                hasLeft: mbX > 0, ctx: ctx, mbX: mbX)

        // Commit: levels, reconstruction, contexts.
        var info = VP8MacroblockInfo()
        info.segment = UInt8(segment)
        info.uvMode = UInt8(uvMode)
        let bestY16Levels = levels16 + 272 * best.slot
        if useI4 {
            info.yMode = UInt8(VP8Modes.bPred)
            levelsOut.update(from: levelsI4, count: 256)
            (levelsOut + 384).update(repeating: 0, count: 16)
            for r in 0..<16 { (recY + (mbY * 16 + r) * yStride + mbX * 16).update(from: outI4 + r * 16, count: 16) }
        } else {
            info.yMode = UInt8(best16)
            levelsOut.update(from: bestY16Levels, count: 256)
            (levelsOut + 384).update(from: bestY16Levels + 256, count: 16)
            subModesOut.update(repeating: VP8Modes.impliedSubblockMode[best16], count: 16)
            let rec = outY + 256 * best.slot
            for r in 0..<16 { (recY + (mbY * 16 + r) * yStride + mbX * 16).update(from: rec + r * 16, count: 16) }
        }
        let bestUV = outUV + 128
        (levelsOut + 256).update(from: levelsUV + 128, count: 128)
        for r in 0..<8 {
            (recU + (mbY * 8 + r) * uvStride + mbX * 8).update(from: bestUV + r * 16, count: 8)
            (recV + (mbY * 8 + r) * uvStride + mbX * 8).update(from: bestUV + r * 16 + 8, count: 8)
        }
        var any = false
        for i in 0..<400 where levelsOut[i] != 0 { any = true; break }
        info.skip = !any
        updateNonZero(levels: levelsOut, isI4: useI4, topNz: topNz, leftNz: leftNz)
        for i in 0..<4 {
            ctx.topModes[mbX * 4 + i] = subModesOut[12 + i]
            ctx.leftModes[i] = subModesOut[i * 4 + 3]
        }
        return info
    }

    // MARK: 16x16 luma

    /// Result of the 16x16 search: winning mode, which scratch slot holds its levels/reconstruction, and its score
    /// under λ_mode (for the B_PRED arbitration).
    private struct Intra16Choice { var mode: Int; var slot: Int; var score: VP8Score }

    private func pickIntra16(p: VP8SegmentParams, segment: Int, costs: VP8LevelCosts, topNz: UnsafePointer<UInt8>,
                             leftNz: UnsafePointer<UInt8>, hasTop: Bool, hasLeft: Bool) -> Intra16Choice {
        for mode in 0..<4 {
            VP8Predict.block(mode: mode, size: 16, top: topY + 1, left: leftY, hasTop: hasTop, hasLeft: hasLeft,
                             out: predY + mode * 256)
        }
        let satd = satd16()
        let (order, kept16) = rankModes(count: 4, keep: preset.intra16Candidates, margin: preset.candidateMargin256) { mode in
            Int64(withUnsafeBytes(of: satd) { $0.load(fromByteOffset: mode * 4, as: Int32.self) }) * 256
                + p.satdLambdaI4 * Int64(VP8Modes.yCost[mode])
        }
        var flatSource = isFlatSource()
        var best = Intra16Choice(mode: 0, slot: 0, score: VP8Score())
        var candidateSlot = 0, bestNz = 0
        for rank in 0..<kept16 {
            let mode = (order >> (rank * 4)) & 15
            let levels = levels16 + 272 * candidateSlot, out = outY + 256 * candidateSlot
            let nz = reconstruct16(pred: predY + mode * 256, matrixY1: p.y1, matrixY2: p.y2, levels: levels, out: out)
            var s = VP8Score()
            s.distortion = Int64(VP8Distortion.sse16(srcMB, 16, out, 16, height: 16))
            s.texture = p.textureLambda > 0 ? (p.textureLambda * Int64(texture16(out)) + 128) >> 8 : 0
            s.header = Int64(VP8Modes.yCost[mode])
            s.rate = Int64(cost16(levels: levels, costs: costs, topNz: topNz, leftNz: leftNz))
            if flatSource {
                // A constant source whose reconstruction has no AC at all: insist on low distortion.
                flatSource = nz & 0xFFFF == 0
                if flatSource { s.distortion *= 2; s.texture *= 2 }
            }
            s.rescore(p.lambdaI16)
            if s.score < best.score.score {
                best = Intra16Choice(mode: mode, slot: candidateSlot, score: s)
                bestNz = nz
                candidateSlot ^= 1
            }
        }
        if bestNz & 0x100_FFFF == 0x100_0000 && best.score.distortion > p.blockyDistortion {
            recordDCEdge(levels: levels16 + 272 * best.slot + 256, segment: segment)
        }
        best.score.rescore(p.lambdaMode)
        return best
    }

    /// SATD of the four 16x16 predictions in `predY` (sum of `satd4x4` over the sixteen blocks), from the source
    /// blocks' Walsh–Hadamard transforms, kept in `sourceHadamard` (and their texture energies in `sourceEnergy`):
    /// H(source − prediction) = H(source) − H(prediction), and the DC, V and H predictions repeat across blocks
    /// (one, four and four distinct blocks), so only TM needs a transform per block.
    private func satd16() -> (Int32, Int32, Int32, Int32) {
        for k in 0..<16 {
            let h = VP8Distortion.hadamard(VP8Distortion.rows(srcMB + (k >> 2) * 64 + (k & 3) * 4, 16))
            VP8Transform.storeRows(h, sourceHadamard + k * 16)
            sourceEnergy[k] = VP8Distortion.weightedMagnitude(h)
        }
        @inline(__always) func against(_ k: Int, _ prediction: VP8Transform.Rows) -> Int32 {
            VP8Distortion.satd(transforms: VP8Transform.loadRows(sourceHadamard + k * 16), prediction)
        }
        @inline(__always) func transform(_ mode: Int, _ offset: Int) -> VP8Transform.Rows {
            VP8Distortion.hadamard(VP8Distortion.rows(predY + mode * 256 + offset, 16))
        }
        var dc: Int32 = 0, vertical: Int32 = 0, horizontal: Int32 = 0, trueMotion: Int32 = 0
        let constant = transform(VP8Predict.dc, 0)
        for k in 0..<16 { dc &+= against(k, constant) }
        for i in 0..<4 {
            let column = transform(VP8Predict.vertical, i * 4), row = transform(VP8Predict.horizontal, i * 64)
            for j in 0..<4 { vertical &+= against(j * 4 + i, column); horizontal &+= against(i * 4 + j, row) }
        }
        for k in 0..<16 { trueMotion &+= against(k, transform(VP8Predict.trueMotion, (k >> 2) * 64 + (k & 3) * 4)) }
        return (dc, vertical, horizontal, trueMotion)
    }

    /// A DC-only macroblock that still has visible distortion: its largest low-frequency Y2 level tells how big
    /// a step between its 4x4 blocks the loop filter should be able to smooth.
    private func recordDCEdge(levels y2: UnsafePointer<Int16>, segment: Int) {
        let v = max(abs(Int(y2[1])), abs(Int(y2[2])), abs(Int(y2[4])))
        if v > maxDCEdge[segment] { maxDCEdge[segment] = v }
    }

    /// Transform, quantise and rebuild the 16x16 prediction `pred`: levels (Y AC 0..255, Y2 256..271) and the
    /// reconstruction `out`; returns non-zero flags (bit k: Y block k has AC levels; bit 24: Y2 has levels).
    private func reconstruct16(pred: UnsafePointer<UInt8>, matrixY1: VP8QuantMatrix, matrixY2: VP8QuantMatrix,
                               levels: UnsafeMutablePointer<Int16>, out: UnsafeMutablePointer<UInt8>,
                               trellis: (lambda: Int64, costs: VP8LevelCosts, topNz: UnsafePointer<UInt8>,
                                         leftNz: UnsafePointer<UInt8>)? = nil) -> Int {
        for k in 0..<16 {
            let off = (k >> 2) * 64 + (k & 3) * 4
            VP8Transform.forwardDCT(source: srcMB + off, sourceStride: 16, prediction: pred + off, predictionStride: 16,
                                    out: coeffs + k * 16)
            dcs[k] = coeffs[k * 16]
        }
        VP8Transform.forwardWHT(dcs, out: wht)
        var nz = VP8Quantize.block(wht, first: 0, matrix: matrixY2, levels: levels + 256) ? 1 << 24 : 0
        VP8Transform.inverseWHT(wht, out: dcs)
        var tnz = (UInt8(0), UInt8(0), UInt8(0), UInt8(0)), lnz = tnz
        if let t = trellis { tnz = (t.topNz[0], t.topNz[1], t.topNz[2], t.topNz[3]); lnz = (t.leftNz[0], t.leftNz[1], t.leftNz[2], t.leftNz[3]) }
        for k in 0..<16 {
            let off = (k >> 2) * 64 + (k & 3) * 4
            let block = coeffs + k * 16
            let nonZero: Bool
            if let t = trellis {
                let r = k >> 2, c = k & 3
                let context = withUnsafeBytes(of: tnz) { Int($0[c]) } + withUnsafeBytes(of: lnz) { Int($0[r]) }
                nonZero = VP8Trellis.quantize(block, first: 1, type: VP8Tokens.typeYAfterY2, context: context,
                                              matrix: matrixY1, lambda: t.lambda, costs: t.costs, levels: levels + k * 16)
                let flag: UInt8 = nonZero ? 1 : 0
                withUnsafeMutableBytes(of: &tnz) { $0[c] = flag }
                withUnsafeMutableBytes(of: &lnz) { $0[r] = flag }
            } else {
                nonZero = VP8Quantize.block(block, first: 1, matrix: matrixY1, levels: levels + k * 16)
            }
            if nonZero { nz |= 1 << k }
            block[0] = dcs[k]
            VP8Transform.inverseDCTAdd(block, prediction: pred + off, predictionStride: 16, destination: out + off,
                                       destinationStride: 16)
        }
        return nz
    }

    private func cost16(levels: UnsafePointer<Int16>, costs: VP8LevelCosts, topNz: UnsafePointer<UInt8>,
                        leftNz: UnsafePointer<UInt8>) -> Int32 {
        var rate = costs.blockCost(levels + 256, first: 0, type: VP8Tokens.typeY2, context: Int(topNz[8] &+ leftNz[8]))
        var tnz = (topNz[0], topNz[1], topNz[2], topNz[3]), lnz = (leftNz[0], leftNz[1], leftNz[2], leftNz[3])
        withUnsafeMutableBytes(of: &tnz) { t in withUnsafeMutableBytes(of: &lnz) { l in
            for k in 0..<16 {
                let r = k >> 2, c = k & 3
                let block = levels + k * 16
                rate &+= costs.blockCost(block, first: 1, type: VP8Tokens.typeYAfterY2, context: Int(t[c] &+ l[r]))
                var nz: UInt8 = 0
                for i in 1..<16 where block[i] != 0 { nz = 1; break }
                t[c] = nz; l[r] = nz
            }
        } }
        return rate
    }

    /// Texture distortion of a 16x16 reconstruction against the source energies in `sourceEnergy`.
    private func texture16(_ out: UnsafePointer<UInt8>) -> Int32 {
        var d: Int32 = 0
        for k in 0..<16 {
            d &+= abs(VP8Distortion.weightedHadamard(out + (k >> 2) * 64 + (k & 3) * 4, 16) &- sourceEnergy[k]) >> 5
        }
        return d
    }

    private func isFlatSource() -> Bool {
        let v = srcMB[0]
        for i in 1..<256 where srcMB[i] != v { return false }
        return true
    }

    /// The chosen 16x16 mode again, its AC levels chosen by trellis quantisation.
    private func requantizeIntra16(mode: Int, slot: Int, p: VP8SegmentParams, costs: VP8LevelCosts,
                                   topNz: UnsafePointer<UInt8>, leftNz: UnsafePointer<UInt8>) {
        _ = reconstruct16(pred: predY + mode * 256, matrixY1: p.y1, matrixY2: p.y2, levels: levels16 + 272 * slot,
                          out: outY + 256 * slot, trellis: (p.lambdaTrellisI16, costs, topNz, leftNz))
    }

    /// The chosen subblock modes again, in order (each prediction uses the new reconstruction of its
    /// neighbours), with trellis quantisation.
    private func requantizeIntra4(p: VP8SegmentParams, costs: VP8LevelCosts, topNz: UnsafePointer<UInt8>,
                                  leftNz: UnsafePointer<UInt8>, modes: UnsafePointer<UInt8>) {
        var tnz = (topNz[0], topNz[1], topNz[2], topNz[3]), lnz = (leftNz[0], leftNz[1], leftNz[2], leftNz[3])
        for b in 0..<16 {
            let r = b >> 2, c = b & 3
            loadSubblockEdges(r: r, c: c)
            let pred = predI4
            VP8Predict.subblock(mode: Int(modes[b]), top: subTop + 1, left: subLeft, out: pred, scratch: edgeScratch)
            let src = srcMB + r * 64 + c * 4
            VP8Transform.forwardDCT(source: src, sourceStride: 16, prediction: pred, predictionStride: 4, out: coeffsSub)
            let context = withUnsafeBytes(of: tnz) { Int($0[c]) } + withUnsafeBytes(of: lnz) { Int($0[r]) }
            let nonZero = VP8Trellis.quantize(coeffsSub, first: 0, type: VP8Tokens.typeYWithDC, context: context,
                                              matrix: p.y1, lambda: p.lambdaTrellisI4, costs: costs,
                                              levels: levelsI4 + b * 16)
            VP8Transform.inverseDCTAdd(coeffsSub, prediction: pred, predictionStride: 4,
                                       destination: outI4 + r * 64 + c * 4, destinationStride: 16)
            let flag: UInt8 = nonZero ? 1 : 0
            withUnsafeMutableBytes(of: &tnz) { $0[c] = flag }
            withUnsafeMutableBytes(of: &lnz) { $0[r] = flag }
        }
    }

    // MARK: 4x4 luma (B_PRED)

    /// Chooses the sixteen subblock modes; returns the B_PRED score under λ_mode, or nil when it cannot beat
    /// `bound` (the 16x16 score) — the search stops as soon as its running total passes the bound.
    private func pickIntra4(p: VP8SegmentParams, costs: VP8LevelCosts, bound: Int64, topNz: UnsafePointer<UInt8>,
                            leftNz: UnsafePointer<UInt8>, aboveModes: UnsafePointer<UInt8>,
                            leftModes: UnsafePointer<UInt8>, modesOut: UnsafeMutablePointer<UInt8>) -> VP8Score? {
        var total = VP8Score()
        total.header = Int64(VP8Modes.yCost[VP8Modes.bPred])
        total.rescore(p.lambdaMode)
        var headerBits: Int64 = 0
        var tnz = (topNz[0], topNz[1], topNz[2], topNz[3]), lnz = (leftNz[0], leftNz[1], leftNz[2], leftNz[3])
        let candidates = preset.intra4Candidates
        let modeCostTable = VP8Modes.bCostPointer
        for b in 0..<16 {
            let r = b >> 2, c = b & 3
            loadSubblockEdges(r: r, c: c)
            VP8Predict.allSubblocksByLane(top: subTop + 1, left: subLeft, out: predLanes, scratch: edgeScratch)
            let above = Int(r == 0 ? aboveModes[c] : modesOut[b - 4])
            let left = Int(c == 0 ? leftModes[r] : modesOut[b - 1])
            let modeCosts = modeCostTable + (above * 10 + left) * 10
            let src = srcMB + r * 64 + c * 4
            let energy = sourceEnergy[b]
            let nzContext = withUnsafeBytes(of: tnz) { Int($0[c]) } + withUnsafeBytes(of: lnz) { Int($0[r]) }
            let order: Int, kept: Int
            if candidates < 10 {
                // SATD against √λ·bits: the usual L1 proxy of the rate-distortion score.
                let rateWeight = p.satdLambdaI4
                let satd = satdLanes
                VP8Distortion.satd4x4ByLane(src, 16, predictions: predLanes, out: satd)
                (order, kept) = rankModes(count: 10, keep: candidates, margin: preset.candidateMargin256) { mode in
                    Int64(satd[mode] >> 1) * 256 + rateWeight * Int64(modeCosts[mode])
                }
            } else {
                order = 0x9876543210; kept = 10
            }
            var bestBlock = VP8Score(), bestMode = 0, bestSlot = 0, slot = 0
            let bestLevels = levelsI4 + b * 16
            for rank in 0..<kept {
                let mode = (order >> (rank * 4)) & 15
                let pred = predI4 + mode * 16, out = outSub + slot * 16
                for i in 0..<16 { pred[i] = predLanes[i * 16 + mode] }
                VP8Transform.forwardDCT(source: src, sourceStride: 16, prediction: pred, predictionStride: 4,
                                        out: coeffsSub)
                _ = VP8Quantize.block(coeffsSub, first: 0, matrix: p.y1, levels: levelsSub)
                VP8Transform.inverseDCTAdd(coeffsSub, prediction: pred, predictionStride: 4, destination: out,
                                           destinationStride: 4)
                var s = VP8Score()
                s.distortion = Int64(VP8Distortion.sse4x4(src, 16, out, 4))
                s.header = Int64(modeCosts[mode])
                if mode > 0 && isFlat(levelsSub, blocks: 1, limit: Tuning.flatLimitI4) { s.rate = Tuning.flatnessPenalty }
                // The texture term and the token rate only add to the score: stop as soon as it cannot win.
                s.rescore(p.lambdaI4)
                if s.score >= bestBlock.score { continue }
                if p.textureLambda > 0 {
                    s.texture = (p.textureLambda * Int64(abs(VP8Distortion.weightedHadamard(out, 4) &- energy) >> 5) + 128) >> 8
                    s.rescore(p.lambdaI4)
                    if s.score >= bestBlock.score { continue }
                }
                s.rate += Int64(costs.blockCost(levelsSub, first: 0, type: VP8Tokens.typeYWithDC, context: nzContext))
                s.rescore(p.lambdaI4)
                if s.score < bestBlock.score {
                    bestBlock = s; bestMode = mode; bestSlot = slot; slot ^= 1
                    bestLevels.update(from: levelsSub, count: 16)
                }
            }
            bestBlock.rescore(p.lambdaMode)
            total.add(bestBlock)
            if total.score >= bound { return nil }
            headerBits += bestBlock.header
            if headerBits > Tuning.maxIntra4HeaderBits { return nil }
            let bestOut = outSub + bestSlot * 16
            for i in 0..<4 { (outI4 + (r * 4 + i) * 16 + c * 4).update(from: bestOut + i * 4, count: 4) }
            modesOut[b] = UInt8(bestMode)
            var nz: UInt8 = 0
            for i in 0..<16 where bestLevels[i] != 0 { nz = 1; break }
            withUnsafeMutableBytes(of: &tnz) { $0[c] = nz }
            withUnsafeMutableBytes(of: &lnz) { $0[r] = nz }
        }
        return total
    }

    /// Edges of subblock (r, c) (section 12.3): the corner and 8 pixels above (the last 4 above-right), 4 left,
    /// from the B_PRED reconstruction so far or the macroblock's neighbours.
    private func loadSubblockEdges(r: Int, c: Int) {
        let a = subTop + 1
        if r == 0 {
            (a - 1).update(from: topY + c * 4, count: 9)
        } else {
            let row = outI4 + (r * 4 - 1) * 16
            a[-1] = c == 0 ? leftY[r * 4 - 1] : row[c * 4 - 1]
            a.update(from: row + c * 4, count: 4)
            // Above-right of the right column comes from the macroblock row above (section 12.3).
            if c < 3 { (a + 4).update(from: row + c * 4 + 4, count: 4) } else { (a + 4).update(from: topY + 17, count: 4) }
        }
        for i in 0..<4 { subLeft[i] = c == 0 ? leftY[r * 4 + i] : outI4[(r * 4 + i) * 16 + c * 4 - 1] }
    }

    // MARK: Chroma

    /// Chooses the chroma mode; leaves the winner's levels in `levelsUV + 128` and reconstruction in `outUV + 128`.
    private func pickChroma(p: VP8SegmentParams, costs: VP8LevelCosts, topNz: UnsafePointer<UInt8>,
                            leftNz: UnsafePointer<UInt8>, hasTop: Bool, hasLeft: Bool, ctx: Context, mbX: Int) -> Int {
        for mode in 0..<4 {
            let pred = predUV + mode * 128
            VP8Predict.block(mode: mode, size: 8, top: topU + 1, left: leftU, hasTop: hasTop, hasLeft: hasLeft,
                             out: pred, stride: 16)
            VP8Predict.block(mode: mode, size: 8, top: topV + 1, left: leftV, hasTop: hasTop, hasLeft: hasLeft,
                             out: pred + 8, stride: 16)
        }
        let (order, keptUV) = rankModes(count: 4, keep: preset.chromaCandidates, margin: preset.candidateMargin256) { mode in
            var satd: Int32 = 0
            for k in 0..<8 {
                let off = chromaOffset(k)
                satd &+= VP8Distortion.satd4x4(srcUV + off, 16, predUV + mode * 128 + off, 16)
            }
            return Int64(satd) * 256 + p.satdLambdaI4 * Int64(VP8Modes.uvCost[mode])
        }
        var bestScore = Int64.max, bestMode = 0
        var bestErrors = (Int8(0), Int8(0), Int8(0), Int8(0), Int8(0), Int8(0))
        let topErrors = ctx.topDiffusion + mbX * 4, leftErrors = ctx.leftDiffusion
        for rank in 0..<keptUV {
            let mode = (order >> (rank * 4)) & 15
            let pred = predUV + mode * 128, out = outUV
            for k in 0..<8 {
                let off = chromaOffset(k)
                VP8Transform.forwardDCT(source: srcUV + off, sourceStride: 16, prediction: pred + off, predictionStride: 16,
                                        out: coeffsUV + k * 16)
            }
            var errors = (Int8(0), Int8(0), Int8(0), Int8(0), Int8(0), Int8(0))
            if diffuseChromaDC {
                withUnsafeMutableBytes(of: &errors) { e in
                    let ep = e.baseAddress!.assumingMemoryBound(to: Int8.self)
                    for ch in 0..<2 {
                        diffuseDC(coeffsUV + ch * 64, matrix: p.uv, top: topErrors + ch * 2, left: leftErrors + ch * 2,
                                  out: ep + ch * 3)
                    }
                }
            }
            var nonFlat = 0
            for k in 0..<8 {
                let off = chromaOffset(k)
                let block = coeffsUV + k * 16
                _ = VP8Quantize.block(block, first: 0, matrix: p.uv, levels: levelsUV + k * 16)
                VP8Transform.inverseDCTAdd(block, prediction: pred + off, predictionStride: 16, destination: out + off,
                                           destinationStride: 16)
                for i in 1..<16 where levelsUV[k * 16 + i] != 0 { nonFlat += 1 }
            }
            var s = VP8Score()
            s.distortion = Int64(VP8Distortion.sse16(srcUV, 16, out, 16, height: 8))
            s.header = Int64(VP8Modes.uvCost[mode])
            s.rate = Int64(costChroma(levels: levelsUV, costs: costs, topNz: topNz, leftNz: leftNz))
            if mode > 0 && nonFlat <= Tuning.flatLimitUV { s.rate += Tuning.flatnessPenalty * 8 }
            s.rescore(p.lambdaUV)
            if s.score < bestScore {
                bestScore = s.score; bestMode = mode; bestErrors = errors
                (outUV + 128).update(from: out, count: 128)
                (levelsUV + 128).update(from: levelsUV, count: 128)
            }
        }
        if preset.chromaTrellis {
            // The winner again, its levels chosen by trellis quantisation (the DC diffusion repeats identically).
            let pred = predUV + bestMode * 128, out = outUV + 128
            for k in 0..<8 {
                let off = chromaOffset(k)
                VP8Transform.forwardDCT(source: srcUV + off, sourceStride: 16, prediction: pred + off, predictionStride: 16,
                                        out: coeffsUV + k * 16)
            }
            if diffuseChromaDC {
                var scratch = (Int8(0), Int8(0), Int8(0), Int8(0), Int8(0), Int8(0))
                withUnsafeMutableBytes(of: &scratch) { e in
                    let ep = e.baseAddress!.assumingMemoryBound(to: Int8.self)
                    for ch in 0..<2 {
                        diffuseDC(coeffsUV + ch * 64, matrix: p.uv, top: topErrors + ch * 2, left: leftErrors + ch * 2,
                                  out: ep + ch * 3)
                    }
                }
            }
            for plane in 0..<2 {
                var tnz = (topNz[4 + plane * 2], topNz[5 + plane * 2]), lnz = (leftNz[4 + plane * 2], leftNz[5 + plane * 2])
                for q in 0..<4 {
                    let k = plane * 4 + q, r = q >> 1, c = q & 1
                    let context = withUnsafeBytes(of: tnz) { Int($0[c]) } + withUnsafeBytes(of: lnz) { Int($0[r]) }
                    let nonZero = VP8Trellis.quantize(coeffsUV + k * 16, first: 0, type: VP8Tokens.typeChroma,
                                                      context: context, matrix: p.uv, lambda: p.lambdaTrellisUV,
                                                      costs: costs, levels: levelsUV + 128 + k * 16)
                    let off = chromaOffset(k)
                    VP8Transform.inverseDCTAdd(coeffsUV + k * 16, prediction: pred + off, predictionStride: 16,
                                               destination: out + off, destinationStride: 16)
                    let flag: UInt8 = nonZero ? 1 : 0
                    withUnsafeMutableBytes(of: &tnz) { $0[c] = flag }
                    withUnsafeMutableBytes(of: &lnz) { $0[r] = flag }
                }
            }
        }
        if diffuseChromaDC {
            // Keep the winner's errors for the neighbours: right gets the top-right and ¾ of the bottom-right
            // block's error, below gets the bottom-left and the remaining ¼ of the bottom-right.
            withUnsafeBytes(of: bestErrors) { e in
                for ch in 0..<2 {
                    let err1 = e[ch * 3].asInt8, err2 = e[ch * 3 + 1].asInt8, err3 = e[ch * 3 + 2].asInt8
                    let rightShare = Int8(truncatingIfNeeded: (3 * Int(err3)) >> 2)
                    leftErrors[ch * 2] = err1
                    leftErrors[ch * 2 + 1] = rightShare
                    topErrors[ch * 2] = err2
                    topErrors[ch * 2 + 1] = err3 &- rightShare
                }
            }
        }
        return bestMode
    }

    /// Offset of chroma block k (0–3 U, 4–7 V, raster order within each 8x8) in the U|V side-by-side buffers.
    @inline(__always) private func chromaOffset(_ k: Int) -> Int { (k >> 2) * 8 + ((k & 3) >> 1) * 64 + (k & 1) * 4 }

    /// Chroma DC error diffusion (against banding in smooth colour gradients, where DC is all that is coded):
    /// each 4x4 block's DC is quantised after adding 7/16 of the error of the block above and 8/16 of the block to
    /// the left; errors are stored halved to fit Int8. `channel` holds 4 blocks of 16 coefficients (2x2, raster).
    private func diffuseDC(_ channel: UnsafeMutablePointer<Int32>, matrix: VP8QuantMatrix, top: UnsafePointer<Int8>,
                           left: UnsafePointer<Int8>, out: UnsafeMutablePointer<Int8>) {
        let down = Tuning.diffusionDown, right = Tuning.diffusionRight
        @inline(__always) func quantize(_ block: Int, _ correction: Int32) -> Int32 {
            let (q, error) = VP8Quantize.dc(channel[block * 16] + correction, matrix: matrix)
            channel[block * 16] = q
            return error >> 1
        }
        let e0 = quantize(0, (down * Int32(top[0]) + right * Int32(left[0])) >> 3)
        let e1 = quantize(1, (down * Int32(top[1]) + right * e0) >> 3)
        let e2 = quantize(2, (down * e0 + right * Int32(left[1])) >> 3)
        let e3 = quantize(3, (down * e1 + right * e2) >> 3)
        out[0] = Int8(clamping: e1); out[1] = Int8(clamping: e2); out[2] = Int8(clamping: e3)
    }

    private func costChroma(levels: UnsafePointer<Int16>, costs: VP8LevelCosts, topNz: UnsafePointer<UInt8>,
                            leftNz: UnsafePointer<UInt8>) -> Int32 {
        var rate: Int32 = 0
        for plane in 0..<2 {
            var tnz = (topNz[4 + plane * 2], topNz[5 + plane * 2]), lnz = (leftNz[4 + plane * 2], leftNz[5 + plane * 2])
            withUnsafeMutableBytes(of: &tnz) { t in withUnsafeMutableBytes(of: &lnz) { l in
                for k in 0..<4 {
                    let r = k >> 1, c = k & 1
                    let block = levels + (plane * 4 + k) * 16
                    rate &+= costs.blockCost(block, first: 0, type: VP8Tokens.typeChroma, context: Int(t[c] &+ l[r]))
                    var nz: UInt8 = 0
                    for i in 0..<16 where block[i] != 0 { nz = 1; break }
                    t[c] = nz; l[r] = nz
                }
            } }
        }
        return rate
    }

    // MARK: Helpers

    /// At most `limit` non-zero AC levels over `blocks` blocks of 16.
    @inline(__always) private func isFlat(_ levels: UnsafePointer<Int16>, blocks: Int, limit: Int) -> Bool {
        var count = 0
        for b in 0..<blocks {
            for i in 1..<16 where levels[b * 16 + i] != 0 {
                count += 1
                if count > limit { return false }
            }
        }
        return true
    }

    /// The `keep` best of `count` modes by `key` (ascending), packed 4 bits each, best first; all modes in order
    /// when `keep == count`.
    @inline(__always)
    private func rankModes(count: Int, keep: Int, margin: Int64?, _ key: (Int) -> Int64) -> (order: Int, kept: Int) {
        if keep >= count {
            var order = 0
            for m in (0..<count).reversed() { order = order << 4 | m }
            return (order, count)
        }
        var keys = (Int64.max, Int64.max, Int64.max, Int64.max, Int64.max, Int64.max, Int64.max, Int64.max, Int64.max, Int64.max)
        var modes = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        if keep <= 4 {
            // The four best so far, kept sorted by selects rather than an insertion sort's data-dependent branches
            // (mispredicted on most modes). A key goes before an equal one only if strictly smaller, so the first
            // `keep` are those of a stable sort, as below.
            var k0 = Int64.max, k1 = Int64.max, k2 = Int64.max, k3 = Int64.max
            var m0 = 0, m1 = 0, m2 = 0, m3 = 0
            for mode in 0..<count {
                let v = key(mode)
                let before0 = v < k0, before1 = v < k1, before2 = v < k2, before3 = v < k3
                k3 = before2 ? k2 : (before3 ? v : k3); m3 = before2 ? m2 : (before3 ? mode : m3)
                k2 = before1 ? k1 : (before2 ? v : k2); m2 = before1 ? m1 : (before2 ? mode : m2)
                k1 = before0 ? k0 : (before1 ? v : k1); m1 = before0 ? m0 : (before1 ? mode : m1)
                k0 = before0 ? v : k0; m0 = before0 ? mode : m0
            }
            keys.0 = k0; keys.1 = k1; keys.2 = k2; keys.3 = k3
            modes.0 = m0; modes.1 = m1; modes.2 = m2; modes.3 = m3
        } else {
        withUnsafeMutableBytes(of: &keys) { kb in withUnsafeMutableBytes(of: &modes) { mb in
            let k = kb.baseAddress!.assumingMemoryBound(to: Int64.self)
            let m = mb.baseAddress!.assumingMemoryBound(to: Int.self)
            for mode in 0..<count {
                let value = key(mode)
                var i = mode
                while i > 0 && k[i - 1] > value { k[i] = k[i - 1]; m[i] = m[i - 1]; i -= 1 }
                k[i] = value; m[i] = mode
            }
        } }
        }
        // Modes whose estimate is far behind the best are not worth a full evaluation.
        let limit = withUnsafeBytes(of: keys) { kb -> Int in
            guard let margin else { return keep }
            let k = kb.baseAddress!.assumingMemoryBound(to: Int64.self)
            let bound = k[0] + (k[0] * margin) >> 8
            var n = 1
            while n < keep && k[n] <= bound { n += 1 }
            return n
        }
        return withUnsafeBytes(of: modes) { mb in
            let m = mb.baseAddress!.assumingMemoryBound(to: Int.self)
            var order = 0
            for i in (0..<keep).reversed() { order = order << 4 | m[i] }
            return (order, limit)
        }
    }

    /// Non-zero flags left for the neighbours, exactly as token coding will see them.
    private func updateNonZero(levels: UnsafePointer<Int16>, isI4: Bool, topNz: UnsafeMutablePointer<UInt8>,
                               leftNz: UnsafeMutablePointer<UInt8>) {
        @inline(__always) func nz(_ block: Int) -> UInt8 {
            let first = (!isI4 && block < 16) ? 1 : 0
            for n in first..<16 where levels[block * 16 + n] != 0 { return 1 }
            return 0
        }
        for r in 0..<4 { for c in 0..<4 { let f = nz(r * 4 + c); topNz[c] = f; leftNz[r] = f } }
        for r in 0..<2 { for c in 0..<2 {
            let fu = nz(16 + r * 2 + c); topNz[4 + c] = fu; leftNz[4 + r] = fu
            let fv = nz(20 + r * 2 + c); topNz[6 + c] = fv; leftNz[6 + r] = fv
        } }
        if !isI4 { let f = nz(24); topNz[8] = f; leftNz[8] = f }
    }

    /// Copies the source macroblock and builds the prediction edges from the reconstruction (127 above the
    /// frame, 129 left of it; sections 12.2, 12.3).
    private func loadSourceAndEdges(mbX: Int, mbY: Int) {
        for r in 0..<16 { (srcMB + r * 16).update(from: srcY + (mbY * 16 + r) * yStride + mbX * 16, count: 16) }
        for r in 0..<8 {
            (srcUV + r * 16).update(from: srcU + (mbY * 8 + r) * uvStride + mbX * 8, count: 8)
            (srcUV + r * 16 + 8).update(from: srcV + (mbY * 8 + r) * uvStride + mbX * 8, count: 8)
        }
        if mbY == 0 {
            topY.update(repeating: 127, count: 21)
            topU.update(repeating: 127, count: 9)
            topV.update(repeating: 127, count: 9)
        } else {
            let rowY = recY + (mbY * 16 - 1) * yStride + mbX * 16
            topY[0] = mbX == 0 ? 129 : rowY[-1]
            (topY + 1).update(from: rowY, count: 16)
            if mbX == mbWidth - 1 { (topY + 17).update(repeating: rowY[15], count: 4) }
            else { (topY + 17).update(from: rowY + 16, count: 4) }
            let rowU = recU + (mbY * 8 - 1) * uvStride + mbX * 8
            let rowV = recV + (mbY * 8 - 1) * uvStride + mbX * 8
            topU[0] = mbX == 0 ? 129 : rowU[-1]
            topV[0] = mbX == 0 ? 129 : rowV[-1]
            (topU + 1).update(from: rowU, count: 8)
            (topV + 1).update(from: rowV, count: 8)
        }
        if mbX == 0 {
            leftY.update(repeating: 129, count: 16)
            leftU.update(repeating: 129, count: 8)
            leftV.update(repeating: 129, count: 8)
        } else {
            for r in 0..<16 { leftY[r] = recY[(mbY * 16 + r) * yStride + mbX * 16 - 1] }
            for r in 0..<8 {
                leftU[r] = recU[(mbY * 8 + r) * uvStride + mbX * 8 - 1]
                leftV[r] = recV[(mbY * 8 + r) * uvStride + mbX * 8 - 1]
            }
        }
    }
}

private extension UInt8 {
    var asInt8: Int8 { Int8(bitPattern: self) }
}
