import XCTest
import Foundation
import Raster
import Formats
import Decoders
import Encoders
@testable import Pipeline
import TestSupport

/// End-to-end: `ImageProcessor.process` on real corpus files, outputs checked by the reference decoders
/// (djpeg, dwebp, pngtopam, vips) and compared with libvips' thumbnail.
final class PipelineProcessTests: XCTestCase {
    static let corpus = TestCorpus.root + "/"

    private func read(_ path: String) throws -> [UInt8] { try FileIO.read(Self.corpus + path) }

    private func process(_ bytes: [UInt8], _ query: String, accept: String? = nil,
                         rule: RuleSettings = RuleSettings()) -> ProcessingOutcome {
        ImageProcessor.process(original: bytes, query: ImageProcessor.splitQuery(query), accept: accept, rule: rule)
    }

    private func referenceDecode(_ bytes: [UInt8], format: ImageFormat) throws -> Raster {
        try PipelineReferenceDecoder.decode(bytes, format: format)
    }

    /// 8-bit RGB samples of any raster (gray expanded, alpha dropped), so outputs of different tools compare.
    private func rgb(_ r: Raster) -> [UInt8] {
        let s = r.to8Bit().samples8, n = r.channels
        var out = [UInt8]()
        out.reserveCapacity(r.width * r.height * 3)
        for p in 0..<(r.width * r.height) {
            if r.layout.isColor { out += s[(p * n)..<(p * n + 3)] } else { out += [s[p * n], s[p * n], s[p * n]] }
        }
        return out
    }

    /// Mean absolute difference per RGB sample; infinite when the sizes differ.
    private func meanDifference(_ a: Raster, _ b: Raster) -> Double {
        let x = rgb(a), y = rgb(b)
        guard x.count == y.count, !x.isEmpty else { return .infinity }
        var total = 0
        for i in 0..<x.count { total += abs(Int(x[i]) - Int(y[i])) }
        return Double(total) / Double(x.count)
    }

    /// PSNR over RGB samples in dB; 0 when the sizes differ.
    private func psnr(_ a: Raster, _ b: Raster) -> Double {
        let x = rgb(a), y = rgb(b)
        guard x.count == y.count, !x.isEmpty else { return 0 }
        var se = 0.0
        for i in 0..<x.count { let d = Double(Int(x[i]) - Int(y[i])); se += d * d }
        let mse = se / Double(x.count)
        return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
    }

    // MARK: skips that need no codec

    func testUnsupportedContentIsServedUntouched() throws {
        let gif = try read("edge/tiny.gif")
        var cases: [([UInt8], String)] = [
            (gif, "detected content type image/gif is not supported"),
            (Array("<html><body>hi</body></html>".utf8), "detected content type text/html is not supported"),
            (Array("body { color: red }".utf8), "detected content type text/plain is not supported"),
            ([], "detected content type application/x-empty is not supported"),
            // Animated WebP is never processed (SPEC §1), whether or not WebP can be read: the format's hook says.
            (Array("RIFF\u{1E}\u{0}\u{0}\u{0}WEBPVP8X\u{A}\u{0}\u{0}\u{0}\u{2}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}".utf8),
             "detected content type image/webp (animated) is not supported"),
        ]
        // Until the WebP decoder is plugged into its registry entry, a still WebP is not an input either.
        if !ImageFormat.webp.canDecode {
            cases.append((Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8), "detected content type image/webp is not supported"))
        }
        for (bytes, reason) in cases {
            let o = process(bytes, "width=10&fmt=webp", accept: "image/webp")
            XCTAssertEqual(o.skipReason, reason)
            XCTAssertEqual(o.body, bytes)
            XCTAssertEqual(o.operations, [])
            XCTAssertFalse(o.variesByAccept)
        }
        XCTAssertEqual(process(gif, "").contentType, "image/gif")
    }

    func testMalformedQueryServesTheOriginal() throws {
        let jpeg = try read("photos/rocket.jpg")
        let o = process(jpeg, "width=abc&fmt=webp", accept: "image/webp")
        XCTAssertEqual(o.skipReason, "resizing: bad width parameter")
        XCTAssertEqual(o.body, jpeg)
        XCTAssertEqual(o.contentType, "image/jpeg")
    }

    func testDisabledRuleIsAPlainProxy() throws {
        let jpeg = try read("photos/rocket.jpg")
        let o = process(jpeg, "width=100", rule: RuleSettings(enabled: false))
        XCTAssertNil(o.skipReason)
        XCTAssertEqual(o.body, jpeg)
        XCTAssertEqual(o.operations, [])
    }

    func testCorruptAndUnsupportedInputsNameTheDecoderError() throws {
        let jpeg = try read("photos/rocket.jpg")
        let png = try read("photos/logo.png")
        let inputs: [[UInt8]] = [
            try read("jpeg/variants/coffee-arithmetic.jpg"),
            try read("jpeg/libjpeg-turbo/monkey12.jpg"),
            Array(jpeg.prefix(40)),
            Array(png.prefix(40)),
            try read("png/pngsuite/xhdn0g08.png"),
            try read("png/pngsuite/xcsn0g01.png"),
        ]
        for bytes in inputs {
            let o = process(bytes, "width=10")
            XCTAssertTrue(o.skipReason?.hasPrefix("decoding: ") ?? false, o.skipReason ?? "nil")
            XCTAssertEqual(o.body, bytes)
        }
    }

    // MARK: with the codecs

    func testJPEGResizedAndConvertedToWebP() throws {
        let jpeg = try read("photos/rocket.jpg")
        let header = try ImageDecoder.readHeader(jpeg)
        let o = process(jpeg, "width=300&fmt=webp&quality=80", accept: "image/avif;q=0,image/webp")
        XCTAssertNil(o.skipReason)
        XCTAssertEqual(o.contentType, "image/webp")
        XCTAssertEqual(o.operations, ["resize", "convert"])
        XCTAssertTrue(o.variesByAccept)
        XCTAssertLessThan(o.body.count, jpeg.count)
        let decoded = try referenceDecode(o.body, format: .webp)
        XCTAssertEqual(decoded.width, 300)
        XCTAssertEqual(decoded.height, Int((Double(header.height) * 300 / Double(header.width)).rounded()))
    }

    func testJPEGCropReencodedAsJPEG() throws {
        let jpeg = try read("photos/rocket.jpg")
        let o = process(jpeg, "quality=10&crop=300,200")
        XCTAssertNil(o.skipReason)
        XCTAssertEqual(o.contentType, "image/jpeg")
        XCTAssertEqual(o.operations, ["crop", "convert"])
        XCTAssertFalse(o.variesByAccept)
        let decoded = try referenceDecode(o.body, format: .jpeg)
        XCTAssertEqual(decoded.width, 300); XCTAssertEqual(decoded.height, 200)
        // A q10 crop of the centre looks like the centre of the original.
        let full = try ImageDecoder.decode(jpeg)
        let centre = try Crop.apply(full, rect: PixelRect(x: (full.width - 300) / 2, y: (full.height - 200) / 2, width: 300, height: 200))
        XCTAssertLessThan(meanDifference(decoded, centre), 12)
    }

    func testPNGStaysPNGAndSixteenBitStaysSixteenBit() throws {
        let png = try read("png/monkey16.png")
        let o = process(png, "width=64&quality=10")
        XCTAssertNil(o.skipReason, o.skipReason ?? "")
        XCTAssertEqual(o.contentType, "image/png")
        XCTAssertEqual(o.operations, ["resize"])
        let decoded = try referenceDecode(o.body, format: .png)
        XCTAssertEqual(decoded.width, 64)
        XCTAssertEqual(decoded.bitDepth, .sixteen)
    }

    func testPNGLosslessToWebPKeepsEveryPixel() throws {
        let png = try read("photos/logo.png")
        let o = process(png, "fmt=webp&quality=5", accept: "image/webp", rule: RuleSettings(pngLossless: true))
        guard o.skipReason == nil else {
            // Lossless WebP may not beat an optimised PNG: then the original must be served for that reason.
            XCTAssertEqual(o.skipReason, "compression: output image size is bigger than/equal to the original image size")
            XCTAssertEqual(o.body, png)
            return
        }
        XCTAssertEqual(o.operations, ["convert"])
        let decoded = try referenceDecode(o.body, format: .webp)
        let source = try ImageDecoder.decode(png)
        XCTAssertEqual(decoded.width, source.width)
        XCTAssertEqual(meanDifference(decoded, source), 0)
    }

    /// The "Lossless for PNG" rule with AVIF: every pixel (and alpha) comes back from avifdec; quality is ignored.
    func testPNGLosslessToAVIFKeepsEveryPixel() throws {
        for name in ["photos/chelsea.png", "photos/logo.png", "photos/camera.png"] {
            let png = try read(name)
            let o = process(png, "fmt=avif&quality=5", accept: "image/avif,image/webp", rule: RuleSettings(pngLossless: true))
            XCTAssertNil(o.skipReason, "\(name): \(o.skipReason ?? "")")
            XCTAssertEqual(o.contentType, "image/avif", name)
            XCTAssertEqual(o.operations, ["convert"], name)
            XCTAssertLessThan(o.body.count, png.count, name)
            let decoded = try referenceDecode(o.body, format: .avif)
            let source = try ImageDecoder.decode(png)
            XCTAssertEqual(decoded.width, source.width, name)
            XCTAssertEqual(meanDifference(decoded, source), 0, name)
            if source.layout.hasAlpha {
                XCTAssertEqual(decoded.layout, .rgba, name)
                let n = source.width * source.height
                let got: [UInt8] = (0..<n).map { i in decoded.samples8[i * 4 + 3] }
                let want: [UInt8] = (0..<n).map { i in source.samples8[i * 4 + 3] }
                XCTAssertEqual(got, want, name)
            }
        }
    }

    func testQualityAloneAndNoParametersServeTheOriginal() throws {
        let jpeg = try read("photos/rocket.jpg")
        for query in ["quality=76", "", "v=3&quality=50"] {
            let o = process(jpeg, query)
            XCTAssertNil(o.skipReason, query)
            XCTAssertEqual(o.operations, [], query)
            XCTAssertEqual(o.body, jpeg, query)
        }
    }

    func testClientWithoutWebPGetsTheOriginalWithTheReason() throws {
        let jpeg = try read("photos/rocket.jpg")
        let o = process(jpeg, "fmt=webp&quality=50", accept: "image/*,*/*;q=0.8")
        XCTAssertEqual(o.skipReason, "compression: webp/avif format is not supported by the client")
        XCTAssertEqual(o.body, jpeg)
        XCTAssertTrue(o.variesByAccept)
    }

    func testLowQualitySourceIsNotConvertedUpwards() throws {
        let jpeg = try read("jpeg/variants/coffee-q45.jpg")
        let o = process(jpeg, "fmt=webp&quality=80", accept: "image/webp")
        XCTAssertEqual(o.skipReason, "webp will be bigger, than origin: OriginQ: 45, DesiredQ: 80")
        XCTAssertEqual(o.body, jpeg)
    }

    func testEnlargementIsRefused() throws {
        let jpeg = try read("photos/rocket.jpg")
        let o = process(jpeg, "width=100000")
        XCTAssertEqual(o.skipReason, "resizing: destination image width or height parameter is more than the original image size")
        XCTAssertEqual(o.body, jpeg)
    }

    func testAllEightOrientationsDecodeUpright() throws {
        var upright: [Raster] = []
        for o in 1...8 {
            let bytes = try read("jpeg/variants/chelsea-orient\(o).jpg")
            let header = try ImageDecoder.readHeader(bytes)
            XCTAssertEqual(header.metadata.orientation, o, "chelsea-orient\(o).jpg")
            upright.append(Orientation.apply(try ImageDecoder.decode(bytes)))
        }
        for (i, r) in upright.enumerated() {
            XCTAssertEqual(r.width, upright[0].width, "orientation \(i + 1)")
            XCTAssertEqual(r.height, upright[0].height, "orientation \(i + 1)")
            XCTAssertEqual(r.metadata.orientation, 1)
            XCTAssertLessThan(meanDifference(r, upright[0]), 3.0, "orientation \(i + 1)")
        }
    }

    func testOrientedSourcesProduceTheSameResizedImage() throws {
        var outputs: [Raster] = []
        for o in [1, 3, 6, 8] {
            let bytes = try read("jpeg/variants/chelsea-orient\(o).jpg")
            let outcome = process(bytes, "width=200")
            XCTAssertNil(outcome.skipReason, outcome.skipReason ?? "")
            XCTAssertEqual(outcome.operations, ["resize"])
            outputs.append(try referenceDecode(outcome.body, format: .jpeg))
        }
        for r in outputs {
            XCTAssertEqual(r.width, 200)
            XCTAssertLessThan(meanDifference(r, outputs[0]), 4.0)
        }
    }

    func testShrinkOnLoadMatchesLibvipsThumbnail() throws {
        // A 4× and a 2× reduction of a real photo (through JPEG shrink-on-load) against `vips thumbnail`.
        let path = Self.corpus + "photos/hubble_deep_field.jpg"
        let bytes = try FileIO.read(path)
        let header = try ImageDecoder.readHeader(bytes)
        for width in [header.width / 4 - 3, header.width / 2 - 5] {
            let o = process(bytes, "width=\(width)")
            XCTAssertNil(o.skipReason, o.skipReason ?? "")
            let ours = try referenceDecode(o.body, format: .jpeg)
            let dir = FileManager.default.temporaryDirectory.path
            let reference = "\(dir)/vips-\(UUID().uuidString).pam"
            defer { try? FileManager.default.removeItem(atPath: reference) }
            try ExternalTool.run("vips", ["thumbnail", path, reference + ".ppm", "\(width)", "--height", "100000"])
            try FileManager.default.moveItem(atPath: reference + ".ppm", toPath: reference)
            let theirs = try PNMDecoder.decode(FileIO.read(reference))
            XCTAssertEqual(ours.width, theirs.width)
            XCTAssertEqual(ours.height, theirs.height)
            XCTAssertGreaterThan(psnr(ours, theirs), 30, "width \(width)")
        }
    }

    func testEverySkipKeepsTheOriginalBytes() throws {
        let files = ["photos/rocket.jpg", "photos/logo.png", "jpeg/variants/coffee-q45.jpg", "edge/tiny.gif",
                     "jpeg/variants/coffee-arithmetic.jpg"]
        let queries = ["width=abc", "width=100000", "crop=1,1,x99999,y0", "fmt=webp", "fmt=avif&quality=100",
                       "crop=300,200,x10,x20p", "quality=101"]
        for file in files {
            let bytes = try read(file)
            for query in queries {
                let o = process(bytes, query, accept: nil)
                if o.skipReason != nil {
                    XCTAssertEqual(o.body, bytes, "\(file) ?\(query)")
                    XCTAssertEqual(o.operations, [])
                    XCTAssertEqual(o.contentType, ContentSniffer.detect(bytes).mimeType)
                }
            }
        }
    }

    func testResultNotSmallerServesTheOriginal() throws {
        // An optimised-Huffman JPEG losing one column re-encodes (standard tables) larger than it was.
        let jpeg = try read("jpeg/variants/coffee-optimized.jpg")
        let header = try ImageDecoder.readHeader(jpeg)
        let o = process(jpeg, "crop=\(header.width - 1),\(header.height)&quality=100")
        XCTAssertEqual(o.skipReason, "compression: output image size is bigger than/equal to the original image size")
        XCTAssertEqual(o.body, jpeg)
    }

    /// `process` on every JPEG and PNG of the corpus: a smaller same-format result (5/8 of the width, at most 64 px)
    /// that the reference decoder reads at the right size, or the original untouched with a reason (corrupt,
    /// unsupported, one pixel wide, or not smaller).
    func testEveryCorpusFile() throws {
        let folders = ["jpeg/variants", "jpeg/libjpeg-turbo", "png/pngsuite", "png/variants", "png", "photos", "tuning",
                       "spec", "edge"]
        var transformed = 0, skipped = 0
        for folder in folders {
            let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus + folder).sorted()
            for name in names where name.hasSuffix(".jpg") || name.hasSuffix(".png") || name.hasSuffix(".gif") {
                let bytes = try read(folder + "/" + name)
                let header = try? ImageDecoder.readHeader(bytes)
                let upright = header.map {
                    Orientation.uprightSize(width: $0.width, height: $0.height, orientation: $0.metadata.orientation)
                } ?? (width: 32, height: 32)
                let width = max(1, min(64, upright.width * 5 / 8))
                let o = process(bytes, "width=\(width)")
                if let reason = o.skipReason {
                    skipped += 1
                    XCTAssertEqual(o.body, bytes, name)
                    let expected = reason.hasPrefix("decoding: ") || reason.hasPrefix("detected content type")
                        || reason.hasPrefix("resizing: destination") || reason.hasPrefix("compression: output image size")
                    XCTAssertTrue(expected, "\(name): \(reason)")
                    continue
                }
                if o.operations.isEmpty { continue }  // one pixel wide: nothing to do
                transformed += 1
                let format: ImageFormat = header?.metadata.source.format == .png ? .png : .jpeg
                XCTAssertEqual(o.contentType, format.mimeType, name)
                let decoded = try referenceDecode(o.body, format: format)
                XCTAssertEqual(decoded.width, width, name)
                XCTAssertEqual(decoded.height, max(1, Int((Double(upright.height) * Double(width) / Double(upright.width)).rounded())), name)
            }
        }
        XCTAssertGreaterThan(transformed, 150)
        XCTAssertGreaterThan(skipped, 10)
    }
}
