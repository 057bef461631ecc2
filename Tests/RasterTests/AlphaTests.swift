import XCTest
@testable import Raster

/// The alpha module against the code it replaced (OutputRaster's flatten and drop, the WebP and AVIF encoders'
/// plane extraction and un-premultiplication), and its round trips.
final class AlphaTests: XCTestCase {
    private func raster(_ layout: ChannelLayout, width: Int = 5, height: Int = 3, seed: UInt64 = 7,
                        opaque: Bool = false) throws -> Raster {
        var state = seed
        var samples = (0..<(width * height * layout.channels)).map { _ -> UInt8 in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        if opaque && layout.hasAlpha {
            for i in stride(from: layout.channels - 1, to: samples.count, by: layout.channels) { samples[i] = 255 }
        }
        return try Raster(width: width, height: height, layout: layout, samples8: samples)
    }

    func testPlaneAndRemovedMatchTheFormerCode() throws {
        for layout in [ChannelLayout.grayAlpha, .rgba] {
            let image = try raster(layout)
            let n = image.channels
            // WebPEncoder.alphaPlane.
            XCTAssertEqual(Alpha.plane(image), (0..<(image.width * image.height)).map { image.samples8[$0 * n + n - 1] })
            // OutputRaster.dropAlpha / WebPEncoder.dropAlpha.
            var colour: [UInt8] = []
            var i = 0
            while i < image.samples8.count { for c in 0..<(n - 1) { colour.append(image.samples8[i + c]) }; i += n }
            let removed = Alpha.removed(image)
            XCTAssertEqual(removed.samples8, colour)
            XCTAssertEqual(removed.layout, layout.withoutAlpha)
            XCTAssertEqual([removed.width, removed.height], [image.width, image.height])
        }
    }

    func testOpaqueAlphaIsDroppedTranslucentKept() throws {
        let opaque = try raster(.rgba, opaque: true), translucent = try raster(.rgba)
        XCTAssertEqual(Alpha.droppedWhenOpaque(opaque).layout, .rgb)
        XCTAssertEqual(Alpha.droppedWhenOpaque(translucent), translucent)
        XCTAssertNil(Alpha.translucentPlane(opaque))
        XCTAssertEqual(Alpha.translucentPlane(translucent), Alpha.plane(translucent))
        let rgb = try raster(.rgb)
        XCTAssertEqual(Alpha.droppedWhenOpaque(rgb), rgb)
        XCTAssertNil(Alpha.translucentPlane(rgb))
    }

    func testFlattenMatchesTheFormerOutputRaster() throws {
        for layout in [ChannelLayout.grayAlpha, .rgba] {
            let image = try raster(layout, seed: 99)
            let n = image.channels
            var expected: [UInt8] = []
            var i = 0
            while i < image.samples8.count {
                let a = UInt32(image.samples8[i + n - 1])
                for c in 0..<(n - 1) { expected.append(UInt8((UInt32(image.samples8[i + c]) * a + 255 * (255 - a) + 127) / 255)) }
                i += n
            }
            let flat = Alpha.flattened(image)
            XCTAssertEqual(flat.samples8, expected)
            XCTAssertEqual(flat.layout, layout.withoutAlpha)
        }
        // On black: colour × alpha.
        let pixel = try Raster(width: 1, height: 1, layout: .rgba, samples8: [200, 100, 0, 128])
        XCTAssertEqual(Alpha.flattened(pixel, background: 0).samples8, [100, 50, 0])
    }

    func testUnpremultiplyMatchesTheFormerEncoders() throws {
        var image = try raster(.rgba, width: 16, height: 16, seed: 3)
        // Premultiplied data never has colour above alpha.
        for i in stride(from: 0, to: image.samples8.count, by: 4) {
            for c in 0..<3 { image.samples8[i + c] = min(image.samples8[i + c], image.samples8[i + 3]) }
        }
        image.isPremultiplied = true
        var expected = image.samples8
        var i = 0
        while i < expected.count {
            let a = Int(expected[i + 3])
            if a > 0 && a < 255 { for c in 0..<3 { expected[i + c] = UInt8(min(255, (Int(expected[i + c]) * 255 + a / 2) / a)) } }
            i += 4
        }
        let straight = Alpha.unpremultiplied(image)
        XCTAssertEqual(straight.samples8, expected)
        XCTAssertFalse(straight.isPremultiplied)
        // Straight input is left alone.
        XCTAssertEqual(Alpha.unpremultiplied(straight), straight)
    }

    /// Every premultiplied (colour ≤ alpha) pair survives un-premultiply then premultiply.
    func testPremultiplyRoundTrip() throws {
        var samples: [UInt8] = []
        for a in 0...255 { for c in 0...a { samples += [UInt8(c), UInt8(c), UInt8(c), UInt8(a)] } }
        var image = try Raster(width: samples.count / 4, height: 1, layout: .rgba, samples8: samples)
        image.isPremultiplied = true
        let back = Alpha.premultiplied(Alpha.unpremultiplied(image))
        XCTAssertTrue(back.isPremultiplied)
        XCTAssertEqual(back.samples8, samples)
    }

    func testFloatRowsRoundTrip() throws {
        for layout in ChannelLayout.allCases {
            let image = try raster(layout, width: 23, height: 1, seed: 11)
            let count = image.width
            let line = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: count)
            defer { line.deallocate() }
            var out = [UInt8](repeating: 0, count: image.samples8.count)
            image.samples8.withUnsafeBufferPointer { s in
                Alpha.loadPremultiplied(s.baseAddress!, count: count, layout: layout, maxValue: 255, into: line)
            }
            if layout == .rgba { XCTAssertEqual(line[0].x, Float(image.samples8[0]) * Float(image.samples8[3]) / 255, accuracy: 1e-3) }
            out.withUnsafeMutableBufferPointer { o in
                Alpha.storeUnpremultiplied(line, count: count, layout: layout, maxValue: 255, into: o.baseAddress!)
            }
            // Exact, except that colour under a zero alpha becomes 0.
            var expected = image.samples8
            if layout.hasAlpha {
                let n = layout.channels
                for i in stride(from: 0, to: expected.count, by: n) where expected[i + n - 1] == 0 {
                    for c in 0..<(n - 1) { expected[i + c] = 0 }
                }
            }
            XCTAssertEqual(out, expected, "\(layout)")
        }
    }

    /// 16-bit rasters: `removed` keeps the depth, `plane` and `flattened` round to 8 bits; without alpha nothing
    /// is removed and the plane is opaque.
    func testSixteenBitAndNoAlpha() throws {
        let deep = try Raster(width: 2, height: 1, layout: .rgba, samples16: [65535, 0, 257, 65535, 100, 200, 300, 32896])
        let removed = Alpha.removed(deep)
        XCTAssertEqual(removed.bitDepth, .sixteen)
        XCTAssertEqual(removed.layout, .rgb)
        XCTAssertEqual(removed.samples16, [65535, 0, 257, 100, 200, 300])
        XCTAssertEqual(Alpha.plane(deep), [255, 128])
        XCTAssertEqual(Alpha.translucentPlane(deep), [255, 128])
        XCTAssertEqual(Alpha.flattened(deep).samples8, Alpha.flattened(deep.to8Bit()).samples8)
        XCTAssertEqual(Alpha.flattened(deep).layout, .rgb)
        let opaqueDeep = try Raster(width: 1, height: 1, layout: .grayAlpha, samples16: [1234, 65535])
        XCTAssertEqual(Alpha.droppedWhenOpaque(opaqueDeep).samples16, [1234])
        let rgb = try raster(.rgb)
        XCTAssertEqual(Alpha.removed(rgb), rgb)
        XCTAssertEqual(Alpha.flattened(rgb), rgb)
        XCTAssertEqual(Alpha.plane(rgb), [UInt8](repeating: 255, count: rgb.width * rgb.height))
    }
}
