/// Rates (1/512 bit) of the coefficient symbols of AV1 spec §5.11.39 for every context, read once from CDFs that do
/// not change while the tables are used: the RD search counts rates with the CDFs as they were at the start of the
/// superblock (`AV1RateCounter` never adapts them), so the tile encoder refreshes these tables there and the
/// RD-optimised quantiser (`AV1Quantizer.rdo`) looks a symbol's rate up instead of deriving it from the CDF.
///
/// Layout (the CDF tables' own indexing, §8.3.2 contexts):
/// * `base[(set * 42 + ctx) * 4 + min(level, 3)]`: coeff_base, plus the sign's bit when the level is non-zero;
///   set = txSzCtx * 2 + ptype.
/// * `baseEob[(set * 4 + ctx) * 4 + min(level, 3)]`: coeff_base_eob (level ≥ 1) plus the sign's bit; index 0 unused.
/// * `range[(brSet * 21 + ctx) * 16 + min(level, 15)]`: the coeff_br symbols of a level (0 below 3);
///   brSet = min(txSzCtx, 3) * 2 + ptype. Levels above 14 add the Golomb remainder (`golombCost`).
/// * `skip[(txSzCtx * 13 + ctx) * 2 + allZero]`: all_zero.
/// * `eobPt[(eobMultisize * 2 + ptype) * 11 + eobPt − 1]`, `eobExtra[((set * 9) + eobPt − 3) * 2 + bit]`.
/// * `dcSign[(ptype * 3 + ctx) * 2 + negative]`: dc_sign. The tables above count every sign as one bit; a rate
///   that must match the writer replaces the DC's bit by this.
final class AV1CoefficientCosts {
    let base: UnsafeMutablePointer<Int32>
    let baseEob: UnsafeMutablePointer<Int32>
    let range: UnsafeMutablePointer<Int32>
    let skip: UnsafeMutablePointer<Int32>
    let eobPt: UnsafeMutablePointer<Int32>
    let eobExtra: UnsafeMutablePointer<Int32>
    let dcSign: UnsafeMutablePointer<Int32>

    static let baseCount = 10 * 42 * 4, baseEobCount = 10 * 4 * 4, rangeCount = 8 * 21 * 16
    static let skipCount = 5 * 13 * 2, eobPtCount = 7 * 2 * 11, eobExtraCount = 10 * 9 * 2, dcSignCount = 2 * 3 * 2

    init() {
        base = .allocate(capacity: AV1CoefficientCosts.baseCount)
        baseEob = .allocate(capacity: AV1CoefficientCosts.baseEobCount)
        range = .allocate(capacity: AV1CoefficientCosts.rangeCount)
        skip = .allocate(capacity: AV1CoefficientCosts.skipCount)
        eobPt = .allocate(capacity: AV1CoefficientCosts.eobPtCount)
        eobExtra = .allocate(capacity: AV1CoefficientCosts.eobExtraCount)
        dcSign = .allocate(capacity: AV1CoefficientCosts.dcSignCount)
        baseEob.initialize(repeating: 0, count: AV1CoefficientCosts.baseEobCount)
        eobPt.initialize(repeating: 0, count: AV1CoefficientCosts.eobPtCount)
    }

    /// Tables of the CDFs in `cdf` as they are now.
    convenience init(_ cdf: AV1CDFContext) {
        self.init()
        refresh(from: cdf)
    }

    deinit {
        base.deallocate(); baseEob.deallocate(); range.deallocate(); skip.deallocate(); eobPt.deallocate(); eobExtra.deallocate(); dcSign.deallocate()
    }

    @inline(__always)
    private static func cost(_ cdf: UnsafeMutablePointer<UInt16>, _ s: Int) -> Int32 {
        Int32(AV1CDF.bitCost[max(1, Int(cdf[s]) - (s > 0 ? Int(cdf[s - 1]) : 0))])
    }

    /// Re-reads every table from `cdf`.
    func refresh(from cdf: AV1CDFContext) {
        for set in 0..<10 {
            for ctx in 0..<42 {
                let c = cdf.at(cdf.coeffBase + (set * 42 + ctx) * 5), o = base + (set * 42 + ctx) * 4
                o[0] = Self.cost(c, 0)
                for s in 1..<4 { o[s] = Self.cost(c, s) + 512 }
            }
            for ctx in 0..<4 {
                let c = cdf.at(cdf.coeffBaseEob + (set * 4 + ctx) * 4), o = baseEob + (set * 4 + ctx) * 4
                for s in 1..<4 { o[s] = Self.cost(c, s - 1) + 512 }
            }
            for pt in 0..<9 {
                let c = cdf.at(cdf.eobExtra + (set * 9 + pt) * 3), o = eobExtra + (set * 9 + pt) * 2
                o[0] = Self.cost(c, 0); o[1] = Self.cost(c, 1)
            }
        }
        for brSet in 0..<8 {
            for ctx in 0..<21 {
                let c = cdf.at(cdf.coeffBr + (brSet * 21 + ctx) * 5), o = range + (brSet * 21 + ctx) * 16
                o[0] = 0; o[1] = 0; o[2] = 0
                // Level 3 + 3k + j (k < 4, j < 3): k symbols 3, then the symbol j; level 15: four symbols 3.
                let s = (Self.cost(c, 0), Self.cost(c, 1), Self.cost(c, 2), Self.cost(c, 3))
                for level in 3..<15 {
                    let k = Int32((level - 3) / 3), j = (level - 3) % 3
                    o[level] = k * s.3 + (j == 0 ? s.0 : (j == 1 ? s.1 : s.2))
                }
                o[15] = 4 * s.3
            }
        }
        for txSzCtx in 0..<5 {
            for ctx in 0..<13 {
                let c = cdf.at(cdf.txbSkip + (txSzCtx * 13 + ctx) * 3), o = skip + (txSzCtx * 13 + ctx) * 2
                o[0] = Self.cost(c, 0); o[1] = Self.cost(c, 1)
            }
        }
        for k in 0..<6 {
            let c = cdf.at(cdf.dcSign + k * 3)
            dcSign[k * 2] = Self.cost(c, 0); dcSign[k * 2 + 1] = Self.cost(c, 1)
        }
        // eob_pt CDFs per eobMultisize (16 ... 1024 coded coefficients), each with its symbol count.
        let pts: [(offset: Int, perPtype: Int, symbols: Int)] = [
            (cdf.eobPt16, 2 * 6, 5), (cdf.eobPt32, 2 * 7, 6), (cdf.eobPt64, 2 * 8, 7), (cdf.eobPt128, 2 * 9, 8),
            (cdf.eobPt256, 2 * 10, 9), (cdf.eobPt512, 11, 10), (cdf.eobPt1024, 12, 11),
        ]
        for (m, t) in pts.enumerated() {
            for ptype in 0..<2 {
                let c = cdf.at(t.offset + ptype * t.perPtype), o = eobPt + (m * 2 + ptype) * 11
                for s in 0..<t.symbols { o[s] = Self.cost(c, s) }
            }
        }
    }

    /// Golomb remainder of a level above 14 (§5.11.39 read_golomb: 2·length − 1 bits).
    @inline(__always)
    static func golombCost(_ level: Int) -> Int32 {
        if level <= 14 { return 0 }
        return Int32(512 * (2 * (Int.bitWidth - (level - 14).leadingZeroBitCount) - 1))
    }

    /// eob_pt + eob_extra + the literal eob bits for end of block `eob` (≥ 1).
    @inline(__always)
    func eobCost(_ eob: Int, shape: AV1TxShape, ptype: Int) -> Int32 {
        let eobPtValue = eob <= 2 ? eob : (Int.bitWidth - (eob - 1).leadingZeroBitCount - 1) + 2
        var cost = eobPt[(shape.eobMultisize * 2 + ptype) * 11 + eobPtValue - 1]
        if eobPtValue >= 3 {
            let offset = eob - ((1 << (eobPtValue - 2)) + 1)
            let shift = eobPtValue - 3
            cost += eobExtra[((shape.txSzCtx * 2 + ptype) * 9 + eobPtValue - 3) * 2 + ((offset >> shift) & 1)] + Int32(512 * shift)
        }
        return cost
    }
}
