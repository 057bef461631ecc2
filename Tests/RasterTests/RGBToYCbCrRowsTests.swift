import XCTest
@testable import Raster

/// The SIMD row kernels of `FixedPointRGBToYCbCr` against the per-pixel conversion and the separate downsampler
/// (`ChromaDownsampling.boxAlternatingBias`) they fuse: every output byte must be equal.
final class RGBToYCbCrRowsTests: XCTestCase {
    private func randomRow(_ pixels: Int, seed: inout UInt64) -> [UInt8] {
        (0..<(pixels * 3)).map { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            // Mix uniform bytes with extremes so the clamp and the x.5 rounding cases are hit.
            let v = UInt8(truncatingIfNeeded: seed >> 56)
            return v < 16 ? 0 : v > 240 ? 255 : v
        }
    }

    private func perPixel(_ m: FixedPointRGBToYCbCr, _ rgb: [UInt8]) -> (y: [UInt8], cb: [UInt8], cr: [UInt8]) {
        var y: [UInt8] = [], cb: [UInt8] = [], cr: [UInt8] = []
        for i in stride(from: 0, to: rgb.count, by: 3) {
            let r = Int32(rgb[i]), g = Int32(rgb[i + 1]), b = Int32(rgb[i + 2])
            y.append(m.y(r, g, b)); cb.append(m.cb(r, g, b)); cr.append(m.cr(r, g, b))
        }
        return (y, cb, cr)
    }

    func testConvertRowMatchesPerPixelForEveryVariant() {
        var seed: UInt64 = 1
        for m in [FixedPointRGBToYCbCr.jfif, .bt601Limited] {
            for _ in 0..<50 {
                let count = 8 * Int.random(in: 1...40)
                let rgb = randomRow(count, seed: &seed)
                var y = [UInt8](repeating: 0, count: count), cb = y, cr = y
                rgb.withUnsafeBufferPointer { src in
                    m.convertRow(src.baseAddress!, count: count, y: &y, cb: &cb, cr: &cr)
                }
                let expected = perPixel(m, rgb)
                XCTAssertEqual(y, expected.y); XCTAssertEqual(cb, expected.cb); XCTAssertEqual(cr, expected.cr)
            }
        }
    }

    func testFusedDownsamplingMatchesConvertThenBoxFilter() {
        var seed: UInt64 = 2
        for m in [FixedPointRGBToYCbCr.jfif, .bt601Limited] {
            for vertical in [1, 2] {
                for _ in 0..<40 {
                    let count = 16 * Int.random(in: 1...20)
                    let top = randomRow(count, seed: &seed), bottom = randomRow(count, seed: &seed)
                    var y = [UInt8](repeating: 0, count: count), y2 = y
                    var cb = [UInt8](repeating: 0, count: count / 2), cr = cb
                    top.withUnsafeBufferPointer { t in
                        bottom.withUnsafeBufferPointer { b in
                            m.convertRowsBoxDownsampled(t.baseAddress!, vertical == 2 ? b.baseAddress! : nil, count: count,
                                                        y: &y, bottomY: &y2, cb: &cb, cr: &cr)
                        }
                    }
                    let a = perPixel(m, top), c = perPixel(m, bottom)
                    XCTAssertEqual(y, a.y)
                    if vertical == 2 { XCTAssertEqual(y2, c.y) }
                    let cbPlane = vertical == 2 ? a.cb + c.cb : a.cb, crPlane = vertical == 2 ? a.cr + c.cr : a.cr
                    XCTAssertEqual(cb, ChromaDownsampling.boxAlternatingBias(cbPlane, width: count, height: vertical,
                                                                            byX: 2, byY: vertical))
                    XCTAssertEqual(cr, ChromaDownsampling.boxAlternatingBias(crPlane, width: count, height: vertical,
                                                                            byX: 2, byY: vertical))
                }
            }
        }
    }

    /// The VP8 encoder's kernel: Y per pixel, chroma from the summed RGB of each 2×2 block (`forSumsOfFour`),
    /// also with the bottom row equal to the top one (an odd last row).
    func testRowPairSummedChromaMatchesPerPixelAndPerBlock() {
        var seed: UInt64 = 3
        let m = FixedPointRGBToYCbCr.bt601Limited, sums = m.forSumsOfFour
        for trial in 0..<60 {
            let count = 16 * Int.random(in: 1...20)
            let top = randomRow(count, seed: &seed)
            let bottom = trial % 4 == 0 ? top : randomRow(count, seed: &seed)
            var y = [UInt8](repeating: 0, count: count), y2 = y
            var cb = [UInt8](repeating: 0, count: count / 2), cr = cb
            top.withUnsafeBufferPointer { t in
                bottom.withUnsafeBufferPointer { b in
                    m.convertRowPairSummedChroma(t.baseAddress!, b.baseAddress!, count: count, y: &y, bottomY: &y2,
                                                 cb: &cb, cr: &cr)
                }
            }
            XCTAssertEqual(y, perPixel(m, top).y)
            XCTAssertEqual(y2, perPixel(m, bottom).y)
            for k in 0..<(count / 2) {
                var rgb = SIMD3<Int32>()
                for row in [top, bottom] {
                    for i in [6 * k, 6 * k + 3] { rgb &+= SIMD3(Int32(row[i]), Int32(row[i + 1]), Int32(row[i + 2])) }
                }
                XCTAssertEqual(cb[k], sums.cb(rgb.x, rgb.y, rgb.z), "Cb of block \(k)")
                XCTAssertEqual(cr[k], sums.cr(rgb.x, rgb.y, rgb.z), "Cr of block \(k)")
            }
        }
    }
}
