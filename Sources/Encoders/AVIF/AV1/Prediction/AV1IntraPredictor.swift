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

    /// Writes the n*n prediction for `mode` into `pred`.
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
                    for k in 0..<w { s += a[k] + l[k] }
                    v = (s + Int32(w)) / Int32(2 * w)
                } else if haveLeft {
                    var s: Int32 = 0
                    for k in 0..<h { s += l[k] }
                    v = (s + Int32(h >> 1)) >> Int32(log2)
                } else if haveAbove {
                    var s: Int32 = 0
                    for k in 0..<w { s += a[k] }
                    v = (s + Int32(w >> 1)) >> Int32(log2)
                } else { v = 128 }
                let b = UInt8(v)
                for i in 0..<(w * h) { pred[i] = b }
            case AV1Mode.smooth, AV1Mode.smoothV, AV1Mode.smoothH:
                let wts: [UInt16]
                switch log2 { case 2: wts = smWeightsTx4x4; case 3: wts = smWeightsTx8x8; case 4: wts = smWeightsTx16x16
                              case 5: wts = smWeightsTx32x32; default: wts = smWeightsTx64x64 }
                wts.withUnsafeBufferPointer { wb in
                    let sw = wb.baseAddress!
                    let bl = l[h - 1], tr = a[w - 1]
                    for i in 0..<h {
                        for j in 0..<w {
                            let wy = Int32(sw[i]), wx = Int32(sw[j])
                            let v: Int32
                            if mode == AV1Mode.smooth {
                                let s = wy * a[j] + (256 - wy) * bl + wx * l[i] + (256 - wx) * tr
                                v = (s + 256) >> 9
                            } else if mode == AV1Mode.smoothV {
                                v = (wy * a[j] + (256 - wy) * bl + 128) >> 8
                            } else {
                                v = (wx * l[i] + (256 - wx) * tr + 128) >> 8
                            }
                            pred[i * w + j] = UInt8(v)
                        }
                    }
                }
            case AV1Mode.paeth:
                let tl = a[-1]
                for i in 0..<h {
                    for j in 0..<w {
                        let base = a[j] + l[i] - tl
                        let pL = abs(base - l[i]), pT = abs(base - a[j]), pTL = abs(base - tl)
                        let v = (pL <= pT && pL <= pTL) ? l[i] : (pT <= pTL ? a[j] : tl)
                        pred[i * w + j] = UInt8(v)
                    }
                }
            default:
                let pAngle = Int(modeToAngle[mode]) + angleDelta * 3
                if pAngle == 90 {
                    for i in 0..<h { for j in 0..<w { pred[i * w + j] = UInt8(a[j]) } }
                } else if pAngle == 180 {
                    for i in 0..<h { for j in 0..<w { pred[i * w + j] = UInt8(l[i]) } }
                } else if pAngle < 90 {
                    let dx = Int(drIntraDerivative[pAngle])
                    let maxBaseX = w + h - 1
                    for i in 0..<h {
                        let idx = (i + 1) * dx
                        let shift = Int32((idx >> 1) & 0x1F)
                        for j in 0..<w {
                            let base = (idx >> 6) + j
                            if base < maxBaseX {
                                pred[i * w + j] = UInt8((a[base] * (32 - shift) + a[base + 1] * shift + 16) >> 5)
                            } else {
                                pred[i * w + j] = UInt8(a[maxBaseX])
                            }
                        }
                    }
                } else if pAngle < 180 {
                    let dx = Int(drIntraDerivative[180 - pAngle])
                    let dy = Int(drIntraDerivative[pAngle - 90])
                    for i in 0..<h {
                        for j in 0..<w {
                            let idx = (j << 6) - (i + 1) * dx
                            let base = idx >> 6
                            if base >= -1 {
                                let shift = Int32((idx >> 1) & 0x1F)
                                pred[i * w + j] = UInt8((a[base] * (32 - shift) + a[base + 1] * shift + 16) >> 5)
                            } else {
                                let idy = (i << 6) - (j + 1) * dy
                                let baseY = idy >> 6
                                let shift = Int32((idy >> 1) & 0x1F)
                                pred[i * w + j] = UInt8((l[baseY] * (32 - shift) + l[baseY + 1] * shift + 16) >> 5)
                            }
                        }
                    }
                } else {
                    let dy = Int(drIntraDerivative[270 - pAngle])
                    for j in 0..<w {
                        let idx = (j + 1) * dy
                        let shift = Int32((idx >> 1) & 0x1F)
                        for i in 0..<h {
                            let base = (idx >> 6) + i
                            pred[i * w + j] = UInt8((l[base] * (32 - shift) + l[base + 1] * shift + 16) >> 5)
                        }
                    }
                }
            }
        }}
    }
}
