/// Quantisation of one transform block: rate-distortion optimised (a one-pass trellis) or plain dead-zone rounding.
///
/// The RD path visits the coefficients in reverse scan order, as the decoder reads coeff_base (AV1 spec §5.11.39),
/// so the contexts of §8.3.2 for coeff_base and coeff_br — which look only at neighbours further along the scan —
/// are exact for the levels already chosen (see `rdo`). Rates come from per-context cost tables
/// (`AV1CoefficientCosts`) of the CDFs as they were at the start of the superblock, which is what the RD search
/// counts with, so the levels chosen in the search are final: the coding pass writes them without quantising again.
/// The bitstream itself is always written by `AV1Coefficients.write` from the resulting levels.

/// Shape of one transform block as the coefficient syntax sees it (§5.11.39, §8.3.2): the TX_SIZE enumeration,
/// the coded area (64-sample sides keep 32 coefficients: Adjusted_Tx_Size) and the scan (get_scan for the 2D
/// transform class, the only one the encoder uses).
struct AV1TxShape: Sendable {
    /// TX_SIZE (§6.10.19 order: the five squares, then 4x8, 8x4, 8x16, 16x8, 16x32, 32x16, 32x64, 64x32, 4x16, 16x4,
    /// 8x32, 32x8, 16x64, 64x16).
    let txSize: Int
    /// log2 of the coded width, and the coded width and height.
    let bwl: Int, width: Int, height: Int
    /// (Tx_Size_Sqr + Tx_Size_Sqr_Up + 1) >> 1, which selects the coefficient CDFs.
    let txSzCtx: Int
    /// Min(log2 w, 5) + Min(log2 h, 5) − 4: which eob_pt CDF is used.
    let eobMultisize: Int
    /// Dequantisation divisor dqDenom of §7.12.3.
    let dqDenom: Int
    let scan: [UInt16]
    /// Coeff_Base_Ctx_Offset (§8.3.2) of each coefficient position (row-major, the coded area).
    let baseCtxOffsets: [UInt8]
    /// eob_pt of each end of block (index eob, 1...area; §5.11.39), and the bit eob_extra codes for it (0 when
    /// eob_pt < 3).
    let eobPtOf: [UInt8], eobExtraBitOf: [UInt8]
    var area: Int { width * height }

    static let txSizeOfLog2: [[Int]] = [  // [log2 w − 2][log2 h − 2], −1 where AV1 has no such transform
        [0, 5, 13, -1, -1], [6, 1, 7, 15, -1], [14, 8, 2, 9, 17], [-1, 16, 10, 3, 11], [-1, -1, 18, 12, 4],
    ]

    init(widthLog2 wl: Int, heightLog2 hl: Int) {
        txSize = AV1TxShape.txSizeOfLog2[wl - 2][hl - 2]
        let cwl = min(wl, 5), chl = min(hl, 5)
        bwl = cwl; width = 1 << cwl; height = 1 << chl
        txSzCtx = (min(wl, hl) - 2 + max(wl, hl) - 2 + 1) >> 1
        eobMultisize = cwl + chl - 4
        let big = wl + hl
        dqDenom = big >= 11 ? 4 : (big >= 9 ? 2 : 1)
        switch (cwl, chl) {
        case (2, 2): scan = defaultScan4x4
        case (2, 3): scan = defaultScan4x8
        case (3, 2): scan = defaultScan8x4
        case (3, 3): scan = defaultScan8x8
        case (3, 4): scan = defaultScan8x16
        case (4, 3): scan = defaultScan16x8
        case (4, 4): scan = defaultScan16x16
        case (4, 5): scan = defaultScan16x32
        case (5, 4): scan = defaultScan32x16
        case (2, 4): scan = defaultScan4x16
        case (4, 2): scan = defaultScan16x4
        case (3, 5): scan = defaultScan8x32
        case (5, 3): scan = defaultScan32x8
        default: scan = defaultScan32x32
        }
        let (w, h, size) = (width, height, txSize)
        baseCtxOffsets = (0..<(w * h)).map { pos in UInt8(coeffBaseCtxOffset[size * 25 + min(pos / w, 4) * 5 + min(pos % w, 4)]) }
        let eobPts = (0...(w * h)).map { eob in eob <= 2 ? eob : (Int.bitWidth - (eob - 1).leadingZeroBitCount - 1) + 2 }
        eobPtOf = eobPts.map { UInt8($0) }
        eobExtraBitOf = (0...(w * h)).map { eob in
            let pt = eobPts[eob]
            return pt < 3 ? 0 : UInt8(((eob - ((1 << (pt - 2)) + 1)) >> (pt - 3)) & 1)
        }
    }

    /// Every valid shape, indexed by (log2 w − 2) * 5 + (log2 h − 2).
    static let all: [AV1TxShape?] = (0..<25).map { i in
        txSizeOfLog2[i / 5][i % 5] < 0 ? nil : AV1TxShape(widthLog2: i / 5 + 2, heightLog2: i % 5 + 2)
    }

    static func of(widthLog2: Int, heightLog2: Int) -> AV1TxShape {
        all[(widthLog2 - 2) * 5 + heightLog2 - 2] ?? AV1TxShape(widthLog2: widthLog2, heightLog2: widthLog2)
    }
}

/// The contexts of a transform block's coefficient symbols that depend on its neighbours (§8.3.2): all_zero's and
/// dc_sign's (`AV1Coefficients.allZeroContext`, `dcSignContext`).
struct AV1TxbContexts {
    var allZero: Int
    var dcSign: Int
}

/// Quantiser settings of one block.
struct AV1QuantParams {
    /// Coefficient → level scale (dqDenom / q) for DC and AC.
    var invDc: Float, invAc: Float
    /// Distortion (pixel-domain squared error) per squared level error: q² / 64. The encoder's forward transform
    /// gives coefficients in the decoder's Dequant scale, 8/dqDenom times orthonormal for the square sizes
    /// (measured: coef² = 64·resid² up to 16x16, 16· at 32x32, 4· in the kept 32x32 of 64x64), so one level is
    /// q/8 in orthonormal units at every size.
    var weightDc: Float, weightAc: Float
    /// λ per 1/512 bit of rate.
    var lambda: Float
    /// RD-optimised levels (true) or dead-zone rounding with the offsets below.
    var rdo: Bool
    var dcRounding: Float, acRounding: Float
    /// Rounding offset of the largest level RDOQ considers (0.5: nearest).
    var rdoRounding: Float = 0.5
}

enum AV1Quantizer {
    /// Largest level the syntax carries (Quant is masked to 20 bits, §5.11.39).
    static let maxLevel: Float = Float((1 << 20) - 1)

    /// Quantises `coef` (the decoder's Quant layout, shape.area values) into signed `levels`.
    /// Returns the transform-domain distortion estimate (pixel SSE units), whether any level is non-zero and, from
    /// the RD path, the rate (1/512 bit) of the levels' coefficient symbols as `AV1Coefficients.write` codes them
    /// without transform_type — exact when `contexts` are given, else with all_zero and dc_sign contexts estimated.
    /// `plane` selects the luma/chroma tables.
    static func quantize(_ coef: UnsafePointer<Float>, levels: UnsafeMutablePointer<Int32>, shape: AV1TxShape,
                         plane: Int, params p: AV1QuantParams, costs: AV1CoefficientCosts,
                         contexts: AV1TxbContexts? = nil) -> (distortion: Float, nonzero: Bool, rate: Int?) {
        if !p.rdo {
            let q = deadZone(coef, levels: levels, area: shape.area, params: p)
            return (q.distortion, q.nonzero, nil)
        }
        let contexts = contexts ?? AV1TxbContexts(allZero: plane == 0 ? 0 : 7, dcSign: 0)
        let q = rdo(coef, levels: levels, shape: shape, plane: plane, params: p, costs: costs, contexts: contexts)
        return (q.distortion, q.nonzero, q.rate)
    }

    static func deadZone(_ coef: UnsafePointer<Float>, levels: UnsafeMutablePointer<Int32>, area: Int,
                         params p: AV1QuantParams) -> (distortion: Float, nonzero: Bool) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: area) { temp in
            AV1PixelKernels.quantizeWeighted(coef, count: area, dcInv: p.invDc, acInv: p.invAc, dcRounding: p.dcRounding,
                                             acRounding: p.acRounding, dcWeight: p.weightDc, acWeight: p.weightAc,
                                             cap: maxLevel, levels: levels, temp: temp.baseAddress!)
        }
    }

    // MARK: - Rate model (1/512 bit), from the cost tables

    @inline(__always)
    static func symbolCost(_ cdf: UnsafeMutablePointer<UInt16>, _ s: Int) -> Int {
        AV1CDF.bitCost[max(1, Int(cdf[s]) - (s > 0 ? Int(cdf[s - 1]) : 0))]
    }

    @inline(__always)
    static func eobContext(_ c: Int, area: Int) -> Int {
        c == 0 ? 0 : (c <= area / 8 ? 1 : (c <= area / 4 ? 2 : 3))
    }

    /// The rate model (1/512 bit) of signed `levels`: all_zero, eob_pt/eob_extra, coeff_base_eob, coeff_base,
    /// coeff_br, signs (1 bit each, dc_sign included) and Golomb remainders, with every context computed from the
    /// levels themselves as the decoder would. Only the all_zero context is estimated when not given.
    static func modelRate(_ levels: UnsafePointer<Int32>, shape: AV1TxShape, plane: Int, costs: AV1CoefficientCosts,
                          allZeroCtx: Int? = nil) -> Int {
        let ptype = plane > 0 ? 1 : 0
        let area = shape.area
        let skipCosts = costs.skip + (shape.txSzCtx * 13 + (allZeroCtx ?? (plane == 0 ? 0 : 7))) * 2
        var eob = 0
        shape.scan.withUnsafeBufferPointer { sc in
            for c in stride(from: area - 1, through: 0, by: -1) where levels[Int(sc[c])] != 0 { eob = c + 1; break }
        }
        if eob == 0 { return Int(skipCosts[1]) }
        return withLevelGrid(shape: shape) { lv, ls in
            let g = AV1CoefficientCostsOfShape(costs: costs, shape: shape, ptype: ptype)
            var cost = Int(skipCosts[0] + costs.eobCost(eob, shape: shape, ptype: ptype))
            shape.scan.withUnsafeBufferPointer { sc in
                for c in stride(from: eob - 1, through: 0, by: -1) {
                    let pos = Int(sc[c])
                    let l = Int(abs(levels[pos]))
                    let row = pos >> shape.bwl, col = pos & (shape.width - 1)
                    let at = lv + row * ls + col
                    if c == eob - 1 {
                        cost += Int(g.baseEob[eobContext(c, area: area) * 4 + min(l, 3)])
                    } else {
                        let bctx = pos == 0 ? 0 : g.baseContext(at, ls: ls, offset: shape.baseCtxOffsets[pos])
                        cost += Int(g.base[bctx * 4 + min(l, 3)])
                    }
                    if l > 2 { cost += Int(g.rangeCost(at, ls: ls, pos: pos, row: row, col: col, level: l)) }
                    at[0] = UInt8(min(l, 15))
                }
            }
            return cost
        }
    }

    /// Runs `body` with a zeroed grid of levels (capped at 15) padded by two columns and two rows, so that the
    /// context neighbours right and below (§8.3.2, TX_CLASS_2D) are read without bounds tests; outside the block they
    /// count as 0, as in the spec. Arguments: the grid and its stride.
    @inline(__always)
    static func withLevelGrid<R>(shape: AV1TxShape, _ body: (UnsafeMutablePointer<UInt8>, Int) -> R) -> R {
        let ls = shape.width + 2
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: (shape.height + 2) * ls) { grid in
            let lv = grid.baseAddress!
            lv.initialize(repeating: 0, count: (shape.height + 2) * ls)
            return body(lv, ls)
        }
    }

    // MARK: - RD quantisation

    /// Visits the coefficients in reverse scan order, starting from the nearest levels. Each non-zero one weighs
    /// its nearest level l, l − 1 (and 0 when l ≤ 2) by ΔD + λ·rate with the exact coeff_base/coeff_br contexts of
    /// the levels already chosen; then whether the block should end there instead: this coefficient coded as the
    /// last one (coeff_base_eob, the eob_pt/eob_extra of the shorter block) and everything after it dropped,
    /// against the tail chosen so far. A dropped tail is zeroed before the earlier coefficients read their
    /// contexts, so every rate the pass uses is the one the decoder's contexts give. Finally the whole block is
    /// zeroed (all_zero) when that is cheaper. Costs are relative to the all-zero block, rates from the cost tables.
    static func rdo(_ coef: UnsafePointer<Float>, levels: UnsafeMutablePointer<Int32>, shape: AV1TxShape, plane: Int,
                    params p: AV1QuantParams, costs: AV1CoefficientCosts, contexts: AV1TxbContexts) -> (distortion: Float, nonzero: Bool, rate: Int) {
        let area = shape.area
        // Nearest levels and their distortion (vectorised); nothing to decide when they are all zero.
        var nearestParams = p
        nearestParams.acRounding = p.rdoRounding; nearestParams.dcRounding = p.rdoRounding
        let skipCosts = costs.skip + (shape.txSzCtx * 13 + contexts.allZero) * 2
        let (nearestDist, anyNearest) = deadZone(coef, levels: levels, area: area, params: nearestParams)
        if !anyNearest { return (nearestDist, false, Int(skipCosts[1])) }
        let ptype = plane > 0 ? 1 : 0
        let g = AV1CoefficientCostsOfShape(costs: costs, shape: shape, ptype: ptype)
        let lambda = p.lambda
        let bwl = shape.bwl, widthMask = shape.width - 1

        return shape.scan.withUnsafeBufferPointer { scanBuffer -> (Float, Bool, Int) in
        shape.baseCtxOffsets.withUnsafeBufferPointer { offsetBuffer -> (Float, Bool, Int) in
        shape.eobPtOf.withUnsafeBufferPointer { eobPtBuffer -> (Float, Bool, Int) in
        shape.eobExtraBitOf.withUnsafeBufferPointer { eobBitBuffer -> (Float, Bool, Int) in
            let sc = scanBuffer.baseAddress!, offsets = offsetBuffer.baseAddress!
            let eobPts = eobPtBuffer.baseAddress!, eobBits = eobBitBuffer.baseAddress!
            @inline(__always) func eobRate(_ eob: Int) -> Int32 {
                g.eobCost(eob, pt: Int(eobPts[eob]), bit: Int(eobBits[eob]))
            }
            var eob = area
            while levels[Int(sc[eob &- 1])] == 0 { eob &-= 1 }
            return withLevelGrid(shape: shape) { lv, ls -> (Float, Bool, Int) in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * eob) { deltas -> (Float, Bool, Int) in
                    // Per scan index of a coefficient whose nearest level is non-zero: the distortion of the chosen
                    // level and of 0, both minus that of the nearest level.
                    let chosenD = deltas.baseAddress!, zeroD = chosenD + eob
                    var end = eob          // the block's end of block as decided so far
                    var tailJ: Float = 0   // ΔD + λ·rate of [c + 1, end), relative to all-zero, eob symbols excluded
                    var tailRate: Int32 = 0   // the rate part of tailJ
                    var distDelta: Float = 0, zeroDistDelta: Float = 0
                    var endJ = lambda * Float(eobRate(end))
                    for c in stride(from: eob - 1, through: 0, by: -1) {
                        let pos = Int(sc[c])
                        let nearest = Int(levels[pos].magnitude)
                        let row = pos &>> bwl, col = pos & widthMask
                        let at = lv + (row &* ls &+ col)
                        if nearest == 0 {
                            // A zero (never the last coefficient): coeff_base 0 in its context.
                            let r = g.base[(pos == 0 ? 0 : g.baseContext(at, ls: ls, offset: offsets[pos])) &* 4]
                            tailJ += lambda * Float(r); tailRate &+= r
                            continue
                        }
                        let isDc = pos == 0
                        let u = min(abs(coef[pos]) * (isDc ? p.invDc : p.invAc), maxLevel)
                        let w = isDc ? p.weightDc : p.weightAc
                        let dNearest = (u - Float(nearest)) * (u - Float(nearest)) * w
                        let d0 = u * u * w
                        zeroD[c] = d0 - dNearest
                        zeroDistDelta += d0 - dNearest
                        // This coefficient as the last one: its best level ≥ 1 with coeff_base_eob, and the coeff_br
                        // context of neighbours that are then all zero (they follow it in scan order).
                        let eobRow = g.baseEob + eobContext(c, area: area) &* 4
                        let lastBrCtx = isDc ? 0 : (row < 2 && col < 2 ? 7 : 14)
                        var lastJ = Float.infinity, lastL = 0, lastRate: Int32 = 0
                        for l in stride(from: nearest, through: max(1, nearest - 1), by: -1) {
                            let e = u - Float(l)
                            let r = eobRow[min(l, 3)] &+ g.levelRange(lastBrCtx, l)
                            let j = e * e * w - d0 + lambda * Float(r)
                            if j < lastJ { lastJ = j; lastL = l; lastRate = r }
                        }
                        var chosenL = lastL
                        if c == end - 1 {
                            // The first coefficient visited: it is the last one.
                            tailJ = lastJ; tailRate = lastRate
                        } else {
                            let brCtx = nearest >= 3 ? g.rangeContext(at, ls: ls, pos: pos, row: row, col: col) : 0
                            let baseRow = g.base + (isDc ? 0 : g.baseContext(at, ls: ls, offset: offsets[pos])) &* 4
                            // Candidates: the nearest level and one less, and 0 when the nearest is at most 2.
                            var chosenJ = nearest <= 2 ? lambda * Float(baseRow[0]) : .infinity
                            var chosenRate = baseRow[0]
                            chosenL = 0
                            for l in stride(from: nearest, through: max(1, nearest - 1), by: -1) {
                                let e = u - Float(l)
                                let r = baseRow[min(l, 3)] &+ g.levelRange(brCtx, l)
                                let j = e * e * w - d0 + lambda * Float(r)
                                if j < chosenJ { chosenJ = j; chosenL = l; chosenRate = r }
                            }
                            // End the block here instead?
                            let cutEndJ = lambda * Float(eobRate(c + 1))
                            if lastJ + cutEndJ < tailJ + chosenJ + endJ {
                                for k in (c + 1)..<end {
                                    let dropped = Int(sc[k])
                                    if levels[dropped] != 0 {
                                        levels[dropped] = 0
                                        lv[(dropped &>> bwl) &* ls &+ (dropped & widthMask)] = 0
                                        distDelta += zeroD[k] - chosenD[k]
                                    }
                                }
                                end = c + 1; endJ = cutEndJ
                                tailJ = lastJ; tailRate = lastRate; chosenL = lastL
                            } else {
                                tailJ += chosenJ; tailRate &+= chosenRate
                            }
                        }
                        let e = u - Float(chosenL)
                        chosenD[c] = e * e * w - dNearest
                        distDelta += chosenD[c]
                        levels[pos] = coef[pos] < 0 ? Int32(-chosenL) : Int32(chosenL)
                        at[0] = UInt8(min(chosenL, 15))
                    }
                    // The whole block zeroed (all_zero) when that is cheaper.
                    let codedJ = tailJ + endJ + lambda * Float(skipCosts[0])
                    if lambda * Float(skipCosts[1]) <= codedJ {
                        for c in 0..<end { levels[Int(sc[c])] = 0 }
                        return (nearestDist + zeroDistDelta, false, Int(skipCosts[1]))
                    }
                    // The decisions counted every sign as one bit; the writer codes the DC's with dc_sign.
                    var rate = Int(tailRate &+ eobRate(end) &+ skipCosts[0])
                    if levels[0] != 0 { rate += Int(costs.dcSign[(ptype * 3 + contexts.dcSign) * 2 + (levels[0] < 0 ? 1 : 0)]) - 512 }
                    return (nearestDist + distDelta, true, rate)
                }
            }
        }
        }
        }
        }
    }
}

/// The cost tables of one transform shape and plane type, with the §8.3.2 contexts read from a padded level grid
/// (see `AV1Quantizer.withLevelGrid`).
struct AV1CoefficientCostsOfShape {
    let base: UnsafeMutablePointer<Int32>, baseEob: UnsafeMutablePointer<Int32>, range: UnsafeMutablePointer<Int32>
    let eobPt: UnsafeMutablePointer<Int32>, eobExtra: UnsafeMutablePointer<Int32>

    init(costs: AV1CoefficientCosts, shape: AV1TxShape, ptype: Int) {
        let set = shape.txSzCtx * 2 + ptype
        base = costs.base + set * 42 * 4
        baseEob = costs.baseEob + set * 4 * 4
        range = costs.range + (min(shape.txSzCtx, 3) * 2 + ptype) * 21 * 16
        eobPt = costs.eobPt + (shape.eobMultisize * 2 + ptype) * 11
        eobExtra = costs.eobExtra + set * 9 * 2
    }

    /// coeff_base context (get_coeff_base_ctx, TX_CLASS_2D) of the non-DC coefficient at `at` in the grid, whose
    /// position has Coeff_Base_Ctx_Offset `offset`.
    @inline(__always)
    func baseContext(_ at: UnsafePointer<UInt8>, ls: Int, offset: UInt8) -> Int {
        let mag = min(Int(at[1]), 3) &+ min(Int(at[ls]), 3) &+ min(Int(at[ls &+ 1]), 3) &+ min(Int(at[2]), 3) &+ min(Int(at[2 &* ls]), 3)
        return min((mag &+ 1) &>> 1, 4) &+ Int(offset)
    }

    /// eob_pt + eob_extra + the literal eob bits of an end of block with eob_pt `pt` and eob_extra bit `bit`.
    @inline(__always)
    func eobCost(_ eob: Int, pt: Int, bit: Int) -> Int32 {
        pt < 3 ? eobPt[pt &- 1] : eobPt[pt &- 1] &+ eobExtra[(pt &- 3) &* 2 &+ bit] &+ Int32(512 &* (pt &- 3))
    }

    /// coeff_br context (§8.3.2, TX_CLASS_2D).
    @inline(__always)
    func rangeContext(_ at: UnsafePointer<UInt8>, ls: Int, pos: Int, row: Int, col: Int) -> Int {
        let mag = min((Int(at[1]) + Int(at[ls]) + Int(at[ls + 1]) + 1) >> 1, 6)
        return pos == 0 ? mag : (row < 2 && col < 2 ? mag + 7 : mag + 14)
    }

    /// coeff_br symbols and Golomb remainder of `level` in br context `ctx` (0 below 3).
    @inline(__always)
    func levelRange(_ ctx: Int, _ level: Int) -> Int32 {
        level < 3 ? 0 : range[ctx * 16 + min(level, 15)] + AV1CoefficientCosts.golombCost(level)
    }

    @inline(__always)
    func rangeCost(_ at: UnsafePointer<UInt8>, ls: Int, pos: Int, row: Int, col: Int, level: Int) -> Int32 {
        levelRange(rangeContext(at, ls: ls, pos: pos, row: row, col: col), level)
    }
}

extension AV1TileEncoder {
    /// Quantiser settings for a transform block of `plane` (RD-optimised when the speed settings ask for it).
    func quantParams(plane: Int, shape: AV1TxShape) -> AV1QuantParams {
        let denom = Float(shape.dqDenom)
        let dcQ = Float(plane > 0 ? f.uvDcQ : f.dcQ), acQ = Float(plane > 0 ? f.uvAcQ : f.acQ)
        return AV1QuantParams(invDc: denom / dcQ, invAc: denom / acQ,
                              weightDc: dcQ * dcQ / 64, weightAc: acQ * acQ / 64,
                              lambda: Float(lambda / 512 * (plane > 0 ? AV1Tuning.rdoqChromaLambdaScale : AV1Tuning.rdoqLambdaScale)),
                              rdo: f.settings.rdoq,
                              dcRounding: AV1Tuning.dcRounding, acRounding: AV1Tuning.acRounding)
    }

    /// Quantises the transform block in `coef` (the decoder's Quant layout) into `levels` (see AV1Quantizer.quantize).
    func quantizeBlock(plane: Int, widthLog2: Int, heightLog2: Int, levels: UnsafeMutablePointer<Int32>,
                       contexts: AV1TxbContexts? = nil) -> (distortion: Float, nonzero: Bool, rate: Int?) {
        let shape = AV1TxShape.of(widthLog2: widthLog2, heightLog2: heightLog2)
        return AV1Quantizer.quantize(coef, levels: levels, shape: shape, plane: plane,
                                     params: quantParams(plane: plane, shape: shape), costs: coefficientCosts, contexts: contexts)
    }
}

