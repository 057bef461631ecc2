import Foundation
import XCTest
import Raster
@testable import Encoders

final class VP8EncoderTests: XCTestCase {
    func testPhotoDecodesAboveFloor() throws {
        let source = try VP8Oracle.load("photos/chelsea.png")
        for (quality, floor) in [(50, 30.0), (75, 32.0), (90, 35.0)] {
            let payload = try VP8Encoder.encodeKeyFrame(source, quality: quality, effort: 4)
            guard let decoded = try VP8Oracle.decode(VP8Oracle.riff(payload)) else { return }
            let psnr = VP8Oracle.psnr(source, decoded)
            print("chelsea q\(quality): \(payload.count) bytes, PSNR \(psnr)")
            XCTAssertGreaterThan(psnr, floor, "q\(quality)")
        }
    }
}

final class VP8DeterminismTests: XCTestCase {
    /// Rows run in a wavefront on the job's threads; the bytes must not depend on how many.
    func testOutputDoesNotDependOnThreadCount() throws {
        let source = try VP8Oracle.load("tuning/photo-sunset.png")
        for quality in [30, 90] {
            let one = try Job.run(Job(threads: 1)) { try VP8Encoder.encodeKeyFrame(source, quality: quality, effort: 4) }
            let two = try Job.run(Job(threads: 2)) { try VP8Encoder.encodeKeyFrame(source, quality: quality, effort: 4) }
            let four = try Job.run(Job(threads: 4)) { try VP8Encoder.encodeKeyFrame(source, quality: quality, effort: 4) }
            XCTAssertEqual(one, two, "q\(quality): 1 vs 2 threads")
            XCTAssertEqual(one, four, "q\(quality): 1 vs 4 threads")
        }
    }

    func testCancelledJobStops() throws {
        let source = try VP8Oracle.load("tuning/photo-sunset.png")
        let job = Job(threads: 2)
        job.cancel(.abandoned)
        XCTAssertThrowsError(try Job.run(job) { try VP8Encoder.encodeKeyFrame(source, quality: 75, effort: 4) }) { error in
            XCTAssertEqual(error as? JobStop, .abandoned)
        }
    }
}

final class VP8ReconstructionTests: XCTestCase {
    /// The encoder's own reconstruction must equal what dwebp decodes (before loop filtering), sample for sample:
    /// this proves prediction, transforms and token coding agree with libwebp.
    private func assertReconstructionMatches(_ raster: Raster, quality: Int, effort: Int = 4,
                                             file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try VP8Encoder.encode(raster, options: .init(quality: quality, effort: effort))
        guard let yuv = try VP8Oracle.decodeYUV(VP8Oracle.riff(result.payload), extra: ["-nofilter"]) else {
            XCTFail("dwebp could not decode \(raster.width)x\(raster.height) q\(quality)", file: file, line: line); return
        }
        let w = raster.width, h = raster.height, cw = (w + 1) / 2, ch = (h + 1) / 2
        XCTAssertEqual(yuv.count, w * h + 2 * cw * ch, file: file, line: line)
        guard yuv.count == w * h + 2 * cw * ch else { return }
        var mismatches = 0
        let pic = result.picture
        for y in 0..<h { for x in 0..<w where yuv[y * w + x] != result.reconY[y * pic.yStride + x] { mismatches += 1 } }
        for y in 0..<ch {
            for x in 0..<cw {
                if yuv[w * h + y * cw + x] != result.reconU[y * pic.uvStride + x] { mismatches += 1 }
                if yuv[w * h + cw * ch + y * cw + x] != result.reconV[y * pic.uvStride + x] { mismatches += 1 }
            }
        }
        XCTAssertEqual(mismatches, 0, "\(w)x\(h) q\(quality): samples differing from dwebp", file: file, line: line)
    }

    func testPhotoReconstructionIsBitExact() throws {
        let source = try VP8Oracle.load("photos/rocket.jpg")
        for quality in [5, 60, 98] { try assertReconstructionMatches(source, quality: quality) }
        try assertReconstructionMatches(source, quality: 75, effort: 0)
    }

    func testOddSizesReconstructionIsBitExact() throws {
        for (w, h) in [(1, 1), (509, 3), (577, 383), (17, 33)] {
            try assertReconstructionMatches(VP8Synthetic.noise(width: w, height: h, seed: UInt64(w * h)), quality: 70)
            try assertReconstructionMatches(VP8Synthetic.gradient(width: w, height: h), quality: 30)
        }
    }
}

/// Synthetic inputs: deterministic noise, smooth gradients, flat colours.
enum VP8Synthetic {
    static func noise(width: Int, height: Int, seed: UInt64, layout: ChannelLayout = .rgb) -> Raster {
        var state = seed | 1
        var samples = [UInt8](repeating: 0, count: width * height * layout.channels)
        for i in samples.indices {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            samples[i] = UInt8(truncatingIfNeeded: state >> 24)
        }
        return try! Raster(width: width, height: height, layout: layout, samples8: samples)
    }

    static func gradient(width: Int, height: Int) -> Raster {
        var samples = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                samples[i] = UInt8(x * 255 / max(width - 1, 1))
                samples[i + 1] = UInt8(y * 255 / max(height - 1, 1))
                samples[i + 2] = UInt8((x + y) * 255 / max(width + height - 2, 1))
            }
        }
        return try! Raster(width: width, height: height, layout: .rgb, samples8: samples)
    }

    static func flat(width: Int, height: Int, rgb: (UInt8, UInt8, UInt8)) -> Raster {
        var samples = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { samples[i * 3] = rgb.0; samples[i * 3 + 1] = rgb.1; samples[i * 3 + 2] = rgb.2 }
        return try! Raster(width: width, height: height, layout: .rgb, samples8: samples)
    }
}

final class VP8InputTests: XCTestCase {
    func testFlatImagesDecodeExactlyOrClose() throws {
        for (w, h, colour) in [(64, 48, (UInt8(200), UInt8(30), UInt8(90))), (1, 1, (0, 0, 0)), (33, 17, (255, 255, 255))] {
            let image = VP8Synthetic.flat(width: w, height: h, rgb: colour)
            let payload = try VP8Encoder.encodeKeyFrame(image, quality: 75, effort: 4)
            guard let decoded = try VP8Oracle.decode(VP8Oracle.riff(payload)) else { return }
            XCTAssertEqual(decoded.width, w); XCTAssertEqual(decoded.height, h)
            // 4:2:0 YUV of a flat colour round-trips within the conversion's rounding.
            XCTAssertGreaterThan(VP8Oracle.psnr(image, decoded), 38, "\(w)x\(h)")
            XCTAssertLessThan(payload.count, 200 + w * h / 64, "flat image should be tiny")
        }
    }

    func testNoiseAndOddSizesDecode() throws {
        for (w, h) in [(1, 1), (509, 3), (577, 383)] {
            // Gray noise: colour noise would be lost to 4:2:0 subsampling by design, gray noise only to quantization.
            let image = VP8Synthetic.noise(width: w, height: h, seed: 7, layout: .gray)
            for quality in [0, 50, 100] {
                let payload = try VP8Encoder.encodeKeyFrame(image, quality: quality, effort: 4)
                guard let decoded = try VP8Oracle.decode(VP8Oracle.riff(payload)) else { return }
                XCTAssertEqual(decoded.width, w); XCTAssertEqual(decoded.height, h)
                if quality == 100 { XCTAssertGreaterThan(VP8Oracle.psnr(image, decoded), 30, "\(w)x\(h)") }
            }
        }
    }

    func testGrayAndSixteenBitInputsMatchTheirRGBEquivalents() throws {
        let rgb = VP8Synthetic.gradient(width: 40, height: 24)
        var graySamples = [UInt8](repeating: 0, count: 40 * 24)
        var grayAsRGB = [UInt8](repeating: 0, count: 40 * 24 * 3)
        for i in 0..<(40 * 24) {
            graySamples[i] = rgb.samples8[i * 3]
            for c in 0..<3 { grayAsRGB[i * 3 + c] = rgb.samples8[i * 3] }
        }
        let gray = try Raster(width: 40, height: 24, layout: .gray, samples8: graySamples)
        let expanded = try Raster(width: 40, height: 24, layout: .rgb, samples8: grayAsRGB)
        XCTAssertEqual(try VP8Encoder.encodeKeyFrame(gray, quality: 60, effort: 4),
                       try VP8Encoder.encodeKeyFrame(expanded, quality: 60, effort: 4))
        XCTAssertEqual(try VP8Encoder.encodeKeyFrame(rgb.to16Bit(), quality: 60, effort: 4),
                       try VP8Encoder.encodeKeyFrame(rgb, quality: 60, effort: 4))
        var rgba = [UInt8](repeating: 0, count: 40 * 24 * 4)
        for i in 0..<(40 * 24) { for c in 0..<3 { rgba[i * 4 + c] = rgb.samples8[i * 3 + c] }; rgba[i * 4 + 3] = UInt8(i & 255) }
        XCTAssertEqual(try VP8Encoder.encodeKeyFrame(try Raster(width: 40, height: 24, layout: .rgba, samples8: rgba),
                                                     quality: 60, effort: 4),
                       try VP8Encoder.encodeKeyFrame(rgb, quality: 60, effort: 4), "alpha is the container's business")
    }

    func testOversizedFrameIsATypedError() throws {
        let wide = try Raster(width: 16384, height: 1, layout: .gray)
        XCTAssertThrowsError(try VP8Encoder.encodeKeyFrame(wide, quality: 75, effort: 4)) { error in
            XCTAssertEqual((error as? CodecError)?.kind, .encoderLimit)
        }
    }

    func testPartitionsAndEffortsAllDecode() throws {
        let source = try VP8Oracle.load("photos/coffee.png")
        var sizes: [Int] = []
        for (effort, partitions) in [(0, 1), (2, 4), (6, 8)] {
            let result = try VP8Encoder.encode(source, options: .init(quality: 70, effort: effort, partitions: partitions))
            guard let decoded = try VP8Oracle.decode(VP8Oracle.riff(result.payload)) else { return }
            XCTAssertGreaterThan(VP8Oracle.psnr(source, decoded), 30, "effort \(effort)")
            sizes.append(result.payload.count)
        }
        XCTAssertEqual(sizes.count, 3)
    }
}
