import XCTest
@testable import Decoders

/// The integer IDCTs against a floating-point evaluation of T.81 A.3.3 on random blocks, and the SIMD kernels
/// against the per-sample model of libjpeg-turbo's arithmetic (JPEGIDCTExact) on ordinary and extreme blocks.
final class JPEGIDCTTests: XCTestCase {
    /// Float 8x8 IDCT (T.81 A.3.3) of the coefficients, averaged over (8/n) x (8/n) pixel groups for an n x n
    /// output (what a reduced-size IDCT approximates), then +128 and clamped.
    func reference(_ coef: [Int], n: Int) -> [Double] {
        var full = [Double](repeating: 0, count: 64)
        for y in 0..<8 {
            for x in 0..<8 {
                var sum = 0.0
                for v in 0..<8 {
                    for u in 0..<8 {
                        let cu = u == 0 ? 1 / 2.0.squareRoot() : 1, cv = v == 0 ? 1 / 2.0.squareRoot() : 1
                        sum += cu * cv * Double(coef[v * 8 + u]) * cos(Double(2 * x + 1) * Double(u) * .pi / 16)
                            * cos(Double(2 * y + 1) * Double(v) * .pi / 16)
                    }
                }
                full[y * 8 + x] = sum / 4
            }
        }
        let f = 8 / n
        var out = [Double](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n {
                var s = 0.0
                for yy in 0..<f { for xx in 0..<f { s += full[(y * f + yy) * 8 + x * f + xx] } }
                out[y * n + x] = min(255, max(0, s / Double(f * f) + 128))
            }
        }
        return out
    }

    func randomBlock(_ rng: inout SeededGenerator, nonzero: Int) -> [Int16] {
        var b = [Int16](repeating: 0, count: 64)
        b[0] = Int16(rng.below(1600)) - 800
        for _ in 0..<nonzero {
            let k = 1 + rng.below(63)
            let magnitude = 400 / (1 + jpegNaturalOrder.firstIndex(of: k)! / 4)
            b[k] = Int16(rng.below(2 * magnitude + 1) - magnitude)
        }
        return b
    }

    func run(size: Int, tolerance: Double) {
        var rng = SeededGenerator(seed: 0x1D_C7 + UInt64(size))
        let q = [Int16](repeating: 1, count: 64)
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { out.deallocate() }
        var worst = 0.0
        for trial in 0..<2000 {
            let block = randomBlock(&rng, nonzero: trial % 2 == 0 ? 3 : 20)
            block.withUnsafeBufferPointer { b in
                q.withUnsafeBufferPointer { qp in
                    switch size {
                    case 8: JPEGIDCT.idct8x8(b.baseAddress!, qp.baseAddress!, out, 8)
                    case 4: JPEGIDCT.idct4x4(b.baseAddress!, qp.baseAddress!, out, 4)
                    case 2: JPEGIDCT.idct2x2(b.baseAddress!, qp.baseAddress!, out, 2)
                    default: JPEGIDCT.idct1x1(b.baseAddress!, qp.baseAddress!, out)
                    }
                }
            }
            let ref = reference(block.map { Int($0) }, n: size)
            for i in 0..<(size * size) { worst = max(worst, abs(Double(out[i]) - ref[i])) }
        }
        XCTAssertLessThanOrEqual(worst, tolerance, "\(size)x\(size) IDCT differs from the float reference by \(worst)")
    }

    func testIDCT8x8MatchesFloatReference() { run(size: 8, tolerance: 1.0) }
    func testIDCT4x4MatchesFloatReference() { run(size: 4, tolerance: 1.0) }
    func testIDCT2x2MatchesFloatReference() { run(size: 2, tolerance: 1.0) }
    func testIDCT1x1MatchesFloatReference() { run(size: 1, tolerance: 0.5 + 1e-9) }

    func testDCOnlyBlockIsFlatAndExact() {
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { out.deallocate() }
        var block = [Int16](repeating: 0, count: 64)
        let q = [Int16](repeating: 2, count: 64)
        for dc in stride(from: -600, through: 600, by: 7) {
            block[0] = Int16(dc)
            block.withUnsafeBufferPointer { b in q.withUnsafeBufferPointer { JPEGIDCT.idct8x8(b.baseAddress!, $0.baseAddress!, out, 8) } }
            // DC·q/8 + 128, rounded half up, clamped.
            let expected = UInt8(clamping: Int((Double(dc * 2) / 8 + 128.5).rounded(.down)))
            for i in 0..<64 { XCTAssertEqual(out[i], expected, "dc \(dc)") }
        }
    }

    /// Random blocks of several kinds: small and large coefficients, sparse and dense, 8- and 16-bit quantizers,
    /// rows 1...7 empty (libjpeg-turbo's shortcut), and fully random 16-bit data that saturates the first pass.
    func randomKernelInput(_ rng: inout SeededGenerator, kind: Int, coef: UnsafeMutablePointer<Int16>,
                           q: UnsafeMutablePointer<Int16>) {
        for i in 0..<64 {
            let r = Int(rng.below(1 << 30))
            switch kind {
            case 0: coef[i] = Int16(r % 121 - 60); q[i] = Int16(1 + r % 40)
            case 1: coef[i] = (i == 0 || r % 8 == 0) ? Int16(r % 2048 - 1024) : 0; q[i] = Int16(1 + r % 8)
            case 2: coef[i] = Int16(truncatingIfNeeded: rng.below(1 << 16)); q[i] = Int16(truncatingIfNeeded: rng.below(1 << 16))
            case 3: coef[i] = r % 4 == 0 ? Int16(r % 4095 - 2047) : 0; q[i] = 1
            case 4: coef[i] = i < 8 ? Int16(r % 6001 - 3000) : 0; q[i] = Int16(1 + r % 16)
            case 5: coef[i] = i < 8 ? Int16(truncatingIfNeeded: rng.below(1 << 16)) : 0; q[i] = Int16(truncatingIfNeeded: rng.below(1 << 16))
            default: coef[i] = Int16(r % 801 - 400); q[i] = Int16(1 + r % 100)
            }
        }
    }

    func testKernelsMatchLibjpegTurboArithmetic() {
        var rng = SeededGenerator(seed: 0x5EED_1DC7)
        let coef = UnsafeMutablePointer<Int16>.allocate(capacity: 64), q = UnsafeMutablePointer<Int16>.allocate(capacity: 64)
        let a = UnsafeMutablePointer<UInt8>.allocate(capacity: 64), b = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { coef.deallocate(); q.deallocate(); a.deallocate(); b.deallocate() }
        var mismatches = [0, 0, 0]
        for trial in 0..<60_000 {
            randomKernelInput(&rng, kind: trial % 7, coef: coef, q: q)
            JPEGIDCT.idct8x8(coef, q, a, 8); JPEGIDCTExact.idct8x8(coef, q, b, 8)
            if (0..<64).contains(where: { a[$0] != b[$0] }) { mismatches[0] += 1 }
            JPEGIDCT.idct4x4(coef, q, a, 4); JPEGIDCTExact.idct4x4(coef, q, b, 4)
            if (0..<16).contains(where: { a[$0] != b[$0] }) { mismatches[1] += 1 }
            // The 1x1 has no SIMD kernel: check the range-limit table's wrap-around against its definition.
            JPEGIDCT.idct1x1(coef, q, a)
            let dc = (Int(coef[0]) * Int(q[0]) + 4) >> 3
            let m = dc & 1023
            let expected = m < 128 ? m + 128 : m < 512 ? 255 : m < 896 ? 0 : m - 896
            if Int(a[0]) != expected { mismatches[2] += 1 }
        }
        XCTAssertEqual(mismatches, [0, 0, 0], "8x8, 4x4, 1x1 blocks differing from libjpeg-turbo's arithmetic")
    }
}
