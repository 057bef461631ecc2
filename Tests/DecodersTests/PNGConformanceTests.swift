import Foundation
import Raster
import Formats
import XCTest
@testable import Decoders

/// Every PngSuite file and every other (non-benchmark) corpus PNG against libpng via `pngtopam -alphapam`.
final class PNGConformanceTests: XCTestCase {
    /// netpbm 11.1's pngtopam ignores tRNS on truecolour images, which the PNG spec (§11.3.2.1) requires applying;
    /// for these files ImageMagick (also libpng-based) is the reference instead.
    static let truecolourKeyFiles: Set<String> = ["tbrn2c08.png", "tbbn2c16.png", "tbgn2c16.png"]

    private func reference(_ path: String) throws -> PNGTestSupport.PNM {
        let name = (path as NSString).lastPathComponent
        if Self.truecolourKeyFiles.contains(name) {
            return try PNGTestSupport.parsePNM(try PNGTestSupport.run("convert", [path, "pam:-"]))
        }
        return try PNGTestSupport.parsePNM(try PNGTestSupport.run("pngtopam", ["-alphapam", path]))
    }

    private func validFiles() throws -> [String] {
        let suite = try PNGTestSupport.corpusFiles("png/pngsuite").filter { !($0 as NSString).lastPathComponent.hasPrefix("x") }
        XCTAssertGreaterThanOrEqual(suite.count, 150, "PngSuite not found under \(PNGTestSupport.corpus)")
        return suite + (try PNGTestSupport.corpusFiles("png")) + (try PNGTestSupport.corpusFiles("png/variants"))
            + (try PNGTestSupport.corpusFiles("photos"))
    }

    func testEveryValidFileMatchesLibpng() throws {
        for path in try validFiles() {
            let name = (path as NSString).lastPathComponent
            let raster: Raster
            do {
                raster = try PNGDecoder.decode(try PNGTestSupport.read(path))
            } catch {
                XCTFail("\(name): \(error)"); continue
            }
            PNGTestSupport.assertSame(raster, try reference(path), name)
        }
    }

    func testHeaderAgreesWithDecode() throws {
        for path in try validFiles() {
            let bytes = try PNGTestSupport.read(path)
            let header = try PNGDecoder.readHeader(bytes)
            let raster = try PNGDecoder.decode(bytes)
            XCTAssertEqual(header.width, raster.width, path)
            XCTAssertEqual(header.height, raster.height, path)
            XCTAssertEqual(header.layout, raster.layout, path)
            XCTAssertEqual(header.bitDepth, raster.bitDepth, path)
            XCTAssertEqual(header.metadata, raster.metadata, path)
        }
    }

    func testCorruptSuiteFilesAreRejected() throws {
        let corrupt = try PNGTestSupport.corpusFiles("png/pngsuite").filter { ($0 as NSString).lastPathComponent.hasPrefix("x") }
        XCTAssertEqual(corrupt.count, 14)
        for path in corrupt {
            let bytes = try PNGTestSupport.read(path)
            XCTAssertThrowsError(try PNGDecoder.decode(bytes), path) { error in
                XCTAssertEqual((error as? CodecError)?.codec, "PNG decoder", "\(path): \(error)")
            }
            XCTAssertThrowsError(try ImageDecoder.decode(bytes), path) { XCTAssertTrue($0 is CodecError, "\(path): \($0)") }
        }
    }

    func testLayoutsFollowColourTypeAndTransparency() throws {
        let cases: [(String, ChannelLayout, BitDepth)] = [
            ("basn0g01.png", .gray, .eight), ("basn0g16.png", .gray, .sixteen), ("basn2c08.png", .rgb, .eight),
            ("basn3p04.png", .rgb, .eight), ("tbbn3p08.png", .rgba, .eight), ("basn4a16.png", .grayAlpha, .sixteen),
            ("basn6a08.png", .rgba, .eight), ("tbbn0g04.png", .grayAlpha, .eight), ("tbrn2c08.png", .rgba, .eight),
            ("tbbn2c16.png", .rgba, .sixteen),
        ]
        for (name, layout, depth) in cases {
            let raster = try PNGDecoder.decode(try PNGTestSupport.read(PNGTestSupport.corpus + "/png/pngsuite/" + name))
            XCTAssertEqual(raster.layout, layout, name)
            XCTAssertEqual(raster.bitDepth, depth, name)
        }
    }
}
