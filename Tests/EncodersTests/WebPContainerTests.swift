import Foundation
import XCTest
@testable import Encoders
@testable import Raster

/// Byte-level layout of the RIFF container (WebP container specification).
final class WebPContainerTests: XCTestCase {
    private func le32(_ b: [UInt8], _ at: Int) -> Int {
        Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
    }
    private func le24(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 }
    private func fourCC(_ b: [UInt8], _ at: Int) -> String { String(decoding: b[at..<(at + 4)], as: UTF8.self) }

    /// Walks the chunks after "WEBP", checking sizes and padding; returns (FourCC, payload) pairs.
    private func chunks(_ file: [UInt8]) -> [(String, [UInt8])] {
        XCTAssertEqual(fourCC(file, 0), "RIFF")
        XCTAssertEqual(le32(file, 4), file.count - 8, "RIFF size")
        XCTAssertEqual(fourCC(file, 8), "WEBP")
        var out: [(String, [UInt8])] = []
        var at = 12
        while at + 8 <= file.count {
            let size = le32(file, at + 4)
            out.append((fourCC(file, at), Array(file[(at + 8)..<(at + 8 + size)])))
            if size & 1 == 1 { XCTAssertEqual(file[at + 8 + size], 0, "pad byte") }
            at += 8 + size + (size & 1)
        }
        XCTAssertEqual(at, file.count, "chunks end at the file end")
        return out
    }

    func testOnePixelLosslessSimpleLayout() throws {
        let raster = try Raster(width: 1, height: 1, layout: .rgb, samples8: [10, 20, 30])
        let file = try WebPEncoder.encode(raster, options: WebPEncodeOptions(lossless: true))
        let list = chunks(file)
        XCTAssertEqual(list.map { $0.0 }, ["VP8L"])
        let payload = list[0].1
        XCTAssertEqual(payload[0], 0x2f, "VP8L signature")
        // 14-bit width−1, 14-bit height−1, alpha hint, 3-bit version, LSB first.
        let bits = le32(payload, 1)
        XCTAssertEqual(bits & 0x3fff, 0)
        XCTAssertEqual((bits >> 14) & 0x3fff, 0)
        XCTAssertEqual((bits >> 28) & 1, 0, "opaque image: alpha hint clear")
        XCTAssertEqual(bits >> 29, 0, "version 0")
    }

    func testLosslessHeaderCarriesSizeAndAlphaHint() throws {
        let raster = try Raster(width: 300, height: 7, layout: .rgba,
                                samples8: (0..<(300 * 7 * 4)).map { UInt8(truncatingIfNeeded: $0 % 4 == 3 ? 128 : $0) })
        let file = try WebPEncoder.encode(raster, options: WebPEncodeOptions(lossless: true))
        let payload = chunks(file)[0].1
        let bits = le32(payload, 1)
        XCTAssertEqual(bits & 0x3fff, 299)
        XCTAssertEqual((bits >> 14) & 0x3fff, 6)
        XCTAssertEqual((bits >> 28) & 1, 1)
    }

    func testICCProfileUsesExtendedLayout() throws {
        var raster = try Raster(width: 5, height: 3, layout: .rgba, samples8: [UInt8](repeating: 7, count: 60))
        let profile = EmbeddedProfileTests.fakeProfile(space: "RGB ", count: 133)  // odd size: padded
        raster.metadata.iccProfile = profile
        let file = try WebPEncoder.encode(raster, options: WebPEncodeOptions(lossless: true))
        let list = chunks(file)
        XCTAssertEqual(list.map { $0.0 }, ["VP8X", "ICCP", "VP8L"])
        let vp8x = list[0].1
        XCTAssertEqual(vp8x.count, 10)
        XCTAssertEqual(vp8x[0], 0x20 | 0x10, "ICC and alpha flags")
        XCTAssertEqual(Array(vp8x[1...3]), [0, 0, 0])
        XCTAssertEqual(le24(vp8x, 4), 4)
        XCTAssertEqual(le24(vp8x, 7), 2)
        XCTAssertEqual(list[1].1, profile)
        // dwebp accepts it and gives the pixels back.
        let decoded = try WebPTestSupport.dwebpRGBA(file, name: "icc")
        XCTAssertEqual(decoded.samples8, raster.samples8)
    }

    func testLossyWithAlphaAssemblyOrderFlagsAndPadding() throws {
        let fakeFrame: [UInt8] = [9, 8, 7]  // odd-sized payloads stand in for the VP8 and ALPH chunks
        let file = try WebPContainer.assemble(bitstream: .lossy, payload: fakeFrame, alpha: [1, 2, 3, 4, 5],
                                              iccProfile: nil, width: 16383, height: 2, hasAlpha: true)
        let list = chunks(file)
        XCTAssertEqual(list.map { $0.0 }, ["VP8X", "ALPH", "VP8 "])
        XCTAssertEqual(list[0].1[0], 0x10)
        XCTAssertEqual(le24(list[0].1, 4), 16382)
        XCTAssertEqual(le24(list[0].1, 7), 1)
        XCTAssertEqual(list[1].1, [1, 2, 3, 4, 5])
        XCTAssertEqual(list[2].1, fakeFrame)
        XCTAssertEqual(file.count, 12 + 18 + 14 + 12)
    }

    func testSideLimitIsATypedEncoderLimit() throws {
        let wide = try Raster(width: 16384, height: 1, layout: .gray)
        for lossless in [true, false] {
            XCTAssertThrowsError(try WebPEncoder.encode(wide, options: WebPEncodeOptions(lossless: lossless))) { error in
                XCTAssertEqual((error as? CodecError)?.kind, .encoderLimit)
            }
        }
        let edge = try Raster(width: 16383, height: 1, layout: .gray)
        let file = try WebPEncoder.encode(edge, options: WebPEncodeOptions(lossless: true, effort: 0))
        XCTAssertEqual(file.count, le32(file, 4) + 8)
    }

    /// Through the facade with the real VP8 encoder: translucent images get VP8X + ALPH + VP8 and dwebp returns
    /// the alpha plane exactly; opaque RGBA gets the simple layout without ALPH.
    func testLossyFacadeAlphaEndToEnd() throws {
        for (w, h) in [(1, 1), (509, 3), (61, 45)] {
            let image = try WebPTestSupport.raster(width: w, height: h, layout: .rgba) { x, y, c in
                c == 3 ? UInt8(truncatingIfNeeded: (x * 9 + y * 5) % 256) : UInt8(truncatingIfNeeded: x * 3 + y * (c + 1))
            }
            let file = try WebPEncoder.encode(image, options: WebPEncodeOptions(quality: 80))
            XCTAssertEqual(chunks(file).map { $0.0 }, ["VP8X", "ALPH", "VP8 "], "\(w)x\(h)")
            XCTAssertEqual(chunks(file)[0].1[0], 0x10)
            let decoded = try WebPTestSupport.dwebpRGBA(file, name: "lossy-alpha-\(w)x\(h)")
            XCTAssertEqual(decoded.width, w)
            XCTAssertEqual(decoded.height, h)
            let alpha = stride(from: 3, to: image.samples8.count, by: 4).map { image.samples8[$0] }
            let got = stride(from: 3, to: decoded.samples8.count, by: 4).map { decoded.samples8[$0] }
            XCTAssertEqual(got, alpha, "\(w)x\(h)")
        }
        let opaque = try WebPTestSupport.raster(width: 20, height: 10, layout: .rgba) { x, _, c in c == 3 ? 255 : UInt8(x * 10) }
        let file = try WebPEncoder.encode(opaque, options: WebPEncodeOptions(quality: 50))
        XCTAssertEqual(chunks(file).map { $0.0 }, ["VP8 "])
        _ = try WebPTestSupport.dwebpRGBA(file, name: "lossy-opaque")
    }
}
