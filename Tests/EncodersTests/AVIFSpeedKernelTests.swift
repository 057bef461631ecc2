import XCTest
@testable import Encoders

/// The SIMD kernels of the AV1 encoder against their plain scalar definitions (the loops they replaced), on
/// random and extreme inputs: results must be equal bit for bit, since the encoder's output must not change.
final class AVIFSpeedKernelTests: XCTestCase {
    private typealias Rand = AVIFTestRandom

    /// Fills `count` bytes: uniform noise, a smooth ramp with small noise, or the extremes 0/255 (mode 0...2).
    private func pixels(_ rng: inout Rand, _ count: Int, mode: Int) -> [UInt8] {
        (0..<count).map { k in
            switch mode {
            case 0: return rng.byte()
            case 1: return UInt8(clamping: (k % 61) * 3 + Int(rng.byte() & 7))
            default: return rng.next() & 1 == 0 ? 0 : 255
            }
        }
    }

    // MARK: SATD

    private func satdReference(_ src: [UInt8], _ pitch: Int, _ p: [UInt8], _ n: Int) -> Int {
        var total = 0
        var d = [Int32](repeating: 0, count: 16)
        for by in stride(from: 0, to: n, by: 4) {
            for bx in stride(from: 0, to: n, by: 4) {
                for y in 0..<4 { for x in 0..<4 { d[y * 4 + x] = Int32(src[(by + y) * pitch + bx + x]) - Int32(p[(by + y) * n + bx + x]) } }
                for y in 0..<4 {
                    let a0 = d[y * 4] + d[y * 4 + 1], a1 = d[y * 4] - d[y * 4 + 1]
                    let a2 = d[y * 4 + 2] + d[y * 4 + 3], a3 = d[y * 4 + 2] - d[y * 4 + 3]
                    d[y * 4] = a0 + a2; d[y * 4 + 1] = a1 + a3; d[y * 4 + 2] = a0 - a2; d[y * 4 + 3] = a1 - a3
                }
                for x in 0..<4 {
                    let a0 = d[x] + d[4 + x], a1 = d[x] - d[4 + x]
                    let a2 = d[8 + x] + d[12 + x], a3 = d[8 + x] - d[12 + x]
                    total += Int(abs(a0 + a2) + abs(a1 + a3) + abs(a0 - a2) + abs(a1 - a3))
                }
            }
        }
        return total / 2
    }

    func testSatdMatchesScalarDefinition() {
        var rng = Rand(s: 0x5A7D)
        for n in [4, 8, 16, 32, 64] {
            for trial in 0..<40 {
                let stride = n + rng.int(0...9)
                let src = pixels(&rng, stride * n, mode: trial % 3)
                let pred = pixels(&rng, n * n, mode: (trial / 3) % 3)
                let got = src.withUnsafeBufferPointer { s in pred.withUnsafeBufferPointer { p in
                    AV1Distortion.satd(s.baseAddress!, stride, p.baseAddress!, n) } }
                XCTAssertEqual(got, satdReference(src, stride, pred, n), "n \(n) trial \(trial)")
            }
            // Worst case for the 16-bit lanes: +255 against 0 everywhere, and the opposite sign.
            let hi = [UInt8](repeating: 255, count: n * n), lo = [UInt8](repeating: 0, count: n * n)
            for (a, b) in [(hi, lo), (lo, hi)] {
                let got = a.withUnsafeBufferPointer { s in b.withUnsafeBufferPointer { p in
                    AV1Distortion.satd(s.baseAddress!, n, p.baseAddress!, n) } }
                XCTAssertEqual(got, satdReference(a, n, b, n))
            }
        }
    }

    // MARK: Forward transform

    /// The scalar loops forward2D had before it was written with SIMD vectors.
    private func forwardReference(_ residual: [Int32], log2: Int, txType: Int) -> [Float] {
        let n = 1 << log2, tw = min(32, n)
        let (colKind, rowKind) = AV1InverseTransform.kinds(txType)
        let gain = Float(1 << (Int(transformRowShift[log2 - 2]) + 4))
        let frT = AV1ForwardTransform.transposed[AV1ForwardTransform.kindIndex(rowKind) * 5 + log2 - 2]
        let fc = AV1ForwardTransform.matrices[AV1ForwardTransform.kindIndex(colKind) * 5 + log2 - 2]
        var scratch = [Float](repeating: 0, count: n * tw), out = [Float](repeating: 0, count: tw * tw)
        for i in 0..<n {
            for j in 0..<n {
                let r = Float(residual[i * n + j])
                if r == 0 { continue }
                for k in 0..<tw { scratch[i * tw + k] += r * frT[j * n + k] }
            }
        }
        for k1 in 0..<tw {
            for i in 0..<n {
                let cv = fc[k1 * n + i] * gain
                if cv == 0 { continue }
                for k2 in 0..<tw { out[k1 * tw + k2] += cv * scratch[i * tw + k2] }
            }
        }
        return out
    }

    /// The transform types the encoder uses at each size (reduced_tx_set; identity up to 32x32).
    private func transformTypes(_ log2: Int) -> [Int] {
        log2 <= 4 ? [AV1Tx.dctDct, AV1Tx.adstAdst, AV1Tx.adstDct, AV1Tx.dctAdst, AV1Tx.idtx]
                  : (log2 == 5 ? [AV1Tx.dctDct, AV1Tx.idtx] : [AV1Tx.dctDct])
    }

    func testForwardTransformMatchesScalarLoops() {
        var rng = Rand(s: 0xF0F0)
        let out = UnsafeMutablePointer<Float>.allocate(capacity: 4096), scratch = UnsafeMutablePointer<Float>.allocate(capacity: 4096)
        defer { out.deallocate(); scratch.deallocate() }
        for log2 in 2...6 {
            let n = 1 << log2, tw = min(32, n)
            for txType in transformTypes(log2) {
                for trial in 0..<6 {
                    // Sparse and dense residuals, including the extremes ±255.
                    let residual: [Int32] = (0..<(n * n)).map { _ in
                        trial % 2 == 0 ? Int32(rng.int(-255...255)) : (rng.int(0...5) == 0 ? (rng.next() & 1 == 0 ? 255 : -255) : 0)
                    }
                    residual.withUnsafeBufferPointer {
                        AV1ForwardTransform.forward2D($0.baseAddress!, log2: log2, txType: txType, out: out, scratch: scratch)
                    }
                    let want = forwardReference(residual, log2: log2, txType: txType)
                    for k in 0..<(tw * tw) where out[k] != want[k] {
                        XCTFail("log2 \(log2) type \(txType) trial \(trial) k \(k): \(out[k]) != \(want[k])"); break
                    }
                }
            }
        }
    }

    func testForwardCacheEqualsFreshTransform() {
        var rng = Rand(s: 0xCAC4E)
        let cache = AV1ForwardCache()
        let resid = UnsafeMutablePointer<Int32>.allocate(capacity: 4096), scratch = UnsafeMutablePointer<Float>.allocate(capacity: 4096)
        let got = UnsafeMutablePointer<Float>.allocate(capacity: 1024), want = UnsafeMutablePointer<Float>.allocate(capacity: 1024)
        defer { resid.deallocate(); scratch.deallocate(); got.deallocate(); want.deallocate() }
        let src = pixels(&rng, 80 * 80, mode: 0)
        var pred = pixels(&rng, 4096, mode: 1)
        // Same and changed predictions, positions and sizes, in an order that exercises hits and misses.
        for step in 0..<60 {
            let log2 = 2 + step % 3, n = 1 << log2
            if step % 7 == 3 { pred[rng.int(0...(n * n - 1))] ^= 1 }
            let x = step % 5 == 0 ? 4 : 0
            let txType = [AV1Tx.dctDct, AV1Tx.adstAdst, AV1Tx.adstDct, AV1Tx.dctAdst, AV1Tx.idtx][step % 5]
            src.withUnsafeBufferPointer { s in pred.withUnsafeBufferPointer { p in
                cache.forward(plane: 0, x: x, y: 0, log2: log2, txType: txType, src: s.baseAddress! + x, stride: 80,
                              pred: p.baseAddress!, resid: resid, out: got)
                AV1PixelKernels.residual(s.baseAddress! + x, 80, p.baseAddress!, n, into: resid)
            } }
            AV1ForwardTransform.forward2D(resid, log2: log2, txType: txType, out: want, scratch: scratch)
            for k in 0..<(n * n) where got[k].bitPattern != want[k].bitPattern {
                XCTFail("step \(step) k \(k)"); break
            }
        }
    }

    /// §7.13.3 2D inverse transform written directly: rows (first 32), clamp to 16 bits, columns; DCTs through the
    /// unprogrammed butterfly list `AV1InverseTransform.dct`.
    private func inverseReference(_ dq: [Int32], log2: Int, txType: Int) -> [Int32] {
        let n = 1 << log2, tw = min(32, n)
        let (colKind, rowKind) = AV1InverseTransform.kinds(txType)
        let rowShift = Int(transformRowShift[log2 - 2])
        var m = [Int](repeating: 0, count: n * n)
        var t = [Int](repeating: 0, count: 64)
        func run(_ kind: AV1InverseTransform.Kind) {
            t.withUnsafeMutableBufferPointer { kind == .dct ? AV1InverseTransform.dct($0.baseAddress!, log2, 16)
                                                             : AV1InverseTransform.run1D(kind, $0.baseAddress!, log2, 16) }
        }
        for i in 0..<min(n, 32) {
            for j in 0..<n { t[j] = j < 32 ? Int(dq[i * tw + j]) : 0 }
            if t.allSatisfy({ $0 == 0 }) && rowKind != .identity { continue }
            run(rowKind)
            for j in 0..<n { m[i * n + j] = min(max(AV1InverseTransform.round2(t[j], rowShift), -32768), 32767) }
        }
        for j in 0..<n {
            for i in 0..<n { t[i] = m[i * n + j] }
            run(colKind)
            for i in 0..<n { m[i * n + j] = AV1InverseTransform.round2(t[i], 4) }
        }
        return m.map { Int32($0) }
    }

    func testInverseTransformMatchesDirectForm() {
        var rng = Rand(s: 0x1D1D)
        let out = UnsafeMutablePointer<Int32>.allocate(capacity: 4096)
        defer { out.deallocate() }
        for log2 in 2...6 {
            let n = 1 << log2, tw = min(32, n)
            for txType in transformTypes(log2) {
                for trial in 0..<10 {
                    // DC only, first row only (equal columns after the row pass), sparse low frequencies, dense,
                    // and the 16-bit extremes (every intermediate at its largest: the lanes must not overflow).
                    let dq: [Int32] = (0..<(tw * tw)).map { k in
                        switch trial {
                        case 0, 4: return k == 0 ? Int32(rng.int(-20000...20000)) : 0
                        case 1, 5: return k < tw && rng.int(0...1) == 0 ? Int32(rng.int(-3000...3000)) : 0
                        case 2, 6: return (k / tw < 4 && k % tw < 4) ? Int32(rng.int(-4000...4000)) : 0
                        case 8: return rng.int(0...1) == 0 ? 32767 : -32768
                        case 9: return k % 3 == 0 ? 32767 : (k % 3 == 1 ? -32768 : Int32(rng.int(-32768...32767)))
                        default: return Int32(rng.int(-600...600))
                        }
                    }
                    dq.withUnsafeBufferPointer { AV1InverseTransform.inverse2D($0.baseAddress!, log2: log2, txType: txType, residual: out) }
                    let want = inverseReference(dq, log2: log2, txType: txType)
                    for k in 0..<(n * n) where out[k] != want[k] {
                        XCTFail("log2 \(log2) type \(txType) trial \(trial) k \(k)"); break
                    }
                }
            }
        }
    }

    // MARK: Quantisation, residual, reconstruction

    private func randomCoefficients(_ rng: inout Rand, _ count: Int) -> [Float] {
        (0..<count).map { k in
            switch rng.int(0...4) {
            case 0: return 0
            case 1: return -0.0
            case 2: return Float(rng.int(-40000...40000)) / 7
            case 3: return Float(rng.int(-300...300))       // exact multiples hit the rounding edges
            default: return Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x4FFF_FFFF) * (k & 1 == 0 ? 1 : -1)
            }
        }
    }

    func testQuantizeMatchesScalarDefinition() {
        var rng = Rand(s: 0x9E37)
        let levels = UnsafeMutablePointer<Int32>.allocate(capacity: 1024), temp = UnsafeMutablePointer<Float>.allocate(capacity: 1024)
        defer { levels.deallocate(); temp.deallocate() }
        for count in [16, 64, 256, 1024] {
            for trial in 0..<20 {
                let coef = randomCoefficients(&rng, count)
                let dcQ = Float(rng.int(4...1336)), acQ = Float(rng.int(4...1828)), denom = Float(1 << rng.int(0...2))
                let acR: Float = trial % 2 == 0 ? 0.30 : 0.5
                // AV1Quantizer's dead-zone definition (levels, weighted distortion in index order, any non-zero).
                let invDc = denom / dcQ, invAc = denom / acQ, wDc = dcQ * dcQ / 64, wAc = acQ * acQ / 64
                let cap = Float((1 << 20) - 1)
                let (dist, any) = coef.withUnsafeBufferPointer {
                    AV1PixelKernels.quantizeWeighted($0.baseAddress!, count: count, dcInv: invDc, acInv: invAc, dcRounding: 0.45,
                                                     acRounding: acR, dcWeight: wDc, acWeight: wAc, cap: cap,
                                                     levels: levels, temp: temp)
                }
                var distRef: Float = 0
                var anyRef = false
                for k in 0..<count {
                    let u = abs(coef[k]) * (k == 0 ? invDc : invAc)
                    let l = min(u + (k == 0 ? 0.45 : acR), cap).rounded(.down)
                    XCTAssertEqual(levels[k], coef[k] < 0 ? -Int32(l) : Int32(l), "count \(count) k \(k) v \(coef[k])")
                    if l != 0 { anyRef = true }
                    let e = u - l
                    distRef += e * e * (k == 0 ? wDc : wAc)
                }
                XCTAssertEqual(any, anyRef)
                XCTAssertEqual(dist.bitPattern, distRef.bitPattern)
            }
        }
    }

    func testFloorNonNegativeIsExact() {
        var rng = Rand(s: 77)
        var values: [Float] = [0, 0.5, 1, 1.5, 2.5, 3.4999998, 4_194_303.5, 4_194_303, 1_048_576, 1_048_576.5]
        for _ in 0..<20000 { values.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) % 0x4A80_0000)) }
        for chunk in stride(from: 0, to: values.count - 7, by: 8) {
            let v = SIMD8<Float>(values[chunk..<(chunk + 8)])
            let (f, i) = AV1PixelKernels.floorNonNegative(v)
            for k in 0..<8 {
                XCTAssertEqual(f[k], v[k].rounded(.down), "\(v[k])")
                XCTAssertEqual(i[k], Int32(v[k].rounded(.down)), "\(v[k])")
            }
        }
    }

    func testResidualAndReconstructMatchScalarLoops() {
        var rng = Rand(s: 31337)
        let resid = UnsafeMutablePointer<Int32>.allocate(capacity: 4096), dst = UnsafeMutablePointer<UInt8>.allocate(capacity: 80 * 64)
        defer { resid.deallocate(); dst.deallocate() }
        for n in [4, 8, 16, 32, 64] {
            for trial in 0..<6 {
                let stride = n + rng.int(0...16)
                let src = pixels(&rng, stride * n, mode: trial % 3), pred = pixels(&rng, n * n, mode: (trial + 1) % 3)
                src.withUnsafeBufferPointer { s in pred.withUnsafeBufferPointer { p in
                    AV1PixelKernels.residual(s.baseAddress!, stride, p.baseAddress!, n, into: resid) } }
                for i in 0..<n { for j in 0..<n {
                    XCTAssertEqual(resid[i * n + j], Int32(src[i * stride + j]) - Int32(pred[i * n + j]))
                } }
                // A residual that overshoots both ends, then none at all.
                let added: [Int32] = (0..<(n * n)).map { _ in Int32(rng.int(-400...400)) }
                for withResidual in [true, false] {
                    let sse = src.withUnsafeBufferPointer { s in pred.withUnsafeBufferPointer { p in added.withUnsafeBufferPointer { a in
                        AV1PixelKernels.reconstruct(pred: p.baseAddress!, resid: withResidual ? a.baseAddress! : nil, n,
                                                    dst: dst, stride, src: s.baseAddress!, stride) } } }
                    var want = 0
                    for i in 0..<n { for j in 0..<n {
                        let v = withResidual ? min(max(Int32(pred[i * n + j]) + added[i * n + j], 0), 255) : Int32(pred[i * n + j])
                        XCTAssertEqual(dst[i * stride + j], UInt8(v))
                        want += (Int(v) - Int(src[i * stride + j])) * (Int(v) - Int(src[i * stride + j]))
                    } }
                    XCTAssertEqual(sse, want)
                }
            }
        }
    }

    // MARK: CDEF rows

    /// The per-sample CDEF filter of §7.15.3 with the constrain tables (all taps available), at (x, y) of a plane.
    private func cdefReference(_ plane: [UInt8], _ pitch: Int, x: Int, y: Int, offsets o: [Int], pri: Int, sec: Int,
                               table: UnsafeMutablePointer<Int16>) -> Int32 {
        let c = Int32(plane[y * pitch + x])
        let t = (0..<12).map { n in Int32(plane[(y + o[2 * n]) * pitch + x + o[2 * n + 1]]) }
        let mn = min(c, t.min()!), mx = max(c, t.max()!)
        func con(_ s: Int, _ v: Int32) -> Int32 { Int32(table[s * 511 + 255 + Int(v - c)]) }
        let (a0, a1): (Int32, Int32) = (pri & 1) == 0 ? (4, 2) : (3, 3)
        var sum = a0 * (con(pri, t[0]) + con(pri, t[1])) + a1 * (con(pri, t[2]) + con(pri, t[3]))
        for b in [4, 8] { sum += 2 * (con(sec, t[b]) + con(sec, t[b + 1])) + con(sec, t[b + 2]) + con(sec, t[b + 3]) }
        return min(max(c + ((8 + sum - (sum < 0 ? 1 : 0)) >> 4), mn), mx)
    }

    func testCdefRowsMatchPerSampleFilter() {
        var rng = Rand(s: 0xCDEF)
        let pitch = 20
        for damping in 2...6 {
            let tables = AV1Cdef.ConstrainTables(damping: damping)
            for trial in 0..<12 {
                let plane = pixels(&rng, pitch * pitch, mode: trial % 3)
                let source = pixels(&rng, pitch * pitch, mode: (trial + 1) % 3)
                for dir in 0..<8 {
                    var o = [Int](repeating: 0, count: 24)
                    o.withUnsafeMutableBufferPointer { AV1Cdef.tapOffsets(dir: dir, into: $0.baseAddress!) }
                    for width in [4, 8] {
                        let rows = width
                        let (x0, y0) = (6, 5)
                        // Filter: every strength pair.
                        for pri in 0..<16 {
                            for sec in [0, 1, 2, 4] {
                                var out = plane
                                var src = plane
                                src.withUnsafeMutableBufferPointer { s in out.withUnsafeMutableBufferPointer { d in o.withUnsafeBufferPointer { ob in
                                    if width == 8 {
                                        AV1CdefRows.filter(SIMD8<Int32>.self, src: s.baseAddress!, dst: d.baseAddress!, stride: pitch, x0: x0,
                                                           y0: y0, rows: rows, offsets: ob.baseAddress!, pri: pri, sec: sec, damping: damping)
                                    } else {
                                        AV1CdefRows.filter(SIMD4<Int32>.self, src: s.baseAddress!, dst: d.baseAddress!, stride: pitch, x0: x0,
                                                           y0: y0, rows: rows, offsets: ob.baseAddress!, pri: pri, sec: sec, damping: damping)
                                    }
                                }}}
                                for i in 0..<rows {
                                    for j in 0..<width {
                                        let want = cdefReference(plane, pitch, x: x0 + j, y: y0 + i, offsets: o, pri: pri, sec: sec, table: tables.y)
                                        XCTAssertEqual(Int32(out[(y0 + i) * pitch + x0 + j]), want,
                                                       "damping \(damping) dir \(dir) w \(width) pri \(pri) sec \(sec)")
                                    }
                                }
                            }
                        }
                        // Search: the squared errors of a candidate list, every row and every other row.
                        var cand = [AV1CdefStrength(pri: 0, sec: 0)]
                        for p in [1, 4, 7, 13] { for sec in [0, 1, 2, 4] { cand.append(AV1CdefStrength(pri: p, sec: sec)) } }
                        let adjusted = cand.map { $0.pri == 13 ? 0 : $0.pri }   // an adjusted primary can be 0
                        for rowStep in [1, 2] {
                            var local = [Int32](repeating: 0, count: cand.count)
                            plane.withUnsafeBufferPointer { r in source.withUnsafeBufferPointer { s in o.withUnsafeBufferPointer { ob in
                                local.withUnsafeMutableBufferPointer { l in
                                    if width == 8 {
                                        AV1CdefRows.accumulate(SIMD8<Int32>.self, rec: r.baseAddress!, recStride: pitch, source: s.baseAddress!,
                                                               sourceStride: pitch, x0: x0, y0: y0, rows: rows, rowStep: rowStep,
                                                               offsets: ob.baseAddress!, cand: cand, adjustedPri: adjusted, damping: damping,
                                                               local: l.baseAddress!)
                                    } else {
                                        AV1CdefRows.accumulate(SIMD4<Int32>.self, rec: r.baseAddress!, recStride: pitch, source: s.baseAddress!,
                                                               sourceStride: pitch, x0: x0, y0: y0, rows: rows, rowStep: rowStep,
                                                               offsets: ob.baseAddress!, cand: cand, adjustedPri: adjusted, damping: damping,
                                                               local: l.baseAddress!)
                                    }
                                }
                            }}}
                            for k in cand.indices {
                                var want: Int32 = 0
                                for i in stride(from: 0, to: rows, by: rowStep) {
                                    for j in 0..<width {
                                        let v = k == 0 ? Int32(plane[(y0 + i) * pitch + x0 + j])
                                            : cdefReference(plane, pitch, x: x0 + j, y: y0 + i, offsets: o, pri: adjusted[k],
                                                            sec: cand[k].sec, table: tables.y)
                                        let e = v - Int32(source[(y0 + i) * pitch + x0 + j])
                                        want += e * e
                                    }
                                }
                                XCTAssertEqual(local[k], want, "search damping \(damping) dir \(dir) w \(width) k \(k) step \(rowStep)")
                            }
                        }
                    }
                }
            }
        }
    }
}
