/// Coefficient coding of one transform block: the syntax of AV1 spec §5.11.39 coeffs() written in the encoder's
/// direction, with every context of §8.3.2 (all_zero, eob_pt, eob_extra, coeff_base(_eob), coeff_br, dc_sign).
/// Contexts are computed from exactly the values the decoder has at that point.
struct AV1CoefficientContexts {
    /// Above/left level (culLevel) and dc category per plane, in 4-sample units of that plane.
    /// `ctx.aboveLevel[plane][i]` reads and writes the buffers in place (no copy-on-write checks); copies of this
    /// struct share the same storage.
    let aboveLevel: AV1ContextRows, aboveDc: AV1ContextRows, leftLevel: AV1ContextRows, leftDc: AV1ContextRows
    private let owner: AV1ContextStorage

    init(cols4: Int, rows4: Int) {
        let a = cols4 + 32, l = rows4 + 32
        owner = AV1ContextStorage(count: 6 * (a + l))
        let p = owner.base
        func rows(_ start: Int, _ n: Int) -> AV1ContextRows {
            AV1ContextRows(UnsafeMutableBufferPointer(start: p + start, count: n),
                           UnsafeMutableBufferPointer(start: p + start + n, count: n),
                           UnsafeMutableBufferPointer(start: p + start + 2 * n, count: n))
        }
        aboveLevel = rows(0, a); aboveDc = rows(3 * a, a)
        leftLevel = rows(6 * a, l); leftDc = rows(6 * a + 3 * l, l)
    }
}

/// Three per-plane rows of one context array.
struct AV1ContextRows {
    private let p0: UnsafeMutableBufferPointer<UInt8>, p1: UnsafeMutableBufferPointer<UInt8>, p2: UnsafeMutableBufferPointer<UInt8>
    init(_ p0: UnsafeMutableBufferPointer<UInt8>, _ p1: UnsafeMutableBufferPointer<UInt8>, _ p2: UnsafeMutableBufferPointer<UInt8>) {
        self.p0 = p0; self.p1 = p1; self.p2 = p2
    }
    @inline(__always) subscript(plane: Int) -> UnsafeMutableBufferPointer<UInt8> { plane == 0 ? p0 : (plane == 1 ? p1 : p2) }
}

/// Zero-initialised memory of the coefficient contexts, freed with the last copy of the contexts.
final class AV1ContextStorage {
    let base: UnsafeMutablePointer<UInt8>
    init(count: Int) { base = .allocate(capacity: count); base.initialize(repeating: 0, count: count) }
    deinit { base.deallocate() }
}

enum AV1Coefficients {
    /// The square transforms' scans, from the one shape table the quantiser uses (64 keeps the 32x32 scan).
    static let scans: [[UInt16]] = (2...6).map { AV1TxShape.of(widthLog2: $0, heightLog2: $0).scan }

    /// The all_zero context (§8.3.2) of the transform block of side 1 << log2 at (x4, y4) of `plane`, in a block of
    /// side 1 << blockLog2, from the above/left level and dc contexts.
    static func allZeroContext(_ ctx: AV1CoefficientContexts, plane: Int, x4: Int, y4: Int, maxX4: Int, maxY4: Int,
                               log2: Int, blockLog2: Int) -> Int {
        let w4 = 1 << (log2 - 2)
        if plane == 0 {
            if blockLog2 == log2 { return 0 }
            var top = 0, left = 0
            for k in 0..<w4 where x4 + k < maxX4 { top = max(top, Int(ctx.aboveLevel[0][x4 + k])) }
            for k in 0..<w4 where y4 + k < maxY4 { left = max(left, Int(ctx.leftLevel[0][y4 + k])) }
            if top == 0 && left == 0 { return 1 }
            if top == 0 || left == 0 { return 2 + (max(top, left) > 3 ? 1 : 0) }
            if max(top, left) <= 3 { return 4 }
            if min(top, left) <= 3 { return 5 }
            return 6
        }
        var above = 0, left = 0
        for k in 0..<w4 where x4 + k < maxX4 { above |= Int(ctx.aboveLevel[plane][x4 + k]) | Int(ctx.aboveDc[plane][x4 + k]) }
        for k in 0..<w4 where y4 + k < maxY4 { left |= Int(ctx.leftLevel[plane][y4 + k]) | Int(ctx.leftDc[plane][y4 + k]) }
        return 7 + (above != 0 ? 1 : 0) + (left != 0 ? 1 : 0) + (blockLog2 > log2 ? 3 : 0)
    }

    /// The dc_sign context (§8.3.2) of the transform block at (x4, y4): the sign majority of the dc categories above
    /// and to the left.
    static func dcSignContext(_ ctx: AV1CoefficientContexts, plane: Int, x4: Int, y4: Int, maxX4: Int, maxY4: Int,
                              log2: Int) -> Int {
        let w4 = 1 << (log2 - 2)
        var dcSign = 0
        for k in 0..<w4 where x4 + k < maxX4 {
            let s = ctx.aboveDc[plane][x4 + k]; if s == 1 { dcSign -= 1 } else if s == 2 { dcSign += 1 }
        }
        for k in 0..<w4 where y4 + k < maxY4 {
            let s = ctx.leftDc[plane][y4 + k]; if s == 1 { dcSign -= 1 } else if s == 2 { dcSign += 1 }
        }
        return dcSign < 0 ? 1 : (dcSign > 0 ? 2 : 0)
    }

    /// Writes the block. `quant` holds signed levels in the decoder's Quant layout (tw*tw, tw = min(32, size)).
    /// `txType` is written for luma when the set allows it. Updates the level/dc contexts. `knownAllZero`: the caller
    /// knows every level is zero.
    static func write<S: AV1SymbolSink>(_ sink: inout S, cdf: AV1CDFContext, ctx: inout AV1CoefficientContexts,
                                         plane: Int, x4: Int, y4: Int, maxX4: Int, maxY4: Int, log2: Int,
                                         blockLog2: Int, txType: Int, intraDir: Int, quant: UnsafePointer<Int32>,
                                         knownAllZero: Bool = false) {
        let txSz = log2 - 2
        let w4 = 1 << (log2 - 2)
        let tw = min(32, 1 << log2)
        let bwl = min(5, log2)
        let area = tw * tw
        let ptype = plane > 0 ? 1 : 0
        let scan = scans[log2 - 2]
        var eob = 0
        if !knownAllZero {   // the quantiser already said every level is zero: nothing to scan
            scan.withUnsafeBufferPointer { sc in
                for c in stride(from: area - 1, through: 0, by: -1) where quant[Int(sc[c])] != 0 { eob = c + 1; break }
            }
        }

        let allZeroCtx = allZeroContext(ctx, plane: plane, x4: x4, y4: y4, maxX4: maxX4, maxY4: maxY4, log2: log2,
                                        blockLog2: blockLog2)
        sink.symbol(eob == 0 ? 1 : 0, cdf.at(cdf.txbSkip + (txSz * 13 + allZeroCtx) * 3), 2)
        if eob == 0 {
            for k in 0..<w4 {
                ctx.aboveLevel[plane][x4 + k] = 0; ctx.aboveDc[plane][x4 + k] = 0
                ctx.leftLevel[plane][y4 + k] = 0; ctx.leftDc[plane][y4 + k] = 0
            }
            return
        }
        // transform_type (§5.11.47): reduced_tx_set gives TX_SET_INTRA_2 up to 16x16, DCT only above; not coded
        // at qindex 0 (lossless: the Walsh-Hadamard transform).
        if plane == 0 && log2 <= 4 && cdf.codesTransformType {
            sink.symbol(AV1Tx.intraSet2Symbol(txType), cdf.at(cdf.txSet2 + (txSz * 13 + intraDir) * 6), 5)
        }
        // eob_pt and eob_extra.
        let eobPt = eob <= 2 ? eob : (Int.bitWidth - (eob - 1).leadingZeroBitCount - 1) + 2
        let eobMultisize = min(log2, 5) * 2 - 4
        let ptCtx = 0   // every type used is TX_CLASS_2D
        switch eobMultisize {
        case 0: sink.symbol(eobPt - 1, cdf.at(cdf.eobPt16 + (ptype * 2 + ptCtx) * 6), 5)
        case 2: sink.symbol(eobPt - 1, cdf.at(cdf.eobPt64 + (ptype * 2 + ptCtx) * 8), 7)
        case 4: sink.symbol(eobPt - 1, cdf.at(cdf.eobPt256 + (ptype * 2 + ptCtx) * 10), 9)
        default: sink.symbol(eobPt - 1, cdf.at(cdf.eobPt1024 + ptype * 12), 11)
        }
        if eobPt >= 3 {
            let offset = eob - ((1 << (eobPt - 2)) + 1)
            let shift = eobPt - 3
            sink.symbol((offset >> shift) & 1, cdf.at(cdf.eobExtra + ((txSz * 2 + ptype) * 9 + eobPt - 3) * 3), 2)
            if shift > 0 { sink.literal(offset & ((1 << shift) - 1), shift) }
        }

        // Levels pass, in reverse scan order, with the decoder's partially filled Quant array: the levels decided so
        // far (capped at 15, all the contexts look at) in a grid padded by two zero columns and rows, so that the
        // neighbours right and below of §8.3.2 get_coeff_base_ctx / coeff_br ctx (TX_CLASS_2D: (0,1), (1,0),
        // (1,1), (0,2), (2,0)) are read without bounds tests; outside the block they count as 0, as in the spec.
        let ls = tw + 2
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: (tw + 2) * ls) { lvb in
            let lv = lvb.baseAddress!
            lv.initialize(repeating: 0, count: (tw + 2) * ls)
            coeffBaseCtxOffset.withUnsafeBufferPointer { offsets in
            let ctxOffset = offsets.baseAddress! + txSz * 25
            let baseCdfs = cdf.at(cdf.coeffBase + (txSz * 2 + ptype) * 42 * 5)
            let brCdfs = cdf.at(cdf.coeffBr + (min(txSz, 3) * 2 + ptype) * 21 * 5)
            scan.withUnsafeBufferPointer { sc in
                for c in stride(from: eob - 1, through: 0, by: -1) {
                    let pos = Int(sc[c])
                    let level = min(Int(abs(quant[pos])), 15)
                    let row = pos >> bwl, col = pos & (tw - 1)
                    let at = lv + row * ls + col
                    if c == eob - 1 {
                        let ectx = c == 0 ? 0 : (c <= area / 8 ? 1 : (c <= area / 4 ? 2 : 3))
                        sink.symbol(min(level, 3) - 1, cdf.at(cdf.coeffBaseEob + ((txSz * 2 + ptype) * 4 + ectx) * 4), 3)
                    } else {
                        var bctx = 0
                        if pos != 0 {
                            let mag = min(Int(at[1]), 3) + min(Int(at[ls]), 3) + min(Int(at[ls + 1]), 3)
                                + min(Int(at[2]), 3) + min(Int(at[2 * ls]), 3)
                            bctx = min((mag + 1) >> 1, 4) + Int(ctxOffset[min(row, 4) * 5 + min(col, 4)])
                        }
                        sink.symbol(min(level, 3), baseCdfs + bctx * 5, 4)
                    }
                    if level > 2 {
                        var mag = Int(at[1]) + Int(at[ls]) + Int(at[ls + 1])
                        mag = min((mag + 1) >> 1, 6)
                        let brCtx = pos == 0 ? mag : ((row < 2 && col < 2) ? mag + 7 : mag + 14)
                        let brCdf = brCdfs + brCtx * 5
                        var rem = level - 3
                        for _ in 0..<4 {
                            let k = min(rem, 3)
                            sink.symbol(k, brCdf, 4)
                            rem -= k
                            if k < 3 { break }
                        }
                    }
                    at[0] = UInt8(level)
                }
            }
            }
        }

        // Signs and Golomb remainders, in scan order.
        var culLevel = 0
        var dcCategory: UInt8 = 0
        scan.withUnsafeBufferPointer { sc in
            for c in 0..<eob {
                let pos = Int(sc[c])
                let q = Int(quant[pos])
                if q == 0 { continue }
                let negative = q < 0
                if c == 0 {
                    let sctx = dcSignContext(ctx, plane: plane, x4: x4, y4: y4, maxX4: maxX4, maxY4: maxY4, log2: log2)
                    sink.symbol(negative ? 1 : 0, cdf.at(cdf.dcSign + (ptype * 3 + sctx) * 3), 2)
                } else {
                    sink.literal(negative ? 1 : 0, 1)
                }
                let a = abs(q)
                if a > 14 {
                    let x = a - 14
                    let length = Int.bitWidth - x.leadingZeroBitCount
                    if length > 1 { sink.literal(0, length - 1) }
                    sink.literal(1, 1)
                    if length > 1 { sink.literal(x & ((1 << (length - 1)) - 1), length - 1) }
                }
                if pos == 0 { dcCategory = negative ? 1 : 2 }
                culLevel += a
            }
        }
        let cul = UInt8(min(63, culLevel))
        for k in 0..<w4 {
            ctx.aboveLevel[plane][x4 + k] = cul; ctx.aboveDc[plane][x4 + k] = dcCategory
            ctx.leftLevel[plane][y4 + k] = cul; ctx.leftDc[plane][y4 + k] = dcCategory
        }
    }
}
