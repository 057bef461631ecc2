import XCTest
@testable import Decoders
@testable import Raster

/// The vector kernels of the WebP decoder against their plain references on random data: the loop filter
/// (`VP8LoopFilter` vs `VP8LoopFilterReference`), the fancy upsampler and the YUV → RGB row conversion (vs the
/// per-pixel formula of `WebPFancyUpsampler.yuvToRGB`).
final class WebPKernelTests: XCTestCase {
    func testLoopFilterMatchesReference() {
        var rng = SeededGenerator(seed: 0x5EED)
        let mbw = 3, mbh = 3, ys = 16 * mbw, cs = 8 * mbw
        for trial in 0..<400 {
            // Smooth-ish planes with noise so that every filter branch is taken.
            let base = rng.below(200), spread = 1 + rng.below(trial % 3 == 0 ? 255 : 24)
            var y = (0..<(ys * 16 * mbh)).map { _ in UInt8(min(255, base + rng.below(spread))) }
            var u = (0..<(cs * 8 * mbh)).map { _ in UInt8(min(255, base + rng.below(spread))) }
            var v = u.map { $0 ^ UInt8(rng.below(4)) }
            var (y2, u2, v2) = (y, u, v)
            var s = VP8FilterStrength()
            let level = 1 + rng.below(63), interior = 1 + rng.below(9)
            s.limit = Int32(2 * level + interior); s.interiorLimit = Int32(interior)
            s.hevThreshold = Int32(rng.below(3)); s.inner = rng.below(2) == 1
            let simple = rng.below(4) == 0
            let mbX = 1 + rng.below(2), mbY = 1 + rng.below(2)
            y.withUnsafeMutableBufferPointer { yp in u.withUnsafeMutableBufferPointer { up in v.withUnsafeMutableBufferPointer { vp in
                VP8LoopFilter.filterMacroblock(simple: simple, s, y: yp.baseAddress! + 16 * mbY * ys + 16 * mbX, yStride: ys,
                                               u: up.baseAddress! + 8 * mbY * cs + 8 * mbX, v: vp.baseAddress! + 8 * mbY * cs + 8 * mbX,
                                               uvStride: cs, left: true, top: true)
            } } }
            y2.withUnsafeMutableBufferPointer { yp in u2.withUnsafeMutableBufferPointer { up in v2.withUnsafeMutableBufferPointer { vp in
                VP8LoopFilterReference.filterMacroblock(simple: simple, s, y: yp.baseAddress! + 16 * mbY * ys + 16 * mbX, yStride: ys,
                                                        u: up.baseAddress! + 8 * mbY * cs + 8 * mbX, v: vp.baseAddress! + 8 * mbY * cs + 8 * mbX,
                                                        uvStride: cs, left: true, top: true)
            } } }
            XCTAssertEqual(y, y2, "luma, trial \(trial)")
            XCTAssertEqual(u, u2, "U, trial \(trial)")
            XCTAssertEqual(v, v2, "V, trial \(trial)")
            if y != y2 || u != u2 || v != v2 { return }
        }
    }

    /// libwebp's interpolation written out per output pixel (see WebPFancyUpsampler).
    func referenceUpsample(top: [UInt8], current: [UInt8], width: Int) -> ([UInt8], [UInt8]) {
        var t = [UInt8](repeating: 0, count: width), b = t
        func px(_ a: [UInt8], _ i: Int) -> Int { Int(a[i]) }
        t[0] = UInt8((3 * px(top, 0) + px(current, 0) + 2) >> 2)
        b[0] = UInt8((3 * px(current, 0) + px(top, 0) + 2) >> 2)
        let last = (width - 1) >> 1
        if last >= 1 {
            for j in 1...last {
                let tl = px(top, j - 1), tt = px(top, j), l = px(current, j - 1), c = px(current, j)
                let sum = tl + tt + l + c + 8
                let d12 = (sum + 2 * (tt + l)) >> 3, d03 = (sum + 2 * (tl + c)) >> 3
                t[2 * j - 1] = UInt8((d12 + tl) >> 1); t[2 * j] = UInt8((d03 + tt) >> 1)
                b[2 * j - 1] = UInt8((d03 + l) >> 1); b[2 * j] = UInt8((d12 + c) >> 1)
            }
        }
        if width % 2 == 0 {
            t[width - 1] = UInt8((3 * px(top, last) + px(current, last) + 2) >> 2)
            b[width - 1] = UInt8((3 * px(current, last) + px(top, last) + 2) >> 2)
        }
        return (t, b)
    }

    func testUpsamplerAndConversionMatchReference() {
        var rng = SeededGenerator(seed: 0xC0FFEE)
        for width in [1, 2, 3, 15, 16, 17, 31, 32, 33, 34, 64, 100, 257] {
            let cw = (width + 1) / 2
            let top = (0..<cw).map { _ in UInt8(rng.below(256)) }, current = (0..<cw).map { _ in UInt8(rng.below(256)) }
            var t = [UInt8](repeating: 0, count: width), b = t
            top.withUnsafeBufferPointer { tp in current.withUnsafeBufferPointer { cp in
                t.withUnsafeMutableBufferPointer { to in b.withUnsafeMutableBufferPointer { bo in
                    WebPFancyUpsampler.upsampleRows(top: tp.baseAddress!, current: cp.baseAddress!, topOut: to.baseAddress!,
                                                    bottomOut: bo.baseAddress!, width: width)
                } }
            } }
            let (rt, rb) = referenceUpsample(top: top, current: current, width: width)
            XCTAssertEqual(t, rt, "top row, width \(width)")
            XCTAssertEqual(b, rb, "bottom row, width \(width)")

            let y = (0..<width).map { _ in UInt8(rng.below(256)) }, a = (0..<width).map { _ in UInt8(rng.below(256)) }
            for channels in [3, 4] {
                var out = [UInt8](repeating: 0, count: width * channels)
                y.withUnsafeBufferPointer { yp in t.withUnsafeBufferPointer { up in b.withUnsafeBufferPointer { vp in
                    a.withUnsafeBufferPointer { ap in out.withUnsafeMutableBufferPointer { op in
                        WebPFancyUpsampler.convertRow(y: yp.baseAddress!, u: up.baseAddress!, v: vp.baseAddress!,
                                                      alpha: channels == 4 ? ap.baseAddress! : nil, out: op.baseAddress!,
                                                      count: width, channels: channels)
                    } }
                } } }
                var expected = [UInt8](repeating: 0, count: width * channels)
                expected.withUnsafeMutableBufferPointer { e in
                    for x in 0..<width {
                        WebPFancyUpsampler.yuvToRGB(Int32(y[x]), Int32(t[x]), Int32(b[x]), e.baseAddress! + channels * x)
                        if channels == 4 { e[channels * x + 3] = a[x] }
                    }
                }
                XCTAssertEqual(out, expected, "conversion, width \(width), \(channels) channels")
            }
        }
    }

    /// Every Y/U/V combination at the saturation edges of the conversion.
    func testConversionOverFullRange() {
        let width = 256
        let y = (0..<width).map { UInt8($0) }
        for chroma in stride(from: 0, through: 255, by: 15) {
            let u = [UInt8](repeating: UInt8(chroma), count: width), v = u.map { 255 - $0 }
            var out = [UInt8](repeating: 0, count: 3 * width), expected = out
            y.withUnsafeBufferPointer { yp in u.withUnsafeBufferPointer { up in v.withUnsafeBufferPointer { vp in
                out.withUnsafeMutableBufferPointer { op in
                    WebPFancyUpsampler.convertRow(y: yp.baseAddress!, u: up.baseAddress!, v: vp.baseAddress!, alpha: nil,
                                                  out: op.baseAddress!, count: width, channels: 3)
                }
            } } }
            expected.withUnsafeMutableBufferPointer { e in
                for x in 0..<width { WebPFancyUpsampler.yuvToRGB(Int32(y[x]), Int32(u[x]), Int32(v[x]), e.baseAddress! + 3 * x) }
            }
            XCTAssertEqual(out, expected, "chroma \(chroma)")
        }
    }
}

/// The lane-wise VP8L predictor arithmetic against the per-channel definitions of the specification (section 4.1).
final class VP8LPixelArithmeticTests: XCTestCase {
    func channel(_ p: UInt32, _ shift: UInt32) -> Int { Int((p >> shift) & 0xFF) }

    func testAgainstPerChannelDefinitions() {
        var rng = SeededGenerator(seed: 0xA1B2)
        for _ in 0..<20000 {
            // Mostly random words, sometimes near-equal ones so ties and small differences are hit.
            let a = UInt32(truncatingIfNeeded: rng.next())
            let b = rng.below(3) == 0 ? a ^ UInt32(rng.below(256)) : UInt32(truncatingIfNeeded: rng.next())
            let c = rng.below(3) == 0 ? b ^ UInt32(rng.below(16)) : UInt32(truncatingIfNeeded: rng.next())
            var full: UInt32 = 0, half: UInt32 = 0
            var pl = 0, pt = 0
            for shift: UInt32 in [0, 8, 16, 24] {
                let (ca, cb, cc) = (channel(a, shift), channel(b, shift), channel(c, shift))
                full |= UInt32(min(255, max(0, ca + cb - cc))) << shift
                half |= UInt32(min(255, max(0, ca + (ca - cb) / 2))) << shift
                // Select(L = a, T = b, TL = c): estimate p = L + T - TL.
                let p = ca + cb - cc
                pl += abs(p - ca); pt += abs(p - cb)
            }
            XCTAssertEqual(VP8LPixel.clampAddSubtractFull(a, b, c), full)
            XCTAssertEqual(VP8LPixel.clampAddSubtractHalf(a, b), half)
            XCTAssertEqual(VP8LPixel.select(left: a, top: b, topLeft: c), pl < pt ? a : b)
        }
    }
}
