import XCTest
@testable import Raster
@testable import Decoders
@testable import Encoders

final class PNGEncoderGammaTests: XCTestCase {
    func testGammaOfTheSourceIsKept() throws {
        var raster = try Raster(width: 3, height: 2, layout: .rgb, samples8: (0..<18).map { UInt8($0 * 13) })
        raster.metadata.gamma = 1.0
        let png = try PNGEncoder.encode(raster)
        let decoded = try PNGDecoder.decode(png)
        XCTAssertEqual(decoded.metadata.gamma, 1.0)
        XCTAssertEqual(decoded.samples8, raster.samples8)
        // gAMA must precede PLTE and IDAT (PNG spec §5.6).
        let text = String(decoding: png, as: UTF8.self)
        let gama = try XCTUnwrap(text.range(of: "gAMA")), idat = try XCTUnwrap(text.range(of: "IDAT"))
        XCTAssertLessThan(gama.lowerBound, idat.lowerBound)
    }

    func testNoGammaChunkWithoutSourceGamma() throws {
        let raster = try Raster(width: 2, height: 2, layout: .gray, samples8: [0, 50, 100, 150])
        let png = try PNGEncoder.encode(raster)
        XCTAssertNil(String(decoding: png, as: UTF8.self).range(of: "gAMA"))
    }
}
