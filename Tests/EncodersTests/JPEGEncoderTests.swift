import XCTest
import Foundation
import Raster
import Decoders
@testable import Encoders
import TestSupport

final class JPEGEncoderTests: XCTestCase {
    /// Decodes with libjpeg-turbo's djpeg (PPM or PGM output) into a raster.
    private func djpeg(_ jpeg: [UInt8]) throws -> Raster {
        try PNMDecoder.decode(try DeflateOracle.run("/usr/bin/djpeg", [], input: jpeg))
    }

    private func psnr(_ a: Raster, _ b: Raster) -> Double {
        precondition(a.samples8.count == b.samples8.count)
        var sum = 0.0
        for i in 0..<a.samples8.count {
            let d = Double(Int(a.samples8[i]) - Int(b.samples8[i]))
            sum += d * d
        }
        let mse = sum / Double(a.samples8.count)
        return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
    }

    private func photo(_ name: String) throws -> Raster {
        try PNMDecoder.decode(try DeflateOracle.run("/usr/bin/pngtopam", [TestCorpus.path("photos/\(name).png")]))
    }

    private func ppm(_ r: Raster) -> [UInt8] {
        Array("P6\n\(r.width) \(r.height)\n255\n".utf8) + r.samples8
    }

    func testPhotoQualityFloorsAndParityWithCjpegOptimize() throws {
        let raster = try photo("coffee")
        let floors = [50: 30.0, 75: 32.0, 90: 35.0]
        for (quality, floor) in floors.sorted(by: { $0.key < $1.key }) {
            for progressive in [false, true] {
                let jpeg = try JPEGEncoder.encode(raster, options: JPEGEncodeOptions(quality: quality, progressive: progressive))
                let decoded = try djpeg(jpeg)
                XCTAssertEqual(decoded.width, raster.width)
                XCTAssertEqual(decoded.height, raster.height)
                let ours = psnr(raster, decoded)
                XCTAssertGreaterThan(ours, floor, "q\(quality) progressive \(progressive)")
                // Our decoder reads it too, agrees with djpeg, and recovers the quality from the tables.
                let ourDecode = try JPEGDecoder.decode(jpeg)
                XCTAssertGreaterThan(psnr(decoded, ourDecode), 50, "our decoder vs djpeg, q\(quality)")
                XCTAssertEqual(JPEGQuality.estimate(tables: ourDecode.metadata.source.jpegQuantTables), quality)
                XCTAssertEqual(ourDecode.metadata.source.progressive, progressive)
                var args = ["-quality", "\(quality)", "-optimize"]
                if progressive { args.append("-progressive") }
                let reference = try DeflateOracle.run("/usr/bin/cjpeg", args, input: ppm(raster))
                let referencePSNR = psnr(raster, try djpeg(reference))
                XCTAssertGreaterThan(ours, referencePSNR - 0.25, "q\(quality): PSNR \(ours) vs cjpeg \(referencePSNR)")
                XCTAssertLessThan(Double(jpeg.count), Double(reference.count) * 1.04,
                                  "q\(quality) progressive \(progressive): \(jpeg.count) bytes vs cjpeg \(reference.count)")
            }
        }
    }

    func testEverySubsamplingAndModeOnOddSizes() throws {
        for (w, h) in [(1, 1), (77, 45), (16, 9), (33, 17)] {
            let samples = (0..<(w * h * 3)).map { i -> UInt8 in
                let p = i / 3
                return UInt8(truncatingIfNeeded: (p % w) * 5 + (p / w) * 3 + (i % 3) * 60)
            }
            let raster = try Raster(width: w, height: h, layout: .rgb, samples8: samples)
            for subsampling in [ChromaSubsampling.s420, .s422, .s444] {
                for progressive in [false, true] {
                    let jpeg = try JPEGEncoder.encode(raster, options: JPEGEncodeOptions(
                        quality: 90, subsampling: subsampling, progressive: progressive))
                    XCTAssertEqual(Array(jpeg.suffix(2)), [0xFF, 0xD9])
                    let decoded = try djpeg(jpeg)
                    XCTAssertEqual(decoded.width, w)
                    XCTAssertEqual(decoded.height, h)
                    // The pattern wraps around (sharp colour edges), which chroma subsampling blurs.
                    XCTAssertGreaterThan(psnr(raster, decoded), subsampling == .s444 ? 30 : 22, "\(w)x\(h) \(subsampling) progressive \(progressive)")
                }
            }
        }
    }

    func testGrayAlphaAndSixteenBitInputs() throws {
        let camera = try photo("camera")
        XCTAssertEqual(camera.layout, .gray)
        for progressive in [false, true] {
            let jpeg = try JPEGEncoder.encode(camera, options: JPEGEncodeOptions(quality: 75, progressive: progressive))
            let decoded = try djpeg(jpeg)
            XCTAssertEqual(decoded.layout, .gray)
            XCTAssertGreaterThan(psnr(camera, decoded), 33)
        }
        // RGBA: alpha is dropped, colour kept.
        let rgb = try photo("chelsea")
        var rgbaSamples = [UInt8]()
        for p in 0..<(rgb.width * rgb.height) { rgbaSamples += rgb.samples8[(p * 3)..<(p * 3 + 3)] + [UInt8(p % 256)] }
        let rgba = try Raster(width: rgb.width, height: rgb.height, layout: .rgba, samples8: rgbaSamples)
        let fromRGBA = try djpeg(try JPEGEncoder.encode(rgba, options: JPEGEncodeOptions(quality: 85)))
        XCTAssertGreaterThan(psnr(rgb, fromRGBA), 33)
        // 16-bit input is rounded to 8 bits first.
        let fromWide = try djpeg(try JPEGEncoder.encode(rgb.to16Bit(), options: JPEGEncodeOptions(quality: 85)))
        XCTAssertEqual(fromWide, fromRGBA)
    }

    func testExtremeQualitiesAndICCProfile() throws {
        var raster = try photo("chelsea")
        let low = try JPEGEncoder.encode(raster, options: JPEGEncodeOptions(quality: 1))
        let high = try JPEGEncoder.encode(raster, options: JPEGEncodeOptions(quality: 100))
        XCTAssertLessThan(low.count, high.count / 10)
        XCTAssertGreaterThan(psnr(raster, try djpeg(high)), 45)
        XCTAssertGreaterThan(psnr(raster, try djpeg(low)), 15)

        let profile = EmbeddedProfileTests.fakeProfile(space: "RGB ", count: 150_000)
        raster.metadata.iccProfile = profile
        let jpeg = try JPEGEncoder.encode(raster)
        // Reassemble the APP2 ICC_PROFILE chunks in sequence order.
        var chunks: [Int: [UInt8]] = [:]
        var i = 2
        while i + 4 <= jpeg.count, jpeg[i] == 0xFF, jpeg[i + 1] != 0xDA {
            let length = Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3])
            let body = Array(jpeg[(i + 4)..<(i + 2 + length)])
            if jpeg[i + 1] == 0xE2, body.starts(with: Array("ICC_PROFILE\0".utf8)) {
                XCTAssertEqual(Int(body[13]), 3)
                chunks[Int(body[12])] = Array(body[14...])
            }
            i += 2 + length
        }
        XCTAssertEqual(chunks.keys.sorted(), [1, 2, 3])
        XCTAssertEqual(chunks.keys.sorted().flatMap { chunks[$0]! }, profile)
        XCTAssertGreaterThan(psnr(raster, try djpeg(jpeg)), 30)
    }

    /// Bands of MCU rows run on the job's threads: the bytes must be the same with 1, 2 and 3 threads, for every
    /// layout, subsampling and mode, on images large enough to be split.
    func testBytesDoNotDependOnThreadCount() throws {
        let photo = try photo("coffee")
        let (w, h) = (517, 389)
        let synthetic = (0..<(w * h * 4)).map { i -> UInt8 in
            let p = i / 4
            return UInt8(truncatingIfNeeded: (p % w) * 7 + (p / w) * 3 + (i % 4) * 50 + (p * 2654435761) >> 27)
        }
        let rasters = [photo,
                       try Raster(width: w, height: h, layout: .rgba, samples8: synthetic),
                       try Raster(width: w, height: h, layout: .gray, samples8: Array(synthetic[0..<(w * h)]))]
        for raster in rasters {
            for subsampling in [ChromaSubsampling.s420, .s422, .s444] {
                for progressive in [false, true] {
                    let options = JPEGEncodeOptions(quality: 85, subsampling: subsampling, progressive: progressive)
                    let one = try Job.run(Job(threads: 1)) { try JPEGEncoder.encode(raster, options: options) }
                    for threads in [2, 3] {
                        let many = try Job.run(Job(threads: threads)) { try JPEGEncoder.encode(raster, options: options) }
                        XCTAssertEqual(one, many, "\(raster.layout) \(subsampling) progressive \(progressive), \(threads) threads")
                    }
                }
            }
        }
    }

    /// The SIMD forward DCT against the per-sample AAN transform it replaced (restated here): same float
    /// operations in the same order, so the quantized coefficients are equal, and the non-zero mask marks exactly
    /// the non-zero zig-zag positions.
    func testForwardDCTMatchesScalarReference() {
        func transform8(_ p: UnsafeMutablePointer<Float>, step: Int) {
            let d0 = p[0], d1 = p[step], d2 = p[2 * step], d3 = p[3 * step]
            let d4 = p[4 * step], d5 = p[5 * step], d6 = p[6 * step], d7 = p[7 * step]
            let s07 = d0 + d7, a07 = d0 - d7, s16 = d1 + d6, a16 = d1 - d6
            let s25 = d2 + d5, a25 = d2 - d5, s34 = d3 + d4, a34 = d3 - d4
            let e0 = s07 + s34, e3 = s07 - s34, e1 = s16 + s25, e2 = s16 - s25
            p[0] = e0 + e1
            p[4 * step] = e0 - e1
            let rotated = (e2 + e3) * 0.707106781
            p[2 * step] = e3 + rotated
            p[6 * step] = e3 - rotated
            let o0 = a34 + a25, o1 = a25 + a16, o2 = a16 + a07
            let shared = (o0 - o2) * 0.382683433
            let r0 = 0.541196100 * o0 + shared, r2 = 1.306562965 * o2 + shared, r1 = o1 * 0.707106781
            let high = a07 + r1, low = a07 - r1
            p[5 * step] = low + r0
            p[3 * step] = low - r0
            p[step] = high + r2
            p[7 * step] = high - r2
        }
        let aan: [Double] = (0..<8).map { k in k == 0 ? 1 : 2.0.squareRoot() * cos(Double(k) * Double.pi / 16) }
        var generator = SystemRandomNumberGenerator()
        for quality in [5, 50, 85, 100] {
            let table = JPEGTables.scaledTable(JPEGTables.annexKLuminance, quality: quality)
            let dct = JPEGForwardDCT(quantTable: table)
            for trial in 0..<400 {
                // Smooth, noisy and extreme (0/255 checkerboard) blocks, 16 samples per row.
                let samples: [UInt8] = (0..<(8 * 16)).map { i in
                    let x = i % 16, y = i / 16
                    switch trial % 3 {
                    case 0: return UInt8(truncatingIfNeeded: x * 9 + y * 13 + Int(generator.next() % 8))
                    case 1: return UInt8(truncatingIfNeeded: generator.next())
                    default: return (x + y) % 2 == 0 ? 0 : 255
                    }
                }
                var expected = [Int16](repeating: 0, count: 64)
                var f = (0..<64).map { i in Float(samples[(i / 8) * 16 + i % 8]) - 128 }
                f.withUnsafeMutableBufferPointer { b in
                    for row in 0..<8 { transform8(b.baseAddress! + row * 8, step: 1) }
                    for column in 0..<8 { transform8(b.baseAddress! + column, step: 8) }
                }
                for n in 0..<64 {
                    let reciprocal = Float(1 / (Double(table[n]) * aan[n / 8] * aan[n % 8] * 8))
                    let q = f[n] * reciprocal
                    expected[n] = Int16(q < 0 ? q - 0.5 : q + 0.5)
                }
                var got = [Int16](repeating: 0, count: 64)
                let scratch = UnsafeMutablePointer<JPEGForwardDCT.Half>.allocate(capacity: 16)
                defer { scratch.deallocate() }
                let mask = samples.withUnsafeBufferPointer { src in
                    got.withUnsafeMutableBufferPointer { out in
                        JPEGForwardDCT.rowMasks.withUnsafeBufferPointer { masks in
                            dct.quantizeBlock(src.baseAddress!, stride: 16, into: out.baseAddress!, rowMasks: masks.baseAddress!,
                                              scratch: scratch)
                        }
                    }
                }
                XCTAssertEqual(got, expected, "quality \(quality) trial \(trial)")
                var expectedMask: UInt64 = 0
                for k in 0..<64 where expected[JPEGTables.zigzagToNatural[k]] != 0 { expectedMask |= 1 << UInt64(k) }
                XCTAssertEqual(mask, expectedMask)
            }
        }
    }
}
