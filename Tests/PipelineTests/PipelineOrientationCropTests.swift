import XCTest
import Raster
@testable import Pipeline

/// EXIF orientation 1–8 on a tiny labelled image, crop, and the output preparation (flatten, opaque alpha).
final class PipelineOrientationCropTests: XCTestCase {
    private func labelled(orientation: Int) throws -> Raster {
        // Stored:  1 2 3
        //          4 5 6
        var m = ImageMetadata()
        m.orientation = orientation
        return try Raster(width: 3, height: 2, layout: .gray, samples8: [1, 2, 3, 4, 5, 6], metadata: m)
    }

    func testAllEightOrientations() throws {
        let expected: [Int: (Int, Int, [UInt8])] = [
            1: (3, 2, [1, 2, 3, 4, 5, 6]),
            2: (3, 2, [3, 2, 1, 6, 5, 4]),
            3: (3, 2, [6, 5, 4, 3, 2, 1]),
            4: (3, 2, [4, 5, 6, 1, 2, 3]),
            5: (2, 3, [1, 4, 2, 5, 3, 6]),
            6: (2, 3, [4, 1, 5, 2, 6, 3]),
            7: (2, 3, [6, 3, 5, 2, 4, 1]),
            8: (2, 3, [3, 6, 2, 5, 1, 4]),
        ]
        for (o, (w, h, samples)) in expected {
            let out = Orientation.apply(try labelled(orientation: o))
            XCTAssertEqual(out.width, w, "orientation \(o)")
            XCTAssertEqual(out.height, h, "orientation \(o)")
            XCTAssertEqual(out.samples8, samples, "orientation \(o)")
            XCTAssertEqual(out.metadata.orientation, 1)
        }
        // Out-of-range values are treated as upright.
        XCTAssertEqual(Orientation.apply(try labelled(orientation: 9)).samples8, [1, 2, 3, 4, 5, 6])
    }

    func testSixteenBitAndMultiChannelOrientation() throws {
        var m = ImageMetadata()
        m.orientation = 6
        let src = try Raster(width: 2, height: 1, layout: .rgb, samples16: [1, 2, 3, 4, 5, 6], metadata: m)
        let out = Orientation.apply(src)
        XCTAssertEqual(out.width, 1); XCTAssertEqual(out.height, 2)
        XCTAssertEqual(out.samples16, [1, 2, 3, 4, 5, 6])
    }

    func testCropCopiesTheRectangle() throws {
        let src = try Raster(width: 4, height: 3, layout: .gray, samples8: Array(0..<12))
        let out = try Crop.apply(src, rect: PixelRect(x: 1, y: 1, width: 2, height: 2))
        XCTAssertEqual(out.samples8, [5, 6, 9, 10])
        XCTAssertThrowsError(try Crop.apply(src, rect: PixelRect(x: 3, y: 0, width: 2, height: 1)))
        let wide = try Raster(width: 2, height: 2, layout: .rgba, samples16: Array(0..<16))
        XCTAssertEqual(try Crop.apply(wide, rect: PixelRect(x: 1, y: 1, width: 1, height: 1)).samples16, [12, 13, 14, 15])
    }

    func testJPEGOutputFlattensAlphaOnWhite() throws {
        let src = try Raster(width: 2, height: 1, layout: .rgba, samples8: [0, 0, 0, 0, 200, 100, 0, 255])
        let out = OutputRaster.prepare(src, for: .jpeg)
        XCTAssertEqual(out.layout, .rgb)
        XCTAssertEqual(out.samples8, [255, 255, 255, 200, 100, 0])
        let half = try Raster(width: 1, height: 1, layout: .grayAlpha, samples8: [0, 128])
        XCTAssertEqual(OutputRaster.prepare(half, for: .jpeg).samples8, [127])
    }

    func testWebPOutputDropsOnlyOpaqueAlphaAndIsEightBit() throws {
        let opaque = try Raster(width: 1, height: 1, layout: .rgba, samples16: [65535, 0, 257, 65535])
        let o = OutputRaster.prepare(opaque, for: .webp)
        XCTAssertEqual(o.layout, .rgb); XCTAssertEqual(o.bitDepth, .eight); XCTAssertEqual(o.samples8, [255, 0, 1])
        let translucent = try Raster(width: 1, height: 1, layout: .rgba, samples8: [1, 2, 3, 4])
        XCTAssertEqual(OutputRaster.prepare(translucent, for: .avif).layout, .rgba)
        // PNG → PNG keeps 16-bit and alpha.
        XCTAssertEqual(OutputRaster.prepare(opaque, for: .png).bitDepth, .sixteen)
        XCTAssertEqual(OutputRaster.prepare(opaque, for: .png).layout, .rgba)
    }
}
