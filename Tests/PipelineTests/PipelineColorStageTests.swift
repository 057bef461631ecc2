import Foundation
import XCTest
import Raster
import Formats
import Decoders
import ColorManagement
@testable import Pipeline
import TestSupport

/// The colour stage on the ICC-tagged corpus (Conformance/corpus/icc), against LittleCMS (tificc through
/// Conformance/icc/lcms_convert.py) applied to the same decoded samples.
final class PipelineColorStageTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let corpus = root.appendingPathComponent("Conformance/corpus/icc")

    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: corpus.appendingPathComponent(name))) }

    /// The file's embedded profile written out, converted by lcms from `samples`.
    static func lcms(_ samples: [UInt8], width: Int, height: Int, mode: String, profile: [UInt8], exact: Bool = false) throws -> [UInt8] {
        let dir = NSTemporaryDirectory() + "imagestack-stage-\(getpid())-"
        let (input, output, icc) = (dir + "in.raw", dir + "out.raw", dir + "profile.icc")
        defer { for p in [input, output, icc] { try? FileManager.default.removeItem(atPath: p) } }
        try Data(samples).write(to: URL(fileURLWithPath: input))
        try Data(profile).write(to: URL(fileURLWithPath: icc))
        try ExternalTool.run("python3", [root.appendingPathComponent("Conformance/icc/lcms_convert.py").path, input, "\(width)",
                                          "\(height)", mode, icc, output] + (exact ? ["--exact"] : []))
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    static func maxDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.count == b.count ? zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0 : Int.max
    }

    static func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
        let mse = zip(a, b).reduce(0.0) { $0 + Double((Int($1.0) - Int($1.1)) * (Int($1.0) - Int($1.1))) } / Double(a.count)
        return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
    }

    func testMatrixShaperSourcesWithinOneStepOfLittleCMS() throws {
        for name in ["adobergb-colord.jpg", "adobergb-compatible.png", "prophoto.jpg", "rec709.jpg", "display-p3-like.jpg"] {
            let decoded = try ImageDecoder.decode(try Self.bytes(name), keepCMYK: true)
            let profile = try XCTUnwrap(decoded.metadata.iccProfile, name)
            let result = ColorStage.apply(decoded, policy: .srgb)
            XCTAssertNil(result.raster.metadata.iccProfile, name)
            XCTAssertEqual(result.note?.hasPrefix("converted to sRGB"), true, name)
            let reference = try Self.lcms(decoded.samples8, width: decoded.width, height: decoded.height, mode: "RGB", profile: profile)
            let diff = Self.maxDifference(result.raster.samples8, reference)
            XCTAssertLessThanOrEqual(diff, 1, "\(name): \(diff)")
        }
    }

    func testGrayAndSixteenBitSources() throws {
        let gray = try ImageDecoder.decode(try Self.bytes("gray-linear.jpg"))
        let g = ColorStage.apply(gray, policy: .keep) // gray is converted under both policies
        XCTAssertEqual(g.raster.layout, .gray)
        XCTAssertNil(g.raster.metadata.iccProfile)
        let gref = try Self.lcms(gray.samples8, width: gray.width, height: gray.height, mode: "L",
                                 profile: try XCTUnwrap(gray.metadata.iccProfile), exact: true)
        XCTAssertLessThanOrEqual(Self.maxDifference(g.raster.samples8, stride(from: 0, to: gref.count, by: 3).map { gref[$0] }), 1)

        let deep = try ImageDecoder.decode(try Self.bytes("prophoto-16bit.png"))
        XCTAssertEqual(deep.bitDepth, .sixteen)
        let d = ColorStage.apply(deep, policy: .srgb)
        XCTAssertEqual(d.raster.bitDepth, .sixteen, "16-bit sources stay 16-bit through the stage")
        XCTAssertNotEqual(d.raster.samples16, deep.samples16)
    }

    func testCMYKThroughItsProfile() throws {
        let decoded = try ImageDecoder.decode(try Self.bytes("cmyk-swop.jpg"), keepCMYK: true)
        XCTAssertEqual(decoded.metadata.cmyk, CMYKSamples(adobeInverted: true))
        let result = ColorStage.apply(decoded, policy: .keep)
        XCTAssertEqual(result.raster.layout, .rgb)
        XCTAssertNil(result.raster.metadata.iccProfile, "never an RGB image tagged with a CMYK profile")
        XCTAssertNil(result.raster.metadata.cmyk)
        // lcms takes inks (0 = none): Adobe files store 255 − ink.
        let reference = try Self.lcms(decoded.samples8.map { 255 - $0 }, width: decoded.width, height: decoded.height,
                                      mode: "CMYK", profile: try XCTUnwrap(decoded.metadata.iccProfile))
        let psnr = Self.psnr(result.raster.samples8, reference)
        XCTAssertGreaterThanOrEqual(psnr, 45, "PSNR \(psnr)")

        let bare = try ImageDecoder.decode(try Self.bytes("cmyk-noprofile.jpg"), keepCMYK: true)
        let naive = ColorStage.apply(bare, policy: .srgb)
        XCTAssertEqual(naive.raster.samples8, try ImageDecoder.decode(try Self.bytes("cmyk-noprofile.jpg")).samples8,
                       "without a profile: the decoder's (djpeg's) naive conversion")
        XCTAssertEqual(naive.note, "CMYK converted naively (no ICC profile)")
    }

    func testSRGBProfilesAreDroppedWithPixelsUntouched() throws {
        for name in ["srgb-colord.jpg", "srgb-hp.png"] {
            let decoded = try ImageDecoder.decode(try Self.bytes(name))
            XCTAssertNotNil(decoded.metadata.iccProfile, name)
            let result = ColorStage.apply(decoded, policy: .srgb)
            XCTAssertNil(result.raster.metadata.iccProfile, name)
            XCTAssertEqual(result.raster.samples8, decoded.samples8, name)
        }
    }

    func testKeepPolicy() throws {
        let p3 = try ImageDecoder.decode(try Self.bytes("display-p3-like.jpg"))
        let kept = ColorStage.apply(p3, policy: .keep)
        XCTAssertEqual(kept.raster.samples8, p3.samples8)
        XCTAssertEqual(kept.raster.metadata.iccProfile, p3.metadata.iccProfile)
        XCTAssertEqual(kept.raster.metadata.codePoints, ColourCodePoints(primaries: 12, transfer: 13))
        let adobe = ColorStage.apply(try ImageDecoder.decode(try Self.bytes("adobergb-colord.jpg")), policy: .keep)
        XCTAssertNotNil(adobe.raster.metadata.iccProfile)
        XCTAssertNil(adobe.raster.metadata.codePoints, "Adobe RGB has no H.273 code points: its profile goes as bytes")
    }

    func testUnusableProfileIsIgnoredWithAReason() throws {
        var raster = try ImageDecoder.decode(try Self.bytes("adobergb-colord.jpg"))
        let pixels = raster.samples8
        raster.metadata.iccProfile = Array(raster.metadata.iccProfile![0..<200])
        let result = ColorStage.apply(raster, policy: .srgb)
        XCTAssertEqual(result.raster.samples8, pixels)
        XCTAssertNil(result.raster.metadata.iccProfile)
        XCTAssertEqual(result.note?.hasPrefix("ICC profile ignored, image taken as sRGB: ICC profile: truncated data"), true,
                       result.note ?? "")
        // An RGB profile on a gray image is ignored the same way.
        var gray = try Raster(width: 4, height: 4, layout: .gray, samples8: [UInt8](repeating: 9, count: 16))
        gray.metadata.iccProfile = [UInt8](try Data(contentsOf: Self.root.appendingPathComponent("Conformance/icc/profiles/display-p3-like.icc")))
        XCTAssertEqual(ColorStage.apply(gray, policy: .srgb).raster.samples8, gray.samples8)
    }

    /// The whole pipeline: a tagged JPEG to WebP and AVIF carries no profile under "srgb"; under "keep" WebP carries
    /// the Adobe RGB profile and AVIF names Display P3 by nclx.
    func testOutputsCarryProfilesAsThePolicySays() throws {
        func run(_ name: String, _ format: String, _ policy: ColorProfilePolicy) throws -> [UInt8] {
            let original = try Self.bytes(name)
            let rule = RuleSettings(colorProfile: policy)
            let outcome = ImageProcessor.process(original: original, query: ImageProcessor.splitQuery("width=200&fmt=\(format)"),
                                                 accept: "image/\(format)", rule: rule)
            XCTAssertNil(outcome.skipReason, "\(name) \(format) \(policy)")
            XCTAssertEqual(outcome.notes.count, 1)
            return outcome.body
        }
        func contains(_ h: [UInt8], _ n: [UInt8]) -> Bool {
            (0...(h.count - n.count)).contains { Array(h[$0..<($0 + n.count)]) == n }
        }
        let adobe = try XCTUnwrap(ImageDecoder.decode(try Self.bytes("adobergb-colord.jpg")).metadata.iccProfile)
        XCTAssertFalse(contains(try run("adobergb-colord.jpg", "webp", .srgb), Array("ICCP".utf8)))
        XCTAssertTrue(contains(try run("adobergb-colord.jpg", "webp", .keep), Array(adobe[0..<64])))
        XCTAssertFalse(contains(try run("cmyk-swop.jpg", "webp", .keep), Array("ICCP".utf8)))
        let avif = try run("display-p3-like.jpg", "avif", .keep)
        XCTAssertTrue(contains(avif, Array("nclx".utf8) + [0, 12, 0, 13]))
        XCTAssertFalse(contains(avif, Array("prof".utf8)))
        XCTAssertFalse(contains(try run("display-p3-like.jpg", "avif", .srgb), Array("prof".utf8)))
    }

    /// `imagestack info` names the profile, its model and whether it is sRGB.
    func testInfoNamesTheProfile() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("imagestack").path
        func info(_ name: String) throws -> [String: Any] {
            let data = Data(try ExternalTool.run(binary, ["info", Self.corpus.appendingPathComponent(name).path]))
            let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return try XCTUnwrap(json?["iccProfile"] as? [String: Any], name)
        }
        let cmyk = try info("cmyk-swop.jpg")
        XCTAssertEqual(cmyk["description"] as? String, "Artifex CMYK SWOP Profile")
        XCTAssertEqual(cmyk["class"] as? String, "prtr")
        XCTAssertEqual(cmyk["colorSpace"] as? String, "CMYK")
        XCTAssertEqual(cmyk["model"] as? String, "lut (A2B1 mft2)")
        XCTAssertEqual(cmyk["sRGBEquivalent"] as? Bool, false)
        let hp = try info("srgb-hp.png")
        XCTAssertEqual(hp["description"] as? String, "sRGB IEC61966-2.1")
        XCTAssertEqual(hp["model"] as? String, "matrix-shaper")
        XCTAssertEqual(hp["sRGBEquivalent"] as? Bool, true)
        XCTAssertEqual(try info("display-p3-like.jpg")["knownSpace"] as? String, "Display P3")
    }
}
