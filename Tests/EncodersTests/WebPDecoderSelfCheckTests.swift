import Foundation
import XCTest
@testable import Decoders
@testable import Encoders
import Raster
import Formats

/// Our WebP decoder against our WebP encoder (issue 14 item 5): lossy frames decode to exactly the encoder's own
/// reconstruction (before loop filtering, as `VP8ReconstructionTests` hold dwebp to it), over every partition
/// count, segment count, effort and odd sizes; lossless files decode to the source pixels; lossy alpha to the
/// source alpha. With the filter on, our decoder equals dwebp on the same files.
final class WebPDecoderSelfCheckTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Conformance/corpus")

    static func corpusImage(_ path: String) throws -> Raster {
        let bytes = [UInt8](try Data(contentsOf: corpus.appendingPathComponent(path)))
        return try ImageDecoder.decode(bytes)
    }

    /// The encoder's unfiltered reconstruction equals our decoder's unfiltered planes, sample for sample.
    private func assertDecodesToReconstruction(_ raster: Raster, _ options: VP8Encoder.Options, _ label: String,
                                               file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try VP8Encoder.encode(raster, options: options)
        let webp = VP8Oracle.riff(result.payload)
        let planes = try WebPDecoder.decodeLossyPlanes(webp, loopFilter: false)
        let w = raster.width, h = raster.height, cw = (w + 1) / 2, ch = (h + 1) / 2
        let pic = result.picture
        var mismatches = 0
        for y in 0..<h { for x in 0..<w where planes.y[y * w + x] != result.reconY[y * pic.yStride + x] { mismatches += 1 } }
        for y in 0..<ch {
            for x in 0..<cw {
                if planes.u[y * cw + x] != result.reconU[y * pic.uvStride + x] { mismatches += 1 }
                if planes.v[y * cw + x] != result.reconV[y * pic.uvStride + x] { mismatches += 1 }
            }
        }
        XCTAssertEqual(mismatches, 0, "\(label): samples differing from the encoder's reconstruction", file: file, line: line)
    }

    func testLossyDecodesToTheEncoderReconstruction() throws {
        let photo = try Self.corpusImage("photos/rocket.jpg")
        for quality in [5, 50, 95] {
            try assertDecodesToReconstruction(photo, .init(quality: quality, effort: 4), "rocket q\(quality)")
        }
        for partitions in [1, 2, 4, 8] {
            try assertDecodesToReconstruction(photo, .init(quality: 70, effort: 4, partitions: partitions),
                                              "rocket \(partitions) token partitions")
        }
        for segments in [1, 2, 3] {
            try assertDecodesToReconstruction(photo, .init(quality: 60, effort: 4, segments: segments), "rocket \(segments) segments")
        }
        for effort in [0, 2, 6] {
            try assertDecodesToReconstruction(photo, .init(quality: 75, effort: effort), "rocket effort \(effort)")
        }
        try assertDecodesToReconstruction(photo, .init(quality: 40, effort: 4, filterLevel: 0), "rocket no filter")
        try assertDecodesToReconstruction(photo, .init(quality: 40, effort: 4, filterLevel: 63), "rocket filter 63")
    }

    func testOddSizesAndSyntheticImages() throws {
        for (w, h) in [(1, 1), (2, 3), (509, 3), (17, 33), (577, 383)] {
            try assertDecodesToReconstruction(VP8Synthetic.noise(width: w, height: h, seed: UInt64(w * h)), .init(quality: 70, effort: 4),
                                              "noise \(w)x\(h)")
            try assertDecodesToReconstruction(VP8Synthetic.gradient(width: w, height: h), .init(quality: 30, effort: 4, partitions: 2),
                                              "gradient \(w)x\(h)")
        }
        let gray = try Self.corpusImage("photos/camera.png")
        try assertDecodesToReconstruction(gray, .init(quality: 80, effort: 4), "camera (gray)")
    }

    /// With the loop filter, our RGB output of our encoder's files equals dwebp's.
    func testFilteredOutputEqualsDwebp() throws {
        let photo = try Self.corpusImage("photos/coffee.png")
        for (quality, partitions) in [(20, 1), (75, 4), (95, 8)] {
            let result = try VP8Encoder.encode(photo, options: .init(quality: quality, effort: 4, partitions: partitions))
            let webp = VP8Oracle.riff(result.payload)
            let ours = try WebPDecoder.decode(webp)
            let reference = try WebPTestSupport.dwebpRGBA(webp, name: "selfcheck-\(quality)")
            XCTAssertEqual(WebPTestSupport.expectedRGBA(ours), WebPTestSupport.expectedRGBA(reference),
                           "coffee q\(quality), \(partitions) partitions: differs from dwebp")
        }
    }

    func testLosslessDecodesToTheSourcePixels() throws {
        for path in ["photos/logo.png", "photos/chelsea.png", "png/pngsuite/basn3p02.png", "png/variants/camera-gray-alpha.png"] {
            let source = try Self.corpusImage(path)
            for effort in [0, 4] {
                let webp = try WebPEncoder.encode(source, options: WebPEncodeOptions(lossless: true, effort: effort))
                let decoded = try WebPDecoder.decode(webp)
                XCTAssertEqual(WebPTestSupport.expectedRGBA(decoded), WebPTestSupport.expectedRGBA(source), "\(path) effort \(effort)")
            }
        }
    }

    func testLossyAlphaIsTheSourceAlpha() throws {
        let source = try Self.corpusImage("png/variants/camera-gray-alpha.png")
        XCTAssertTrue(source.hasTranslucentPixels)
        for effort in [0, 4] {
            let webp = try WebPEncoder.encode(source, options: WebPEncodeOptions(quality: 60, effort: effort))
            let decoded = try WebPDecoder.decode(webp)
            XCTAssertEqual(decoded.layout, .rgba)
            guard decoded.layout == .rgba else { return }
            let alpha = (0..<(source.width * source.height)).map { source.samples8[$0 * 2 + 1] }
            XCTAssertEqual((0..<(decoded.width * decoded.height)).map { decoded.samples8[$0 * 4 + 3] }, alpha, "effort \(effort)")
            XCTAssertEqual(decoded.samples8, try WebPTestSupport.dwebpRGBA(webp, name: "selfcheck-alpha").samples8)
        }
    }
}
