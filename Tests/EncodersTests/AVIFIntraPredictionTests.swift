import XCTest
@testable import Encoders

/// The intra predictor (AV1 spec §7.11.2) against a per-sample form written from the spec text: every mode and angle
/// delta at every transform size (square and rectangular, 4...64), with and without the intra edge filter and edge
/// upsampling (§7.11.2.4 step 4, §7.11.2.7–§7.11.2.12), both filter types, near the frame's right and bottom edges
/// and with every combination of available edges.
final class AVIFIntraPredictionTests: XCTestCase {
    private typealias Rand = AVIFTestRandom

    /// Uniform noise, a smooth ramp with small noise, or the extremes 0/255 (mode 0...2).
    private func pixels(_ rng: inout Rand, _ count: Int, mode: Int) -> [UInt8] {
        (0..<count).map { k in
            switch mode {
            case 0: return rng.byte()
            case 1: return UInt8(clamping: (k % 61) * 3 + Int(rng.byte() & 7))
            default: return rng.next() & 1 == 0 ? 0 : 255
            }
        }
    }

    /// An edge array indexed from -16 (AboveRow or LeftCol).
    private struct Edge {
        var v = [Int](repeating: 0, count: 200)
        subscript(i: Int) -> Int { get { v[i + 16] } set { v[i + 16] = newValue } }
    }

    /// §7.11.2.9, transcribed as the spec's nested conditions.
    private func strength(_ w: Int, _ h: Int, _ filterType: Int, _ delta: Int) -> Int {
        let d = abs(delta), blkWh = w + h
        var s = 0
        if filterType == 0 {
            if blkWh <= 8 { if d >= 56 { s = 1 } }
            else if blkWh <= 12 { if d >= 40 { s = 1 } }
            else if blkWh <= 16 { if d >= 40 { s = 1 } }
            else if blkWh <= 24 { if d >= 8 { s = 1 }; if d >= 16 { s = 2 }; if d >= 32 { s = 3 } }
            else if blkWh <= 32 { s = 1; if d >= 4 { s = 2 }; if d >= 32 { s = 3 } }
            else { s = 3 }
        } else {
            if blkWh <= 8 { if d >= 40 { s = 1 }; if d >= 64 { s = 2 } }
            else if blkWh <= 16 { if d >= 20 { s = 1 }; if d >= 48 { s = 2 } }
            else if blkWh <= 24 { if d >= 4 { s = 3 } }
            else { s = 3 }
        }
        return s
    }

    /// §7.11.2.12 on a copy of `buf`.
    private func filterEdge(_ buf: inout Edge, _ sz: Int, _ strength: Int) {
        if strength == 0 { return }
        let kernel = [[0, 4, 8, 4, 0], [0, 5, 6, 5, 0], [2, 4, 4, 4, 2]]
        let edge = (0..<sz).map { buf[$0 - 1] }
        for i in 1..<sz {
            var s = 0
            for j in 0..<5 { s += kernel[strength - 1][j] * edge[min(max(i - 2 + j, 0), sz - 1)] }
            buf[i - 1] = (s + 8) >> 4
        }
    }

    /// §7.11.2.11.
    private func upsample(_ buf: inout Edge, _ numPx: Int) {
        var dup = [Int](repeating: 0, count: numPx + 3)
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

    /// The directional process of §7.11.2.4 for one block: steps 4 to 11, per sample.
    private func referenceDirectional(_ ed: AV1IntraEdges, pAngle: Int, w: Int, h: Int, filter: Bool, filterType: Int,
                                      maxX: Int, maxY: Int, x: Int, y: Int) -> [Int] {
        var above = Edge(), left = Edge()
        for i in -1..<(w + h) { above[i] = Int(ed.aboveRow[i]); left[i] = Int(ed.leftCol[i]) }
        var upA = 0, upL = 0
        if filter && pAngle != 90 && pAngle != 180 {
            if pAngle > 90 && pAngle < 180 && w + h >= 24 {
                let c = (left[0] * 5 + above[-1] * 6 + above[0] * 5 + 8) >> 4
                above[-1] = c; left[-1] = c
            }
            if ed.haveAbove {
                filterEdge(&above, min(w, maxX - x + 1) + (pAngle < 90 ? h : 0) + 1, strength(w, h, filterType, pAngle - 90))
            }
            if ed.haveLeft {
                filterEdge(&left, min(h, maxY - y + 1) + (pAngle > 180 ? w : 0) + 1, strength(w, h, filterType, pAngle - 180))
            }
            func useUpsample(_ delta: Int) -> Bool {
                let d = abs(delta)
                if d <= 0 || d >= 40 { return false }
                return filterType == 0 ? w + h <= 16 : w + h <= 8
            }
            if useUpsample(pAngle - 90) { upA = 1; upsample(&above, w + (pAngle < 90 ? h : 0)) }
            if useUpsample(pAngle - 180) { upL = 1; upsample(&left, h + (pAngle > 180 ? w : 0)) }
        }
        let dx = pAngle < 90 ? Int(drIntraDerivative[pAngle]) : (pAngle > 90 && pAngle < 180 ? Int(drIntraDerivative[180 - pAngle]) : 0)
        let dy = pAngle > 90 && pAngle < 180 ? Int(drIntraDerivative[pAngle - 90]) : (pAngle > 180 ? Int(drIntraDerivative[270 - pAngle]) : 0)
        var out = [Int](repeating: 0, count: w * h)
        for i in 0..<h {
            for j in 0..<w {
                var v: Int
                if pAngle < 90 {
                    let idx = (i + 1) * dx
                    let base = (idx >> (6 - upA)) + (j << upA)
                    let shift = ((idx << upA) >> 1) & 0x1F
                    let maxBaseX = (w + h - 1) << upA
                    v = base < maxBaseX ? (above[base] * (32 - shift) + above[base + 1] * shift + 16) >> 5 : above[maxBaseX]
                } else if pAngle > 90 && pAngle < 180 {
                    let idx = (j << 6) - (i + 1) * dx
                    let base = idx >> (6 - upA)
                    if base >= -(1 << upA) {
                        let shift = ((idx << upA) >> 1) & 0x1F
                        v = (above[base] * (32 - shift) + above[base + 1] * shift + 16) >> 5
                    } else {
                        let idx2 = (i << 6) - (j + 1) * dy
                        let base2 = idx2 >> (6 - upL)
                        let shift = ((idx2 << upL) >> 1) & 0x1F
                        v = (left[base2] * (32 - shift) + left[base2 + 1] * shift + 16) >> 5
                    }
                } else if pAngle > 180 {
                    let idx = (j + 1) * dy
                    let base = (idx >> (6 - upL)) + (i << upL)
                    let shift = ((idx << upL) >> 1) & 0x1F
                    v = (left[base] * (32 - shift) + left[base + 1] * shift + 16) >> 5
                } else if pAngle == 90 {
                    v = above[j]
                } else {
                    v = left[i]
                }
                out[i * w + j] = v
            }
        }
        return out
    }

    /// DC, smooth and Paeth (§7.11.2.2, §7.11.2.5, §7.11.2.6), per sample.
    private func referenceNonDirectional(_ ed: AV1IntraEdges, mode: Int, log2W: Int, log2H: Int) -> [Int] {
        let w = 1 << log2W, h = 1 << log2H
        let above = { (k: Int) -> Int in Int(ed.aboveRow[k]) }
        let left = { (k: Int) -> Int in Int(ed.leftCol[k]) }
        let tables = [smWeightsTx4x4, smWeightsTx8x8, smWeightsTx16x16, smWeightsTx32x32, smWeightsTx64x64]
        let wx = tables[log2W - 2].map(Int.init), wy = tables[log2H - 2].map(Int.init)
        var out = [Int](repeating: 0, count: w * h)
        for i in 0..<h {
            for j in 0..<w {
                var v: Int
                switch mode {
                case AV1Mode.dc:
                    let sa = (0..<w).reduce(0) { $0 + above($1) }, sl = (0..<h).reduce(0) { $0 + left($1) }
                    if ed.haveAbove && ed.haveLeft { v = (sa + sl + ((w + h) >> 1)) / (w + h) }
                    else if ed.haveLeft { v = (sl + (h >> 1)) >> log2H }
                    else if ed.haveAbove { v = (sa + (w >> 1)) >> log2W }
                    else { v = 128 }
                case AV1Mode.smooth:
                    v = (wy[i] * above(j) + (256 - wy[i]) * left(h - 1) + wx[j] * left(i) + (256 - wx[j]) * above(w - 1) + 256) >> 9
                case AV1Mode.smoothV: v = (wy[i] * above(j) + (256 - wy[i]) * left(h - 1) + 128) >> 8
                case AV1Mode.smoothH: v = (wx[j] * left(i) + (256 - wx[j]) * above(w - 1) + 128) >> 8
                default:
                    let base = above(j) + left(i) - above(-1)
                    let pL = abs(base - left(i)), pT = abs(base - above(j)), pTL = abs(base - above(-1))
                    v = pL <= pT && pL <= pTL ? left(i) : (pT <= pTL ? above(j) : above(-1))
                }
                out[i * w + j] = v
            }
        }
        return out
    }

    func testIntraPredictionMatchesPerSampleDefinition() {
        var rng = Rand(s: 0x1D7A)
        let stride = 240
        let frame = UnsafeMutablePointer<UInt8>.allocate(capacity: stride * stride)
        let got = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
        defer { frame.deallocate(); got.deallocate() }
        let edges = AV1IntraEdges()
        let modes = [AV1Mode.dc, AV1Mode.v, AV1Mode.h, AV1Mode.d45, AV1Mode.d135, AV1Mode.d113, AV1Mode.d157, AV1Mode.d203,
                     AV1Mode.d67, AV1Mode.smooth, AV1Mode.smoothV, AV1Mode.smoothH, AV1Mode.paeth]
        var filtered = 0, upsampled = 0
        for log2W in 2...6 {
            for log2H in 2...6 where abs(log2W - log2H) <= 2 {
                let w = 1 << log2W, h = 1 << log2H
                for trial in 0..<8 {
                    let noise = pixels(&rng, stride * stride, mode: trial % 3)
                    frame.update(from: noise, count: stride * stride)
                    let x = 80, y = 80
                    let haveLeft = trial & 1 == 0 || trial == 7, haveAbove = trial & 2 == 0 || trial == 7
                    // Frame edges close to the block on some trials (the filter's numPx is bounded by them).
                    let maxX = trial % 3 == 1 ? x + w / 2 - 1 : (trial % 5 == 0 ? x + w + 3 : stride - 1)
                    let maxY = trial % 4 == 1 ? y + h / 2 - 1 : (trial % 7 == 0 ? y + h / 2 : stride - 1)
                    edges.build(frame: frame, stride: stride, x: x, y: y, w: w, h: h, haveLeft: haveLeft, haveAbove: haveAbove,
                                haveAboveRight: trial % 3 != 0, haveBelowLeft: trial % 4 != 0, maxX: maxX, maxY: maxY)
                    for filter in [false, true] {
                        for filterType in (filter ? [0, 1] : [0]) {
                            edges.edgeFilter = filter
                            edges.smoothNeighbour = filterType == 1
                            for mode in modes {
                                for delta in (AV1Mode.isDirectional(mode) ? Array(-3...3) : [0]) {
                                    edges.predict(mode: mode, angleDelta: delta, log2W: log2W, log2H: log2H, pred: got)
                                    let want: [Int]
                                    if AV1Mode.isDirectional(mode) {
                                        let pAngle = Int(modeToAngle[mode]) + 3 * delta
                                        want = referenceDirectional(edges, pAngle: pAngle, w: w, h: h, filter: filter,
                                                                    filterType: filterType, maxX: maxX, maxY: maxY, x: x, y: y)
                                        if filter && pAngle != 90 && pAngle != 180 {
                                            filtered += 1
                                            let d = [pAngle - 90, pAngle - 180].map(abs).min()!
                                            if d > 0 && d < 40 && w + h <= (filterType == 0 ? 16 : 8) { upsampled += 1 }
                                        }
                                    } else {
                                        want = referenceNonDirectional(edges, mode: mode, log2W: log2W, log2H: log2H)
                                    }
                                    for k in 0..<(w * h) where Int(got[k]) != want[k] {
                                        XCTFail("\(w)x\(h) trial \(trial) filter \(filter)/\(filterType) mode \(mode) delta \(delta) sample \(k): \(got[k]) != \(want[k])")
                                        break
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(filtered, 1000)
        XCTAssertGreaterThan(upsampled, 100)
    }

    /// The filter changes predictions (it is not a no-op) and leaves the built edges untouched for the next mode.
    func testEdgeFilterChangesDirectionalPredictionsOnly() {
        var rng = Rand(s: 77)
        let stride = 100
        let frame = pixels(&rng, stride * stride, mode: 0)
        let edges = AV1IntraEdges()
        let a = UnsafeMutablePointer<UInt8>.allocate(capacity: 1024), b = UnsafeMutablePointer<UInt8>.allocate(capacity: 1024)
        defer { a.deallocate(); b.deallocate() }
        frame.withUnsafeBufferPointer { fb in
            edges.build(frame: fb.baseAddress!, stride: stride, x: 40, y: 40, w: 16, h: 16, haveLeft: true, haveAbove: true,
                        haveAboveRight: true, haveBelowLeft: true, maxX: 99, maxY: 99)
        }
        let before = (-1..<32).map { edges.aboveRow[$0] } + (-1..<32).map { edges.leftCol[$0] }
        for mode in [AV1Mode.d45, AV1Mode.d135, AV1Mode.d203, AV1Mode.smooth, AV1Mode.dc] {
            edges.edgeFilter = false
            edges.predict(mode: mode, angleDelta: 1, log2: 4, pred: a)
            edges.edgeFilter = true
            edges.predict(mode: mode, angleDelta: 1, log2: 4, pred: b)
            let same = (0..<256).allSatisfy { a[$0] == b[$0] }
            XCTAssertEqual(same, !AV1Mode.isDirectional(mode), "mode \(mode)")
        }
        let after = (-1..<32).map { edges.aboveRow[$0] } + (-1..<32).map { edges.leftCol[$0] }
        XCTAssertEqual(before, after)
    }
}
