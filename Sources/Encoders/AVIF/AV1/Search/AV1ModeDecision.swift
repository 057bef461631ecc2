/// Intra mode decisions, shared by the lossy and the lossless block coders: which luma and chroma modes are
/// candidates, what their mode symbols cost, the SATD ranking of luma modes with angle deltas, the RD choice among
/// the best of them, the chroma mode ranking and the chroma-from-luma alphas.
extension AV1TileEncoder {
    /// Luma modes in the order the SATD stage tries them; the speed settings take a prefix (the directional modes
    /// pay mostly on small blocks, so large blocks and fast settings stop early).
    static let lumaModeOrder = [AV1Mode.dc, AV1Mode.smooth, AV1Mode.paeth, AV1Mode.v, AV1Mode.h, AV1Mode.smoothV,
                                AV1Mode.smoothH, AV1Mode.d45, AV1Mode.d135, AV1Mode.d113, AV1Mode.d157, AV1Mode.d203, AV1Mode.d67]
    /// Chroma modes ranked besides chroma-from-luma (the lossless coder adds the luma mode when it is directional).
    static let chromaModeOrder = [AV1Mode.dc, AV1Mode.v, AV1Mode.h, AV1Mode.smooth, AV1Mode.paeth]

    /// The luma modes the settings rank for a block of side 1 << log2.
    func lumaModeCandidates(log2: Int) -> ArraySlice<Int> {
        AV1TileEncoder.lumaModeOrder.prefix(log2 >= 6 ? f.settings.lumaModeCount64 : f.settings.lumaModeCount)
    }

    /// Cost (1/512 bit) of symbol `s` of a CDF with the current probabilities.
    @inline(__always)
    func symbolBits(_ cdf: UnsafeMutablePointer<UInt16>, _ s: Int) -> Int {
        AV1CDF.bitCost[Int(cdf[s]) - (s > 0 ? Int(cdf[s - 1]) : 0)]
    }

    /// y_mode bits plus an allowance of about 1.2 bits for the angle delta of directional modes where one is coded.
    func yModeBits(_ yModeCdf: UnsafeMutablePointer<UInt16>, _ mode: Int, angleCoded: Bool) -> Int {
        symbolBits(yModeCdf, mode) + (angleCoded && AV1Mode.isDirectional(mode) ? 600 : 0)
    }

    /// λ for SATD-domain costs (SATD + sadLambda · rate in 1/512 bit).
    var sadLambda: Double { lambda.squareRoot() / 512 * 1.2 }

    /// Stage 1 of the luma decision: every candidate mode (and the angle deltas of the best one when it is
    /// directional and the block may code them, §5.11.42) ranked by the SATD of its prediction plus its bits.
    /// The luma edges of the block must be built.
    func rankLumaModes(_ b: AV1BlockGeometry, yModeCdf: UnsafeMutablePointer<UInt16>) -> [(cost: Double, mode: Int, angle: Int)] {
        let src = f.source[0]
        let s0 = src.data + b.y0 * src.stride + b.x0
        let satdLambda = sadLambda
        var ranked: [(cost: Double, mode: Int, angle: Int)] = []
        for mode in lumaModeCandidates(log2: b.log2) {
            edges.predict(mode: mode, angleDelta: 0, log2: b.log2, pred: predAlt)
            let cost = Double(satd(s0, src.stride, predAlt, b.side)) + satdLambda * Double(yModeBits(yModeCdf, mode, angleCoded: true))
            ranked.append((cost, mode, 0))
        }
        ranked.sort { $0.cost < $1.cost }
        // Angle deltas exist only for blocks of 8x8 and above (intra_angle_info_y, §5.11.42).
        if AV1Mode.isDirectional(ranked[0].mode) && b.bsize != AV1Block.b4x4 && b.log2 <= f.settings.angleDeltaMaxLog2 {
            let mode = ranked[0].mode
            for delta in [-3, -2, -1, 1, 2, 3] {
                edges.predict(mode: mode, angleDelta: delta, log2: b.log2, pred: predAlt)
                let bits = yModeBits(yModeCdf, mode, angleCoded: true) + 100
                ranked.append((Double(satd(s0, src.stride, predAlt, b.side)) + satdLambda * Double(bits), mode, delta))
            }
            ranked.sort { $0.cost < $1.cost }
        }
        return ranked
    }

    /// Stage 2: the best `rdModeCandidates` of the ranking, each with every luma transform type of the settings,
    /// coded as one whole-block transform and scored by distortion + λ·(coefficient and mode rate). Sets yMode,
    /// yAngle and txType. The block's coefficient contexts are left as they were.
    func chooseLumaModeByRD(_ b: AV1BlockGeometry, ranked: [(cost: Double, mode: Int, angle: Int)],
                            yModeCdf: UnsafeMutablePointer<UInt16>, _ m: inout AV1BlockModes) {
        let topK = f.settings.rdModeCandidates
        let types = lumaTypeCandidates(b.log2)
        rdWinner = nil
        if topK == 1 && types.count == 1 {
            m.yMode = ranked[0].mode; m.yAngle = ranked[0].angle; m.txType = AV1Tx.dctDct
            return
        }
        var best = Double.infinity
        let saved = saveLumaContexts(x4: b.c, y4: b.r, w4: b.side4)
        let area = AV1TileEncoder.levelCount(b.log2)
        // The RD quantiser returns the coefficients' rate itself (the whole-block transform's all_zero context is 0).
        let contexts = AV1TxbContexts(allZero: 0, dcSign: AV1Coefficients.dcSignContext(ctx, plane: 0, x4: b.c, y4: b.r, maxX4: f.miCols,
                                                                                      maxY4: f.miRows, log2: b.log2))
        func evaluate(mode: Int, angle: Int, types: ArraySlice<Int>) {
            for type in types {
                let (sse, nonzero, quantRate) = quantizeOnly(plane: 0, x: b.x0, y: b.y0, log2: b.log2, txType: type, levels: quant,
                                                             contexts: contexts)
                var rate: Int
                if let quantRate {
                    rate = quantRate
                    if nonzero && b.log2 <= 4 && cdf.codesTransformType {
                        rate += symbolBits(cdf.at(cdf.txSet2 + ((b.log2 - 2) * 13 + mode) * 6), AV1Tx.intraSet2Symbol(type))
                    }
                } else {
                    var rc = AV1RateCounter()
                    AV1Coefficients.write(&rc, cdf: cdf, ctx: &ctx, plane: 0, x4: b.c, y4: b.r, maxX4: f.miCols, maxY4: f.miRows,
                                          log2: b.log2, blockLog2: b.log2, txType: type, intraDir: mode, quant: quant,
                                          knownAllZero: !nonzero)
                    restoreLumaContexts(saved)
                    rate = rc.cost
                }
                let cost = sse + lambda / 512 * Double(rate + yModeBits(yModeCdf, mode, angleCoded: true))
                if cost < best {
                    best = cost; m.yMode = mode; m.yAngle = angle; m.txType = type
                    rdWinner = (mode, angle, type, rate, nonzero)
                    rdWinnerLevels.update(from: quant, count: area)
                }
            }
        }
        if f.settings.txTypesForWinnerOnly {
            // The candidates compete with DCT_DCT; only the winner tries the other types.
            for cand in ranked.prefix(topK) {
                edges.predict(mode: cand.mode, angleDelta: cand.angle, log2: b.log2, pred: pred)
                evaluate(mode: cand.mode, angle: cand.angle, types: types.prefix(1))
            }
            if types.count > 1 {
                edges.predict(mode: m.yMode, angleDelta: m.yAngle, log2: b.log2, pred: pred)
                evaluate(mode: m.yMode, angle: m.yAngle, types: types.dropFirst())
            }
        } else {
            for cand in ranked.prefix(topK) {
                edges.predict(mode: cand.mode, angleDelta: cand.angle, log2: b.log2, pred: pred)
                evaluate(mode: cand.mode, angle: cand.angle, types: types[...])
            }
        }
    }

    /// The chroma mode of a lossy block, decided on the first transform block of both planes: the chroma modes of
    /// the settings by SATD plus bits, against chroma-from-luma with least-squares alphas (CFL is allowed up to
    /// 32x32, §5.11.46). Sets uvMode (and the CFL alphas).
    func decideChromaMode(_ b: AV1BlockGeometry, uvCdf: UnsafeMutablePointer<UInt16>, txLog2: Int,
                          lumaExtent: (w: Int, h: Int), _ m: inout AV1BlockModes) {
        let satdLambda = sadLambda
        var best = Double.infinity
        let candidates = f.settings.chromaModeSearch ? AV1TileEncoder.chromaModeOrder[...] : AV1TileEncoder.chromaModeOrder.prefix(1)
        let n = 1 << txLog2
        // Each plane's edges are built once for all modes; DC (the first mode) is kept for chroma-from-luma.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * candidates.count) { satds in
            for p in 1...2 {
                buildEdges(plane: p, x: b.cx0, y: b.cy0, log2: txLog2, haveLeft: b.availLChroma, haveAbove: b.availUChroma)
                let sp = f.source[p]
                for (i, mode) in candidates.enumerated() {
                    let out = mode == AV1Mode.dc ? chromaDC + (p - 1) * 32 * 32 : predAlt
                    edges.predict(mode: mode, angleDelta: 0, log2: txLog2, pred: out)
                    satds[(p - 1) * candidates.count + i] = satd(sp.data + b.cy0 * sp.stride + b.cx0, sp.stride, out, n)
                }
            }
            for (i, mode) in candidates.enumerated() {
                var cost = 0.0
                cost += Double(satds[i])
                cost += Double(satds[candidates.count + i])
                cost += satdLambda * Double(symbolBits(uvCdf, mode))
                if cost < best { best = cost; m.uvMode = mode }
            }
        }
        guard b.cflAllowed else { return }
        let cfl = chooseCflAlphas(x: b.cx0, y: b.cy0, log2: txLog2, lumaExtent: lumaExtent,
                                  haveLeft: b.availLChroma, haveAbove: b.availUChroma, dcPredictions: chromaDC)
        // The alpha symbols cost about 5 bits.
        let cost = Double(cfl.satd) + satdLambda * Double(symbolBits(uvCdf, AV1Mode.cfl) + 2500)
        if (cfl.u != 0 || cfl.v != 0) && cost < best {
            m.uvMode = AV1Mode.cfl; m.cflU = cfl.u; m.cflV = cfl.v
        }
    }

    /// Chroma-from-luma alphas of both chroma planes for the chroma transform block at (x, y): least squares against
    /// the DC prediction, refined by SATD. Returns the alphas and the summed SATD of the two CFL predictions.
    /// `dcPredictions`, when given, holds the DC predictions of both planes (32x32 apart).
    func chooseCflAlphas(x: Int, y: Int, log2: Int, lumaExtent: (w: Int, h: Int), haveLeft: Bool, haveAbove: Bool,
                         dcPredictions: UnsafePointer<UInt8>? = nil) -> (u: Int, v: Int, satd: Int) {
        prepareCfl(x: x, y: y, log2: log2, maxLumaW: lumaExtent.w, maxLumaH: lumaExtent.h)
        var alphas = (0, 0)
        var total = 0
        for p in 1...2 {
            if let dcPredictions {
                pred.update(from: dcPredictions + (p - 1) * 32 * 32, count: 1 << (2 * log2))
            } else {
                buildEdges(plane: p, x: x, y: y, log2: log2, haveLeft: haveLeft, haveAbove: haveAbove)
                edges.predict(mode: AV1Mode.dc, angleDelta: 0, log2: log2, pred: pred)
            }
            let (a, s) = searchCflAlpha(plane: p, x: x, y: y, log2: log2)
            if p == 1 { alphas.0 = a } else { alphas.1 = a }
            total += s
        }
        return (alphas.0, alphas.1, total)
    }

    /// Least-squares CFL alpha for plane `p` given the DC prediction in `pred` and the prepared luma, refined by SATD
    /// over the rounded value and its neighbours (and 0).
    func searchCflAlpha(plane p: Int, x: Int, y: Int, log2: Int) -> (alpha: Int, satd: Int) {
        let n = 1 << log2
        let sp = f.source[p]
        // Integer sums (|a| < 2^11, |a·d| < 2^20 over at most 1024 samples) are exact, as the Double sums were.
        var numI = 0, denI = 0
        for i in 0..<n {
            let row = sp.data + (y + i) * sp.stride + x, l = cflScratch + i * n, pr = pred + i * n
            for j in 0..<n {
                let a = Int(l[j])
                numI += a * (Int(row[j]) - Int(pr[j]))
                denI += a * a
            }
        }
        let num = Double(numI), den = Double(denI)
        let center = den > 0 ? Int((num / den * 64).rounded()) : 0
        var bestA = 0, bestS = Int.max
        let alphas = [0, center, center - 1, center + 1].map { min(max($0, -16), 16) }
        // A repeated alpha gives the same SATD and cannot change the choice.
        for (i, a) in alphas.enumerated() where !alphas[..<i].contains(a) {
            applyCfl(log2: log2, alpha: a, into: predAlt)
            let s = satd(sp.data + y * sp.stride + x, sp.stride, predAlt, n)
            if s < bestS || (s == bestS && abs(a) < abs(bestA)) { bestS = s; bestA = a }
        }
        return (bestA, bestS)
    }
}
