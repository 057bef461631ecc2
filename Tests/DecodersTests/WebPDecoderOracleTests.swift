import Foundation
import XCTest
@testable import Decoders
import Raster

/// The WebP decoder against libwebp's dwebp (its default `-pam` output) on files cwebp makes from corpus images:
/// every sample must be identical.
final class WebPDecoderOracleTests: XCTestCase {
    func check(_ file: String, _ options: [String], line: UInt = #line) throws {
        let webp = try WebPDecoderOracle.cwebp(file, options)
        let reference = try WebPDecoderOracle.dwebp(webp)
        let ours: Raster
        do { ours = try WebPDecoder.decode(webp) } catch {
            XCTFail("\(file) \(options): \(error)", line: line); return
        }
        if let d = WebPDecoderOracle.difference(ours, reference) { XCTFail("\(file) \(options): \(d)", line: line) }
    }

    func testLossless() throws {
        for file in ["photos/chelsea.png", "photos/logo.png", "photos/camera.png", "png/pngsuite/basn3p04.png"] {
            try check(file, ["-lossless"])
        }
        try check("photos/logo.png", ["-z", "9"])
        try check("photos/coffee.png", ["-lossless", "-m", "0"])
        try check("photos/logo.png", ["-lossless", "-exact"])
    }

    func testLossy() throws {
        for q in ["10", "75", "95"] { try check("photos/chelsea.png", ["-q", q]) }
        try check("photos/camera.png", ["-q", "60"])
        try check("photos/rocket.jpg", ["-q", "50", "-f", "0"])
        try check("photos/rocket.jpg", ["-q", "50", "-nostrong"])
        try check("photos/rocket.jpg", ["-q", "50", "-segments", "1", "-sns", "0"])
        try check("photos/rocket.jpg", ["-q", "40", "-sharpness", "7"])
        try check("photos/coffee.png", ["-q", "80", "-sharp_yuv", "-m", "6"])
    }

    func testLossyWithAlpha() throws {
        // camera-gray-alpha is the corpus photo with real transparency (cwebp drops an all-opaque alpha).
        let translucent = "png/variants/camera-gray-alpha.png"
        for filter in ["none", "fast", "best"] { try check(translucent, ["-q", "70", "-alpha_filter", filter]) }
        try check(translucent, ["-q", "70", "-alpha_q", "40"])
        try check(translucent, ["-q", "70", "-alpha_method", "0"])
        try check(translucent, ["-q", "50", "-exact"])
        try check("png/pngsuite/basn6a08.png", ["-q", "80"])
        try check("png/pngsuite/basn6a08.png", ["-lossless"])
    }

    func testOddSizes() throws {
        try check("photos/chelsea.png", ["-q", "70", "-crop", "3", "5", "301", "199"])
        try check("photos/chelsea.png", ["-q", "70", "-resize", "1", "1"])
        try check("photos/logo.png", ["-lossless", "-crop", "1", "1", "17", "33"])
        try check("photos/logo.png", ["-q", "60", "-crop", "0", "0", "2", "3"])
    }
}
