import Foundation
import XCTest
@testable import Decoders
import Raster

/// `keepCMYK`: CMYK and YCCK JPEGs as libjpeg's four CMYK samples, for the colour stage. Checked against
/// ImageMagick's CMYK read of the same files (libjpeg underneath; ImageMagick stores inks, so Adobe files read as
/// 255 − our samples) and against our own default RGB output (the naive reduction of these samples).
final class JPEGCMYKTests: XCTestCase {
    static let iccCorpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Conformance/corpus/icc")

    func testInksMatchImageMagickAndReduceToTheDefaultOutput() throws {
        let files = [JPEGTestSupport.corpus.appendingPathComponent("jpeg/variants/coffee-cmyk.jpg"),
                     Self.iccCorpus.appendingPathComponent("cmyk-swop.jpg")]
        for url in files {
            let bytes = try JPEGTestSupport.bytes(url)
            let inks = try JPEGDecoder.decode(bytes, keepCMYK: true)
            XCTAssertEqual(inks.channels, 4, url.lastPathComponent)
            XCTAssertEqual(inks.metadata.cmyk, CMYKSamples(adobeInverted: true), url.lastPathComponent)
            let magick = [UInt8](try JPEGTestSupport.run("convert", [url.path, "-depth", "8", "cmyk:-"]))
            XCTAssertEqual(magick.count, inks.samples8.count)
            XCTAssertEqual(inks.samples8.map { 255 - $0 }, magick, url.lastPathComponent)

            let rgb = try JPEGDecoder.decode(bytes)
            XCTAssertNil(rgb.metadata.cmyk)
            var naive = [UInt8]()
            for i in stride(from: 0, to: inks.samples8.count, by: 4) {
                let k = UInt32(inks.samples8[i + 3])
                for c in 0..<3 { naive.append(UInt8((2 * UInt32(inks.samples8[i + c]) * k + 255) / 510)) }
            }
            XCTAssertEqual(naive, rgb.samples8, url.lastPathComponent)
            // Scaled decoding keeps the inks too.
            let half = try JPEGDecoder.decode(bytes, scaleDenominator: 2, keepCMYK: true)
            XCTAssertEqual(half.channels, 4)
            XCTAssertEqual(half.width, (inks.width + 1) / 2)
        }
        // Not CMYK: the option changes nothing.
        let plain = try JPEGTestSupport.bytes(JPEGTestSupport.corpus.appendingPathComponent("jpeg/libjpeg-turbo/testorig.jpg"))
        XCTAssertEqual(try JPEGDecoder.decode(plain, keepCMYK: true), try JPEGDecoder.decode(plain))
    }
}
