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
}
