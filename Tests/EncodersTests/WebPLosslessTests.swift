import Foundation
import XCTest
import Decoders
@testable import Encoders
@testable import Raster
import TestSupport

/// VP8L lossless round trips through libwebp's dwebp: the decoded pixels must equal the input bit for bit.
final class WebPLosslessTests: XCTestCase {
    typealias S = WebPTestSupport

    func testGradientsAllEfforts() throws {
        let image = try S.raster(width: 97, height: 61, layout: .rgb) { x, y, c in
            UInt8(truncatingIfNeeded: [x * 2 + y, y * 4, (x + y) * 3 / 2][c])
        }
        for effort in 0...6 { try S.assertLosslessRoundTrip(image, effort: effort, name: "gradient-e\(effort)") }
    }

    func testNoiseWithAlphaKeepsColourUnderTransparentPixels() throws {
        var random = S.Random(state: 99)
        let image = try S.raster(width: 83, height: 47, layout: .rgba) { x, _, c in
            // A quarter of the pixels fully transparent with arbitrary colour, which must survive.
            let v = random.byte()
            return c == 3 ? (x % 4 == 0 ? 0 : (x % 4 == 1 ? 255 : v)) : v
        }
        for effort in [0, 3, 6] { try S.assertLosslessRoundTrip(image, effort: effort, name: "noise-alpha-e\(effort)") }
    }

    func testPaletteImages() throws {
        for colors in [1, 2, 3, 4, 5, 16, 17, 200, 256] {
            for alpha in [false, true] {
                let image = try S.paletteImage(width: 131, height: 37, colors: colors, alpha: alpha)
                try S.assertLosslessRoundTrip(image, effort: 4, name: "palette-\(colors)-\(alpha)")
            }
        }
        // 257 colours: not a palette image any more.
        let many = try S.raster(width: 257, height: 3, layout: .rgb) { x, y, c in UInt8(truncatingIfNeeded: c == 0 ? x : y) }
        try S.assertLosslessRoundTrip(many, name: "palette-257")
    }

    func testOddSizes() throws {
        var random = S.Random(state: 7)
        for (w, h) in [(1, 1), (509, 3), (3, 509), (577, 383), (2, 1), (1, 17)] {
            let smooth = try S.raster(width: w, height: h, layout: .rgba) { x, y, c in
                c == 3 ? UInt8(truncatingIfNeeded: 255 - (x + y) % 3) : UInt8(truncatingIfNeeded: (x * (c + 1) + y * 3) / 2 + Int(random.byte() % 4))
            }
            try S.assertLosslessRoundTrip(smooth, name: "odd-\(w)x\(h)")
        }
    }

    func testGrayGrayAlphaAnd16Bit() throws {
        let gray = try S.raster(width: 64, height: 40, layout: .gray) { x, y, _ in UInt8(truncatingIfNeeded: x * y) }
        try S.assertLosslessRoundTrip(gray, name: "gray")
        let grayAlpha = try S.raster(width: 40, height: 64, layout: .grayAlpha) { x, y, c in
            UInt8(truncatingIfNeeded: c == 0 ? x + y : x * 6)
        }
        try S.assertLosslessRoundTrip(grayAlpha, name: "gray-alpha")
        var samples16 = [UInt16](repeating: 0, count: 33 * 21 * 4)
        for i in samples16.indices { samples16[i] = UInt16(truncatingIfNeeded: i &* 2654435761 >> 7) }
        let deep = try Raster(width: 33, height: 21, layout: .rgba, samples16: samples16)
        try S.assertLosslessRoundTrip(deep, name: "rgba16")
    }

    func testLongRunsAndRepeats() throws {
        // Large flat areas and a repeated tile: exercises long backward references and plane distance codes.
        let image = try S.raster(width: 300, height: 200, layout: .rgb) { x, y, c in
            if y < 60 { return 200 }
            return UInt8(truncatingIfNeeded: ((x % 23) * 11 + (y % 17) * 7 + c * 50))
        }
        try S.assertLosslessRoundTrip(image, effort: 6, name: "repeats")
    }

    /// Every corpus PNG photo and a JPEG (decoded by the netpbm and libjpeg tools) round-trips exactly.
    func testCorpusImages() throws {
        let corpus = URL(fileURLWithPath: TestCorpus.root)
        var sources: [(String, [String], String)] = []
        for name in ["camera.png", "logo.png", "page.png", "coffee.png", "astronaut.png", "motorcycle_left.png"] {
            sources.append(("pngtopam", ["-alphapam", corpus.appendingPathComponent("photos/\(name)").path], name))
        }
        sources.append(("djpeg", [corpus.appendingPathComponent("photos/rocket.jpg").path], "rocket.jpg"))
        for (tool, arguments, name) in sources {
            XCTAssertTrue(FileManager.default.fileExists(atPath: arguments.last!), "missing corpus file \(name)")
            let pnm = try S.run(tool, arguments)
            let raster = try PNMDecoder.decode([UInt8](pnm))
            try S.assertLosslessRoundTrip(raster, name: "corpus-\(name)")
        }
    }
}
