import Foundation
import Raster
import XCTest
@testable import Decoders

/// Chunk-level behaviour: metadata, APNG, IDAT splitting, limits, damaged chunks.
final class PNGStructureTests: XCTestCase {
    typealias S = PNGTestSupport

    private func suite(_ name: String) throws -> [UInt8] { try S.read(S.corpus + "/png/pngsuite/" + name) }

    /// Inserts `extra` chunks before IEND.
    private func adding(_ extra: [S.Chunk], to png: [UInt8]) -> [UInt8] {
        var chunks = S.chunks(png)
        chunks.insert(contentsOf: extra, at: chunks.count - 1)
        return S.assemble(chunks)
    }

    private func imageData(_ png: [UInt8]) -> [UInt8] {
        S.chunks(png).filter { $0.type == "IDAT" }.flatMap(\.data)
    }

    /// Replaces the IDAT chunks by `pieces` of the same zlib stream.
    private func withImageData(_ png: [UInt8], split pieces: [[UInt8]]) -> [UInt8] {
        let chunks = S.chunks(png)
        let before = chunks.prefix { $0.type != "IDAT" }
        let after = chunks.drop { $0.type != "IDAT" }.drop { $0.type == "IDAT" }
        return S.assemble(Array(before) + pieces.map { S.Chunk(type: "IDAT", data: $0) } + Array(after))
    }

    func testICCProfileIsDecompressed() throws {
        for name in ["vgl_5674_0098.png", "monkey16.png"] {
            let raster = try PNGDecoder.decode(try S.read(S.corpus + "/png/" + name))
            guard let icc = raster.metadata.iccProfile else { XCTFail("\(name): no ICC profile"); continue }
            // ICC.1 §7.2: bytes 0-3 are the profile size, 36-39 the signature "acsp".
            XCTAssertEqual(Int(icc[0]) << 24 | Int(icc[1]) << 16 | Int(icc[2]) << 8 | Int(icc[3]), icc.count, name)
            XCTAssertEqual(Array(icc[36..<40]), Array("acsp".utf8), name)
        }
    }

    func testGammaAndSourceFacts() throws {
        let g = try PNGDecoder.decode(try suite("g03n0g16.png"))
        XCTAssertEqual(g.metadata.gamma ?? 0, 0.35, accuracy: 1e-9)
        let i = try PNGDecoder.decode(try suite("basi0g04.png"))
        XCTAssertEqual(i.metadata.source.format, .png)
        XCTAssertEqual(i.metadata.source.bitDepth, 4)
        XCTAssertEqual(i.metadata.source.components, 1)
        XCTAssertEqual(i.metadata.source.progressive, true)
        XCTAssertEqual(i.metadata.source.pngColorType, 0)
        let p = try PNGDecoder.decode(try suite("basn3p08.png"))
        XCTAssertEqual(p.metadata.source.pngColorType, 3)
        XCTAssertEqual(p.metadata.source.progressive, false)
        XCTAssertNil(p.metadata.iccProfile)
    }

    func testExifAndOrientation() throws {
        let suiteExif = try PNGDecoder.decode(try suite("exif2c08.png"))
        XCTAssertEqual(suiteExif.metadata.exif?.count, 978)
        XCTAssertEqual(suiteExif.metadata.orientation, 1)
        // Big-endian TIFF with orientation 6, and little-endian with orientation 8, in IFD0 (EXIF 2.3 §4.6.4).
        let bigEndian: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0]
        let littleEndian: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        for (payload, expected) in [(bigEndian, 6), (littleEndian, 8)] {
            let png = adding([S.Chunk(type: "eXIf", data: payload)], to: try suite("basn2c08.png"))
            let raster = try PNGDecoder.decode(png)
            XCTAssertEqual(raster.metadata.orientation, expected)
            XCTAssertEqual(raster.metadata.exif, payload)
            XCTAssertEqual(try PNGDecoder.readHeader(png).metadata.orientation, expected)
        }
        // A payload that is not TIFF keeps the bytes but leaves orientation upright.
        let junk = try PNGDecoder.decode(adding([S.Chunk(type: "eXIf", data: [1, 2, 3])], to: try suite("basn2c08.png")))
        XCTAssertEqual(junk.metadata.orientation, 1)
    }

    func testAnimatedPNGDecodesDefaultImage() throws {
        let original = try suite("basn6a08.png")
        var chunks = S.chunks(original)
        let fcTL0 = S.be32(0) + S.be32(32) + S.be32(32) + S.be32(0) + S.be32(0) + [0, 1, 0, 10, 0, 0]
        let fcTL1 = S.be32(1) + S.be32(16) + S.be32(16) + S.be32(4) + S.be32(4) + [0, 1, 0, 10, 1, 0]
        chunks.insert(S.Chunk(type: "acTL", data: S.be32(2) + S.be32(0)), at: 1)
        chunks.insert(S.Chunk(type: "fcTL", data: fcTL0), at: 2)
        let end = chunks.count - 1
        chunks.insert(contentsOf: [S.Chunk(type: "fcTL", data: fcTL1),
                                   S.Chunk(type: "fdAT", data: S.be32(2) + [0x78, 0x9C, 0x03, 0x00])], at: end)
        let animated = S.assemble(chunks)
        XCTAssertEqual(try PNGDecoder.decode(animated).samples8, try PNGDecoder.decode(original).samples8)
    }

    func testImageDataSplitAnywhere() throws {
        var rng = SeededGenerator(seed: 7)
        for name in ["basi6a16.png", "basn3p01.png", "z09n2c08.png", "basi3p02.png"] {
            let png = try suite(name)
            let expected = try PNGDecoder.decode(png)
            let stream = imageData(png)
            for piece in [1, 2, 7, 100] {
                let pieces = stride(from: 0, to: stream.count, by: piece).map { Array(stream[$0..<min($0 + piece, stream.count)]) }
                XCTAssertEqual(try PNGDecoder.decode(withImageData(png, split: pieces)), expected, "\(name) in \(piece)-byte IDATs")
            }
            var pieces: [[UInt8]] = [[]]
            var at = 0
            while at < stream.count {
                let n = min(stream.count - at, Int(rng.next() % 40))
                pieces.append(Array(stream[at..<(at + n)]))
                at += n
            }
            XCTAssertEqual(try PNGDecoder.decode(withImageData(png, split: pieces)), expected, "\(name) random split")
        }
    }

    func testLimitsAreCheckedFromHeader() throws {
        let png = try suite("basn0g08.png")   // 32x32
        for limits in [ImageLimits(maxPixels: 1000, maxSide: 100, maxSourceBytes: 1 << 20),
                       ImageLimits(maxPixels: 1 << 20, maxSide: 31, maxSourceBytes: 1 << 20)] {
            XCTAssertThrowsError(try PNGDecoder.readHeader(png, limits: limits)) { XCTAssertEqual(($0 as? CodecError)?.kind, .limit) }
            XCTAssertThrowsError(try PNGDecoder.decode(png, limits: limits)) { XCTAssertEqual(($0 as? CodecError)?.kind, .limit) }
        }
        // A header claiming 16384x16384 is refused before anything is inflated or allocated.
        var chunks = S.chunks(png)
        chunks[0].data = S.be32(16384) + S.be32(16384) + Array(chunks[0].data[8...])
        XCTAssertThrowsError(try PNGDecoder.decode(S.assemble(chunks))) { XCTAssertEqual(($0 as? CodecError)?.kind, .limit) }
    }

    func testDamagedChunks() throws {
        let png = try suite("basn0g08.png")
        func expect(_ bytes: [UInt8], _ kind: CodecError.Kind, _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try PNGDecoder.decode(bytes), line: line) { error in
                guard let e = error as? CodecError else { return XCTFail("untyped \(error)", line: line) }
                XCTAssertEqual(e.codec, "PNG decoder", line: line)
                XCTAssertEqual(e.kind, kind, "\(e)", line: line)
                XCTAssertTrue(e.message.contains(fragment), "\(e)", line: line)
            }
        }
        expect(adding([S.Chunk(type: "ABCD", data: [1])], to: png), .unsupported, "critical")
        expect(Array(png.dropLast(12)), .truncated, "IEND")
        var chunks = S.chunks(png)
        chunks.remove(at: 0)
        expect(S.assemble(chunks), .malformed, "IHDR")

        // A damaged ancillary chunk is ignored, as libpng does: gAMA with a wrong CRC.
        var badGamma = png
        let at = try XCTUnwrap(badGamma.indices.first { Array(badGamma[$0..<min($0 + 4, badGamma.count)]) == Array("gAMA".utf8) })
        badGamma[at + 8] ^= 0xFF
        let decoded = try PNGDecoder.decode(badGamma)
        XCTAssertNil(decoded.metadata.gamma)
        XCTAssertEqual(decoded.samples8, try PNGDecoder.decode(png).samples8)

        // Filter type 5 and too little image data, in otherwise valid zlib streams.
        var rows = try Inflate.zlibDecompress(imageData(png), maxOutput: 1 << 20)
        let originalFilter = rows[33 * 5]
        rows[33 * 5] = 5
        let script = "import sys,zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read()))"
        expect(withImageData(png, split: [try S.run("python3", ["-c", script], stdin: rows)]), .malformed, "filter type 5")
        expect(withImageData(png, split: [try S.run("python3", ["-c", script], stdin: Array(rows.dropLast(3)))]), .truncated, "IHDR implies")

        // More image data than IHDR implies: libpng warns and uses the rows it needs; so do we.
        rows[33 * 5] = originalFilter
        let longer = withImageData(png, split: [try S.run("python3", ["-c", script], stdin: rows + [UInt8](repeating: 7, count: 500))])
        XCTAssertTrue(try PNGDecoder.decode(longer).samples8 == PNGDecoder.decode(png).samples8)
    }
}
