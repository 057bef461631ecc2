import XCTest
import Foundation
import Raster
import Formats
import Decoders
@testable import Pipeline
import TestSupport

/// WebP originals (Conformance/corpus/webp: lossy, lossless, alpha, lossy alpha, odd size, 1×1, ICC-tagged,
/// animated) through `ImageProcessor.process`: resized, cropped and converted like JPEG/PNG, never larger than the
/// original, animated files served untouched. Outputs are decoded by dwebp / avifdec (the reference decoders).
final class PipelineWebPSourceTests: XCTestCase {
    static let folder = TestCorpus.root + "/webp/"
    private func read(_ name: String) throws -> [UInt8] { try FileIO.read(Self.folder + name) }
    private func process(_ bytes: [UInt8], _ query: String, accept: String? = nil,
                         rule: RuleSettings = RuleSettings()) -> ProcessingOutcome {
        ImageProcessor.process(original: bytes, query: ImageProcessor.splitQuery(query), accept: accept, rule: rule)
    }

    private func referenceDecode(_ bytes: [UInt8], format: ImageFormat) throws -> Raster {
        try PipelineReferenceDecoder.decode(bytes, format: format)
    }

    static let stillFiles = ["chelsea-q75.webp", "chelsea-lossless.webp", "rocket-nofilter.webp",
                             "rocket-1segment-simple.webp", "rocket-sharpyuv.webp", "coffee-alpha.webp",
                             "coffee-lossyalpha.webp", "coffee-alpha-lossless.webp", "chelsea-odd-97x61.webp",
                             "adobergb-icc.webp"]

    /// Resized back to WebP: transformed when the result is smaller, else the original with the size reason (the
    /// smallest lossy files here, a few hundred bytes to 5 KB at q50–75, do not shrink at the default quality).
    func testEveryStillWebPIsResizedAsWebPOrServedWithTheSizeReason() throws {
        var transformed: [String] = []
        for name in Self.stillFiles {
            let original = try read(name)
            let header = try ImageDecoder.readHeader(original)
            let width = header.width / 2
            let o = process(original, "width=\(width)")
            XCTAssertEqual(o.contentType, "image/webp", name)
            if let reason = o.skipReason {
                XCTAssertEqual(reason, SkipReason.notSmaller.text, name)
                XCTAssertEqual(o.body, original, name)
                continue
            }
            transformed.append(name)
            XCTAssertEqual(o.operations, ["resize"], name)
            XCTAssertLessThan(o.body.count, original.count, name)
            let decoded = try referenceDecode(o.body, format: .webp)
            XCTAssertEqual(decoded.width, width, name)
            XCTAssertEqual(decoded.height, max(1, Int((Double(header.height) * Double(width) / Double(header.width)).rounded())), name)
            // Translucent sources keep their alpha; opaque ones are written without.
            XCTAssertEqual(try ImageDecoder.readHeader(o.body).layout.hasAlpha, header.layout.hasAlpha, name)
        }
        XCTAssertEqual(Set(transformed).intersection(["chelsea-lossless.webp", "coffee-alpha-lossless.webp",
                                                      "coffee-alpha.webp", "adobergb-icc.webp"]).count, 4, "\(transformed)")
    }

    func testWebPConvertedToAVIFWhenAcceptedKeepingAlpha() throws {
        for name in ["chelsea-lossless.webp", "coffee-alpha-lossless.webp", "adobergb-icc.webp"] {
            let original = try read(name)
            let source = try ImageDecoder.decode(original)
            let o = process(original, "width=100&fmt=avif", accept: "image/avif,image/webp")
            XCTAssertNil(o.skipReason, name)
            XCTAssertEqual(o.contentType, "image/avif", name)
            XCTAssertEqual(o.operations, ["resize", "convert"], name)
            XCTAssertTrue(o.variesByAccept, name)
            XCTAssertLessThan(o.body.count, original.count, name)
            let decoded = try referenceDecode(o.body, format: .avif)
            XCTAssertEqual(decoded.width, 100, name)
            // avifdec writes RGBA for an AVIF with an alpha item: translucent sources have one, opaque ones not.
            let alpha = decoded.layout.hasAlpha && stride(from: 3, to: decoded.samples8.count, by: 4).contains { decoded.samples8[$0] != 255 }
            XCTAssertEqual(alpha, source.layout.hasAlpha, name)
        }
    }

    func testCropOfALossyWebP() throws {
        let original = try read("chelsea-q75.webp")
        let o = process(original, "crop=60,40")
        XCTAssertNil(o.skipReason)
        XCTAssertEqual(o.operations.first, "crop")
        let decoded = try referenceDecode(o.body, format: .webp)
        XCTAssertEqual(decoded.width, 60); XCTAssertEqual(decoded.height, 40)
    }

    /// Never larger than the original: a 54-byte 1×1 file comes back untouched with the size reason.
    func testNeverLargerThanTheOriginal() throws {
        let original = try read("one-pixel.webp")
        let o = process(original, "fmt=avif&quality=90", accept: "image/avif")
        XCTAssertEqual(o.skipReason, SkipReason.notSmaller.text)
        XCTAssertEqual(o.body, original)
    }

    func testAnimatedWebPIsServedUntouched() throws {
        let original = try read("animated.webp")
        XCTAssertTrue(ImageFormat.webp.isAnimated(original))
        for (query, accept) in [("width=10", nil), ("fmt=avif", "image/avif"), ("crop=8,8", nil)] as [(String, String?)] {
            let o = process(original, query, accept: accept)
            XCTAssertEqual(o.skipReason, "detected content type image/webp (animated) is not supported", query)
            XCTAssertEqual(o.body, original, query)
            XCTAssertEqual(o.contentType, "image/webp", query)
            XCTAssertEqual(o.operations, [], query)
        }
    }

    /// An ICC-tagged WebP goes through the colour stage as JPEG/PNG do: converted to sRGB and written without a
    /// profile by default, the profile kept under "keep".
    func testICCProfileGoesThroughTheColourStage() throws {
        let original = try read("adobergb-icc.webp")
        let profile = try XCTUnwrap(ImageDecoder.readHeader(original).metadata.iccProfile)
        func contains(_ h: [UInt8], _ n: [UInt8]) -> Bool {
            h.count >= n.count && (0...(h.count - n.count)).contains { Array(h[$0..<($0 + n.count)]) == n }
        }
        let converted = process(original, "width=60&fmt=webp", accept: "image/webp", rule: RuleSettings(colorProfile: .srgb))
        XCTAssertNil(converted.skipReason)
        XCTAssertEqual(converted.notes.count, 1, "\(converted.notes)")
        XCTAssertFalse(contains(converted.body, Array("ICCP".utf8)))
        let kept = process(original, "width=60&fmt=webp", accept: "image/webp", rule: RuleSettings(colorProfile: .keep))
        XCTAssertNil(kept.skipReason)
        XCTAssertTrue(contains(kept.body, Array(profile[0..<64])))
        // The sRGB output differs from the untouched samples: the conversion was applied, not only the tag dropped.
        XCTAssertNotEqual(try referenceDecode(converted.body, format: .webp).samples8,
                          try referenceDecode(kept.body, format: .webp).samples8)
    }
}
