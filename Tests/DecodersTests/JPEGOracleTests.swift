import Foundation
import XCTest
@testable import Decoders
import Raster

/// Decodes corpus JPEGs and compares every sample with libjpeg-turbo's djpeg (default options), the oracle the
/// project promises bit-exactness against; checks refusals and the metadata the decoder reports.
final class JPEGOracleTests: XCTestCase {
    func testCorpusMatchesDjpegExactly() throws {
        let files = JPEGTestSupport.files(in: "jpeg") + JPEGTestSupport.files(in: "photos")
        XCTAssertGreaterThan(files.count, 60, "corpus not found at \(JPEGTestSupport.corpus.path)")
        var compared = 0
        for url in files where !JPEGTestSupport.unsupportedNames.contains(url.lastPathComponent) {
            let ours = try JPEGDecoder.decode(JPEGTestSupport.bytes(url))
            let ref = try JPEGTestSupport.djpeg(url)
            XCTAssertEqual(JPEGTestSupport.maxDifference(ours, ref), 0, url.lastPathComponent)
            compared += 1
        }
        XCTAssertGreaterThan(compared, 60)
    }

    func testScaledDecodingMatchesDjpegScale() throws {
        let names = ["jpeg/libjpeg-turbo/testorig.jpg", "jpeg/variants/odd-s2x2-prog.jpg", "jpeg/variants/odd-s2x1-base.jpg",
                     "jpeg/variants/odd-s1x2-base.jpg", "jpeg/variants/odd-s4x1-prog.jpg", "jpeg/variants/coffee-gray.jpg",
                     "jpeg/variants/coffee-cmyk.jpg", "jpeg/variants/thin-509x3.jpg", "jpeg/variants/one-pixel.jpg"]
        for name in names {
            let url = JPEGTestSupport.corpus.appendingPathComponent(name)
            let bytes = try JPEGTestSupport.bytes(url)
            for n in [2, 4, 8] {
                let ours = try JPEGDecoder.decode(bytes, scaleDenominator: n)
                let ref = try JPEGTestSupport.djpeg(url, scale: n)
                XCTAssertEqual(JPEGTestSupport.maxDifference(ours, ref), 0, "\(name) at 1/\(n)")
            }
        }
    }

    func testArithmeticTwelveBitAreUnsupported() throws {
        for name in JPEGTestSupport.unsupportedNames {
            let url = (JPEGTestSupport.files(in: "jpeg")).first { $0.lastPathComponent == name }
            let bytes = try JPEGTestSupport.bytes(try XCTUnwrap(url, name))
            XCTAssertThrowsError(try JPEGDecoder.decode(bytes), name) { error in
                let e = error as? CodecError
                XCTAssertEqual(e?.kind, .unsupported, name)
                XCTAssertEqual(e?.codec, "JPEG decoder")
            }
            XCTAssertThrowsError(try JPEGDecoder.readHeader(bytes), name)
        }
    }

    func testMetadata() throws {
        func header(_ name: String) throws -> ImageHeader {
            try JPEGDecoder.readHeader(JPEGTestSupport.bytes(JPEGTestSupport.corpus.appendingPathComponent(name)))
        }
        for o in 1...8 {
            let h = try header("jpeg/variants/chelsea-orient\(o).jpg")
            XCTAssertEqual(h.metadata.orientation, o)
            XCTAssertNotNil(h.metadata.exif)
        }
        let labels = ["s1x1": "4:4:4", "s2x1": "4:2:2", "s2x2": "4:2:0", "s1x2": "4:4:0", "s4x1": "4:1:1"]
        for (tag, label) in labels {
            let base = try header("jpeg/variants/astro-\(tag)-q75-base.jpg").metadata.source
            let prog = try header("jpeg/variants/astro-\(tag)-q75-prog.jpg").metadata.source
            XCTAssertEqual(base.subsampling, label, tag)
            XCTAssertFalse(base.progressive)
            XCTAssertTrue(prog.progressive)
            XCTAssertEqual(base.components, 3)
            XCTAssertEqual(base.colorTransform, "YCbCr")
            XCTAssertEqual(base.format, .jpeg)
            XCTAssertEqual(base.jpegQuantTables.count, 3)
        }
        let gray = try header("jpeg/variants/coffee-gray.jpg")
        XCTAssertEqual(gray.layout, .gray)
        XCTAssertNil(gray.metadata.source.subsampling)
        XCTAssertEqual(gray.metadata.source.jpegQuantTables.count, 1)
        let cmyk = try header("jpeg/variants/coffee-cmyk.jpg")
        XCTAssertEqual(cmyk.metadata.source.components, 4)
        // Adobe APP14 transform 2: the CMYK inks are stored as YCCK.
        XCTAssertEqual(cmyk.metadata.source.colorTransform, "YCCK")
        XCTAssertEqual(cmyk.layout, .rgb)
        // cjpeg -quality 75 scales T.81 Table K.1 by 50%: the first luminance entries 16, 11, 10 become 8, 6, 5.
        let q75 = try header("jpeg/variants/astro-s2x2-q75-base.jpg").metadata.source.jpegQuantTables[0]
        XCTAssertEqual(Array(q75.prefix(3)), [8, 6, 5])
        XCTAssertEqual(q75[8], 6) // natural order: row 1, column 0 is K.1's 12 → 6
    }

    func testICCProfileMatchesImageMagickExtraction() throws {
        for name in ["photos/hubble_deep_field.jpg", "photos/rocket.jpg"] {
            let url = JPEGTestSupport.corpus.appendingPathComponent(name)
            let h = try JPEGDecoder.readHeader(JPEGTestSupport.bytes(url))
            let expected = [UInt8](try JPEGTestSupport.run("convert", [url.path, "icc:-"]))
            XCTAssertFalse(expected.isEmpty)
            XCTAssertEqual(h.metadata.iccProfile, expected, name)
        }
    }

    func testLimitsCheckedBeforeDecoding() throws {
        let url = JPEGTestSupport.corpus.appendingPathComponent("jpeg/variants/coffee-q45.jpg")
        let bytes = try JPEGTestSupport.bytes(url)
        let tiny = ImageLimits(maxPixels: 1000, maxSide: 16384, maxSourceBytes: 1 << 30)
        XCTAssertThrowsError(try JPEGDecoder.decode(bytes, limits: tiny)) { XCTAssertEqual(($0 as? CodecError)?.kind, .limit) }
        XCTAssertThrowsError(try JPEGDecoder.readHeader(bytes, limits: tiny)) { XCTAssertEqual(($0 as? CodecError)?.kind, .limit) }
    }
}
