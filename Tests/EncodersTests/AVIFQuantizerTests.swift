import XCTest
@testable import Encoders

/// The RD-optimised quantiser (AV1Quantizer) on random transform blocks of every AV1 transform shape.
final class AVIFQuantizerTests: XCTestCase {
    /// Deterministic generator (xorshift) for the test blocks.
    private struct Rng {
        var s: UInt64
        mutating func next() -> UInt64 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s }
        mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
    }

    /// Laplacian coefficients whose spread falls with frequency, like a prediction residual's transform.
    private func randomBlock(_ rng: inout Rng, shape: AV1TxShape, step: Float, spread: Float) -> [Float] {
        var out = [Float](repeating: 0, count: shape.area)
        for pos in 0..<shape.area {
            let row = pos >> shape.bwl, col = pos & (shape.width - 1)
            let scale = spread * step / (1 + Float(row + col) * 0.6)
            let u = max(rng.unit(), 1e-6)
            let mag = -scale * Float(log(Double(u)))
            out[pos] = rng.next() & 1 == 0 ? mag : -mag
        }
        return out
    }

    private func params(qIndex: Int, shape: AV1TxShape, rdo: Bool, rounding: Float) -> AV1QuantParams {
        let dcQ = Float(dcQlookup[qIndex]), acQ = Float(acQlookup[qIndex]), d = Float(shape.dqDenom)
        let step = acQ / 8
        return AV1QuantParams(invDc: d / dcQ, invAc: d / acQ, weightDc: dcQ * dcQ / 64,
                              weightAc: acQ * acQ / 64, lambda: 0.07 * step * step / 512, rdo: rdo,
                              dcRounding: rounding, acRounding: rounding)
    }

    private var shapes: [AV1TxShape] { AV1TxShape.all.compactMap { $0 } }

    private func quantize(_ coef: [Float], shape: AV1TxShape, plane: Int, params: AV1QuantParams,
                          costs: AV1CoefficientCosts, contexts: AV1TxbContexts? = nil)
        -> (levels: [Int32], distortion: Float, nonzero: Bool, rate: Int?) {
        var levels = [Int32](repeating: 99, count: shape.area)
        let q = coef.withUnsafeBufferPointer { c in
            levels.withUnsafeMutableBufferPointer {
                AV1Quantizer.quantize(c.baseAddress!, levels: $0.baseAddress!, shape: shape, plane: plane, params: params,
                                      costs: costs, contexts: contexts)
            }
        }
        return (levels, q.distortion, q.nonzero, q.rate)
    }

    /// RDOQ's levels are each coefficient's nearest level, one less, or zero (zero from a nearest level above 2 only
    /// past the end of block), with the coefficient's sign; the returned distortion is that of the returned levels,
    /// and the returned rate is the rate model's for them. Over every shape, quantizer and plane, D + λR (R from the
    /// rate model) is lower than plain rounding to the nearest level on most blocks and in total; it is higher on a
    /// few blocks (the one greedy pass ignores how a level or a shortened block changes the contexts of the
    /// coefficients decided after it), never by more than 10 %.
    func testRdoqLowersCostBelowPlainRounding() {
        var rng = Rng(s: 0x9E37_79B9_7F4A_7C15)
        var improved = 0, worse = 0, total = 0
        var sumRdo: Double = 0, sumPlain: Double = 0
        for shape in shapes {
            for qIndex in [30, 100, 180, 240] {
                let costs = AV1CoefficientCosts(AV1CDFContext(baseQIndex: qIndex))
                for plane in [0, 1] {
                    for trial in 0..<6 {
                        let spread: Float = [0.3, 0.8, 2, 6, 0.5, 1.2][trial]
                        let step = Float(acQlookup[qIndex]) / Float(shape.dqDenom)
                        let coef = randomBlock(&rng, shape: shape, step: step, spread: spread)
                        let rdoP = params(qIndex: qIndex, shape: shape, rdo: true, rounding: 0.3)
                        let (rdoLevels, dist, nonzero, rate) = quantize(coef, shape: shape, plane: plane, params: rdoP, costs: costs)
                        let modelRate = AV1Quantizer.modelRate(rdoLevels, shape: shape, plane: plane, costs: costs)
                        // The quantiser's rate codes the DC sign with dc_sign (context 0 here), the model with one bit.
                        let dcSign = rdoLevels[0] == 0 ? 0 : Int(costs.dcSign[plane * 3 * 2 + (rdoLevels[0] < 0 ? 1 : 0)]) - 512
                        XCTAssertEqual(rate, modelRate + dcSign, "\(shape.width)x\(shape.height) q\(qIndex) plane \(plane)")
                        let jRdo = dist + rdoP.lambda * Float(modelRate)
                        var recomputed: Float = 0
                        var lastNonzero = -1
                        for (c, pos) in shape.scan.enumerated() where rdoLevels[Int(pos)] != 0 { lastNonzero = c }
                        for (c, scanPos) in shape.scan.enumerated() {
                            let pos = Int(scanPos)
                            let u = abs(coef[pos]) * (pos == 0 ? rdoP.invDc : rdoP.invAc)
                            let l = rdoLevels[pos]
                            let nearest = Int32(u + 0.5)
                            let allowed = abs(l) == nearest || abs(l) == nearest - 1 || (l == 0 && (nearest <= 2 || c > lastNonzero))
                            XCTAssertTrue(allowed, "level \(l) for \(u)")
                            if l != 0 { XCTAssertEqual(l < 0, coef[pos] < 0, "sign at \(pos)") }
                            let e = u - Float(abs(l))
                            recomputed += e * e * (pos == 0 ? rdoP.weightDc : rdoP.weightAc)
                        }
                        XCTAssertEqual(dist, recomputed, accuracy: max(1e-3, recomputed * 1e-4))
                        XCTAssertEqual(nonzero, rdoLevels.contains { $0 != 0 })
                        let plainP = params(qIndex: qIndex, shape: shape, rdo: false, rounding: 0.5)
                        let (plain, pd, _, _) = quantize(coef, shape: shape, plane: plane, params: plainP, costs: costs)
                        let jPlain = pd + rdoP.lambda * Float(AV1Quantizer.modelRate(plain, shape: shape, plane: plane, costs: costs))
                        XCTAssertLessThanOrEqual(jRdo, jPlain * 1.1 + 1e-3, "\(shape.width)x\(shape.height) q\(qIndex) plane \(plane)")
                        total += 1
                        if jRdo < jPlain * 0.999 { improved += 1 }
                        if jRdo > jPlain * 1.001 { worse += 1 }
                        sumRdo += Double(jRdo); sumPlain += Double(jPlain)
                    }
                }
            }
        }
        // RDOQ must actually do something on most blocks, and lower the total.
        XCTAssertGreaterThan(improved, total / 2, "RDOQ improved \(improved) of \(total) blocks")
        XCTAssertLessThan(worse, total / 20, "RDOQ worse on \(worse) of \(total) blocks")
        print("RDOQ vs nearest rounding: better on \(improved), worse on \(worse) of \(total) blocks; total D + λR \(sumRdo / sumPlain)")
        XCTAssertLessThan(sumRdo, sumPlain * 0.98, "total D + λR, RDOQ \(sumRdo) vs plain \(sumPlain)")
    }

    /// The rate model equals what AV1Coefficients.write spends (measured with the rate counter) for the square
    /// sizes it codes, up to the two symbols the model leaves out: transform_type (luma) and dc_sign (modelled
    /// as one bit). The RD quantiser's own rate, given the block's all_zero and dc_sign contexts, is the writer's
    /// without transform_type, exactly.
    func testModelRateAndQuantizerRateMatchCoefficientWriter() {
        var rng = Rng(s: 42)
        for log2 in 2...6 {
            let shape = AV1TxShape.of(widthLog2: log2, heightLog2: log2)
            for qIndex in [40, 160] {
                let cdf = AV1CDFContext(baseQIndex: qIndex)
                let costs = AV1CoefficientCosts(cdf)
                for plane in [0, 1] {
                    for trial in 0..<8 {
                        let step = Float(acQlookup[qIndex]) / Float(shape.dqDenom)
                        let coef = randomBlock(&rng, shape: shape, step: step, spread: [0.4, 1, 3, 10, 0.2, 0.7, 2, 30][trial])
                        // Neighbour contexts: the dc categories above (0 none, 1 negative, 2 positive) set the dc_sign
                        // context; chroma all_zero contexts 7-9 from non-zero neighbours.
                        var ctx = AV1CoefficientContexts(cols4: 16, rows4: 16)
                        let dcAbove = UInt8(trial % 3), levelAbove = UInt8(trial & 1 == 0 ? 0 : 3)
                        for k in 0..<16 { ctx.aboveDc[plane][k] = dcAbove; ctx.aboveLevel[plane][k] = levelAbove }
                        let contexts = AV1TxbContexts(
                            allZero: AV1Coefficients.allZeroContext(ctx, plane: plane, x4: 0, y4: 0, maxX4: 16, maxY4: 16, log2: log2, blockLog2: log2),
                            dcSign: AV1Coefficients.dcSignContext(ctx, plane: plane, x4: 0, y4: 0, maxX4: 16, maxY4: 16, log2: log2))
                        let p = params(qIndex: qIndex, shape: shape, rdo: true, rounding: 0.3)
                        let q = quantize(coef, shape: shape, plane: plane, params: p, costs: costs, contexts: contexts)
                        let levels = q.levels
                        var counter = AV1RateCounter()
                        levels.withUnsafeBufferPointer {
                            AV1Coefficients.write(&counter, cdf: cdf, ctx: &ctx, plane: plane, x4: 0, y4: 0, maxX4: 16, maxY4: 16,
                                                  log2: log2, blockLog2: log2, txType: AV1Tx.dctDct, intraDir: AV1Mode.dc,
                                                  quant: $0.baseAddress!)
                        }
                        var expected = AV1Quantizer.modelRate(levels, shape: shape, plane: plane, costs: costs, allZeroCtx: contexts.allZero)
                        var txType = 0
                        if levels.contains(where: { $0 != 0 }) {
                            if plane == 0 && log2 <= 4 {
                                txType = AV1Quantizer.symbolCost(cdf.at(cdf.txSet2 + ((log2 - 2) * 13 + AV1Mode.dc) * 6),
                                                                 AV1Tx.intraSet2Symbol(AV1Tx.dctDct))
                            }
                            if levels[0] != 0 {
                                expected += AV1Quantizer.symbolCost(cdf.at(cdf.dcSign + (plane * 3 + contexts.dcSign) * 3),
                                                                    levels[0] < 0 ? 1 : 0) - 512
                            }
                        }
                        XCTAssertEqual(counter.cost, expected + txType, "\(1 << log2) q\(qIndex) plane \(plane) trial \(trial)")
                        XCTAssertEqual(counter.cost, (q.rate ?? -1) + txType, "quantizer rate, \(1 << log2) q\(qIndex) plane \(plane) trial \(trial)")
                    }
                }
            }
        }
    }
}
