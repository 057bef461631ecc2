import XCTest
import Raster
@testable import Pipeline

/// Resampler quality: exact dimensions, constants stay constant, linear signals stay linear, alpha edges keep
/// their colour, large factors do not alias, 16-bit works.
final class PipelineResamplerTests: XCTestCase {
    private func raster8(_ w: Int, _ h: Int, _ layout: ChannelLayout, _ f: (Int, Int, Int) -> UInt8) throws -> Raster {
        var s = [UInt8](repeating: 0, count: w * h * layout.channels)
        for y in 0..<h { for x in 0..<w { for c in 0..<layout.channels { s[(y * w + x) * layout.channels + c] = f(x, y, c) } } }
        return try Raster(width: w, height: h, layout: layout, samples8: s)
    }

    func testDimensionsAreExactAndConstantsStayConstant() throws {
        let colour: [UInt8] = [123, 45, 67, 200]
        for layout in ChannelLayout.allCases {
            let src = try raster8(200, 150, layout) { _, _, c in colour[c] }
            for (w, h) in [(37, 23), (199, 149), (1, 1), (200, 1), (100, 150), (17, 150)] {
                let out = try Resampler.resize(src, width: w, height: h)
                XCTAssertEqual(out.width, w); XCTAssertEqual(out.height, h)
                XCTAssertEqual(out.layout, layout)
                XCTAssertEqual(out.samples8.count, w * h * layout.channels)
                for i in 0..<out.samples8.count {
                    XCTAssertEqual(out.samples8[i], colour[i % layout.channels], "\(layout) \(w)x\(h) sample \(i)")
                    if out.samples8[i] != colour[i % layout.channels] { return }
                }
            }
        }
    }

    func testLinearRampStaysLinearInTheInterior() throws {
        // value = x: a 2:1 reduction samples the centre of each pair, x = 2i + 0.5.
        let src = try raster8(256, 4, .gray) { x, _, _ in UInt8(x) }
        let out = try Resampler.resize(src, width: 128, height: 4)
        for i in 4..<124 {
            XCTAssertEqual(Double(out.samples8[i]), Double(2 * i) + 0.5, accuracy: 0.6, "pixel \(i)")
        }
        // Edges are replicated, not darkened: the first output is close to the first inputs.
        XCTAssertLessThanOrEqual(out.samples8[0], 2)
        XCTAssertGreaterThanOrEqual(out.samples8[127], 253)
        // The same vertically, across several output strips (rows are filtered in strips of `stripRows`).
        let tall = try raster8(3, 256, .gray) { _, y, _ in UInt8(y) }
        let column = try Resampler.resize(tall, width: 3, height: 128)
        XCTAssertGreaterThan(128, Resampler.stripRows * 2)
        for i in 4..<124 {
            for x in 0..<3 { XCTAssertEqual(Double(column.samples8[i * 3 + x]), Double(2 * i) + 0.5, accuracy: 0.6, "row \(i)") }
        }
    }

    func testAlphaEdgesDoNotDarken() throws {
        // Left half opaque white, right half fully transparent black: colour must stay white wherever alpha > 0.
        let src = try raster8(64, 8, .rgba) { x, _, c in x < 32 ? 255 : 0 }
        let out = try Resampler.resize(src, width: 13, height: 3)
        var sawPartial = false
        for p in 0..<(13 * 3) {
            let a = out.samples8[p * 4 + 3]
            if a > 0 && a < 255 { sawPartial = true }
            if a > 0 { for c in 0..<3 { XCTAssertGreaterThanOrEqual(out.samples8[p * 4 + c], 254, "pixel \(p) alpha \(a)") } }
        }
        XCTAssertTrue(sawPartial, "the edge should produce partially transparent pixels")
        // Same for gray + alpha.
        let gray = try raster8(64, 8, .grayAlpha) { x, _, _ in x < 32 ? 255 : 0 }
        let g = try Resampler.resize(gray, width: 13, height: 3)
        for p in 0..<(13 * 3) where g.samples8[p * 2 + 1] > 0 { XCTAssertGreaterThanOrEqual(g.samples8[p * 2], 254) }
    }

    func testLargeFactorDoesNotAlias() throws {
        // 1-pixel stripes (0/255) reduced 5120 → 160: a proper filter gives flat mid-gray; point sampling would give
        // all-black or all-white.
        let src = try raster8(5120, 32, .gray) { x, _, _ in x % 2 == 0 ? 0 : 255 }
        let out = try Resampler.resize(src, width: 160, height: 1)
        for v in out.samples8 { XCTAssertEqual(Double(v), 127.5, accuracy: 1.5) }
        // A 2-D checkerboard as well.
        let board = try raster8(640, 640, .rgb) { x, y, _ in (x + y) % 2 == 0 ? 0 : 255 }
        let b = try Resampler.resize(board, width: 20, height: 20)
        for v in b.samples8 { XCTAssertEqual(Double(v), 127.5, accuracy: 1.5) }
    }

    func testStepEdgeStaysInRangeAndMonotoneAwayFromTheEdge() throws {
        let src = try raster8(300, 2, .rgb) { x, _, _ in x < 150 ? 10 : 240 }
        let out = try Resampler.resize(src, width: 100, height: 2)
        XCTAssertEqual(out.samples8[0], 10)
        XCTAssertEqual(out.samples8[99 * 3], 240)
        // Ringing is bounded: Lanczos-3 overshoot on a 230-level step stays within a few percent.
        for v in out.samples8 { XCTAssertTrue((0...255).contains(Int(v))) ; XCTAssertGreaterThanOrEqual(v, 0) }
        let middle = Int(out.samples8[50 * 3])
        XCTAssertTrue((10...240).contains(middle))
    }

    func testSixteenBit() throws {
        var s = [UInt16](repeating: 0, count: 300 * 10 * 4)
        for p in 0..<(300 * 10) { s[p * 4] = 51234; s[p * 4 + 1] = 1; s[p * 4 + 2] = 65535; s[p * 4 + 3] = 40000 }
        let src = try Raster(width: 300, height: 10, layout: .rgba, samples16: s)
        let out = try Resampler.resize(src, width: 7, height: 3)
        XCTAssertEqual(out.bitDepth, .sixteen)
        XCTAssertTrue(out.samples8.isEmpty)
        for p in 0..<21 {
            XCTAssertEqual(Int(out.samples16[p * 4]), 51234, accuracy: 1)
            XCTAssertEqual(Int(out.samples16[p * 4 + 1]), 1, accuracy: 1)
            XCTAssertEqual(out.samples16[p * 4 + 2], 65535)
            XCTAssertEqual(out.samples16[p * 4 + 3], 40000)
        }
        // A 16-bit ramp keeps its precision (far finer than 8-bit steps).
        let ramp = try Raster(width: 1024, height: 1, layout: .gray, samples16: (0..<1024).map { UInt16($0 * 64) })
        let r = try Resampler.resize(ramp, width: 512, height: 1)
        for i in 8..<504 { XCTAssertEqual(Double(r.samples16[i]), Double(i * 128) + 32, accuracy: 2) }
    }

    func testWindowResampleReadsOnlyTheWindow() throws {
        // Left 100 columns red, the rest blue; resampling the blue window gives pure blue (except filter reach).
        let src = try raster8(400, 100, .rgb) { x, _, c in x < 100 ? (c == 0 ? 255 : 0) : (c == 2 ? 255 : 0) }
        let out = try Resampler.resample(src, window: SourceWindow(x: 200, y: 10, width: 200, height: 80), width: 50, height: 20)
        XCTAssertEqual(out.width, 50)
        for p in 0..<(50 * 20) {
            XCTAssertEqual(out.samples8[p * 3], 0); XCTAssertEqual(out.samples8[p * 3 + 2], 255)
        }
    }

    func testRejectsImpossibleRequests() throws {
        let src = try raster8(10, 10, .rgb) { _, _, _ in 0 }
        XCTAssertThrowsError(try Resampler.resize(src, width: 0, height: 5))
        XCTAssertThrowsError(try Resampler.resample(src, window: SourceWindow(x: 5, y: 0, width: 10, height: 10), width: 2, height: 2))
    }
}
