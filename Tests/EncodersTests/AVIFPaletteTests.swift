import Foundation
import XCTest
import Raster
@testable import Encoders

/// Palette mode (AV1 spec §5.11.46 palette_mode_info, §5.11.49 palette_tokens, §7.11.4 palette prediction): dav1d's
/// output equals the encoder's reconstruction with palettes forced on synthetic graphics (few colours per block, odd
/// sizes, 4:2:0, 4:4:4, gray, luma and chroma palettes, caches across neighbours), and the screen-content detection
/// turns the tool on for graphics and off for photo-like pictures.
final class AVIFPaletteTests: XCTestCase {
    let helpers = AVIFEncoderTests(name: "helpers", testClosure: { _ in })

    /// Graphics: rectangles of a few flat colours, one-pixel lines and "glyphs" (bit patterns) in 2 to 7 colours,
    /// with chroma built the same way so that chroma blocks carry a few (U, V) pairs. Plane sizes follow 4:2:0 when
    /// `subsampled`.
    func graphics(width w: Int, height h: Int, planes n: Int, subsampled: Bool, seed: UInt32 = 7) -> [[UInt8]] {
        let lumaLevels: [UInt8] = [16, 40, 90, 128, 170, 200, 235, 250]
        let uLevels: [UInt8] = [60, 128, 200, 90], vLevels: [UInt8] = [100, 128, 70, 220]
        func region(_ x: Int, _ y: Int) -> Int {
            var s = UInt32(truncatingIfNeeded: (x / 24) &* 73_856_093 ^ (y / 20) &* 19_349_663) ^ seed
            s = s &* 1_103_515_245 &+ 12345
            return Int((s >> 16) & 0xFFFF)
        }
        func index(_ x: Int, _ y: Int) -> Int {
            let r = region(x, y)
            let colours = 2 + r % 6
            switch r % 4 {
            case 0: return r % colours                                            // flat
            case 1: return ((x ^ y) >> 1 ^ x) % colours                           // glyph-like bits
            case 2: return (x % 7 == 0 || y % 5 == 0) ? (r + 1) % colours : r % colours   // grid lines
            default: return (x + 2 * y) / 3 % colours                             // stripes
            }
        }
        var out: [[UInt8]] = []
        for p in 0..<n {
            let sx = p > 0 && subsampled ? 1 : 0
            let pw = (w + sx) >> sx, ph = (h + sx) >> sx
            var plane = [UInt8](repeating: 0, count: pw * ph)
            for y in 0..<ph {
                for x in 0..<pw {
                    let i = index(x << sx, y << sx)
                    plane[y * pw + x] = p == 0 ? lumaLevels[i] : (p == 1 ? uLevels[i % 4] : vLevels[(i + 1) % 4])
                }
            }
            out.append(plane)
        }
        return out
    }

    func encode(_ planes: [[UInt8]], width w: Int, height h: Int, subsampled: Bool, quality q: Int, speed: Int = 6,
                forced: Bool, palette: Bool = true, filters: Bool = false) throws -> (obus: [UInt8], recon: [[UInt8]], config: AV1PictureConfig) {
        var cfg = AV1PictureConfig(width: w, height: h, planes: planes, subX: subsampled ? 1 : 0, subY: subsampled ? 1 : 0,
                                   qIndex: AVIFEncoder.qIndex(quality: q), speed: speed)
        cfg.filters = filters
        cfg.forced.palette = forced
        cfg.settings.palette = palette
        let r = try AV1FrameEncoder.encodeWithReconstruction(cfg)
        return (r.sequenceHeader + r.frame, r.recon, cfg)
    }

    /// Share of the mi units whose block codes a luma palette and a chroma palette, from one tile encoder run over
    /// the whole frame (as the frame encoder codes a frame of one tile).
    func paletteShares(_ cfg: AV1PictureConfig) throws -> (luma: Double, chroma: Double) {
        let frame = AV1FrameState(width: cfg.width, height: cfg.height, planes: cfg.planes, subX: cfg.subX, subY: cfg.subY,
                                  qIndex: cfg.qIndex, settings: cfg.settings, tune: cfg.tune,
                                  screenContent: cfg.allowScreenContentTools)
        frame.forced = cfg.forced
        let tile = AV1TileEncoder(frame: frame, miRowStart: 0, miRowEnd: frame.miRows, miColStart: 0, miColEnd: frame.miCols)
        _ = try tile.encode()
        var luma = 0, chroma = 0
        let n = frame.miRows * frame.miCols
        for i in 0..<n where frame.allowScreenContentTools {
            if frame.paletteSizes[2 * i] > 0 { luma += 1 }
            if frame.paletteSizes[2 * i + 1] > 0 { chroma += 1 }
        }
        return (Double(luma) / Double(n), Double(chroma) / Double(n))
    }

    func checkDav1d(_ obus: [UInt8], _ recon: [[UInt8]], name: String) throws {
        let decoded = try XCTUnwrap(try helpers.dav1dPlanes(obus, name: name))
        XCTAssertEqual(decoded.count, recon.count, name)
        for p in 0..<min(decoded.count, recon.count) {
            XCTAssertEqual(decoded[p], recon[p], "plane \(p) of \(name) differs from dav1d")
        }
    }

    /// Every eligible block with few colours codes a palette (forced): dav1d reproduces the reconstruction, at odd
    /// sizes, 4:2:0, 4:4:4 and gray, at low and high quality, with and without the in-loop filters, over two tiles.
    func testDav1dForcedPalette() throws {
        guard helpers.tool("dav1d") != nil else { throw AVIFOracleMissing("dav1d not installed") }
        let cases: [(w: Int, h: Int, n: Int, sub: Bool, q: Int, filters: Bool)] = [
            (200, 136, 3, true, 60, false), (77, 53, 3, false, 80, false), (131, 70, 3, true, 30, true),
            (96, 64, 1, true, 50, false), (257, 129, 3, false, 95, true), (10, 9, 3, true, 70, false),
            (600, 72, 3, true, 60, true),   // two tile columns: caches and contexts stop at the tile edge
        ]
        for c in cases {
            let src = graphics(width: c.w, height: c.h, planes: c.n, subsampled: c.sub)
            let forced = try encode(src, width: c.w, height: c.h, subsampled: c.sub, quality: c.q, forced: true, filters: c.filters)
            XCTAssertTrue(forced.config.allowScreenContentTools)
            try checkDav1d(forced.obus, forced.recon, name: "palette-\(c.w)x\(c.h)-\(c.n)-\(c.sub)-\(c.q)")
            let plain = try encode(src, width: c.w, height: c.h, subsampled: c.sub, quality: c.q, forced: false, palette: false,
                                   filters: c.filters)
            XCTAssertNotEqual(forced.obus, plain.obus, "forcing palettes changed nothing (\(c.w)x\(c.h))")
            // (A tiny frame may be one flat colour, which no palette codes.)
            guard c.w * c.h >= 1000 else { continue }
            let shares = try paletteShares(forced.config)
            XCTAssertGreaterThan(shares.luma, 0.3, "few luma palettes (\(c.w)x\(c.h))")
            if c.n == 3 { XCTAssertGreaterThan(shares.chroma, 0.3, "few chroma palettes (\(c.w)x\(c.h))") }
        }
    }

    /// The RD choice (not forced) on graphics: screen content detected, palettes chosen where they pay, dav1d
    /// agrees, and the file is smaller than without palettes at a reconstruction at least as close.
    func testPaletteChosenOnGraphics() throws {
        guard helpers.tool("dav1d") != nil else { throw AVIFOracleMissing("dav1d not installed") }
        for (sub, q) in [(true, 50), (false, 75)] {
            let (w, h) = (240, 160)
            let src = graphics(width: w, height: h, planes: 3, subsampled: sub, seed: 11)
            XCTAssertTrue(AV1ScreenContent.looksLikeScreenContent(luma: src[0], width: w, height: h))
            let auto = try encode(src, width: w, height: h, subsampled: sub, quality: q, forced: false, filters: true)
            try checkDav1d(auto.obus, auto.recon, name: "palette-auto-\(sub)-\(q)")
            let off = try encode(src, width: w, height: h, subsampled: sub, quality: q, forced: false, palette: false, filters: true)
            XCTAssertLessThan(auto.obus.count, off.obus.count, "palettes did not pay on graphics (4:2:0 \(sub), q\(q))")
            let shares = try paletteShares(auto.config)
            XCTAssertGreaterThan(shares.luma, 0.05, "no luma palette chosen (4:2:0 \(sub), q\(q))")
            XCTAssertGreaterThanOrEqual(helpers.psnr(src[0], auto.recon[0]) + 0.5, helpers.psnr(src[0], off.recon[0]))
        }
    }

    /// Lossless frames (base_q_idx 0, 4x4 Walsh-Hadamard residuals) with palettes, forced and by rate: dav1d equals
    /// the reconstruction, which equals the source, and the rate choice makes a smaller file than no palettes.
    func testDav1dLosslessPalette() throws {
        guard helpers.tool("dav1d") != nil else { throw AVIFOracleMissing("dav1d not installed") }
        for (w, h, n) in [(133, 71, 3), (96, 80, 1)] {
            let src = graphics(width: w, height: h, planes: n, subsampled: false, seed: 5)
            var sizes: [Int] = []
            for (forced, palette) in [(true, true), (false, true), (false, false)] {
                var cfg = AV1PictureConfig(width: w, height: h, planes: src, subX: 0, subY: 0, qIndex: 0, speed: 6)
                cfg.forced.palette = forced
                cfg.settings.palette = palette
                let r = try AV1FrameEncoder.encodeWithReconstruction(cfg)
                let name = "lossless-palette-\(w)x\(h)-\(n)-\(forced)-\(palette)"
                try checkDav1d(r.sequenceHeader + r.frame, r.recon, name: name)
                XCTAssertEqual(r.recon, src, "\(name) is not lossless")
                if forced { XCTAssertGreaterThan(try paletteShares(cfg).luma, 0.3, name) }
                sizes.append(r.sequenceHeader.count + r.frame.count)
            }
            XCTAssertLessThan(sizes[1], sizes[2], "lossless palettes did not pay (\(w)x\(h), \(n) planes)")
        }
    }

    /// With palettes chosen over two tile columns, the bytes do not depend on the thread count (tiles never read
    /// another tile's palette state).
    func testPaletteOutputIndependentOfThreadCount() throws {
        let (w, h) = (700, 150)
        let src = graphics(width: w, height: h, planes: 3, subsampled: true, seed: 3)
        XCTAssertTrue(AV1ScreenContent.looksLikeScreenContent(luma: src[0], width: w, height: h))
        func run(_ threads: Int) throws -> [UInt8] {
            try Job.run(Job(threads: threads)) { try encode(src, width: w, height: h, subsampled: true, quality: 50, forced: false, filters: true).obus }
        }
        XCTAssertEqual(try run(1), try run(2))
    }

    /// The detection stays off on photo-like pictures (gradients with noise), so their bytes do not change.
    func testScreenContentOffOnPhotoLikePictures() throws {
        let photo = try helpers.planes(width: 160, height: 96, count: 3, subsampled: true)
        XCTAssertFalse(AV1ScreenContent.looksLikeScreenContent(luma: photo[0], width: 160, height: 96))
        XCTAssertLessThan(AV1ScreenContent.fewColorShare(luma: photo[0], width: 160, height: 96), AV1ScreenContent.minShare)
        let on = try encode(photo, width: 160, height: 96, subsampled: true, quality: 60, forced: false)
        let off = try encode(photo, width: 160, height: 96, subsampled: true, quality: 60, forced: false, palette: false)
        XCTAssertEqual(on.obus, off.obus)
    }

    /// The palette syntax pieces against hand-worked cases: NS(n) codes, CeilLog2, and the colour context of §5.11.50.
    func testPaletteSyntaxPieces() {
        // NS(5): w = 3, m = 3: values 0...2 take 2 bits, 3 and 4 take 3 bits.
        var bits: [Int] = []
        struct Bits: AV1SymbolSink {
            var out: [Int] = []
            mutating func symbol(_ s: Int, _ cdf: UnsafeMutablePointer<UInt16>, _ n: Int) { out.append(-1) }
            mutating func literal(_ value: Int, _ count: Int) { for i in stride(from: count - 1, through: 0, by: -1) { out.append((value >> i) & 1) } }
        }
        for v in 0..<5 {
            var sink = Bits()
            AV1TileEncoder.writeNonSymmetric(v, 5, &sink)
            bits.append(sink.out.count)
            // Decode as NS(n) does.
            let w = 3, m = 3
            var val = sink.out[0] << 1 | sink.out[1]
            if val >= m { val = (val << 1) - m + sink.out[2] }
            XCTAssertEqual(val, v, "NS(5) of \(v)")
            _ = w
        }
        XCTAssertEqual(bits, [2, 2, 2, 3, 3])
        XCTAssertEqual([0, 1, 2, 3, 4, 5, 8, 9, 255, 256].map(AV1TileEncoder.ceilLog2), [0, 0, 1, 2, 2, 3, 3, 4, 8, 8])
        // Map 2x2 [[1, 0], [2, ?]] at (1, 1): left 2 (+2), above-left 1 (+1), above 0 (+2): scores 0:2, 1:1, 2:2 →
        // order 0, 2, 1 (ties keep the lower index first), hash 2·1 + 2·2 + 1·2 = 8 → context 1.
        let map: [UInt8] = [1, 0, 2, 0]
        var order = [Int](repeating: 0, count: 8)
        let ctx = map.withUnsafeBufferPointer { m in
            order.withUnsafeMutableBufferPointer { AV1TileEncoder.colorContext(m.baseAddress!, stride: 2, 1, 1, n: 3, order: $0.baseAddress!) }
        }
        XCTAssertEqual(Array(order.prefix(3)), [0, 2, 1])
        XCTAssertEqual(ctx, 1)
    }
}
