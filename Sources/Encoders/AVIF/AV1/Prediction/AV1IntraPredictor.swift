/// Intra prediction of AV1 spec §7.11.2 for square transform blocks, without the intra edge filter
/// (the sequence header sets enable_intra_edge_filter = 0) and without filter intra.
struct AV1IntraEdges {
    /// AboveRow[-1 ..< 2n] and LeftCol[-1 ..< 2n] stored from index `origin - 1`.
    static let origin = 16
    var above = [Int32](repeating: 0, count: 16 + 160)
    var left = [Int32](repeating: 0, count: 16 + 160)
    var haveAbove = false, haveLeft = false

    /// Builds the edge arrays from reconstructed samples (§7.11.2.1).
    mutating func build(frame: UnsafePointer<UInt8>, stride: Int, x: Int, y: Int, log2: Int,
                        haveLeft: Bool, haveAbove: Bool, haveAboveRight: Bool, haveBelowLeft: Bool,
                        maxX: Int, maxY: Int) {
        let w = 1 << log2, h = w
        let o = AV1IntraEdges.origin
        self.haveAbove = haveAbove
        self.haveLeft = haveLeft
        above.withUnsafeMutableBufferPointer { ab in
        left.withUnsafeMutableBufferPointer { lb in
            let a = ab.baseAddress! + o, l = lb.baseAddress! + o
            if !haveAbove && haveLeft {
                let v = Int32(frame[y * stride + x - 1])
                for i in 0..<(w + h) { a[i] = v }
            } else if !haveAbove && !haveLeft {
                for i in 0..<(w + h) { a[i] = 127 }
            } else {
                let aboveLimit = min(maxX, x + (haveAboveRight ? 2 * w : w) - 1)
                let row = frame + (y - 1) * stride
                for i in 0..<(w + h) { a[i] = Int32(row[min(aboveLimit, x + i)]) }
            }
            if !haveLeft && haveAbove {
                let v = Int32(frame[(y - 1) * stride + x])
                for i in 0..<(w + h) { l[i] = v }
            } else if !haveLeft && !haveAbove {
                for i in 0..<(w + h) { l[i] = 129 }
            } else {
                let leftLimit = min(maxY, y + (haveBelowLeft ? 2 * h : h) - 1)
                for i in 0..<(w + h) { l[i] = Int32(frame[min(leftLimit, y + i) * stride + x - 1]) }
            }
            let corner: Int32
            if haveAbove && haveLeft { corner = Int32(frame[(y - 1) * stride + x - 1]) }
            else if haveAbove { corner = Int32(frame[(y - 1) * stride + x]) }
            else if haveLeft { corner = Int32(frame[y * stride + x - 1]) }
            else { corner = 128 }
            a[-1] = corner
            l[-1] = corner
            // Guard values past the defined range (never selected by conformant geometry, kept deterministic).
            for i in (w + h)..<(160 - 1) { a[i] = a[w + h - 1]; l[i] = l[w + h - 1] }
        }}
    }

    /// Writes the n*n prediction for `mode` into `pred` (§7.11.2.2–§7.11.2.6).
    ///
    /// Each loop is arranged so that the compiler vectorises it: wrapping arithmetic, no branch in the inner
    /// loop (the directional zones are split at the column where the spec's per-pixel test changes value),
    /// and the column-wise zone 3 computed along contiguous left samples, then transposed.
    /// Tests/EncodersTests/AVIFSpeedKernelTests.swift checks every mode and size against the per-pixel form.
    func predict(mode: Int, angleDelta: Int, log2: Int, pred: UnsafeMutablePointer<UInt8>) {
        let w = 1 << log2, h = w
        let o = AV1IntraEdges.origin
        above.withUnsafeBufferPointer { ab in
        left.withUnsafeBufferPointer { lb in
            let a = ab.baseAddress! + o, l = lb.baseAddress! + o
            switch mode {
            case AV1Mode.dc:
                var v: Int32
                if haveAbove && haveLeft {
                    var s: Int32 = 0
                    for k in 0..<w { s &+= a[k] &+ l[k] }
                    v = (s + Int32(w)) / Int32(2 * w)
                } else if haveLeft {
                    var s: Int32 = 0
                    for k in 0..<h { s &+= l[k] }
                    v = (s + Int32(h >> 1)) >> Int32(log2)
                } else if haveAbove {
                    var s: Int32 = 0
                    for k in 0..<w { s &+= a[k] }
                    v = (s + Int32(w >> 1)) >> Int32(log2)
                } else { v = 128 }
                pred.update(repeating: UInt8(truncatingIfNeeded: v), count: w * h)
            case AV1Mode.smooth, AV1Mode.smoothV, AV1Mode.smoothH:
                let wts: [UInt16]
                switch log2 { case 2: wts = smWeightsTx4x4; case 3: wts = smWeightsTx8x8; case 4: wts = smWeightsTx16x16
                              case 5: wts = smWeightsTx32x32; default: wts = smWeightsTx64x64 }
                wts.withUnsafeBufferPointer { wb in
                    let sw = wb.baseAddress!
                    let bl = l[h - 1], tr = a[w - 1]
                    for i in 0..<h {
                        let wy = Int32(sw[i]), li = l[i]
                        let row = pred + i * w
                        if mode == AV1Mode.smooth {
                            let vertical = (256 &- wy) &* bl
                            for j in 0..<w {
                                let wx = Int32(sw[j])
                                let s = wy &* a[j] &+ vertical &+ wx &* li &+ (256 &- wx) &* tr
                                row[j] = UInt8(truncatingIfNeeded: (s &+ 256) &>> 9)
                            }
                        } else if mode == AV1Mode.smoothV {
                            let vertical = (256 &- wy) &* bl &+ 128
                            for j in 0..<w { row[j] = UInt8(truncatingIfNeeded: (wy &* a[j] &+ vertical) &>> 8) }
                        } else {
                            for j in 0..<w {
                                let wx = Int32(sw[j])
                                row[j] = UInt8(truncatingIfNeeded: (wx &* li &+ (256 &- wx) &* tr &+ 128) &>> 8)
                            }
                        }
                    }
                }
            case AV1Mode.paeth:
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
            default:
                let pAngle = Int(modeToAngle[mode]) + angleDelta * 3
                if pAngle == 90 {
                    for j in 0..<w { pred[j] = UInt8(truncatingIfNeeded: a[j]) }
                    for i in 1..<h { (pred + i * w).update(from: pred, count: w) }
                } else if pAngle == 180 {
                    for i in 0..<h { (pred + i * w).update(repeating: UInt8(truncatingIfNeeded: l[i]), count: w) }
                } else if pAngle < 90 {
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
                    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: w * h) { tb in
                        let t = tb.baseAddress!
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
                    }
                } else {
                    let dy = Int(drIntraDerivative[270 - pAngle])
                    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: w * h) { tb in
                        let t = tb.baseAddress!
                        // Column j along the left edge, stored as row j of t.
                        for j in 0..<w {
                            let idx = (j + 1) * dy
                            AV1IntraEdges.interpolate(l + (idx >> 6), Int32((idx >> 1) & 0x1F), t + j * h, h)
                        }
                        for i in 0..<h { for j in 0..<w { pred[i * w + j] = t[j * h + i] } }
                    }
                }
            }
        }}
    }

    /// out[j] = (e[j]·(32 - shift) + e[j+1]·shift + 16) >> 5 for j < count (§7.11.2.4 interpolation).
    @inline(__always)
    static func interpolate(_ e: UnsafePointer<Int32>, _ shift: Int32, _ out: UnsafeMutablePointer<UInt8>, _ count: Int) {
        let inv = 32 &- shift
        for j in 0..<count { out[j] = UInt8(truncatingIfNeeded: (e[j] &* inv &+ e[j + 1] &* shift &+ 16) &>> 5) }
    }
}
