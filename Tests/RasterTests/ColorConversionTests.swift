import XCTest
@testable import Raster

/// The colour module against the conversions it replaced: each codec's variant must give exactly what that
/// codec computed before (the previous code is restated here as the oracle), over every input where that is
/// affordable, plus round trips.
final class ColorConversionTests: XCTestCase {
    // MARK: - Previous implementations (oracles)

    /// The JPEG encoder's former JFIF conversion (JPEGPlanes.convert).
    private static func formerJPEG(_ r: Int32, _ g: Int32, _ b: Int32) -> (UInt8, UInt8, UInt8) {
        func fix(_ x: Double) -> Int32 { Int32(x * 65536 + 0.5) }
        let yr = fix(0.299), yg = fix(0.587), yb = fix(0.114)
        let cbr = fix(0.168735892), cbg = fix(0.331264108), half = fix(0.5)
        let crg = fix(0.418687589), crb = fix(0.081312411)
        let rounding: Int32 = 32767, chromaOffset: Int32 = 128 << 16
        return (UInt8(truncatingIfNeeded: (yr * r + yg * g + yb * b + rounding + 1) >> 16),
                UInt8(truncatingIfNeeded: (half * b - cbr * r - cbg * g + chromaOffset + rounding) >> 16),
                UInt8(truncatingIfNeeded: (half * r - crg * g - crb * b + chromaOffset + rounding) >> 16))
    }

    /// The VP8 encoder's former BT.601 limited-range conversion (VP8Picture.luma / chromaU / chromaV).
    private static func formerVP8(_ r: Int32, _ g: Int32, _ b: Int32) -> (UInt8, UInt8, UInt8) {
        let y = UInt8(truncatingIfNeeded: (16829 * r + 33039 * g + 6416 * b + (16 << 16) + (1 << 15)) >> 16)
        let u = (-9714 * r - 19071 * g + 28784 * b + (128 << 16) + (1 << 15)) >> 16
        let v = (28784 * r - 24103 * g - 4681 * b + (128 << 16) + (1 << 15)) >> 16
        return (y, UInt8(truncatingIfNeeded: u < 0 ? 0 : (u > 255 ? 255 : u)),
                UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v)))
    }

    /// The JPEG decoder's former YCbCr → RGB (JPEGColor.rgb).
    private static func formerJPEGDecoder(_ y: Int32, _ cb: Int32, _ cr: Int32) -> (UInt8, UInt8, UInt8) {
        let crToR: Int32 = 91881, cbToB: Int32 = 116130, cbToG: Int32 = 22554, crToG: Int32 = 46802, half: Int32 = 1 << 15
        let cb = cb &- 128, cr = cr &- 128
        return (UInt8(clamping: y &+ ((crToR &* cr &+ half) &>> 16)),
                UInt8(clamping: y &+ ((-cbToG &* cb &- crToG &* cr &+ half) &>> 16)),
                UInt8(clamping: y &+ ((cbToB &* cb &+ half) &>> 16)))
    }

    /// The AV1 encoder's former BT.601 full-range Float conversion and chroma averaging (AVIFEncoder.bt601Planes).
    private static func formerAV1Planes(_ s: [UInt8], channels ch: Int, width: Int, height: Int, subX: Int, subY: Int) -> [[UInt8]] {
        let n = width * height
        var y = [UInt8](repeating: 0, count: n)
        var cb = [Float](repeating: 0, count: n), cr = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let r = Float(s[i * ch]), g = Float(s[i * ch + 1]), b = Float(s[i * ch + 2])
            let yy = 0.299 * r + 0.587 * g + 0.114 * b
            y[i] = UInt8(min(max(yy.rounded(), 0), 255))
            cb[i] = (b - yy) / 1.772 + 128
            cr[i] = (r - yy) / 1.402 + 128
        }
        let cw = (width + subX) >> subX, chh = (height + subY) >> subY
        var u = [UInt8](repeating: 0, count: cw * chh), v = u
        for cy in 0..<chh {
            for cx in 0..<cw {
                var su: Float = 0, sv: Float = 0, cnt: Float = 0
                for dy in 0...subY { for dx in 0...subX {
                    let yy = min(cy << subY | dy, height - 1), xx = min(cx << subX | dx, width - 1)
                    su += cb[yy * width + xx]; sv += cr[yy * width + xx]; cnt += 1
                } }
                u[cy * cw + cx] = UInt8(min(max((su / cnt).rounded(), 0), 255))
                v[cy * cw + cx] = UInt8(min(max((sv / cnt).rounded(), 0), 255))
            }
        }
        return [y, u, v]
    }

    /// A deterministic pseudo-random byte sequence (xorshift), so failures reproduce.
    private static func noise(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    // MARK: - Forward conversions, every RGB triple

    /// Pixels of the whole 8-bit cube where two conversions of a triple disagree.
    private static func mismatches(_ a: (Int32, Int32, Int32) -> (UInt8, UInt8, UInt8),
                                   _ b: (Int32, Int32, Int32) -> (UInt8, UInt8, UInt8)) -> Int {
        var count = 0
        for u in 0..<256 as Range<Int32> {
            for v in 0..<256 as Range<Int32> {
                for w in 0..<256 as Range<Int32> {
                    let x = a(u, v, w), y = b(u, v, w)
                    if x.0 != y.0 || x.1 != y.1 || x.2 != y.2 { count += 1 }
                }
            }
        }
        return count
    }

    func testJFIFMatchesTheFormerJPEGEncoderOnEveryColour() {
        let m = FixedPointRGBToYCbCr.jfif
        XCTAssertEqual(Self.mismatches({ (m.y($0, $1, $2), m.cb($0, $1, $2), m.cr($0, $1, $2)) }, Self.formerJPEG), 0)
    }

    func testBT601LimitedMatchesTheFormerVP8EncoderOnEveryColour() {
        let m = FixedPointRGBToYCbCr.bt601Limited
        XCTAssertEqual(Self.mismatches({ (m.y($0, $1, $2), m.cb($0, $1, $2), m.cr($0, $1, $2)) }, Self.formerVP8), 0)
        // Limited range: black and white land on 16 and 235, gray chroma on 128.
        XCTAssertEqual([m.y(0, 0, 0), m.y(255, 255, 255), m.cb(90, 90, 90), m.cr(90, 90, 90)], [16, 235, 128, 128])
    }

    func testJFIFInverseMatchesTheFormerJPEGDecoderOnEveryTriple() {
        let m = FixedPointYCbCrToRGB.jfif
        XCTAssertEqual(Self.mismatches({ m.rgb($0, $1, $2) }, Self.formerJPEGDecoder), 0)
    }

    func testConvertRowEqualsThePerPixelConversion() {
        let width = 37
        let y = Self.noise(width, seed: 1), cb = Self.noise(width, seed: 2), cr = Self.noise(width, seed: 3)
        var out = [UInt8](repeating: 0, count: width * 3)
        y.withUnsafeBufferPointer { yp in cb.withUnsafeBufferPointer { cbp in cr.withUnsafeBufferPointer { crp in
            out.withUnsafeMutableBufferPointer { o in
                FixedPointYCbCrToRGB.jfif.convertRow(y: yp.baseAddress!, cb: cbp.baseAddress!, cr: crp.baseAddress!,
                                                     into: o.baseAddress!, width: width)
            }
        } } }
        for x in 0..<width {
            let e = Self.formerJPEGDecoder(Int32(y[x]), Int32(cb[x]), Int32(cr[x]))
            XCTAssertEqual([out[3 * x], out[3 * x + 1], out[3 * x + 2]], [e.0, e.1, e.2], "pixel \(x)")
        }
    }

    /// JFIF forward then inverse: within the rounding of two 8-bit quantizations.
    func testJFIFRoundTrip() {
        let forward = FixedPointRGBToYCbCr.jfif, inverse = FixedPointYCbCrToRGB.jfif
        var worst: Int32 = 0
        for r in stride(from: 0, through: 255, by: 3) as StrideThrough<Int32> {
            for g in stride(from: 0, through: 255, by: 3) as StrideThrough<Int32> {
                for b in stride(from: 0, through: 255, by: 3) as StrideThrough<Int32> {
                    let back = inverse.rgb(Int32(forward.y(r, g, b)), Int32(forward.cb(r, g, b)), Int32(forward.cr(r, g, b)))
                    worst = max(worst, abs(Int32(back.0) - r), abs(Int32(back.1) - g), abs(Int32(back.2) - b))
                }
            }
        }
        XCTAssertLessThanOrEqual(worst, 2)
        // Grays survive exactly.
        for v in 0..<256 as Range<Int32> {
            let back = inverse.rgb(Int32(forward.y(v, v, v)), Int32(forward.cb(v, v, v)), Int32(forward.cr(v, v, v)))
            XCTAssertEqual([Int32(back.0), Int32(back.1), Int32(back.2)], [v, v, v])
        }
    }

    // MARK: - Float conversion and chroma downsampling (AV1)

    func testFloatBT601AndAveragingMatchTheFormerAV1Planes() {
        for (width, height, channels) in [(17, 9, 3), (16, 16, 4), (1, 1, 3), (2, 1, 3), (1, 5, 4), (33, 2, 3)] {
            let samples = Self.noise(width * height * channels, seed: UInt64(width * 131 + height))
            for (subX, subY) in [(1, 1), (0, 0)] {
                let expected = Self.formerAV1Planes(samples, channels: channels, width: width, height: height, subX: subX, subY: subY)
                let (y, cb, cr) = samples.withUnsafeBufferPointer {
                    FloatRGBToYCbCr.bt601Full.planes($0, channels: channels, count: width * height)
                }
                XCTAssertEqual(y, expected[0], "\(width)x\(height)")
                XCTAssertEqual(ChromaDownsampling.averageFloat(cb, width: width, height: height, subX: subX, subY: subY), expected[1])
                XCTAssertEqual(ChromaDownsampling.averageFloat(cr, width: width, height: height, subX: subX, subY: subY), expected[2])
            }
        }
    }

    func testIdentityPlanes() {
        let rgba: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let planes = rgba.withUnsafeBufferPointer { IdentityPlanes.gbr($0, channels: 4, count: 2) }
        XCTAssertEqual(planes, [[2, 6], [3, 7], [1, 5]])
        XCTAssertEqual(rgba.withUnsafeBufferPointer { IdentityPlanes.first($0, channels: 2, count: 4) }, [1, 3, 5, 7])
    }

    // MARK: - JPEG's box downsampling

    func testBoxAlternatingBias() {
        // 4x2 → 2x1: sums 10 and 14 → (10 + 1) >> 2 = 2 and (14 + 2) >> 2 = 4; the bias alternates 1, 2.
        let plane: [UInt8] = [1, 2, 3, 4,
                              3, 4, 3, 4]
        XCTAssertEqual(ChromaDownsampling.boxAlternatingBias(plane, width: 4, height: 2, byX: 2, byY: 2), [2, 4])
        // 2x1 horizontally: bias 0 then 1.
        XCTAssertEqual(ChromaDownsampling.boxAlternatingBias([1, 2, 1, 2], width: 4, height: 1, byX: 2, byY: 1), [1, 2])
        // 1x2 vertically: bias alternates along x.
        XCTAssertEqual(ChromaDownsampling.boxAlternatingBias([1, 1, 2, 2], width: 2, height: 2, byX: 1, byY: 2), [1, 2])
        // A flat plane stays flat.
        XCTAssertEqual(ChromaDownsampling.boxAlternatingBias([UInt8](repeating: 77, count: 64), width: 8, height: 8, byX: 2, byY: 2),
                       [UInt8](repeating: 77, count: 16))
    }

    // MARK: - Upsampling (JPEG decoder)

    func testFancyUpsamplingFilters() {
        let src: [UInt8] = [0, 100, 200, 40]
        var out = [UInt8](repeating: 0, count: 8)
        src.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { o in
            ChromaUpsampling.fancyHorizontal(s.baseAddress!, 4, o.baseAddress!)
        } }
        // Edges replicate; inside 3:1 with bias 1 (left output) and 2 (right output).
        let expected: [Int] = [0, (0 * 3 + 100 + 2) >> 2, (300 + 0 + 1) >> 2, (300 + 200 + 2) >> 2,
                               (600 + 100 + 1) >> 2, (600 + 40 + 2) >> 2, (120 + 200 + 1) >> 2, 40]
        XCTAssertEqual(out, expected.map { UInt8($0) })
        let near: [UInt8] = [10, 20], far: [UInt8] = [30, 40]
        var v = [UInt8](repeating: 0, count: 2)
        near.withUnsafeBufferPointer { n in far.withUnsafeBufferPointer { f in v.withUnsafeMutableBufferPointer { o in
            ChromaUpsampling.fancyVertical(n.baseAddress!, f.baseAddress!, 2, 1, o.baseAddress!)
        } } }
        let vertical: [Int] = [(30 + 30 + 1) >> 2, (60 + 40 + 1) >> 2]
        XCTAssertEqual(v, vertical.map { UInt8($0) })
        var twoD = [UInt8](repeating: 0, count: 4)
        near.withUnsafeBufferPointer { n in far.withUnsafeBufferPointer { f in twoD.withUnsafeMutableBufferPointer { o in
            ChromaUpsampling.fancy2D(n.baseAddress!, f.baseAddress!, 2, o.baseAddress!)
        } } }
        // Column sums 60 and 100: edges (4·s + 8 or 7) >> 4, inside (3·this + neighbour + 7 or 8) >> 4.
        let columns: [Int] = [(240 + 8) >> 4, (180 + 100 + 7) >> 4, (300 + 60 + 8) >> 4, (400 + 7) >> 4]
        XCTAssertEqual(twoD, columns.map { UInt8($0) })
        var replicated = [UInt8](repeating: 0, count: 5)
        near.withUnsafeBufferPointer { n in replicated.withUnsafeMutableBufferPointer { o in
            ChromaUpsampling.replicate(n.baseAddress!, 2, 3, o.baseAddress!, 5)
        } }
        XCTAssertEqual(replicated, [10, 10, 10, 20, 20])
    }
}
