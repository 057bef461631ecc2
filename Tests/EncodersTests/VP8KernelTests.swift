import XCTest
@testable import Encoders
import TestSupport

/// The SIMD kernels of the VP8 encoder against plain scalar reference versions written straight from RFC 6386
/// (sections 12.3 and 14): same outputs on random and extreme inputs.
final class VP8KernelTests: XCTestCase {
    private typealias Random = TestRandom

    func testSubblockPredictionsMatchReference() {
        var rng = Random(state: 0x9E3779B97F4A7C15)
        var edges = [UInt8](repeating: 0, count: 16), left = [UInt8](repeating: 0, count: 4)
        var ours = [UInt8](repeating: 0, count: 160), reference = [UInt8](repeating: 0, count: 16)
        var single = [UInt8](repeating: 0, count: 16), scratch = [UInt8](repeating: 0, count: VP8Predict.subblockScratchBytes)
        for trial in 0..<2000 {
            for i in 0..<9 { edges[i] = trial % 3 == 0 ? (rng.byte() & 1) * 255 : rng.byte() }
            for i in 0..<4 { left[i] = trial % 3 == 0 ? (rng.byte() & 1) * 255 : rng.byte() }
            edges.withUnsafeBufferPointer { e in left.withUnsafeBufferPointer { l in
            scratch.withUnsafeMutableBufferPointer { s in
                let top = e.baseAddress! + 1
                ours.withUnsafeMutableBufferPointer { VP8Predict.allSubblocks(top: top, left: l.baseAddress!, out: $0.baseAddress!,
                                                                               scratch: s.baseAddress!) }
                for mode in 0..<10 {
                    reference.withUnsafeMutableBufferPointer {
                        ReferencePredict.subblock(mode: mode, top: top, left: l.baseAddress!, out: $0.baseAddress!, stride: 4)
                    }
                    single.withUnsafeMutableBufferPointer {
                        VP8Predict.subblock(mode: mode, top: top, left: l.baseAddress!, out: $0.baseAddress!,
                                            scratch: s.baseAddress!)
                    }
                    XCTAssertEqual(Array(ours[(mode * 16)..<(mode * 16 + 16)]), reference, "mode \(mode)")
                    XCTAssertEqual(single, reference, "single mode \(mode)")
                }
            } } }
        }
    }

    /// The by-lane layout of all ten subblock predictions and the by-lane SATD equal the per-mode kernels.
    func testSubblockPredictionsAndSATDByLane() {
        var rng = Random(state: 0x243F6A8885A308D3)
        var edges = [UInt8](repeating: 0, count: 16), left = [UInt8](repeating: 0, count: 4)
        var source = [UInt8](repeating: 0, count: 64), perMode = [UInt8](repeating: 0, count: 160)
        var lanes = [UInt8](repeating: 0, count: 256)
        var scratch = [UInt8](repeating: 0, count: VP8Predict.subblockScratchBytes)
        for trial in 0..<2000 {
            let extreme = trial % 3 == 0
            for i in 0..<9 { edges[i] = extreme ? (rng.byte() & 1) * 255 : rng.byte() }
            for i in 0..<4 { left[i] = extreme ? (rng.byte() & 1) * 255 : rng.byte() }
            for i in 0..<64 { source[i] = extreme ? (rng.byte() & 1) * 255 : rng.byte() }
            edges.withUnsafeBufferPointer { e in left.withUnsafeBufferPointer { l in
            scratch.withUnsafeMutableBufferPointer { s in source.withUnsafeBufferPointer { src in
                let top = e.baseAddress! + 1
                perMode.withUnsafeMutableBufferPointer {
                    VP8Predict.allSubblocks(top: top, left: l.baseAddress!, out: $0.baseAddress!, scratch: s.baseAddress!)
                }
                lanes.withUnsafeMutableBufferPointer {
                    VP8Predict.allSubblocksByLane(top: top, left: l.baseAddress!, out: $0.baseAddress!,
                                                  scratch: s.baseAddress!)
                }
                var satd = [UInt16](repeating: 0, count: 16)
                lanes.withUnsafeBufferPointer { l in satd.withUnsafeMutableBufferPointer {
                    VP8Distortion.satd4x4ByLane(src.baseAddress!, 16, predictions: l.baseAddress!, out: $0.baseAddress!)
                } }
                for mode in 0..<10 {
                    let byLane = (0..<16).map { lanes[$0 * 16 + mode] }
                    XCTAssertEqual(byLane, Array(perMode[(mode * 16)..<(mode * 16 + 16)]), "mode \(mode)")
                    let expected = perMode.withUnsafeBufferPointer {
                        VP8Distortion.satd4x4(src.baseAddress!, 16, $0.baseAddress! + mode * 16, 4)
                    }
                    XCTAssertEqual(Int32(satd[mode]) >> 1, expected, "SATD of mode \(mode)")
                }
            } } } }
        }
    }

    /// The written-out weight tables equal the formulas they were computed from.
    func testWeightTablesMatchTheirFormulas() {
        let hadamard = VP8Distortion.hadamardWeights
        let rows = [hadamard.0, hadamard.1, hadamard.2, hadamard.3]
        for u in 0..<4 { for v in 0..<4 { XCTAssertEqual(rows[u][v], VP8Distortion.hadamardWeight(u, v), "(\(u), \(v))") } }
        for r in 0..<4 { for c in 0..<4 { XCTAssertEqual(VP8Trellis.weights[r * 4 + c], VP8Trellis.weight(r, c), "(\(r), \(c))") } }
    }

    func testTransformsMatchReference() {
        var rng = Random(state: 12345)
        var source = [UInt8](repeating: 0, count: 64), prediction = [UInt8](repeating: 0, count: 64)
        var ours = [Int32](repeating: 0, count: 16), reference = [Int32](repeating: 0, count: 16)
        var outA = [UInt8](repeating: 0, count: 64), outB = [UInt8](repeating: 0, count: 64)
        for trial in 0..<5000 {
            for i in 0..<64 {
                source[i] = trial % 4 == 0 ? (rng.byte() & 1) * 255 : rng.byte()
                prediction[i] = trial % 4 == 1 ? 255 - source[i] : rng.byte()
            }
            source.withUnsafeBufferPointer { s in prediction.withUnsafeBufferPointer { p in
                ours.withUnsafeMutableBufferPointer {
                    VP8Transform.forwardDCT(source: s.baseAddress!, sourceStride: 16, prediction: p.baseAddress!,
                                            predictionStride: 8, out: $0.baseAddress!)
                }
                reference.withUnsafeMutableBufferPointer {
                    ReferenceTransform.forwardDCT(source: s.baseAddress!, sourceStride: 16, prediction: p.baseAddress!,
                                                  predictionStride: 8, out: $0.baseAddress!)
                }
            } }
            XCTAssertEqual(ours, reference, "forward DCT")
            // Inverse DCT on dequantised-like coefficients (the decoder's exact arithmetic).
            // Up to the kernel's documented input bound, ±8191 (its 16-bit products), extremes included.
            var coefficients = (0..<16).map { _ in Int32(Int64(rng.next() % 16383) - 8191) }
            if trial % 7 == 0 { coefficients = coefficients.map { $0 > 0 ? 8191 : -8191 } }
            if trial % 7 == 1 { coefficients = coefficients.map { $0 > 0 ? 2048 : -2048 } }
            coefficients.withUnsafeBufferPointer { c in prediction.withUnsafeBufferPointer { p in
                outA.withUnsafeMutableBufferPointer {
                    VP8Transform.inverseDCTAdd(c.baseAddress!, prediction: p.baseAddress!, predictionStride: 8,
                                               destination: $0.baseAddress!, destinationStride: 16)
                }
                outB.withUnsafeMutableBufferPointer {
                    ReferenceTransform.inverseDCTAdd(c.baseAddress!, prediction: p.baseAddress!, predictionStride: 8,
                                                     destination: $0.baseAddress!, destinationStride: 16)
                }
            } }
            XCTAssertEqual(outA, outB, "inverse DCT")
            let dcs = (0..<16).map { _ in Int32(Int64(rng.next() % 4081) - 2040) }
            var whtA = [Int32](repeating: 0, count: 16), whtB = whtA
            dcs.withUnsafeBufferPointer { d in
                whtA.withUnsafeMutableBufferPointer { VP8Transform.forwardWHT(d.baseAddress!, out: $0.baseAddress!) }
                whtB.withUnsafeMutableBufferPointer { ReferenceTransform.forwardWHT(d.baseAddress!, out: $0.baseAddress!) }
            }
            XCTAssertEqual(whtA, whtB, "forward WHT")
            let levels = (0..<16).map { _ in Int32(Int64(rng.next() % 32769) - 16384) }
            levels.withUnsafeBufferPointer { d in
                whtA.withUnsafeMutableBufferPointer { VP8Transform.inverseWHT(d.baseAddress!, out: $0.baseAddress!) }
                whtB.withUnsafeMutableBufferPointer { ReferenceTransform.inverseWHT(d.baseAddress!, out: $0.baseAddress!) }
            }
            XCTAssertEqual(whtA, whtB, "inverse WHT")
        }
    }
}

/// Scalar subblock predictors of RFC 6386 section 12.3, one case per mode.
private enum ReferencePredict {
    static let bDC = 0, bTM = 1, bVE = 2, bHE = 3, bLD = 4, bRD = 5, bVR = 6, bVL = 7, bHD = 8, bHU = 9
    static func clamp255(_ v: Int32) -> UInt8 { UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v)) }
    @inline(__always) static func avg3(_ x: UInt8, _ y: UInt8, _ z: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (UInt16(x) + 2 * UInt16(y) + UInt16(z) + 2) >> 2)
    }
    @inline(__always) static func avg2(_ x: UInt8, _ y: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (UInt16(x) + UInt16(y) + 1) >> 1)
    }

    /// 4x4 luma subblock prediction (section 12.3) into `out` with row stride `stride`.
    @inline(__always)
    static func subblock(mode: Int, top a: UnsafePointer<UInt8>, left l: UnsafePointer<UInt8>,
                         out b: UnsafeMutablePointer<UInt8>, stride: Int) {
        @inline(__always) func set(_ r: Int, _ c: Int, _ v: UInt8) { b[r * stride + c] = v }
        let p = a[-1]
        switch mode {
        case bTM:
            for r in 0..<4 {
                for c in 0..<4 { set(r, c, clamp255(Int32(l[r]) + Int32(a[c]) - Int32(p))) }
            }
        case bVE:
            let v0 = avg3(p, a[0], a[1]), v1 = avg3(a[0], a[1], a[2]), v2 = avg3(a[1], a[2], a[3])
            let v3 = avg3(a[2], a[3], a[4])
            for r in 0..<4 { set(r, 0, v0); set(r, 1, v1); set(r, 2, v2); set(r, 3, v3) }
        case bHE:
            let v0 = avg3(p, l[0], l[1]), v1 = avg3(l[0], l[1], l[2]), v2 = avg3(l[1], l[2], l[3])
            let v3 = avg3(l[2], l[3], l[3])
            for c in 0..<4 { set(0, c, v0); set(1, c, v1); set(2, c, v2); set(3, c, v3) }
        case bLD:
            let d0 = avg3(a[0], a[1], a[2]), d1 = avg3(a[1], a[2], a[3]), d2 = avg3(a[2], a[3], a[4])
            let d3 = avg3(a[3], a[4], a[5]), d4 = avg3(a[4], a[5], a[6]), d5 = avg3(a[5], a[6], a[7])
            let d6 = avg3(a[6], a[7], a[7])
            let d = (d0, d1, d2, d3, d4, d5, d6)
            withUnsafeBytes(of: d) { v in for r in 0..<4 { for c in 0..<4 { set(r, c, v[r + c]) } } }
        case bRD:
            // Edge E from bottom-left up to the corner and along the top: L3 L2 L1 L0 P A0 A1 A2 A3.
            let e0 = l[3], e1 = l[2], e2 = l[1], e3 = l[0], e4 = p, e5 = a[0], e6 = a[1], e7 = a[2], e8 = a[3]
            let s1 = avg3(e0, e1, e2), s2 = avg3(e1, e2, e3), s3 = avg3(e2, e3, e4), s4 = avg3(e3, e4, e5)
            let s5 = avg3(e4, e5, e6), s6 = avg3(e5, e6, e7), s7 = avg3(e6, e7, e8)
            let d = (s1, s2, s3, s4, s5, s6, s7)
            // B[r][c] lies on the diagonal r - c; B[3][0] uses s1, B[0][3] uses s7.
            withUnsafeBytes(of: d) { v in for r in 0..<4 { for c in 0..<4 { set(r, c, v[3 - r + c]) } } }
        case bVR:
            let e1 = l[2], e2 = l[1], e3 = l[0], e4 = p, e5 = a[0], e6 = a[1], e7 = a[2], e8 = a[3]
            set(3, 0, avg3(e1, e2, e3))
            set(2, 0, avg3(e2, e3, e4))
            let s4 = avg3(e3, e4, e5); set(3, 1, s4); set(1, 0, s4)
            let h4 = avg2(e4, e5); set(2, 1, h4); set(0, 0, h4)
            let s5 = avg3(e4, e5, e6); set(3, 2, s5); set(1, 1, s5)
            let h5 = avg2(e5, e6); set(2, 2, h5); set(0, 1, h5)
            let s6 = avg3(e5, e6, e7); set(3, 3, s6); set(1, 2, s6)
            let h6 = avg2(e6, e7); set(2, 3, h6); set(0, 2, h6)
            set(1, 3, avg3(e6, e7, e8))
            set(0, 3, avg2(e7, e8))
        case bVL:
            set(0, 0, avg2(a[0], a[1]))
            set(1, 0, avg3(a[0], a[1], a[2]))
            let h1 = avg2(a[1], a[2]); set(2, 0, h1); set(0, 1, h1)
            let s2 = avg3(a[1], a[2], a[3]); set(1, 1, s2); set(3, 0, s2)
            let h2 = avg2(a[2], a[3]); set(2, 1, h2); set(0, 2, h2)
            let s3 = avg3(a[2], a[3], a[4]); set(3, 1, s3); set(1, 2, s3)
            let h3 = avg2(a[3], a[4]); set(2, 2, h3); set(0, 3, h3)
            let s4 = avg3(a[3], a[4], a[5]); set(3, 2, s4); set(1, 3, s4)
            set(2, 3, avg3(a[4], a[5], a[6]))
            set(3, 3, avg3(a[5], a[6], a[7]))
        case bHD:
            let e0 = l[3], e1 = l[2], e2 = l[1], e3 = l[0], e4 = p, e5 = a[0], e6 = a[1], e7 = a[2]
            set(3, 0, avg2(e0, e1))
            set(3, 1, avg3(e0, e1, e2))
            let h1 = avg2(e1, e2); set(2, 0, h1); set(3, 2, h1)
            let s2 = avg3(e1, e2, e3); set(2, 1, s2); set(3, 3, s2)
            let h2 = avg2(e2, e3); set(2, 2, h2); set(1, 0, h2)
            let s3 = avg3(e2, e3, e4); set(2, 3, s3); set(1, 1, s3)
            let h3 = avg2(e3, e4); set(1, 2, h3); set(0, 0, h3)
            let s4 = avg3(e3, e4, e5); set(1, 3, s4); set(0, 1, s4)
            set(0, 2, avg3(e4, e5, e6))
            set(0, 3, avg3(e5, e6, e7))
        case bHU:
            set(0, 0, avg2(l[0], l[1]))
            set(0, 1, avg3(l[0], l[1], l[2]))
            let h1 = avg2(l[1], l[2]); set(0, 2, h1); set(1, 0, h1)
            let s2 = avg3(l[1], l[2], l[3]); set(0, 3, s2); set(1, 1, s2)
            let h2 = avg2(l[2], l[3]); set(1, 2, h2); set(2, 0, h2)
            let s3 = avg3(l[2], l[3], l[3]); set(1, 3, s3); set(2, 1, s3)
            let last = l[3]
            set(2, 2, last); set(2, 3, last); set(3, 0, last); set(3, 1, last); set(3, 2, last); set(3, 3, last)
        default:
            var sum: UInt32 = 4
            for i in 0..<4 { sum += UInt32(a[i]) + UInt32(l[i]) }
            let v = UInt8(truncatingIfNeeded: sum >> 3)
            for r in 0..<4 { for c in 0..<4 { set(r, c, v) } }
        }
    }
}

/// Scalar 4x4 transforms of RFC 6386 section 14 (the inverse ones exactly as the spec's decoder computes).
private enum ReferenceTransform {
    static let cosMinusOne: Int32 = 20091
    static let sine: Int32 = 35468
    static func clamp255(_ v: Int32) -> UInt8 { UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v)) }
    static func halve(_ v: Int32) -> Int32 { v >= 0 ? (v + 1) >> 1 : -((1 - v) >> 1) }


    /// Forward DCT of a 4x4 residual (`source − prediction`, both with row stride `stride`), coefficients in
    /// raster order, scaled like the decoder's input (about twice the orthonormal transform).
    @inline(__always)
    static func forwardDCT(source: UnsafePointer<UInt8>, sourceStride: Int, prediction: UnsafePointer<UInt8>,
                           predictionStride: Int, out: UnsafeMutablePointer<Int32>) {
        var tmp = (Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0),
                   Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0))
        withUnsafeMutableBytes(of: &tmp) { raw in
            let t = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            for row in 0..<4 {
                let s = source + row * sourceStride, p = prediction + row * predictionStride
                let d0 = Int32(s[0]) - Int32(p[0]), d1 = Int32(s[1]) - Int32(p[1])
                let d2 = Int32(s[2]) - Int32(p[2]), d3 = Int32(s[3]) - Int32(p[3])
                let a = (d0 + d3) << 3, b = (d1 + d2) << 3
                let c = (d1 - d2) << 3, d = (d0 - d3) << 3
                t[row * 4 + 0] = a + b
                t[row * 4 + 2] = a - b
                t[row * 4 + 1] = (c * 2217 + d * 5352 + 14500) >> 12
                t[row * 4 + 3] = (d * 2217 - c * 5352 + 7500) >> 12
            }
            for col in 0..<4 {
                let a = t[col] + t[12 + col], b = t[4 + col] + t[8 + col]
                let c = t[4 + col] - t[8 + col], d = t[col] - t[12 + col]
                out[col] = (a + b + 7) >> 4
                out[8 + col] = (a - b + 7) >> 4
                out[4 + col] = ((c * 2217 + d * 5352 + 12000) >> 16) + (d != 0 ? 1 : 0)
                out[12 + col] = (d * 2217 - c * 5352 + 51000) >> 16
            }
        }
    }


    /// Inverse DCT of dequantized coefficients (section 14.4, vertical pass first, then horizontal with
    /// rounding by 8), added to `prediction` and saturated into `destination`.
    @inline(__always)
    static func inverseDCTAdd(_ input: UnsafePointer<Int32>, prediction: UnsafePointer<UInt8>, predictionStride: Int,
                              destination: UnsafeMutablePointer<UInt8>, destinationStride: Int) {
        var tmp = (Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0),
                   Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0))
        withUnsafeMutableBytes(of: &tmp) { raw in
            let t = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            for i in 0..<4 {
                let i0 = input[i], i4 = input[4 + i], i8 = input[8 + i], i12 = input[12 + i]
                let a = i0 + i8, b = i0 - i8
                let c = ((i4 * sine) >> 16) - (i12 + ((i12 * cosMinusOne) >> 16))
                let d = (i4 + ((i4 * cosMinusOne) >> 16)) + ((i12 * sine) >> 16)
                t[i] = a + d
                t[12 + i] = a - d
                t[4 + i] = b + c
                t[8 + i] = b - c
            }
            for r in 0..<4 {
                let i0 = t[r * 4], i1 = t[r * 4 + 1], i2 = t[r * 4 + 2], i3 = t[r * 4 + 3]
                let a = i0 + i2, b = i0 - i2
                let c = ((i1 * sine) >> 16) - (i3 + ((i3 * cosMinusOne) >> 16))
                let d = (i1 + ((i1 * cosMinusOne) >> 16)) + ((i3 * sine) >> 16)
                let p = prediction + r * predictionStride, o = destination + r * destinationStride
                o[0] = clamp255(Int32(p[0]) + ((a + d + 4) >> 3))
                o[3] = clamp255(Int32(p[3]) + ((a - d + 4) >> 3))
                o[1] = clamp255(Int32(p[1]) + ((b + c + 4) >> 3))
                o[2] = clamp255(Int32(p[2]) + ((b - c + 4) >> 3))
            }
        }
    }


    /// Forward Walsh-Hadamard transform of the 16 luma DC values (raster order of the subblocks): the exact
    /// inverse of section 14.3 up to rounding (H·X·H / 2, since the inverse computes H·Y·H / 8 and H·H = 4).
    static func forwardWHT(_ input: UnsafePointer<Int32>, out: UnsafeMutablePointer<Int32>) {
        var tmp = (Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0),
                   Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0))
        withUnsafeMutableBytes(of: &tmp) { raw in
            let t = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            for i in 0..<4 {
                let i0 = input[i * 4], i1 = input[i * 4 + 1], i2 = input[i * 4 + 2], i3 = input[i * 4 + 3]
                let a = i0 + i3, b = i1 + i2, c = i1 - i2, d = i0 - i3
                t[i * 4] = a + b; t[i * 4 + 1] = c + d; t[i * 4 + 2] = a - b; t[i * 4 + 3] = d - c
            }
            for i in 0..<4 {
                let a = t[i] + t[12 + i], b = t[4 + i] + t[8 + i], c = t[4 + i] - t[8 + i], d = t[i] - t[12 + i]
                out[i] = halve(a + b); out[4 + i] = halve(c + d); out[8 + i] = halve(a - b); out[12 + i] = halve(d - c)
            }
        }
    }


    /// Inverse WHT exactly as section 14.3: vertical pass, then horizontal with rounding by 8.
    static func inverseWHT(_ input: UnsafePointer<Int32>, out: UnsafeMutablePointer<Int32>) {
        var tmp = (Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0),
                   Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0))
        withUnsafeMutableBytes(of: &tmp) { raw in
            let t = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            for i in 0..<4 {
                let a = input[i] + input[12 + i], b = input[4 + i] + input[8 + i]
                let c = input[4 + i] - input[8 + i], d = input[i] - input[12 + i]
                t[i] = a + b; t[4 + i] = c + d
                t[8 + i] = a - b; t[12 + i] = d - c
            }
            for i in 0..<4 {
                let a = t[i * 4] + t[i * 4 + 3], b = t[i * 4 + 1] + t[i * 4 + 2]
                let c = t[i * 4 + 1] - t[i * 4 + 2], d = t[i * 4] - t[i * 4 + 3]
                out[i * 4] = (a + b + 3) >> 3; out[i * 4 + 1] = (c + d + 3) >> 3
                out[i * 4 + 2] = (a - b + 3) >> 3; out[i * 4 + 3] = (d - c + 3) >> 3
            }
        }
    }
}
