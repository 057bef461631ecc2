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

    /// The delta-minimising colour-table order is a permutation of the sorted table that starts with its first
    /// entry, and its consecutive entries are never further apart in total than the sorted table's.
    func testDeltaMinimizingPaletteOrder() {
        var random = S.Random(state: 5)
        for count in [2, 3, 17, 245] {
            let sorted = Array(Set((0..<count).map { _ in UInt32(truncatingIfNeeded: random.next()) })).sorted()
            let reordered = VP8LColorTransforms.deltaMinimizingOrder(sorted)
            XCTAssertEqual(reordered.sorted(), sorted)
            XCTAssertEqual(reordered.first, sorted.first)
            func spread(_ table: [UInt32]) -> Int {
                zip(table.dropFirst(), table).reduce(0) { sum, pair in
                    var d = 0
                    for shift in stride(from: 0, to: 32, by: 8) {
                        let v = Int(UInt8(truncatingIfNeeded: (pair.0 >> UInt32(shift)) &- (pair.1 >> UInt32(shift))))
                        d += min(v, 256 - v)
                    }
                    return sum + d
                }
            }
            XCTAssertLessThanOrEqual(spread(reordered), spread(sorted), "\(count) colours")
        }
    }

    /// Small PngSuite files where the colour table's order, the transform tile size and the code descriptions
    /// decide the size: each stays within 5 % of `cwebp -lossless -exact` (RFC 9649 streams, both read by dwebp).
    func testSmallImagesAgainstCwebp() throws {
        let suite = URL(fileURLWithPath: TestCorpus.root).appendingPathComponent("png/pngsuite")
        for name in ["basn6a16", "s05n3p02", "tbbn3p08", "cten0g04", "s04n3p01"] {
            let png = suite.appendingPathComponent("\(name).png").path
            let pam = S.scratch.appendingPathComponent("\(name).pam")
            let reference = S.scratch.appendingPathComponent("\(name)-cwebp.webp")
            try S.run("pngtopam", ["-alphapam", png]).write(to: pam)
            try S.run("cwebp", ["-quiet", "-lossless", "-exact", pam.path, "-o", reference.path])
            let raster = try PNMDecoder.decode([UInt8](try Data(contentsOf: pam)))
            let ours = try WebPEncoder.encode(raster, options: WebPEncodeOptions(lossless: true, effort: 4))
            let theirs = try Data(contentsOf: reference).count
            XCTAssertLessThanOrEqual(Double(ours.count), 1.05 * Double(theirs), "\(name): \(ours.count) vs \(theirs) bytes")
            try S.assertLosslessRoundTrip(raster, name: "pngsuite-\(name)")
        }
    }
}
