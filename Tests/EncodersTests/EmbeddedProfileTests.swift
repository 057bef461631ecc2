import Foundation
import XCTest
@testable import Encoders
import Raster

/// Encoders embed a profile only when it describes the data they write (EmbeddedProfile): never a CMYK profile in
/// RGB output, never an RGB profile on gray data; AVIF names recognised spaces by nclx code points instead.
final class EmbeddedProfileTests: XCTestCase {
    /// `count` bytes that pass for a profile of data colour space `space`: "acsp" at 36, the space at 16.
    static func fakeProfile(space: String, count: Int) -> [UInt8] {
        var state: UInt32 = 7
        var b = (0..<count).map { _ -> UInt8 in state = state &* 1_664_525 &+ 1_013_904_223; return UInt8(state >> 24) }
        b.replaceSubrange(16..<20, with: Array(space.utf8))
        b.replaceSubrange(36..<40, with: Array("acsp".utf8))
        return b
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }

    func colourRaster() throws -> Raster {
        try Raster(width: 16, height: 8, layout: .rgb, samples8: (0..<384).map { UInt8(($0 * 7) & 0xFF) })
    }

    func testCMYKProfileIsNeverEmbedded() throws {
        var raster = try colourRaster()
        let cmyk = Self.fakeProfile(space: "CMYK", count: 600)
        raster.metadata.iccProfile = cmyk
        let marker = Array(cmyk[40..<80])
        let outputs = [try PNGEncoder.encode(raster), try JPEGEncoder.encode(raster),
                       try WebPEncoder.encode(raster), try AVIFEncoder.encode(raster)]
        for (i, out) in outputs.enumerated() {
            XCTAssertFalse(Self.contains(out, marker), "output \(i) carries the CMYK profile")
        }
        XCTAssertFalse(Self.contains(try WebPEncoder.encode(raster), Array("ICCP".utf8)))
    }

    func testGrayProfileOnlyOnGrayData() throws {
        var gray = try Raster(width: 16, height: 8, layout: .gray, samples8: (0..<128).map { UInt8($0 * 2) })
        let profile = Self.fakeProfile(space: "GRAY", count: 400)
        gray.metadata.iccProfile = profile
        XCTAssertTrue(Self.contains(try PNGEncoder.encode(gray), Array("iCCP".utf8)))
        XCTAssertTrue(Self.contains(try JPEGEncoder.encode(gray), Array(profile[40..<80])))
        XCTAssertFalse(Self.contains(try WebPEncoder.encode(gray), Array("ICCP".utf8)))
        var colour = try colourRaster()
        colour.metadata.iccProfile = profile
        XCTAssertFalse(Self.contains(try JPEGEncoder.encode(colour), Array(profile[40..<80])))
    }

    /// Gray-looking colour pixels with an RGB profile stay a colour PNG (colour type 2 or palette 3), so the profile stays valid.
    func testPNGKeepsColourTypeForRGBProfile() throws {
        var raster = try Raster(width: 300, height: 1, layout: .rgb, samples8: (0..<300).flatMap { i in
            [UInt8(i % 256), UInt8(i % 256), UInt8(i % 256)] })
        XCTAssertEqual(try PNGEncoder.encode(raster)[25], 0, "without a profile gray pixels become a gray PNG")
        raster.metadata.iccProfile = Self.fakeProfile(space: "RGB ", count: 300)
        let png = try PNGEncoder.encode(raster)
        XCTAssertTrue([2, 3].contains(png[25]), "an RGB or palette PNG, not gray")
        XCTAssertTrue(Self.contains(png, Array("iCCP".utf8)))
    }

    func testAVIFNamesKnownSpacesWithNclx() throws {
        var raster = try colourRaster()
        raster.metadata.iccProfile = Self.fakeProfile(space: "RGB ", count: 500)
        raster.metadata.codePoints = ColourCodePoints(primaries: 12, transfer: 13)
        let avif = try AVIFEncoder.encode(raster)
        // nclx: primaries 12, transfer 13 (big-endian u16 each), and no 'prof' colr box.
        XCTAssertTrue(Self.contains(avif, Array("nclx".utf8) + [0, 12, 0, 13]))
        XCTAssertFalse(Self.contains(avif, Array("prof".utf8)))
    }
}
