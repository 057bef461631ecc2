import XCTest
import Raster
import Decoders
import Encoders
@testable import Formats
import TestSupport

/// The registry: every format's names, signature and capabilities, the lookups the pipeline, server and CLI use,
/// and that its codec hooks are the codecs themselves (same bytes, same pixels).
final class FormatRegistryTests: XCTestCase {
    /// One real file of every format in the registry.
    private func sample(_ format: ImageFormat) throws -> [UInt8] {
        let tiny = try Raster(width: 3, height: 2, layout: .rgb, samples8: Array(0..<18).map { UInt8($0 * 14) })
        switch format {
        case .jpeg: return try FileIO.read(TestCorpus.path("photos/rocket.jpg"))
        case .png: return try FileIO.read(TestCorpus.path("photos/logo.png"))
        case .gif: return try FileIO.read(TestCorpus.path("edge/tiny.gif"))
        case .webp: return try WebPEncoder.encode(tiny)
        case .avif: return try AVIFEncoder.encode(tiny)
        case .pnm: return PNMWriter.encode(tiny)
        default: throw CodecError(codec: "test", kind: .unsupported, message: "no sample for \(format)")
        }
    }

    func testEveryFormatIsListedOnceWithItsNames() {
        let expected: [(FormatID, String, String?, [String])] = [
            (.avif, "image/avif", "image/avif", ["avif"]),
            (.webp, "image/webp", "image/webp", ["webp"]),
            (.jpeg, "image/jpeg", nil, ["jpg", "jpeg"]),
            (.png, "image/png", nil, ["png"]),
            (.pnm, "image/x-portable-anymap", nil, ["pnm", "ppm", "pgm", "pbm", "pam"]),
            (.gif, "image/gif", nil, ["gif"]),
        ]
        XCTAssertEqual(FormatRegistry.all.map(\.id), expected.map(\.0))
        for (id, mime, accept, extensions) in expected {
            guard let format = FormatRegistry.format(id: id) else { XCTFail("\(id) missing"); continue }
            XCTAssertEqual(format.mimeType, mime, "\(id)")
            XCTAssertEqual(format.acceptToken, accept, "\(id)")
            XCTAssertEqual(format.extensions, extensions, "\(id)")
            for ext in extensions { XCTAssertEqual(FormatRegistry.format(forExtension: ext.uppercased()), format, ext) }
        }
        let allExtensions = FormatRegistry.all.flatMap(\.extensions)
        XCTAssertEqual(Set(allExtensions).count, allExtensions.count, "an extension names two formats")
    }

    func testEverySignatureRecognisesItsOwnFilesOnly() throws {
        for format in FormatRegistry.all {
            let bytes = try sample(format)
            XCTAssertEqual(FormatRegistry.sniff(bytes), format, "\(format)")
            XCTAssertEqual(FormatRegistry.all.filter { $0.matches(bytes) }, [format], "\(format): signatures overlap")
            XCTAssertEqual(ContentSniffer.detect(bytes), ContentSniffer.Detection(format: format, mimeType: format.mimeType))
        }
        // A PNG whose signature was damaged by a CR-LF translation is still handed to the PNG decoder.
        var damaged = try sample(.png)
        damaged[4] = 0x0A
        XCTAssertEqual(FormatRegistry.sniff(damaged), .png)
        // Content that is no format: named for the skip reason only.
        let others: [(String, String)] = [("<svg xmlns='x'/>", "image/svg+xml"), ("<!DOCTYPE html><p>", "text/html"),
                                          ("{\"a\": 1}", "application/json"), ("BM....", "image/bmp"), ("", "application/x-empty")]
        for (text, mime) in others {
            XCTAssertEqual(ContentSniffer.detect(Array(text.utf8)), ContentSniffer.Detection(format: nil, mimeType: mime), text)
        }
        XCTAssertEqual(ContentSniffer.detect([0, 0, 0, 24] + Array("ftypheic".utf8) + [0, 0, 0, 0]).mimeType, "image/heif")
    }

    func testCapabilities() {
        typealias C = FormatCapabilities
        let expected: [(ImageFormat, C.Alpha, C.Coding, ClosedRange<Int>, Int, Bool, Bool, Bool)] = [
            // format, alpha, coding, quality scale, max side, 16-bit, shrink-on-load, web format
            (.jpeg, .none, .lossyOnly, 1...100, 65535, false, true, true),
            (.png, .asIs, .losslessOnly, 0...100, Int(Int32.max), true, false, true),
            (.webp, .whenTranslucent, .lossyOrLossless, 0...100, 16383, false, false, true),
            (.avif, .whenTranslucent, .lossyOrLossless, 0...100, 65536, false, false, true),
            (.pnm, .asIs, .losslessOnly, 0...100, Int.max, true, false, false),
        ]
        for (format, alpha, coding, quality, maxSide, sixteen, shrink, web) in expected {
            let c = format.capabilities
            XCTAssertEqual(c.alpha, alpha, "\(format)")
            XCTAssertEqual(c.coding, coding, "\(format)")
            XCTAssertEqual(c.quality, quality, "\(format)")
            XCTAssertEqual(c.maxSide, maxSide, "\(format)")
            XCTAssertEqual(c.sixteenBit, sixteen, "\(format)")
            XCTAssertEqual(c.shrinkOnLoad, shrink, "\(format)")
            XCTAssertEqual(c.isWebFormat, web, "\(format)")
        }
        XCTAssertEqual(ImageFormat.jpeg.capabilities.encoderQuality(0), 1)
        XCTAssertEqual(ImageFormat.webp.capabilities.encoderQuality(0), 0)
        XCTAssertEqual(ImageFormat.webp.capabilities.encoderQuality(150), 100)
        XCTAssertTrue(ImageFormat.webp.capabilities.fits(width: 16383, height: 1))
        XCTAssertFalse(ImageFormat.webp.capabilities.fits(width: 16384, height: 1))
        XCTAssertTrue(ImageFormat.jpeg.estimatesQuality)
        XCTAssertFalse(ImageFormat.png.estimatesQuality)
    }

    func testWhatEachFormatCanDo() {
        XCTAssertEqual(FormatRegistry.conversionTargets, [.avif, .webp])
        XCTAssertEqual(Set(FormatRegistry.encodable), [.avif, .webp, .jpeg, .png, .pnm])
        XCTAssertFalse(ImageFormat.gif.canDecode || ImageFormat.gif.canEncode)
        XCTAssertFalse(ImageFormat.avif.canDecode)
        // WebP is read once its decoder is plugged into its entry; everything below follows from that.
        let webpReadable = ImageFormat.webp.canDecode
        XCTAssertEqual(Set(FormatRegistry.processedFromOrigin), webpReadable ? [.jpeg, .png, .webp] : [.jpeg, .png])
        XCTAssertEqual(Set(FormatRegistry.decodable), webpReadable ? [.jpeg, .png, .pnm, .webp] : [.jpeg, .png, .pnm])
        XCTAssertEqual(Set(FormatRegistry.defaultRuleExtensions),
                       webpReadable ? ["jpg", "jpeg", "png", "webp"] : ["jpg", "jpeg", "png"])
        XCTAssertFalse(ImageFormat.pnm.isProcessedFromOrigin, "netpbm is for the CLI only")
    }

    /// The seam for a decoder: a descriptor that gains readHeader + decode is processed from the origin and
    /// covered by the default rule, with no other change.
    func testADecoderPlugsIntoItsEntryAlone() throws {
        let base = ImageFormat.webp
        let readable = ImageFormat(id: base.id, mimeType: base.mimeType, acceptToken: base.acceptToken,
                                   extensions: base.extensions, capabilities: base.capabilities,
                                   signature: { base.matches($0) },
                                   readHeader: { _, _ in ImageHeader(width: 2, height: 1, layout: .rgb, bitDepth: .eight, metadata: ImageMetadata()) },
                                   decode: { _, _ in try Raster(width: 2, height: 1, layout: .rgb, samples8: [1, 2, 3, 4, 5, 6]) },
                                   encode: { raster, settings in try base.encode(raster, settings: settings) })
        XCTAssertTrue(readable.isProcessedFromOrigin)
        let bytes = try sample(.webp)
        XCTAssertEqual(try readable.readHeader(bytes).metadata.source.format, .webp, "the entry stamps its id")
        XCTAssertEqual(try readable.decode(bytes).metadata.source.format, .webp)
    }

    func testLookupsByName() {
        XCTAssertEqual(FormatRegistry.format(named: "JPG"), .jpeg)
        XCTAssertEqual(FormatRegistry.format(named: "jpeg"), .jpeg)
        XCTAssertEqual(FormatRegistry.format(named: "ppm"), .pnm)
        XCTAssertNil(FormatRegistry.format(named: "tiff"))
        XCTAssertEqual(FormatRegistry.conversionTarget(named: "WebP"), .webp)
        XCTAssertNil(FormatRegistry.conversionTarget(named: "jpeg"), "JPEG is never a negotiated target")
        XCTAssertEqual(FormatRegistry.conversionTarget(acceptToken: "image/avif"), .avif)
        XCTAssertNil(FormatRegistry.conversionTarget(acceptToken: "image/jpeg"))
        XCTAssertNil(FormatRegistry.conversionTarget(acceptToken: "image/*"))
    }

    func testAnimationHook() {
        func webp(vp8xFlags: UInt8) -> [UInt8] {
            Array("RIFF".utf8) + [30, 0, 0, 0] + Array("WEBPVP8X".utf8) + [10, 0, 0, 0, vp8xFlags, 0, 0, 0] + [0, 0, 0, 0, 0, 0]
        }
        XCTAssertTrue(ImageFormat.webp.isAnimated(webp(vp8xFlags: 0x02)))
        XCTAssertTrue(ImageFormat.webp.isAnimated(webp(vp8xFlags: 0x12)))
        XCTAssertFalse(ImageFormat.webp.isAnimated(webp(vp8xFlags: 0x10)), "alpha only")
        XCTAssertFalse(ImageFormat.webp.isAnimated(Array(webp(vp8xFlags: 0x02).prefix(20))), "truncated")
        XCTAssertFalse(ImageFormat.jpeg.isAnimated([0xFF, 0xD8, 0xFF]))
    }

    /// The registry's hooks are the codecs: the same pixels and the same bytes as calling them directly.
    func testHooksAreTheCodecs() throws {
        let jpeg = try sample(.jpeg), png = try sample(.png)
        XCTAssertEqual(try ImageDecoder.decode(jpeg, jpegScaleDenominator: 4), try JPEGDecoder.decode(jpeg, scaleDenominator: 4))
        XCTAssertEqual(try FormatRegistry.decode(png), try PNGDecoder.decode(png))
        XCTAssertEqual(try FormatRegistry.readHeader(jpeg), try JPEGDecoder.readHeader(jpeg))
        let image = try Resample.small(try PNGDecoder.decode(png))
        XCTAssertEqual(try ImageFormat.jpeg.encode(image, settings: EncodeSettings(quality: 85, subsampling: .s444, progressive: true)),
                       try JPEGEncoder.encode(image, options: JPEGEncodeOptions(quality: 85, subsampling: .s444, progressive: true)))
        XCTAssertEqual(try ImageFormat.jpeg.encode(image, settings: EncodeSettings(quality: 0)),
                       try JPEGEncoder.encode(image, options: JPEGEncodeOptions(quality: 1)))
        XCTAssertEqual(try ImageFormat.png.encode(image, settings: EncodeSettings(effort: 9)),
                       try PNGEncoder.encode(image, options: PNGEncodeOptions(compressionLevel: 9)))
        XCTAssertEqual(try ImageFormat.webp.encode(image, settings: EncodeSettings(quality: 30, effort: 9)),
                       try WebPEncoder.encode(image, options: WebPEncodeOptions(quality: 30, effort: 6)))
        XCTAssertEqual(try ImageFormat.webp.encode(image, settings: EncodeSettings(lossless: true)),
                       try WebPEncoder.encode(image, options: WebPEncodeOptions(lossless: true)))
        XCTAssertEqual(try ImageFormat.avif.encode(image, settings: EncodeSettings(quality: 40, speed: 8, subsampling: .s444, alphaQuality: 50)),
                       try AVIFEncoder.encode(image, options: AVIFEncodeOptions(quality: 40, speed: 8, subsampling: .s444, alphaQuality: 50)))
        XCTAssertEqual(try ImageFormat.pnm.encode(image), PNMWriter.encode(image))
        XCTAssertThrowsError(try ImageFormat.gif.encode(image))
        XCTAssertThrowsError(try FormatRegistry.decode(try sample(.gif))) { error in
            XCTAssertEqual((error as? CodecError)?.kind, .unsupported)
        }
    }

    func testHeaderDetailsForInfo() throws {
        let jpeg = try FormatRegistry.readHeader(try sample(.jpeg))
        let names = ImageFormat.jpeg.details(jpeg.metadata).map(\.name)
        XCTAssertEqual(names, ["progressive", "subsampling", "components", "colorTransform", "estimatedQuality"])
        let png = try FormatRegistry.readHeader(try sample(.png))
        XCTAssertEqual(ImageFormat.png.details(png.metadata).map(\.name), ["interlaced", "colorType", "gamma"])
        let webp = try FormatRegistry.readHeader(try sample(.webp))
        let details = ImageFormat.webp.details(webp.metadata)
        XCTAssertEqual(details.map(\.name), ["lossless", "subsampling", "components"])
        XCTAssertEqual(details.first?.value, .flag(false))   // our encoder's default is lossy VP8
        XCTAssertEqual(ImageFormat.gif.details(png.metadata).count, 0)
    }
}

/// A small RGBA crop of a test image, so encoder comparisons stay fast.
private enum Resample {
    static func small(_ raster: Raster) throws -> Raster {
        let width = min(raster.width, 40), height = min(raster.height, 30), n = raster.channels
        var samples: [UInt8] = []
        for y in 0..<height { samples += raster.samples8[(y * raster.width * n)..<(y * raster.width * n + width * n)] }
        return try Raster(width: width, height: height, layout: raster.layout, samples8: samples)
    }
}
