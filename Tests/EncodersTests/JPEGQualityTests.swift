import XCTest
import Foundation
import Raster
@testable import Encoders

final class JPEGQualityTests: XCTestCase {
    /// Quantization tables of a JPEG by slot, in natural order: a marker walk up to SOS reading DQT (T.81 §B.2.4.1).
    static func quantTables(_ jpeg: [UInt8]) -> [[UInt16]] {
        var slots = [[UInt16]?](repeating: nil, count: 4)
        var i = 2
        while i + 4 <= jpeg.count, jpeg[i] == 0xFF {
            let marker = jpeg[i + 1]
            let length = Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3])
            if marker == 0xDA { break }
            if marker == 0xDB {
                var p = i + 4
                while p < i + 2 + length {
                    let precision = Int(jpeg[p] >> 4), slot = Int(jpeg[p] & 15)
                    p += 1
                    var table = [UInt16](repeating: 0, count: 64)
                    for k in 0..<64 {
                        let value = precision == 1 ? Int(jpeg[p + 2 * k]) << 8 | Int(jpeg[p + 2 * k + 1]) : Int(jpeg[p + k])
                        table[JPEGTables.zigzagToNatural[k]] = UInt16(value)
                    }
                    p += precision == 1 ? 128 : 64
                    slots[slot] = table
                }
            }
            i += 2 + length
        }
        return slots.compactMap { $0 }
    }

    private func smallPPM() -> [UInt8] {
        var ppm = Array("P6\n16 16\n255\n".utf8)
        for p in 0..<256 { ppm += [UInt8(p), UInt8(255 - p), UInt8((p * 7) % 256)] }
        return ppm
    }

    func testExactForCjpegAtEveryQuality() throws {
        let ppm = smallPPM()
        for quality in 1...100 {
            let jpeg = try DeflateOracle.run("/usr/bin/cjpeg", ["-quality", "\(quality)"], input: ppm)
            let tables = Self.quantTables(jpeg)
            XCTAssertEqual(tables.count, 2)
            XCTAssertEqual(JPEGQuality.estimate(tables: tables), quality, "cjpeg -quality \(quality)")
        }
        // Baseline-forced tables (clamped at 255) too, and gray (luma table only).
        for quality in [1, 5, 10, 20, 24, 30] {
            let jpeg = try DeflateOracle.run("/usr/bin/cjpeg", ["-quality", "\(quality)", "-baseline"], input: ppm)
            XCTAssertEqual(JPEGQuality.estimate(tables: Self.quantTables(jpeg)), quality, "cjpeg -baseline -quality \(quality)")
            let gray = try DeflateOracle.run("/usr/bin/cjpeg", ["-quality", "\(quality)", "-grayscale"], input: ppm)
            XCTAssertEqual(JPEGQuality.estimate(tables: Self.quantTables(gray)), quality, "gray \(quality)")
        }
    }

    func testExactForOurEncoderAtEveryQuality() throws {
        let raster = try Raster(width: 16, height: 16, layout: .rgb, samples8: Array(smallPPM().suffix(768)))
        for quality in 1...100 {
            let jpeg = try JPEGEncoder.encode(raster, options: JPEGEncodeOptions(quality: quality))
            XCTAssertEqual(JPEGQuality.estimate(tables: Self.quantTables(jpeg)), quality)
        }
    }

    func testBestFitForOtherTables() {
        XCTAssertNil(JPEGQuality.estimate(tables: []))
        // Annex K tables scaled by a non-IJG factor still land near the IJG quality with the closest scale.
        let luma = JPEGTables.annexKLuminance.map { UInt16(max(1, $0 * 51 / 100)) }
        let chroma = JPEGTables.annexKChrominance.map { UInt16(max(1, $0 * 51 / 100)) }
        let q = JPEGQuality.estimate(tables: [luma, chroma])!
        XCTAssertTrue((74...76).contains(q), "got \(q)")
        // A flat table of 1s is quality 100.
        XCTAssertEqual(JPEGQuality.estimate(tables: [[UInt16](repeating: 1, count: 64)]), 100)
    }
}
