/// Quantisation of one transform block: rate-distortion optimised ("trellis-lite") or plain dead-zone rounding.
///
/// The RD path visits the coefficients in reverse scan order, as the decoder reads coeff_base (AV1 spec §5.11.39),
/// so the contexts of §8.3.2 for coeff_base and coeff_br — which look only at neighbours further along the scan —
/// are exact for the levels already chosen. For each coefficient it weighs |l|, |l|−1 and 0 (l rounded to nearest)
/// by distortion + λ·rate with the rate read from the tile's live CDFs, then picks the end of block: the tail after
/// any non-zero coefficient can be dropped when the saved bits pay for the added distortion (the new last
/// coefficient is then costed with coeff_base_eob, plus eob_pt/eob_extra), including dropping the whole block
/// (all_zero). Only the effect of a choice on the contexts of coefficients decided later is approximated (ignored).
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
    }

    /// Every valid shape, indexed by (log2 w − 2) * 5 + (log2 h − 2).
    static let all: [AV1TxShape?] = (0..<25).map { i in
        txSizeOfLog2[i / 5][i % 5] < 0 ? nil : AV1TxShape(widthLog2: i / 5 + 2, heightLog2: i % 5 + 2)
    }

    static func of(widthLog2: Int, heightLog2: Int) -> AV1TxShape {
        all[(widthLog2 - 2) * 5 + heightLog2 - 2] ?? AV1TxShape(widthLog2: widthLog2, heightLog2: widthLog2)
    }
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
    /// Returns the transform-domain distortion estimate (pixel SSE units) and whether any level is non-zero.
    /// `plane` selects the luma/chroma CDFs; `allZeroCtx` is the all_zero context when known (nil: estimated).
    static func quantize(_ coef: UnsafePointer<Float>, levels: UnsafeMutablePointer<Int32>, shape: AV1TxShape,
                         plane: Int, params p: AV1QuantParams, cdf: AV1CDFContext, allZeroCtx: Int? = nil) -> (distortion: Float, nonzero: Bool) {
        if !p.rdo { return deadZone(coef, levels: levels, area: shape.area, params: p) }
        return rdo(coef, levels: levels, shape: shape, plane: plane, params: p, cdf: cdf, allZeroCtx: allZeroCtx)
    }

    static func deadZone(_ coef: UnsafePointer<Float>, levels: UnsafeMutablePointer<Int32>, area: Int,
                         params p: AV1QuantParams) -> (distortion: Float, nonzero: Bool) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: area) { temp in
            AV1PixelKernels.quantizeWeighted(coef, count: area, dcInv: p.invDc, acInv: p.invAc, dcRounding: p.dcRounding,
                                             acRounding: p.acRounding, dcWeight: p.weightDc, acWeight: p.weightAc,
                                             cap: maxLevel, levels: levels, temp: temp.baseAddress!)
        }
    }

    // MARK: - Rate model (1/512 bit), from the live CDFs

    @inline(__always)
    static func symbolCost(_ cdf: UnsafeMutablePointer<UInt16>, _ s: Int) -> Int {
        AV1CDF.bitCost[max(1, Int(cdf[s]) - (s > 0 ? Int(cdf[s - 1]) : 0))]
    }

    /// Cost of the part of a level above NUM_BASE_LEVELS: coeff_br symbols and the Golomb remainder.
    @inline(__always)
    static func rangeCost(_ level: Int, _ brCdf: UnsafeMutablePointer<UInt16>) -> Int {
        if level < 3 { return 0 }
        var cost = 0
        var rem = level - 3
        for _ in 0..<4 {
            let k = min(rem, 3)
            cost += symbolCost(brCdf, k)
            rem -= k
            if k < 3 { break }
        }
        if level > 14 {
            let length = Int.bitWidth - (level - 14).leadingZeroBitCount
            cost += 512 * (2 * length - 1)
        }
        return cost
    }

    /// eob_pt + eob_extra + the literal eob bits for end of block `eob` (≥ 1).
    static func eobCost(_ eob: Int, shape: AV1TxShape, ptype: Int, cdf: AV1CDFContext) -> Int {
        let eobPt = eob <= 2 ? eob : (Int.bitWidth - (eob - 1).leadingZeroBitCount - 1) + 2
        var cost: Int
        switch shape.eobMultisize {
        case 0: cost = symbolCost(cdf.at(cdf.eobPt16 + ptype * 2 * 6), eobPt - 1)
        case 1: cost = symbolCost(cdf.at(cdf.eobPt32 + ptype * 2 * 7), eobPt - 1)
        case 2: cost = symbolCost(cdf.at(cdf.eobPt64 + ptype * 2 * 8), eobPt - 1)
        case 3: cost = symbolCost(cdf.at(cdf.eobPt128 + ptype * 2 * 9), eobPt - 1)
        case 4: cost = symbolCost(cdf.at(cdf.eobPt256 + ptype * 2 * 10), eobPt - 1)
        case 5: cost = symbolCost(cdf.at(cdf.eobPt512 + ptype * 11), eobPt - 1)
        default: cost = symbolCost(cdf.at(cdf.eobPt1024 + ptype * 12), eobPt - 1)
        }
        if eobPt >= 3 {
            let offset = eob - ((1 << (eobPt - 2)) + 1)
            let shift = eobPt - 3
            cost += symbolCost(cdf.at(cdf.eobExtra + ((shape.txSzCtx * 2 + ptype) * 9 + eobPt - 3) * 3), (offset >> shift) & 1)
            cost += 512 * shift
        }
        return cost
    }

    /// coeff_base context (§8.3.2 get_coeff_base_ctx, TX_CLASS_2D) of a non-DC position from the levels of the
    /// positions after it in scan order (right and below), which is what the decoder has at that point.
    @inline(__always)
    static func baseContext(_ lv: UnsafePointer<Int32>, pos: Int, row: Int, col: Int, shape: AV1TxShape) -> Int {
        let width = shape.width, height = shape.height
        var mag = 0
        if col + 1 < width { mag += min(Int(abs(lv[pos + 1])), 3) }
        if row + 1 < height { mag += min(Int(abs(lv[pos + width])), 3) }
        if row + 1 < height && col + 1 < width { mag += min(Int(abs(lv[pos + width + 1])), 3) }
        if col + 2 < width { mag += min(Int(abs(lv[pos + 2])), 3) }
        if row + 2 < height { mag += min(Int(abs(lv[pos + 2 * width])), 3) }
        return min((mag + 1) >> 1, 4) + Int(coeffBaseCtxOffset[shape.txSize * 25 + min(row, 4) * 5 + min(col, 4)])
    }

    /// coeff_br context (§8.3.2, TX_CLASS_2D).
    @inline(__always)
    static func rangeContext(_ lv: UnsafePointer<Int32>, pos: Int, row: Int, col: Int, shape: AV1TxShape) -> Int {
        let width = shape.width, height = shape.height
        var mag = 0
        if col + 1 < width { mag += min(Int(abs(lv[pos + 1])), 15) }
        if row + 1 < height { mag += min(Int(abs(lv[pos + width])), 15) }
        if row + 1 < height && col + 1 < width { mag += min(Int(abs(lv[pos + width + 1])), 15) }
        mag = min((mag + 1) >> 1, 6)
        return pos == 0 ? mag : (row < 2 && col < 2 ? mag + 7 : mag + 14)
    }

    @inline(__always)
    static func eobContext(_ c: Int, area: Int) -> Int {
        c == 0 ? 0 : (c <= area / 8 ? 1 : (c <= area / 4 ? 2 : 3))
    }

    /// The rate model (1/512 bit) of signed `levels`: all_zero, eob_pt/eob_extra, coeff_base_eob, coeff_base,
    /// coeff_br, signs (1 bit each, dc_sign included) and Golomb remainders, with every context computed from the
    /// levels themselves as the decoder would. Only the all_zero context is estimated when not given.
    static func modelRate(_ levels: UnsafePointer<Int32>, shape: AV1TxShape, plane: Int, cdf: AV1CDFContext,
                          allZeroCtx: Int? = nil) -> Int {
        let ptype = plane > 0 ? 1 : 0
        let area = shape.area
        let skipCdf = cdf.at(cdf.txbSkip + (shape.txSzCtx * 13 + (allZeroCtx ?? (plane == 0 ? 0 : 7))) * 3)
        return shape.scan.withUnsafeBufferPointer { sc -> Int in
            var eob = 0
            for c in stride(from: area - 1, through: 0, by: -1) where levels[Int(sc[c])] != 0 { eob = c + 1; break }
            if eob == 0 { return symbolCost(skipCdf, 1) }
            let setIndex = shape.txSzCtx * 2 + ptype
            let brCdfs = cdf.at(cdf.coeffBr + (min(shape.txSzCtx, 3) * 2 + ptype) * 21 * 5)
            var cost = symbolCost(skipCdf, 0) + eobCost(eob, shape: shape, ptype: ptype, cdf: cdf)
            for c in 0..<eob {
                let pos = Int(sc[c])
                let l = Int(abs(levels[pos]))
                let row = pos >> shape.bwl, col = pos & (shape.width - 1)
                if c == eob - 1 {
                    cost += symbolCost(cdf.at(cdf.coeffBaseEob + (setIndex * 4 + eobContext(c, area: area)) * 4), min(l, 3) - 1)
                } else {
                    let bctx = pos == 0 ? 0 : baseContext(levels, pos: pos, row: row, col: col, shape: shape)
                    cost += symbolCost(cdf.at(cdf.coeffBase + (setIndex * 42 + bctx) * 5), min(l, 3))
                }
                if l > 0 { cost += 512 }
                if l > 2 { cost += rangeCost(l, brCdfs + rangeContext(levels, pos: pos, row: row, col: col, shape: shape) * 5) }
            }
            return cost
        }
    }

    // MARK: - RD quantisation

    static func rdo(_ coef: UnsafePointer<Float>, levels: UnsafeMutablePointer<Int32>, shape: AV1TxShape, plane: Int,
                    params p: AV1QuantParams, cdf: AV1CDFContext, allZeroCtx: Int?) -> (distortion: Float, nonzero: Bool) {
        let area = shape.area
        let bwl = shape.bwl, width = shape.width
        let ptype = plane > 0 ? 1 : 0
        let setIndex = shape.txSzCtx * 2 + ptype
        let baseCdf = cdf.at(cdf.coeffBase + setIndex * 42 * 5)
        let baseEobCdf = cdf.at(cdf.coeffBaseEob + setIndex * 4 * 4)
        let brCdfs = cdf.at(cdf.coeffBr + (min(shape.txSzCtx, 3) * 2 + ptype) * 21 * 5)
        let skipCdf = cdf.at(cdf.txbSkip + (shape.txSzCtx * 13 + (allZeroCtx ?? (plane == 0 ? 0 : 7))) * 3)
        let lambda = p.lambda
        let signCost: Float = 512

        return shape.scan.withUnsafeBufferPointer { sc -> (Float, Bool) in
            // Nearest-rounded levels give the first end of block.
            var eob = 0
            for c in stride(from: area - 1, through: 0, by: -1) {
                let pos = Int(sc[c])
                if abs(coef[pos]) * (pos == 0 ? p.invDc : p.invAc) + p.rdoRounding >= 1 { eob = c + 1; break }
            }
            levels.initialize(repeating: 0, count: area)
            if eob == 0 {
                var d: Float = 0
                for k in 0..<area {
                    let u = abs(coef[k]) * (k == 0 ? p.invDc : p.invAc)
                    d += u * u * (k == 0 ? p.weightDc : p.weightAc)
                }
                return (d, false)
            }
            var tailZero: Float = 0
            for c in eob..<area {
                let pos = Int(sc[c])
                let u = abs(coef[pos]) * (pos == 0 ? p.invDc : p.invAc)
                tailZero += u * u * (pos == 0 ? p.weightDc : p.weightAc)
            }
            return withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * eob) { costs -> (Float, Bool) in
                // Per scan index: J of the chosen level coded with coeff_base, J of it coded as the last
                // coefficient (coeff_base_eob; +inf when the level is 0), and the distortion when not coded.
                let chosenJ = costs.baseAddress!, asEobJ = chosenJ + eob, zeroD = asEobJ + eob
                // Greedy pass in reverse scan order over [0, end), the coefficient at end − 1 being the last one;
                // `levels` (unsigned here) doubles as the decoder's partially filled Quant array for the contexts.
                func decide(end: Int) {
                    for c in end..<eob { levels[Int(sc[c])] = 0 }
                    for c in stride(from: end - 1, through: 0, by: -1) {
                        let pos = Int(sc[c])
                        let isDc = pos == 0
                        let u = min(abs(coef[pos]) * (isDc ? p.invDc : p.invAc), maxLevel)
                        let w = isDc ? p.weightDc : p.weightAc
                        let d0 = u * u * w
                        zeroD[c] = d0
                        let row = pos >> bwl, col = pos & (width - 1)
                        let bctx = isDc ? 0 : baseContext(levels, pos: pos, row: row, col: col, shape: shape)
                        let bCdf = baseCdf + bctx * 5
                        let zeroJ = d0 + lambda * Float(symbolCost(bCdf, 0))
                        let nearest = Int(u + p.rdoRounding)
                        let last = c == end - 1
                        if nearest == 0 {
                            chosenJ[c] = zeroJ; asEobJ[c] = .infinity
                            levels[pos] = 0
                            continue
                        }
                        let brCdf = brCdfs + rangeContext(levels, pos: pos, row: row, col: col, shape: shape) * 5
                        let eCdf = baseEobCdf + eobContext(c, area: area) * 4
                        var bestJ = Float.infinity, bestL = 0
                        var bestEobJ = Float.infinity   // the chosen level coded as the last coefficient
                        var l = nearest
                        let lowest = max(last ? 1 : 0, nearest - (nearest <= 2 ? 2 : 1))
                        while l >= lowest {
                            if l == 0 {
                                if zeroJ < bestJ { bestJ = zeroJ; bestL = 0 }
                            } else {
                                let e = u - Float(l)
                                let d = e * e * w
                                let common = signCost + Float(rangeCost(l, brCdf))
                                let je = d + lambda * (common + Float(symbolCost(eCdf, min(l, 3) - 1)))
                                let j = last ? je : d + lambda * (common + Float(symbolCost(bCdf, min(l, 3))))
                                if j < bestJ { bestJ = j; bestL = l; bestEobJ = je }
                            }
                            l -= 1
                        }
                        chosenJ[c] = last ? .infinity : bestJ
                        asEobJ[c] = bestL == 0 ? .infinity : bestEobJ
                        levels[pos] = Int32(bestL)
                    }
                }
                // Best end of block among e = c + 1 for coefficients c < end that may be last, and 0 (all_zero),
                // given the decisions of the last pass. Returns e and whether the block is better left all-zero.
                func chooseEnd(end: Int) -> Int {
                    var suffix = tailZero
                    for c in end..<eob { suffix += zeroD[c] }
                    var prefix: Float = 0
                    for c in 0..<(end - 1) { prefix += chosenJ[c] }
                    var bestE = 0
                    var bestJ: Float = .infinity
                    for c in stride(from: end - 1, through: 0, by: -1) {
                        if asEobJ[c] < .infinity {
                            let j = prefix + asEobJ[c] + suffix + lambda * Float(eobCost(c + 1, shape: shape, ptype: ptype, cdf: cdf))
                            if j < bestJ { bestJ = j; bestE = c + 1 }
                        }
                        suffix += zeroD[c]
                        if c > 0 { prefix -= chosenJ[c - 1] }
                    }
                    // suffix is now the distortion of the all-zero block.
                    if suffix + lambda * Float(symbolCost(skipCdf, 1)) <= bestJ + lambda * Float(symbolCost(skipCdf, 0)) { return 0 }
                    return bestE
                }
                decide(end: eob)
                var end = chooseEnd(end: eob)
                if end > 0 && end < eob {
                    // The dropped tail changed the contexts of what is left: decide again with the right ones.
                    decide(end: end)
                    end = chooseEnd(end: end)
                }
                for c in end..<eob { levels[Int(sc[c])] = 0 }
                // Signs, distortion.
                var dist: Float = 0
                var any = false
                for pos in 0..<area {
                    let u = min(abs(coef[pos]) * (pos == 0 ? p.invDc : p.invAc), maxLevel)
                    let l = levels[pos]
                    if l != 0 { any = true }
                    let e = u - Float(l)
                    dist += e * e * (pos == 0 ? p.weightDc : p.weightAc)
                    if coef[pos] < 0 { levels[pos] = -l }
                }
                // Greedy choices ignore their effect on the contexts of coefficients decided after them: keep
                // plain rounding (to the same starting levels) when it is cheaper under the full model.
                let jRdo = dist + lambda * Float(modelRate(levels, shape: shape, plane: plane, cdf: cdf, allZeroCtx: allZeroCtx))
                return withUnsafeTemporaryAllocation(of: Int32.self, capacity: area) { plainBuffer -> (Float, Bool) in
                    let plain = plainBuffer.baseAddress!
                    var q = p
                    q.acRounding = p.rdoRounding; q.dcRounding = max(p.rdoRounding, p.dcRounding)
                    let (pd, pAny) = deadZone(coef, levels: plain, area: area, params: q)
                    let j = pd + lambda * Float(modelRate(plain, shape: shape, plane: plane, cdf: cdf, allZeroCtx: allZeroCtx))
                    if j < jRdo {
                        levels.update(from: plain, count: area)
                        return (pd, pAny)
                    }
                    return (dist, any)
                }
            }
        }
    }
}

extension AV1TileEncoder {
    /// Quantiser settings for a transform block of `plane` (RD-optimised when the speed settings ask for it).
    func quantParams(plane: Int, shape: AV1TxShape) -> AV1QuantParams {
        let denom = Float(shape.dqDenom)
        let dcQ = Float(plane > 0 ? f.uvDcQ : f.dcQ), acQ = Float(plane > 0 ? f.uvAcQ : f.acQ)
        return AV1QuantParams(invDc: denom / dcQ, invAc: denom / acQ,
                              weightDc: dcQ * dcQ / 64, weightAc: acQ * acQ / 64,
                              lambda: Float(lambda / 512 * AV1Tuning.rdoqLambdaScale),
                              rdo: f.settings.rdoq,
                              dcRounding: AV1Tuning.dcRounding, acRounding: AV1Tuning.acRounding)
    }

    /// Quantises the transform block in `coef` (the decoder's Quant layout) into `levels`.
    func quantizeBlock(plane: Int, widthLog2: Int, heightLog2: Int, levels: UnsafeMutablePointer<Int32>) -> (distortion: Float, nonzero: Bool) {
        let shape = AV1TxShape.of(widthLog2: widthLog2, heightLog2: heightLog2)
        return AV1Quantizer.quantize(coef, levels: levels, shape: shape, plane: plane,
                                     params: quantParams(plane: plane, shape: shape), cdf: cdf)
    }
}
