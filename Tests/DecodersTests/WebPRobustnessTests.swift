import Foundation
import XCTest
@testable import Decoders
import Raster

/// Damaged WebP files must give a typed `CodecError` or a valid image: never a trap, crash or hang.
///
/// The files are made by cwebp from corpus images (lossless with transforms and meta prefix codes, lossy with both
/// loop filters, lossy with filtered VP8L alpha and raw alpha, a palette image). Each is truncated at 64 points
/// and gets 200 seeded bit flips. RIFF carries no checksum, so damage reaches the bitstreams directly; in half of
/// the cases the RIFF and chunk sizes are also rewritten to fit the damaged file, so that truncation reaches the
/// VP8/VP8L decoders instead of stopping at the container.
final class WebPRobustnessTests: XCTestCase {
    static let sources: [(String, [String])] = [
        ("photos/chelsea.png", ["-lossless"]),
        ("png/pngsuite/basn3p04.png", ["-lossless"]),
        ("photos/camera.png", ["-q", "75"]),
        ("photos/rocket.jpg", ["-q", "40", "-nostrong", "-crop", "0", "0", "200", "150"]),
        ("png/variants/camera-gray-alpha.png", ["-q", "70", "-alpha_filter", "best", "-resize", "256", "256"]),
        ("png/variants/camera-gray-alpha.png", ["-q", "60", "-alpha_method", "0", "-resize", "100", "75"]),
    ]

    static func files() throws -> [(String, [UInt8])] {
        try sources.map { ("\($0.0) \($0.1.joined(separator: " "))", try WebPDecoderOracle.cwebp($0.0, $0.1)) }
    }

    static func check(_ bytes: [UInt8], _ label: String) -> Result<DecoderRobustness.Outcome, DecoderRobustness.ProblemReport> {
        DecoderRobustness.check(label) { try WebPDecoder.decode(bytes) }
    }

    /// The file with its RIFF size, and the size of the chunk that runs past the new end, rewritten to fit.
    static func fittedSizes(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 12 else { return bytes }
        var b = bytes
        func put32(_ v: Int, at i: Int) { for k in 0..<4 { b[i + k] = UInt8((v >> (8 * k)) & 0xFF) } }
        put32(b.count - 8, at: 4)
        var pos = 12
        while pos + 8 <= b.count {
            let size = Int(b[pos + 4]) | Int(b[pos + 5]) << 8 | Int(b[pos + 6]) << 16 | Int(b[pos + 7]) << 24
            if pos + 8 + size > b.count { put32(b.count - pos - 8, at: pos + 4); break }
            pos += 8 + size + (size & 1)
        }
        return b
    }

    /// Byte offset where the last chunk's payload starts (the bitstream in every file made here).
    static func lastPayloadStart(_ bytes: [UInt8]) -> Int {
        var pos = 12, start = 20
        while pos + 8 <= bytes.count {
            let size = Int(bytes[pos + 4]) | Int(bytes[pos + 5]) << 8 | Int(bytes[pos + 6]) << 16 | Int(bytes[pos + 7]) << 24
            start = pos + 8
            pos += 8 + size + (size & 1)
        }
        return start
    }

    func testTruncatedFiles() throws {
        let files = try Self.files()
        DecoderRobustness.runParallel(files.count) { i in
            let (name, bytes) = files[i]
            var problems: [String] = []
            for k in 0..<64 {
                let cut = Array(bytes.prefix(bytes.count * k / 64))
                switch Self.check(cut, "\(name) cut at \(cut.count)") {
                case .failure(let p): problems.append(p.text)
                // The RIFF size promises more than there is: always refused, never a partial image.
                case .success(.image): problems.append("\(name) cut at \(cut.count): returned an image")
                default: break
                }
                if case .failure(let p) = Self.check(Self.fittedSizes(cut), "\(name) cut at \(cut.count), sizes fitted") {
                    problems.append(p.text)
                }
            }
            return problems
        }
    }

    func testBitFlips() throws {
        let files = try Self.files()
        DecoderRobustness.runParallel(files.count) { i in
            let (name, original) = files[i]
            var rng = SeededGenerator(seed: 0x3EB9_0000 + UInt64(i))
            let payload = Self.lastPayloadStart(original)
            var problems: [String] = []
            for trial in 0..<200 {
                var bytes = original
                // Odd trials hit only the bitstream, even ones anywhere after the RIFF signature.
                let from = trial % 2 == 1 ? payload : 4
                for _ in 0...rng.below(4) {
                    let bit = from * 8 + rng.below((bytes.count - from) * 8)
                    bytes[bit / 8] ^= UInt8(1 << (bit % 8))
                }
                if case .failure(let p) = Self.check(bytes, "\(name) flip trial \(trial)") { problems.append(p.text) }
            }
            return problems
        }
    }

    func testGarbageAfterHeaders() {
        var rng = SeededGenerator(seed: 77)
        for prefix in ["VP8 ", "VP8L", "VP8X", "ALPH"] {
            for trial in 0..<100 {
                var body = Array(prefix.utf8)
                let size = rng.below(300)
                body += [UInt8(size & 0xFF), UInt8(size >> 8), 0, 0]
                // A plausible start for each bitstream, then random bytes.
                if prefix == "VP8L" { body.append(0x2F) }
                if prefix == "VP8 " { body += [0x50, 0x02, 0x00, 0x9D, 0x01, 0x2A] }
                for _ in 0..<size { body.append(UInt8(rng.below(256))) }
                let file = Array("RIFF".utf8) + [UInt8(truncatingIfNeeded: body.count + 4), UInt8(truncatingIfNeeded: (body.count + 4) >> 8), 0, 0]
                    + Array("WEBP".utf8) + body
                if case .failure(let p) = Self.check(file, "\(prefix) garbage \(trial)") { XCTFail(p.text) }
            }
        }
        for bytes in [[], Array("RIFF".utf8), Array("RIFF\u{4}\0\0\0WEBP".utf8)] as [[UInt8]] {
            XCTAssertThrowsError(try WebPDecoder.decode(bytes)) { XCTAssert($0 is CodecError) }
        }
    }

    /// Sizes are checked against the limits from the header, before any pixel memory is allocated.
    func testLimitsAreCheckedFromTheHeader() throws {
        // A VP8L header claiming 16384 x 16384 and nothing else.
        let side = 16383
        let bits = UInt32(side) | UInt32(side) << 14
        let vp8l: [UInt8] = [0x2F, UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24), 0, 0, 0]
        let file = Array("RIFF".utf8) + [UInt8(12 + vp8l.count), 0, 0, 0] + Array("WEBPVP8L".utf8) + [UInt8(vp8l.count), 0, 0, 0] + vp8l
        XCTAssertThrowsError(try WebPDecoder.readHeader(file)) { XCTAssertEqual(($0 as? CodecError)?.kind, .limit) }
        XCTAssertThrowsError(try WebPDecoder.decode(file)) { XCTAssertEqual(($0 as? CodecError)?.kind, .limit) }
        // A real file under tight limits.
        let webp = try WebPDecoderOracle.cwebp("photos/chelsea.png", ["-q", "50"])
        let tight = ImageLimits(maxPixels: 1000, maxSide: 16384, maxSourceBytes: 1 << 30)
        XCTAssertThrowsError(try WebPDecoder.decode(webp, limits: tight)) { XCTAssertEqual(($0 as? CodecError)?.kind, .limit) }
        let header = try WebPDecoder.readHeader(webp)
        XCTAssertEqual(header.metadata.source.format, .webp)
        XCTAssertEqual(header.layout, .rgb)
    }

    func testAnimationIsDetectedAndRefused() throws {
        let frames = ["photos/logo.png", "photos/chelsea.png"].map { WebPDecoderOracle.corpus.appendingPathComponent($0).path }
        let a = WebPDecoderOracle.temporary(".png"), b = WebPDecoderOracle.temporary(".png"), out = WebPDecoderOracle.temporary(".webp")
        defer { for u in [a, b, out] { try? FileManager.default.removeItem(at: u) } }
        // Two frames of the same size (cwebp crops them), assembled by img2webp.
        let stillA = WebPDecoderOracle.temporary(".webp"), stillB = WebPDecoderOracle.temporary(".webp")
        defer { try? FileManager.default.removeItem(at: stillA); try? FileManager.default.removeItem(at: stillB) }
        try WebPDecoderOracle.run("cwebp", ["-quiet", "-q", "50", "-crop", "0", "0", "64", "48", frames[0], "-o", stillA.path])
        try WebPDecoderOracle.run("cwebp", ["-quiet", "-q", "50", "-crop", "0", "0", "64", "48", frames[1], "-o", stillB.path])
        try WebPDecoderOracle.run("img2webp", ["-lossy", stillA.path, stillB.path, "-o", out.path])
        let animated = [UInt8](try Data(contentsOf: out))
        XCTAssertTrue(WebPDecoder.isAnimated(animated))
        XCTAssertThrowsError(try WebPDecoder.decode(animated)) {
            XCTAssertEqual(($0 as? CodecError)?.kind, .unsupported)
            XCTAssertEqual(($0 as? CodecError)?.message, "animated WebP")
        }
        XCTAssertFalse(WebPDecoder.isAnimated([UInt8](try Data(contentsOf: stillA))))
    }

    /// ICC profile and EXIF chunks come back as metadata (cwebp -metadata copies the PNG's profile).
    func testICCProfileIsRead() throws {
        let webp = try WebPDecoderOracle.cwebp("png/vgl_5674_0098.png", ["-q", "60", "-metadata", "icc"])
        let raster = try WebPDecoder.decode(webp)
        let png = try PNGDecoder.readHeader([UInt8](try Data(contentsOf: WebPDecoderOracle.corpus.appendingPathComponent("png/vgl_5674_0098.png"))))
        XCTAssertNotNil(raster.metadata.iccProfile)
        XCTAssertEqual(raster.metadata.iccProfile, png.metadata.iccProfile)
    }
}
