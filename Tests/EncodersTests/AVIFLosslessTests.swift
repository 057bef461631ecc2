import Foundation
import XCTest
import Decoders
import Raster
@testable import Encoders
import TestSupport

/// True lossless AVIF: dav1d decodes the raw AV1 to exactly the source planes (and to our reconstruction), and
/// avifdec (libavif, strict) gives back every RGB(A)/gray sample of the source.
extension AVIFEncoderTests {
    /// Noisy pattern with flat areas, sharp edges and full-range noise, so that residuals span -255...255.
    func losslessPattern(width: Int, height: Int, layout: ChannelLayout) throws -> Raster {
        var r = try pattern(width: width, height: height, layout: layout)
        var seed: UInt32 = 7
        for y in 0..<height {
            for x in 0..<width where (x / 16 + y / 16) % 3 == 0 {
                for c in 0..<layout.channels {
                    seed = seed &* 1_103_515_245 &+ 12345
                    r.samples8[(y * width + x) * layout.channels + c] = UInt8(truncatingIfNeeded: seed >> 16)
                }
            }
        }
        return r
    }

    func testLosslessDav1dGivesBackTheSourcePlanes() throws {
        guard tool("dav1d") != nil else { throw AVIFOracleMissing("dav1d not installed") }
        // (width, height, planes, subsampled, speed): 4:4:4, gray, 4:2:0, odd sizes, several tiles.
        let cases: [(Int, Int, Int, Bool, Int)] = [
            (1, 1, 3, false, 6), (509, 3, 3, false, 6), (577, 383, 3, false, 6), (96, 80, 1, false, 6),
            (130, 70, 3, true, 6), (200, 136, 3, false, 2), (200, 136, 3, false, 9), (4200, 20, 1, false, 8),
        ]
        for (w, h, n, sub, speed) in cases {
            let r = try losslessPattern(width: w, height: h, layout: .rgb)
            var src: [[UInt8]] = []
            for p in 0..<n {
                let s = p > 0 && sub ? 1 : 0
                let pw = (w + s) >> s, ph = (h + s) >> s
                src.append((0..<(pw * ph)).map { r.samples8[(((($0 / pw) << s) * w) + (($0 % pw) << s)) * 3 + p] })
            }
            let (obus, recon) = try AVIFEncoder.encodeOBUs(planes: src, width: w, height: h, subX: sub ? 1 : 0, subY: sub ? 1 : 0,
                                                       quality: 0, speed: speed, filters: true, lossless: true)
            let decoded = try XCTUnwrap(try dav1dPlanes(obus, name: "lossless-\(w)x\(h)-\(n)-\(speed)"))
            XCTAssertEqual(decoded.count, n)
            for p in 0..<min(n, decoded.count) {
                XCTAssertEqual(recon[p], src[p], "reconstruction of plane \(p), \(w)x\(h) speed \(speed)")
                XCTAssertTrue(decoded[p] == src[p], "dav1d plane \(p) of \(w)x\(h) speed \(speed) is not the source")
            }
        }
    }

    /// The image avifdec returns, as samples of the source's layout (gray taken from the first channel).
    private func avifdecSamples(_ file: [UInt8], like src: Raster, name: String) throws -> [UInt8] {
        let out = try XCTUnwrap(try avifdecPixels(file, name: name))
        XCTAssertEqual(out.width, src.width); XCTAssertEqual(out.height, src.height)
        if out.layout == src.layout { return out.samples8 }
        var s: [UInt8] = []
        for i in 0..<(out.width * out.height) {
            s.append(out.samples8[i * out.channels])
            if src.layout.hasAlpha { s.append(out.samples8[i * out.channels + out.channels - 1]) }
        }
        return s
    }

    func testLosslessAvifdecExactRoundTrip() throws {
        guard tool("avifdec") != nil, tool("convert") != nil else { throw AVIFOracleMissing("avifdec/convert not installed") }
        let cases: [(Int, Int, ChannelLayout)] = [(1, 1, .rgb), (509, 3, .rgb), (577, 383, .rgba), (45, 31, .gray), (70, 41, .grayAlpha)]
        for (w, h, layout) in cases {
            let src = try losslessPattern(width: w, height: h, layout: layout)
            let file = try AVIFEncoder.encode(src, options: AVIFEncodeOptions(lossless: true))
            let got = try avifdecSamples(file, like: src, name: "lossless-\(w)x\(h)-\(layout)")
            XCTAssertTrue(got == src.samples8, "\(w)x\(h) \(layout) is not exact")
        }
    }

    func testLosslessCorpusPNGExact() throws {
        guard tool("avifdec") != nil, tool("convert") != nil else { throw AVIFOracleMissing("avifdec/convert not installed") }
        let src = try PNGDecoder.decode(FileIO.read(TestCorpus.path("photos/chelsea.png")))
        let file = try AVIFEncoder.encode(src, options: AVIFEncodeOptions(lossless: true))
        XCTAssertTrue(try avifdecSamples(file, like: src, name: "chelsea") == src.samples8)
        XCTAssertLessThan(file.count, src.width * src.height * 3 * 3 / 4, "lossless should compress the photo")
    }

    /// Alpha is lossless by default, also under lossy colour; an explicit alpha quality makes it lossy (and smaller).
    func testAlphaLosslessByDefault() throws {
        guard tool("avifdec") != nil, tool("convert") != nil else { throw AVIFOracleMissing("avifdec/convert not installed") }
        let src = try losslessPattern(width: 80, height: 48, layout: .rgba)
        var alpha: [UInt8] = []
        for i in 0..<(80 * 48) { alpha.append(src.samples8[i * 4 + 3]) }
        let lossy = try AVIFEncoder.encode(src, options: AVIFEncodeOptions(quality: 50))
        let out = try XCTUnwrap(try avifdecPixels(lossy, name: "alpha-default"))
        XCTAssertEqual(out.layout, .rgba)
        XCTAssertEqual((0..<(80 * 48)).map { out.samples8[$0 * 4 + 3] }, alpha)
        let lossyAlpha = try AVIFEncoder.encode(src, options: AVIFEncodeOptions(quality: 50, alphaQuality: 30))
        XCTAssertLessThan(lossyAlpha.count, lossy.count)
        let out2 = try XCTUnwrap(try avifdecPixels(lossyAlpha, name: "alpha-q30"))
        XCTAssertNotEqual((0..<(80 * 48)).map { out2.samples8[$0 * 4 + 3] }, alpha)
    }

    /// Lossless RGB is signalled as the identity matrix, 4:4:4, full range in av1C, the sequence header and colr.
    func testLosslessSignalling() throws {
        let src = try losslessPattern(width: 16, height: 8, layout: .rgb)
        let file = try AVIFEncoder.encode(src, options: AVIFEncodeOptions(lossless: true))
        let colr = try XCTUnwrap(file.indices.first { Array(file[$0..<min($0 + 8, file.count)]) == Array("colrnclx".utf8) })
        XCTAssertEqual(Array(file[(colr + 8)..<(colr + 15)]), [0, 1, 0, 13, 0, 0, 0x80])  // primaries 1, transfer 13, matrix 0, full
        let av1C = try XCTUnwrap(file.indices.first { Array(file[$0..<min($0 + 4, file.count)]) == Array("av1C".utf8) })
        XCTAssertEqual(file[av1C + 5] >> 5, 1, "seq_profile 1 (4:4:4)")
        XCTAssertEqual(file[av1C + 6] & 0x1C, 0, "not monochrome, no subsampling")
    }
}
