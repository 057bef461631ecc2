import Foundation
import XCTest
import Decoders
import Raster
@testable import Encoders
import TestSupport

/// AVIF/AV1 encoder checks against the reference decoders: libavif's avifdec (strict container parsing) and
/// dav1d on the raw OBUs, whose output must equal the encoder's own reconstruction sample for sample.
final class AVIFEncoderTests: XCTestCase {
    // MARK: helpers

    func tool(_ name: String) -> String? { ExternalTool.locate(name) }

    @discardableResult
    func run(_ path: String, _ args: [String]) throws -> Int32 { try ExternalTool.execute(path, args).status }

    func tempPath(_ name: String) -> String {
        NSTemporaryDirectory() + "avif-test-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
    }

    /// Deterministic photo-like test pattern: smooth gradients, an edge, and texture.
    func pattern(width: Int, height: Int, layout: ChannelLayout) throws -> Raster {
        var s = [UInt8](repeating: 0, count: width * height * layout.channels)
        var seed: UInt32 = 12345
        for y in 0..<height {
            for x in 0..<width {
                seed = seed &* 1_103_515_245 &+ 12345
                let noise = Int((seed >> 16) & 15) - 8
                let base = (x * 200 / max(1, width - 1) + y * 55 / max(1, height - 1))
                let edge = (x > width / 2 && y > height / 3) ? 60 : 0
                for c in 0..<layout.channels {
                    var v = base + edge + noise + c * 20
                    if layout.hasAlpha && c == layout.channels - 1 { v = (x * 255) / max(1, width - 1) }
                    s[(y * width + x) * layout.channels + c] = UInt8(clamping: v)
                }
            }
        }
        return try Raster(width: width, height: height, layout: layout, samples8: s)
    }

    func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
        var se = 0.0
        for i in 0..<min(a.count, b.count) { let d = Double(a[i]) - Double(b[i]); se += d * d }
        let mse = se / Double(max(1, a.count))
        return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
    }

    /// Decodes with avifdec to PNG, then to PAM with ImageMagick, read by our PNM decoder.
    func avifdecPixels(_ file: [UInt8], name: String) throws -> Raster? {
        guard let avifdec = tool("avifdec"), let convert = tool("convert") else { return nil }
        let input = tempPath("\(name).avif"), png = tempPath("\(name).png"), pam = tempPath("\(name).pam")
        defer { for f in [input, png, pam] { try? FileManager.default.removeItem(atPath: f) } }
        try FileIO.write(file, to: input)
        XCTAssertEqual(try run(avifdec, [input, png]), 0, "avifdec rejected \(name)")
        XCTAssertEqual(try run(convert, [png, pam]), 0)
        return try PNMDecoder.decode(FileIO.read(pam))
    }

    /// Decodes raw OBUs (Section 5 low-overhead format) with dav1d into Y4M planes.
    func dav1dPlanes(_ obus: [UInt8], name: String) throws -> [[UInt8]]? {
        guard let dav1d = tool("dav1d") else { return nil }
        let input = tempPath("\(name).obu"), output = tempPath("\(name).y4m")
        defer { for f in [input, output] { try? FileManager.default.removeItem(atPath: f) } }
        try FileIO.write([0x12, 0x00] + obus, to: input)   // temporal delimiter, then our OBUs
        XCTAssertEqual(try run(dav1d, ["-q", "-i", input, "--demuxer", "section5", "-o", output]), 0, "dav1d rejected \(name)")
        let y4m = try FileIO.read(output)
        guard let headerEnd = y4m.firstIndex(of: 0x0A) else { return nil }
        let header = String(decoding: y4m[..<headerEnd], as: UTF8.self)
        var w = 0, h = 0, chroma = "420"
        for field in header.split(separator: " ") {
            if field.hasPrefix("W") { w = Int(field.dropFirst()) ?? 0 }
            if field.hasPrefix("H") { h = Int(field.dropFirst()) ?? 0 }
            if field.hasPrefix("C") { chroma = String(field.dropFirst()) }
        }
        var pos = headerEnd + 1
        while pos < y4m.count && y4m[pos] != 0x0A { pos += 1 }
        pos += 1
        var planes: [[UInt8]] = [Array(y4m[pos..<(pos + w * h)])]
        pos += w * h
        if !chroma.hasPrefix("mono") {
            let cw = chroma.hasPrefix("444") ? w : (w + 1) / 2, ch = chroma.hasPrefix("444") ? h : (h + 1) / 2
            for _ in 0..<2 { planes.append(Array(y4m[pos..<(pos + cw * ch)])); pos += cw * ch }
        }
        return planes
    }

    func planes(width: Int, height: Int, count: Int, subsampled: Bool) throws -> [[UInt8]] {
        let r = try pattern(width: width, height: height, layout: .rgb)
        var out: [[UInt8]] = []
        for p in 0..<count {
            let sx = p > 0 && subsampled ? 1 : 0
            let pw = (width + sx) >> sx, ph = (height + sx) >> sx
            var plane = [UInt8](repeating: 0, count: pw * ph)
            for y in 0..<ph { for x in 0..<pw { plane[y * pw + x] = r.samples8[((y << sx) * width + (x << sx)) * 3 + p] } }
            out.append(plane)
        }
        return out
    }

    // MARK: tests

    /// dav1d decodes the raw AV1 and its output equals the encoder's reconstruction exactly (4:2:0, 4:4:4, gray,
    /// odd sizes, and a picture wider than 4096 that needs several tiles).
    func testDav1dOutputEqualsReconstruction() throws {
        guard tool("dav1d") != nil else { throw AVIFOracleMissing("dav1d not installed") }
        let cases: [(Int, Int, Int, Bool, Int)] = [
            (1, 1, 3, true, 60), (509, 3, 3, true, 50), (577, 383, 3, true, 60), (96, 80, 3, false, 80),
            (120, 72, 1, true, 30), (4200, 24, 3, true, 40), (64, 64, 3, true, 100), (64, 64, 3, true, 0),
        ]
        for (w, h, n, sub, q) in cases {
            let src = try planes(width: w, height: h, count: n, subsampled: sub)
            let (obus, recon) = try AVIFEncoder.encodeOBUs(planes: src, width: w, height: h, subX: sub ? 1 : 0, subY: sub ? 1 : 0,
                                                       quality: q, speed: 6)
            let decoded = try XCTUnwrap(try dav1dPlanes(obus, name: "\(w)x\(h)-\(n)-\(q)"))
            XCTAssertEqual(decoded.count, n)
            for p in 0..<n {
                XCTAssertEqual(decoded[p], recon[p], "plane \(p) of \(w)x\(h) q\(q) differs from dav1d")
            }
            if q >= 60 { XCTAssertGreaterThan(psnr(src[0], recon[0]), 32, "\(w)x\(h) q\(q)") }
        }
    }

    /// Encodes with a forced coding tool, checks dav1d reproduces the reconstruction exactly, returns the OBUs.
    private func checkForced(_ forced: AV1ForcedTools, width w: Int, height h: Int, planes n: Int, subsampled sub: Bool,
                             quality q: Int, speed: Int = 6, name: String) throws -> [UInt8] {
        let src = try planes(width: w, height: h, count: n, subsampled: sub)
        var cfg = AV1PictureConfig(width: w, height: h, planes: src, subX: sub ? 1 : 0, subY: sub ? 1 : 0,
                                   qIndex: AVIFEncoder.qIndex(quality: q), speed: speed)
        cfg.filters = false
        cfg.forced = forced
        let r = try AV1FrameEncoder.encodeWithReconstruction(cfg)
        let decoded = try XCTUnwrap(try dav1dPlanes(r.sequenceHeader + r.frame, name: name))
        XCTAssertEqual(decoded.count, n)
        for p in 0..<min(n, decoded.count) {
            XCTAssertEqual(decoded[p], r.recon[p], "plane \(p) of \(name) differs from dav1d")
        }
        if q >= 60 { XCTAssertGreaterThan(psnr(src[0], r.recon[0]), 30, name) }
        return r.sequenceHeader + r.frame
    }

    /// TX_MODE_SELECT with tx_depth 1 and 2 forced on every block (luma transform blocks smaller than the block,
    /// each predicted from the previous ones), at frame edges, in 4:2:0 (CFL over split luma), 4:4:4 and gray.
    func testDav1dForcedTxSplit() throws {
        guard tool("dav1d") != nil else { throw AVIFOracleMissing("dav1d not installed") }
        let cases: [(Int, Int, Int, Bool, Int)] = [(577, 383, 3, true, 60), (96, 80, 3, false, 80), (120, 72, 1, true, 30),
                                                   (203, 45, 3, true, 95)]
        for (w, h, n, sub, q) in cases {
            var plain: [UInt8] = []
            for depth in [0, 1, 2] {
                let obus = try checkForced(AV1ForcedTools(txDepth: depth), width: w, height: h, planes: n, subsampled: sub,
                                           quality: q, name: "tx\(depth)-\(w)x\(h)-\(n)-\(q)")
                if depth == 0 { plain = obus } else { XCTAssertNotEqual(obus, plain, "tx_depth \(depth) changed nothing") }
            }
        }
    }

    /// With the in-loop filters on (deblocking and CDEF searched by the encoder), dav1d's output equals the
    /// encoder's filtered reconstruction exactly: 4:2:0, 4:4:4, gray, odd sizes, several tiles, low and high
    /// quality, the searched (speed 4, 6) and the formula (speed 8) paths.
    func testDav1dFilteredOutputEqualsReconstruction() throws {
        guard tool("dav1d") != nil else { throw AVIFOracleMissing("dav1d not installed") }
        let cases: [(w: Int, h: Int, n: Int, sub: Bool, q: Int, speed: Int)] = [
            (577, 383, 3, true, 60, 6), (96, 80, 3, false, 80, 6), (120, 72, 1, true, 30, 6), (33, 17, 3, true, 50, 6),
            (509, 3, 3, true, 50, 6), (4200, 24, 3, true, 40, 6), (200, 136, 3, true, 10, 6), (200, 136, 3, false, 95, 4),
            (150, 100, 3, true, 20, 8), (1, 1, 3, true, 60, 6),
        ]
        var filteredSomething = false
        for c in cases {
            let src = try planes(width: c.w, height: c.h, count: c.n, subsampled: c.sub)
            let (obus, recon) = try AVIFEncoder.encodeOBUs(planes: src, width: c.w, height: c.h, subX: c.sub ? 1 : 0, subY: c.sub ? 1 : 0,
                                                       quality: c.q, speed: c.speed, filters: true)
            let (_, unfiltered) = try AVIFEncoder.encodeOBUs(planes: src, width: c.w, height: c.h, subX: c.sub ? 1 : 0,
                                                         subY: c.sub ? 1 : 0, quality: c.q, speed: c.speed, filters: false)
            if recon != unfiltered { filteredSomething = true }
            let decoded = try XCTUnwrap(try dav1dPlanes(obus, name: "f\(c.w)x\(c.h)-\(c.n)-\(c.q)-\(c.speed)"))
            XCTAssertEqual(decoded.count, c.n)
            for p in 0..<min(c.n, decoded.count) {
                XCTAssertEqual(decoded[p], recon[p], "plane \(p) of \(c.w)x\(c.h) q\(c.q) s\(c.speed) (filters on) differs from dav1d")
            }
        }
        XCTAssertTrue(filteredSomething, "the filters never changed a reconstruction")

        // The optional deblocking level search (off by default) also matches dav1d.
        let src = try planes(width: 160, height: 120, count: 3, subsampled: true)
        var cfg = AV1PictureConfig(width: 160, height: 120, planes: src, subX: 1, subY: 1,
                                   qIndex: AVIFEncoder.qIndex(quality: 40), speed: 6)
        cfg.searchDeblock = true
        let r = try AV1FrameEncoder.encodeWithReconstruction(cfg)
        let decoded = try XCTUnwrap(try dav1dPlanes(r.sequenceHeader + r.frame, name: "deblock-search"))
        XCTAssertEqual(decoded, r.recon, "deblocking level search: dav1d differs")
    }

    /// The forced tools at the quantizer extremes (base_q_idx 1 and 255), on frames smaller than one 8x8 block and on
    /// a picture with two tile columns, with the speed-4 search.
    func testDav1dForcedToolsAtExtremes() throws {
        guard tool("dav1d") != nil else { throw AVIFOracleMissing("dav1d not installed") }
        for (w, h, q) in [(64, 64, 100), (64, 64, 0), (4200, 24, 40), (1, 1, 60), (9, 9, 70)] {
            for forced in [AV1ForcedTools(txDepth: 2), AV1ForcedTools(txDepth: 1), AV1ForcedTools(split4x4: true)] {
                _ = try checkForced(forced, width: w, height: h, planes: 3, subsampled: true, quality: q, speed: 4, name: "extreme-\(w)x\(h)-\(q)")
            }
        }
    }

    /// Every block split down to BLOCK_4X4 (4:2:0 chroma coded with the last 4x4 block of each 8x8, CFL over the
    /// 8x8 luma, 4x4 edge availability), at frame edges, 4:2:0, 4:4:4 and gray; then the RD choice at speed 4.
    func testDav1dForced4x4Blocks() throws {
        guard tool("dav1d") != nil else { throw AVIFOracleMissing("dav1d not installed") }
        let cases: [(Int, Int, Int, Bool, Int)] = [(141, 77, 3, true, 60), (66, 40, 3, false, 80), (50, 30, 1, true, 30),
                                                   (37, 13, 3, true, 95)]
        for (w, h, n, sub, q) in cases {
            let plain = try checkForced(AV1ForcedTools(), width: w, height: h, planes: n, subsampled: sub, quality: q,
                                        name: "plain-\(w)x\(h)-\(n)-\(q)")
            let split = try checkForced(AV1ForcedTools(split4x4: true), width: w, height: h, planes: n, subsampled: sub,
                                        quality: q, name: "4x4-\(w)x\(h)-\(n)-\(q)")
            XCTAssertNotEqual(split, plain)
            _ = try checkForced(AV1ForcedTools(), width: w, height: h, planes: n, subsampled: sub, quality: q, speed: 4,
                                name: "s4-\(w)x\(h)-\(n)-\(q)")
        }
    }

    /// The same with RD-optimised quantisation (off by default): dav1d decodes the levels RDOQ chose to exactly
    /// the reconstruction the encoder built from them, 4:2:0 / 4:4:4 / gray, with chroma quantizer deltas.
    func testDav1dOutputEqualsReconstructionWithRdoq() throws {
        guard tool("dav1d") != nil else { throw AVIFOracleMissing("dav1d not installed") }
        for (w, h, n, sub, q, speed) in [(577, 383, 3, true, 50, 6), (96, 80, 3, false, 85, 4), (120, 72, 1, true, 20, 6),
                                         (64, 64, 3, true, 100, 6), (200, 136, 3, true, 5, 8)] {
            let src = try planes(width: w, height: h, count: n, subsampled: sub)
            var cfg = AV1PictureConfig(width: w, height: h, planes: src, subX: sub ? 1 : 0, subY: sub ? 1 : 0,
                                       qIndex: AVIFEncoder.qIndex(quality: q), speed: speed)
            cfg.filters = false
            cfg.settings.rdoq = true
            let r = try AV1FrameEncoder.encodeWithReconstruction(cfg)
            let (obus, recon) = (r.sequenceHeader + r.frame, r.recon)
            let decoded = try XCTUnwrap(try dav1dPlanes(obus, name: "rdoq-\(w)x\(h)-\(n)-\(q)"))
            XCTAssertEqual(decoded.count, n)
            for p in 0..<n { XCTAssertEqual(decoded[p], recon[p], "plane \(p) of \(w)x\(h) q\(q) differs from dav1d") }
        }
    }

    /// The intra edge filter and edge upsampling (§7.11.2.4 step 4, §7.11.2.7-12; off by default): dav1d
    /// reproduces the reconstruction exactly with the sequence header's enable_intra_edge_filter set, with and without
    /// the in-loop filters, 4:2:0 / 4:4:4 / gray, odd sizes, speeds 4/6/8; the streams differ from the filter-off ones.
    func testDav1dOutputEqualsReconstructionWithIntraEdgeFilter() throws {
        guard tool("dav1d") != nil else { throw AVIFOracleMissing("dav1d not installed") }
        for (w, h, n, sub, q, speed, filters) in [(577, 383, 3, true, 50, 6, false), (96, 80, 3, false, 85, 4, true),
                                                  (121, 73, 1, true, 20, 6, true), (200, 136, 3, true, 30, 8, false)] {
            let src = try planes(width: w, height: h, count: n, subsampled: sub)
            var streams: [[UInt8]] = []
            for edgeFilter in [false, true] {
                var cfg = AV1PictureConfig(width: w, height: h, planes: src, subX: sub ? 1 : 0, subY: sub ? 1 : 0,
                                           qIndex: AVIFEncoder.qIndex(quality: q), speed: speed)
                cfg.filters = filters
                cfg.settings.intraEdgeFilter = edgeFilter
                let r = try AV1FrameEncoder.encodeWithReconstruction(cfg)
                let (obus, recon) = (r.sequenceHeader + r.frame, r.recon)
                let decoded = try XCTUnwrap(try dav1dPlanes(obus, name: "edge\(edgeFilter)-\(w)x\(h)-\(n)-\(q)"))
                XCTAssertEqual(decoded.count, n)
                for p in 0..<n {
                    XCTAssertEqual(decoded[p], recon[p], "plane \(p) of \(w)x\(h) q\(q) edge filter \(edgeFilter) differs from dav1d")
                }
                streams.append(obus)
            }
            XCTAssertNotEqual(streams[0], streams[1], "the edge filter changed nothing at \(w)x\(h)")
        }
    }

    /// The SSIM tune's per-16x16 λ (smaller on flat areas, larger on texture) changes the decisions against the PSNR
    /// tune, and dav1d reproduces the reconstruction exactly with either: a picture half smooth gradient, half
    /// strong noise, 4:2:0 and gray, speeds 4 and 6.
    func testDav1dPerceptualLambdaTunes() throws {
        guard tool("dav1d") != nil else { throw AVIFOracleMissing("dav1d not installed") }
        let w = 160, h = 96
        var seed: UInt32 = 99
        var luma = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                seed = seed &* 1_103_515_245 &+ 12345
                luma[y * w + x] = x < w / 2 ? UInt8(60 + x / 2 + y / 4) : UInt8(truncatingIfNeeded: 40 + Int((seed >> 16) & 127))
            }
        }
        let chroma = [UInt8](repeating: 128, count: (w / 2) * (h / 2))
        for (planes, speed) in [([luma, chroma, chroma], 6), ([luma], 4)] {
            var bytes: [[UInt8]] = []
            for tune in [AV1Tune.psnr, .ssim] {
                var cfg = AV1PictureConfig(width: w, height: h, planes: planes, subX: 1, subY: 1,
                                           qIndex: AVIFEncoder.qIndex(quality: 40), speed: speed)
                cfg.tune = tune
                let r = try AV1FrameEncoder.encodeWithReconstruction(cfg)
                let decoded = try XCTUnwrap(try dav1dPlanes(r.sequenceHeader + r.frame, name: "tune-\(tune)-\(planes.count)"))
                XCTAssertEqual(decoded, r.recon, "tune \(tune), \(planes.count) planes: dav1d differs")
                bytes.append(r.frame)
            }
            XCTAssertNotEqual(bytes[0], bytes[1], "the SSIM tune changed nothing (\(planes.count) planes)")
        }
    }

    /// The bytes never depend on the job's thread count: a picture with two tile columns and a large filter search,
    /// lossy (4:2:0, speeds 4 and 6) and lossless, encoded with Job(threads: 1) and Job(threads: 2).
    func testOutputIndependentOfThreadCount() throws {
        let src = try pattern(width: 700, height: 300, layout: .rgb)
        for options in [AVIFEncodeOptions(quality: 50), AVIFEncodeOptions(quality: 30, speed: 4), AVIFEncodeOptions(lossless: true)] {
            let one = try Job.run(Job(threads: 1)) { try AVIFEncoder.encode(src, options: options) }
            let two = try Job.run(Job(threads: 2)) { try AVIFEncoder.encode(src, options: options) }
            XCTAssertEqual(one, two, "quality \(options.quality) speed \(options.speed) lossless \(options.lossless)")
        }
    }

    /// Complete AVIF files pass avifdec; PSNR floors per quality on a photo-like pattern.
    func testAvifdecDecodesWithQualityFloors() throws {
        guard tool("avifdec") != nil, tool("convert") != nil else { throw AVIFOracleMissing("avifdec/convert not installed") }
        let src = try pattern(width: 160, height: 120, layout: .rgb)
        var lastSize = 0
        for (q, floor) in [(20, 26.0), (50, 31.0), (80, 36.0), (95, 40.0)] {
            let file = try AVIFEncoder.encode(src, options: AVIFEncodeOptions(quality: q))
            XCTAssertGreaterThan(file.count, lastSize, "size must grow with quality")
            lastSize = file.count
            let out = try XCTUnwrap(try avifdecPixels(file, name: "q\(q)"))
            XCTAssertEqual(out.width, 160); XCTAssertEqual(out.height, 120)
            let p = psnr(src.samples8, Array(out.samples8.prefix(src.samples8.count)))
            XCTAssertGreaterThan(p, floor, "quality \(q): PSNR \(p)")
        }
        for sub in [ChromaSubsampling.s444, .s420] {
            let file = try AVIFEncoder.encode(src, options: AVIFEncodeOptions(quality: 70, subsampling: sub))
            let out = try XCTUnwrap(try avifdecPixels(file, name: "sub-\(sub.rawValue)"))
            XCTAssertGreaterThan(psnr(src.samples8, out.samples8), 30)
        }
        let gray = try pattern(width: 33, height: 17, layout: .gray)
        let g = try XCTUnwrap(try avifdecPixels(try AVIFEncoder.encode(gray, options: AVIFEncodeOptions(quality: 80)), name: "gray"))
        XCTAssertEqual(g.width, 33)
        XCTAssertGreaterThan(psnr(gray.samples8, g.samples8.enumerated().filter { $0.offset % g.channels == 0 }.map { $0.element }), 34)
    }

    /// Alpha is a monochrome auxiliary item and survives the round trip.
    func testAlphaRoundTrip() throws {
        guard tool("avifdec") != nil, tool("convert") != nil else { throw AVIFOracleMissing("avifdec/convert not installed") }
        let src = try pattern(width: 70, height: 40, layout: .rgba)
        let file = try AVIFEncoder.encode(src, options: AVIFEncodeOptions(quality: 90))
        let out = try XCTUnwrap(try avifdecPixels(file, name: "alpha"))
        XCTAssertEqual(out.layout, .rgba)
        var a0: [UInt8] = [], a1: [UInt8] = []
        for i in 0..<(70 * 40) { a0.append(src.samples8[i * 4 + 3]); a1.append(out.samples8[i * 4 + 3]) }
        XCTAssertGreaterThan(psnr(a0, a1), 38)
    }

    /// Box structure of a small file with alpha and an ICC profile.
    func testContainerBoxes() throws {
        var src = try pattern(width: 8, height: 8, layout: .rgba)
        src.metadata.iccProfile = EmbeddedProfileTests.fakeProfile(space: "RGB ", count: 133)
        let file = try AVIFEncoder.encode(src, options: AVIFEncodeOptions(quality: 50))
        func boxes(_ b: ArraySlice<UInt8>) -> [(String, ArraySlice<UInt8>)] {
            var out: [(String, ArraySlice<UInt8>)] = []
            var i = b.startIndex
            while i + 8 <= b.endIndex {
                let size = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
                let type = String(decoding: b[(i + 4)..<(i + 8)], as: UTF8.self)
                guard size >= 8, i + size <= b.endIndex else { XCTFail("bad box \(type)"); break }
                out.append((type, b[(i + 8)..<(i + size)]))
                i += size
            }
            return out
        }
        let top = boxes(file[...])
        XCTAssertEqual(top.map { $0.0 }, ["ftyp", "meta", "mdat"])
        let ftyp = String(decoding: top[0].1, as: UTF8.self)
        XCTAssertTrue(ftyp.hasPrefix("avif"))
        for brand in ["mif1", "miaf", "MA1B"] { XCTAssertTrue(ftyp.contains(brand), brand) }
        let meta = boxes(top[1].1.dropFirst(4))
        XCTAssertEqual(meta.first?.0, "hdlr")
        XCTAssertEqual(String(decoding: meta[0].1.dropFirst(8).prefix(4), as: UTF8.self), "pict")
        XCTAssertEqual(meta.map { $0.0 }, ["hdlr", "pitm", "iloc", "iinf", "iref", "iprp"])
        let iprp = boxes(meta[5].1)
        XCTAssertEqual(iprp.map { $0.0 }, ["ipco", "ipma"])
        XCTAssertEqual(boxes(iprp[0].1).map { $0.0 }, ["av1C", "ispe", "pixi", "colr", "colr", "av1C", "pixi", "auxC"])
        let auxC = String(decoding: boxes(iprp[0].1)[7].1.dropFirst(4), as: UTF8.self)
        XCTAssertTrue(auxC.hasPrefix("urn:mpeg:mpegB:cicp:systems:auxiliary:alpha"))
        XCTAssertEqual(boxes(meta[4].1.dropFirst(4)).first?.0, "auxl")
        XCTAssertTrue(String(decoding: meta[3].1, as: UTF8.self).contains("av01"))
    }

    /// libavif's quality → quantizer mapping: 100 is the finest quantizer, 0 the coarsest, monotonic between.
    func testQualityMapping() {
        XCTAssertEqual(AVIFEncoder.qIndex(quality: 0), 255)
        XCTAssertEqual(AVIFEncoder.qIndex(quality: 100), 1)
        var last = 256
        for q in 0...100 { let v = AVIFEncoder.qIndex(quality: q); XCTAssertLessThanOrEqual(v, last); last = v }
    }
}

/// Thrown when an oracle tool (dav1d, avifdec, convert) is missing: the test fails, it is not skipped
/// (Scripts/test.sh installs the tools).
struct AVIFOracleMissing: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message + " (run Scripts/test.sh, which installs the oracles)" }
}
