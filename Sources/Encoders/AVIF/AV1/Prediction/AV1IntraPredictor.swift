/// Intra prediction of AV1 spec §7.11.2 for one transform block of w×h samples (4…64 each side, square or
/// rectangular), including the intra edge filter and edge upsampling of the directional process (§7.11.2.4 step 4,
/// §7.11.2.7–§7.11.2.12) when the sequence enables them (enable_intra_edge_filter). No filter intra.
///
/// The edges built from the reconstruction (`aboveRow`, `leftCol`) are never changed by a prediction: the edge
/// filter works on copies, so one build serves every mode a search tries.
final class AV1IntraEdges {
    /// Index 0 of AboveRow / LeftCol inside the buffers (upsampling writes down to index -2).
    static let origin = 16
    private static let capacity = origin + 160

    /// AboveRow[-1 ..< w + h] and LeftCol[-1 ..< w + h] of §7.11.2.1 (pointers at index 0; -1 is the corner).
    let aboveRow: UnsafeMutablePointer<Int32>
    let leftCol: UnsafeMutablePointer<Int32>
    private(set) var haveAbove = false, haveLeft = false
    /// enable_intra_edge_filter of the sequence header.
    var edgeFilter = false
    /// filterType of §7.11.2.8: the block above or to the left (of the block, not of the transform block) uses a
    /// smooth mode. Set by the caller for the block and plane being predicted.
    var smoothNeighbour = false
    /// Samples from the transform block's position to the frame's right edge (maxX − x + 1) and bottom edge
    /// (maxY − y + 1): they bound the edge filter's numPx (§7.11.2.4 step 4).
    private(set) var aboveInside = 0, leftInside = 0

    private let filteredAbove: UnsafeMutablePointer<Int32>, filteredLeft: UnsafeMutablePointer<Int32>
    private let edgeCopy: UnsafeMutablePointer<Int32>
    private let transposed: UnsafeMutablePointer<UInt8>

    init() {
        func buffer() -> UnsafeMutablePointer<Int32> {
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: AV1IntraEdges.capacity)
            p.initialize(repeating: 0, count: AV1IntraEdges.capacity)
            return p + AV1IntraEdges.origin
        }
        aboveRow = buffer(); leftCol = buffer(); filteredAbove = buffer(); filteredLeft = buffer(); edgeCopy = buffer()
        transposed = .allocate(capacity: 64 * 64)
    }

    deinit {
        for p in [aboveRow, leftCol, filteredAbove, filteredLeft, edgeCopy] { (p - AV1IntraEdges.origin).deallocate() }
        transposed.deallocate()
    }

    /// Builds the edge arrays of a w×h transform block at (x, y) from reconstructed samples (§7.11.2.1).
    func build(frame: UnsafePointer<UInt8>, stride: Int, x: Int, y: Int, w: Int, h: Int,
               haveLeft: Bool, haveAbove: Bool, haveAboveRight: Bool, haveBelowLeft: Bool, maxX: Int, maxY: Int) {
        let a = aboveRow, l = leftCol
        let n = w + h
        self.haveAbove = haveAbove
        self.haveLeft = haveLeft
        aboveInside = maxX - x + 1
        leftInside = maxY - y + 1
        if !haveAbove && haveLeft {
            a.update(repeating: Int32(frame[y * stride + x - 1]), count: n)
        } else if !haveAbove && !haveLeft {
            a.update(repeating: 127, count: n)
        } else {
            let aboveLimit = min(maxX, x + (haveAboveRight ? 2 * w : w) - 1)
            let row = frame + (y - 1) * stride
            let direct = max(0, min(n, aboveLimit - x + 1))
            for i in 0..<direct { a[i] = Int32(row[x + i]) }
            if direct < n { (a + direct).update(repeating: Int32(row[aboveLimit]), count: n - direct) }
        }
        if !haveLeft && haveAbove {
            l.update(repeating: Int32(frame[(y - 1) * stride + x]), count: n)
        } else if !haveLeft && !haveAbove {
            l.update(repeating: 129, count: n)
        } else {
            let leftLimit = min(maxY, y + (haveBelowLeft ? 2 * h : h) - 1)
            for i in 0..<n { l[i] = Int32(frame[min(leftLimit, y + i) * stride + x - 1]) }
        }
        let corner: Int32
        if haveAbove && haveLeft { corner = Int32(frame[(y - 1) * stride + x - 1]) }
        else if haveAbove { corner = Int32(frame[(y - 1) * stride + x]) }
        else if haveLeft { corner = Int32(frame[y * stride + x - 1]) }
        else { corner = 128 }
        a[-1] = corner
        l[-1] = corner
        // Guard values past the defined range (never selected by conformant geometry, kept deterministic).
        (a + n).update(repeating: a[n - 1], count: 8)
        (l + n).update(repeating: l[n - 1], count: 8)
    }

    /// Square convenience: the n×n prediction, n = 1 << log2.
    func predict(mode: Int, angleDelta: Int, log2: Int, pred: UnsafeMutablePointer<UInt8>) {
        predict(mode: mode, angleDelta: angleDelta, log2W: log2, log2H: log2, pred: pred)
    }

    /// Writes the w×h prediction (rows of w samples) for `mode` into `pred` (§7.11.2.2–§7.11.2.6).
    ///
    /// Each loop is arranged so that the compiler vectorises it: wrapping arithmetic, no branch in the inner
    /// loop (the directional zones are split at the column where the spec's per-pixel test changes value),
    /// and the column-wise zone 3 computed along contiguous left samples, then transposed.
    /// Tests/EncodersTests/AVIFSpeedKernelTests.swift checks every mode and size against the per-pixel form.
    func predict(mode: Int, angleDelta: Int, log2W: Int, log2H: Int, pred: UnsafeMutablePointer<UInt8>) {
        let w = 1 << log2W, h = 1 << log2H
        switch mode {
        case AV1Mode.dc: predictDC(w: w, h: h, log2W: log2W, log2H: log2H, pred: pred)
        case AV1Mode.smooth, AV1Mode.smoothV, AV1Mode.smoothH:
            predictSmooth(mode: mode, w: w, h: h, log2W: log2W, log2H: log2H, pred: pred)
        case AV1Mode.paeth: predictPaeth(w: w, h: h, pred: pred)
        default: predictDirectional(pAngle: Int(modeToAngle[mode]) + angleDelta * 3, w: w, h: h, pred: pred)
        }
    }

    // MARK: - Non-directional modes

    /// §7.11.2.5.
    private func predictDC(w: Int, h: Int, log2W: Int, log2H: Int, pred: UnsafeMutablePointer<UInt8>) {
        let a = aboveRow, l = leftCol
        var v: Int32
        if haveAbove && haveLeft {
            var s: Int32 = 0
            for k in 0..<w { s &+= a[k] }
            for k in 0..<h { s &+= l[k] }
            v = (s + Int32((w + h) >> 1)) / Int32(w + h)
        } else if haveLeft {
            var s: Int32 = 0
            for k in 0..<h { s &+= l[k] }
            v = (s + Int32(h >> 1)) >> Int32(log2H)
        } else if haveAbove {
            var s: Int32 = 0
            for k in 0..<w { s &+= a[k] }
            v = (s + Int32(w >> 1)) >> Int32(log2W)
        } else { v = 128 }
        pred.update(repeating: UInt8(truncatingIfNeeded: v), count: w * h)
    }

    private static func smoothWeights(_ log2: Int) -> [UInt16] {
        switch log2 {
        case 2: return smWeightsTx4x4
        case 3: return smWeightsTx8x8
        case 4: return smWeightsTx16x16
        case 5: return smWeightsTx32x32
        default: return smWeightsTx64x64
        }
    }

    /// §7.11.2.6: weights along rows from log2H, along columns from log2W.
    private func predictSmooth(mode: Int, w: Int, h: Int, log2W: Int, log2H: Int, pred: UnsafeMutablePointer<UInt8>) {
        let a = aboveRow, l = leftCol
        AV1IntraEdges.smoothWeights(log2H).withUnsafeBufferPointer { wyb in
        AV1IntraEdges.smoothWeights(log2W).withUnsafeBufferPointer { wxb in
            let sy = wyb.baseAddress!, sx = wxb.baseAddress!
            let bl = l[h - 1], tr = a[w - 1]
            for i in 0..<h {
                let wy = Int32(sy[i]), li = l[i]
                let row = pred + i * w
                if mode == AV1Mode.smooth {
                    let vertical = (256 &- wy) &* bl
                    for j in 0..<w {
                        let wx = Int32(sx[j])
                        let s = wy &* a[j] &+ vertical &+ wx &* li &+ (256 &- wx) &* tr
                        row[j] = UInt8(truncatingIfNeeded: (s &+ 256) &>> 9)
                    }
                } else if mode == AV1Mode.smoothV {
                    let vertical = (256 &- wy) &* bl &+ 128
                    for j in 0..<w { row[j] = UInt8(truncatingIfNeeded: (wy &* a[j] &+ vertical) &>> 8) }
                } else {
                    for j in 0..<w {
                        let wx = Int32(sx[j])
                        row[j] = UInt8(truncatingIfNeeded: (wx &* li &+ (256 &- wx) &* tr &+ 128) &>> 8)
                    }
                }
            }
        }}
    }

    /// §7.11.2.2.
    private func predictPaeth(w: Int, h: Int, pred: UnsafeMutablePointer<UInt8>) {
        let a = aboveRow, l = leftCol
        let tl = a[-1]
        for i in 0..<h {
            let li = l[i], row = pred + i * w
            let pT = abs(li &- tl)          // |base - above| with base = above + left - topLeft
            for j in 0..<w {
                let aj = a[j]
                let pL = abs(aj &- tl), pTL = abs(aj &+ li &- tl &- tl)
                let v = (pL <= pT && pL <= pTL) ? li : (pT <= pTL ? aj : tl)
                row[j] = UInt8(truncatingIfNeeded: v)
            }
        }
    }

    // MARK: - Directional modes (§7.11.2.4)

    private func predictDirectional(pAngle: Int, w: Int, h: Int, pred: UnsafeMutablePointer<UInt8>) {
        if pAngle == 90 {
            for j in 0..<w { pred[j] = UInt8(truncatingIfNeeded: aboveRow[j]) }
            for i in 1..<h { (pred + i * w).update(from: pred, count: w) }
            return
        }
        if pAngle == 180 {
            for i in 0..<h { (pred + i * w).update(repeating: UInt8(truncatingIfNeeded: leftCol[i]), count: w) }
            return
        }
        var a = aboveRow, l = leftCol
        var upsampleAbove = 0, upsampleLeft = 0
        if edgeFilter {
            (upsampleAbove, upsampleLeft) = filterEdges(pAngle: pAngle, w: w, h: h)
            a = filteredAbove; l = filteredLeft
        }
        if upsampleAbove != 0 || upsampleLeft != 0 {
            predictUpsampled(pAngle: pAngle, w: w, h: h, a: a, l: l, upA: upsampleAbove, upL: upsampleLeft, pred: pred)
            return
        }
        if pAngle < 90 {
            let dx = Int(drIntraDerivative[pAngle])
            let maxBaseX = w + h - 1
            for i in 0..<h {
                let idx = (i + 1) * dx
                let shift = Int32((idx >> 1) & 0x1F)
                let base0 = idx >> 6
                let inside = min(w, max(0, maxBaseX - base0))   // columns with base < maxBaseX
                AV1IntraEdges.interpolate(a + base0, shift, pred + i * w, inside)
                if inside < w { (pred + i * w + inside).update(repeating: UInt8(truncatingIfNeeded: a[maxBaseX]), count: w - inside) }
            }
        } else if pAngle < 180 {
            let dx = Int(drIntraDerivative[180 - pAngle])
            let dy = Int(drIntraDerivative[pAngle - 90])
            // Row i takes columns `first(i)...` from the above row (base = j + floor(-(i+1)·dx / 64) >= -1,
            // one shift per row) and columns before that from the left column, where each column j has
            // one shift and walks down the left edge: those are computed column-wise, then transposed.
            @inline(__always) func first(_ i: Int) -> Int { min(w, max(0, -1 - ((-(i + 1) * dx) >> 6))) }
            let t = transposed
            var i0 = 0
            for j in 0..<first(h - 1) {
                while first(i0) <= j { i0 += 1 }          // first(i) does not decrease with i
                let off = -(j + 1) * dy
                AV1IntraEdges.interpolate(l + i0 + (off >> 6), Int32((off >> 1) & 0x1F), t + j * h + i0, h - i0)
            }
            for i in 0..<h {
                let row = pred + i * w
                let f = first(i)
                for j in 0..<f { row[j] = t[j * h + i] }
                if f < w {
                    let off = -(i + 1) * dx
                    AV1IntraEdges.interpolate(a + (off >> 6) + f, Int32((off >> 1) & 0x1F), row + f, w - f)
                }
            }
        } else {
            let dy = Int(drIntraDerivative[270 - pAngle])
            let t = transposed
            // Column j along the left edge, stored as row j of t.
            for j in 0..<w {
                let idx = (j + 1) * dy
                AV1IntraEdges.interpolate(l + (idx >> 6), Int32((idx >> 1) & 0x1F), t + j * h, h)
            }
            for i in 0..<h { for j in 0..<w { pred[i * w + j] = t[j * h + i] } }
        }
    }

    /// The edge preparation of §7.11.2.4 step 4 on copies of the edges that the angle uses (zone 1 reads only the
    /// above row, zone 3 only the left column): the corner filter (§7.11.2.7), the edge filter with the strength of
    /// §7.11.2.9 (§7.11.2.12), then the upsampling of §7.11.2.10/§7.11.2.11. Returns upsampleAbove/Left.
    private func filterEdges(pAngle: Int, w: Int, h: Int) -> (Int, Int) {
        let fa = filteredAbove, fl = filteredLeft
        let usesAbove = pAngle < 180, usesLeft = pAngle > 90
        let copied = w + h + 8
        if usesAbove { (fa - 1).update(from: aboveRow - 1, count: copied + 1) }
        if usesLeft { (fl - 1).update(from: leftCol - 1, count: copied + 1) }
        if usesAbove && usesLeft && w + h >= 24 {
            let corner = (leftCol[0] * 5 + aboveRow[-1] * 6 + aboveRow[0] * 5 + 8) >> 4
            fa[-1] = corner; fl[-1] = corner
        }
        if usesAbove && haveAbove {
            let strength = AV1IntraEdges.edgeFilterStrength(w: w, h: h, smooth: smoothNeighbour, delta: pAngle - 90)
            filterEdge(fa, count: min(w, aboveInside) + (pAngle < 90 ? h : 0) + 1, strength: strength)
        }
        if usesLeft && haveLeft {
            let strength = AV1IntraEdges.edgeFilterStrength(w: w, h: h, smooth: smoothNeighbour, delta: pAngle - 180)
            filterEdge(fl, count: min(h, leftInside) + (pAngle > 180 ? w : 0) + 1, strength: strength)
        }
        var upA = 0, upL = 0
        if usesAbove && AV1IntraEdges.useUpsample(w: w, h: h, smooth: smoothNeighbour, delta: pAngle - 90) {
            upsampleEdge(fa, count: w + (pAngle < 90 ? h : 0)); upA = 1
        }
        if usesLeft && AV1IntraEdges.useUpsample(w: w, h: h, smooth: smoothNeighbour, delta: pAngle - 180) {
            upsampleEdge(fl, count: h + (pAngle > 180 ? w : 0)); upL = 1
        }
        return (upA, upL)
    }

    /// Intra edge filter strength selection (§7.11.2.9), 0...3.
    static func edgeFilterStrength(w: Int, h: Int, smooth: Bool, delta: Int) -> Int {
        let d = abs(delta), blkWh = w + h
        if !smooth {
            if blkWh <= 8 { return d >= 56 ? 1 : 0 }
            if blkWh <= 16 { return d >= 40 ? 1 : 0 }
            if blkWh <= 24 { return d >= 32 ? 3 : (d >= 16 ? 2 : (d >= 8 ? 1 : 0)) }
            if blkWh <= 32 { return d >= 32 ? 3 : (d >= 4 ? 2 : 1) }
            return 3
        }
        if blkWh <= 8 { return d >= 64 ? 2 : (d >= 40 ? 1 : 0) }
        if blkWh <= 16 { return d >= 48 ? 2 : (d >= 20 ? 1 : 0) }
        if blkWh <= 24 { return d >= 4 ? 3 : 0 }
        return 3
    }

    /// Intra edge upsample selection (§7.11.2.10).
    static func useUpsample(w: Int, h: Int, smooth: Bool, delta: Int) -> Bool {
        let d = abs(delta)
        if d <= 0 || d >= 40 { return false }
        return smooth ? w + h <= 8 : w + h <= 16
    }

    /// Intra_Edge_Kernel (§7.11.2.12), 5 taps per strength 1...3.
    private static let edgeKernel: [[Int32]] = [[0, 4, 8, 4, 0], [0, 5, 6, 5, 0], [2, 4, 4, 4, 2]]

    /// Intra edge filter (§7.11.2.12) over buf[-1 ..< count - 1]: entries 0 ..< count - 1 are replaced by the 5-tap
    /// smoothing of the original values, taps clamped to the count samples.
    private func filterEdge(_ buf: UnsafeMutablePointer<Int32>, count sz: Int, strength: Int) {
        guard strength > 0 else { return }
        let e = edgeCopy
        (e - 1).update(from: buf - 1, count: sz)        // edge[i] = buf[i - 1], i = 0 ..< sz, stored at e[i - 1]
        let k = AV1IntraEdges.edgeKernel[strength - 1]
        let k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4]
        @inline(__always) func edge(_ i: Int) -> Int32 { e[min(max(i, 0), sz - 1) - 1] }
        for i in 1..<sz {
            let s = k0 &* edge(i - 2) &+ k1 &* edge(i - 1) &+ k2 &* edge(i) &+ k3 &* edge(i + 1) &+ k4 &* edge(i + 2)
            buf[i - 1] = (s &+ 8) &>> 4
        }
    }

    /// Intra edge upsample (§7.11.2.11): buf[-1 ..< count] becomes buf[-2 ... 2·count − 2], the original samples at
    /// even indices and a 4-tap half-sample interpolation at odd ones.
    private func upsampleEdge(_ buf: UnsafeMutablePointer<Int32>, count numPx: Int) {
        let dup = edgeCopy - 1                           // dup[0 ... numPx + 2]
        dup[0] = buf[-1]
        for i in -1..<numPx { dup[i + 2] = buf[i] }
        dup[numPx + 2] = buf[numPx - 1]
        buf[-2] = dup[0]
        for i in 0..<numPx {
            let s = -dup[i] + 9 * dup[i + 1] + 9 * dup[i + 2] - dup[i + 3]
            buf[2 * i - 1] = min(max((s + 8) >> 4, 0), 255)
            buf[2 * i] = dup[i + 2]
        }
    }

    /// Directional prediction with an upsampled edge (only transform blocks with w + h ≤ 16), per sample as
    /// §7.11.2.4 steps 7–9 state it.
    private func predictUpsampled(pAngle: Int, w: Int, h: Int, a: UnsafeMutablePointer<Int32>, l: UnsafeMutablePointer<Int32>,
                                  upA: Int, upL: Int, pred: UnsafeMutablePointer<UInt8>) {
        @inline(__always) func blend(_ e: UnsafeMutablePointer<Int32>, _ base: Int, _ shift: Int) -> UInt8 {
            UInt8(truncatingIfNeeded: (e[base] * Int32(32 - shift) + e[base + 1] * Int32(shift) + 16) >> 5)
        }
        if pAngle < 90 {
            let dx = Int(drIntraDerivative[pAngle])
            let maxBaseX = (w + h - 1) << upA
            for i in 0..<h {
                let idx = (i + 1) * dx
                let shift = ((idx << upA) >> 1) & 0x1F
                for j in 0..<w {
                    let base = (idx >> (6 - upA)) + (j << upA)
                    pred[i * w + j] = base < maxBaseX ? blend(a, base, shift) : UInt8(truncatingIfNeeded: a[maxBaseX])
                }
            }
        } else if pAngle < 180 {
            let dx = Int(drIntraDerivative[180 - pAngle])
            let dy = Int(drIntraDerivative[pAngle - 90])
            for i in 0..<h {
                for j in 0..<w {
                    let idx = (j << 6) - (i + 1) * dx
                    let base = idx >> (6 - upA)
                    if base >= -(1 << upA) {
                        pred[i * w + j] = blend(a, base, ((idx << upA) >> 1) & 0x1F)
                    } else {
                        let idxL = (i << 6) - (j + 1) * dy
                        pred[i * w + j] = blend(l, idxL >> (6 - upL), ((idxL << upL) >> 1) & 0x1F)
                    }
                }
            }
        } else {
            let dy = Int(drIntraDerivative[270 - pAngle])
            for j in 0..<w {
                let idx = (j + 1) * dy
                let shift = ((idx << upL) >> 1) & 0x1F
                for i in 0..<h { pred[i * w + j] = blend(l, (idx >> (6 - upL)) + (i << upL), shift) }
            }
        }
    }

    /// out[j] = (e[j]·(32 - shift) + e[j+1]·shift + 16) >> 5 for j < count (§7.11.2.4 interpolation).
    @inline(__always)
    static func interpolate(_ e: UnsafePointer<Int32>, _ shift: Int32, _ out: UnsafeMutablePointer<UInt8>, _ count: Int) {
        let inv = 32 &- shift
        for j in 0..<count { out[j] = UInt8(truncatingIfNeeded: (e[j] &* inv &+ e[j + 1] &* shift &+ 16) &>> 5) }
    }
}
