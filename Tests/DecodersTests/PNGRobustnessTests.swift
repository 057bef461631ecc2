import Foundation
import Raster
import XCTest
@testable import Decoders

/// Damaged inputs must give a typed `CodecError` or a valid image: never a trap, crash or hang.
///
/// Every PNG in the corpus is truncated at 64 points and gets 200 seeded random bit flips, once with the CRCs left
/// as they are (mostly rejected early by the chunk CRC) and once with every CRC recomputed after the flip, so the
/// damage reaches the zlib, filter and expansion layers, Benchmarks/large included.
final class PNGRobustnessTests: XCTestCase {
    typealias S = PNGTestSupport

    private func allFiles() throws -> [String] {
        try S.corpusFiles("png/pngsuite") + S.corpusFiles("png") + S.corpusFiles("png/variants") + S.corpusFiles("photos")
    }

    /// Decodes and checks the outcome is either a typed error or a consistent raster.
    private func survive(_ bytes: [UInt8], _ what: @autoclosure () -> String) {
        do {
            let raster = try PNGDecoder.decode(bytes)
            XCTAssertEqual(raster.sampleCount, raster.bitDepth == .eight ? raster.samples8.count : raster.samples16.count, what())
        } catch is CodecError {
        } catch {
            XCTFail("\(what()): untyped error \(error)")
        }
    }

    private func truncations(_ bytes: [UInt8], _ name: String) {
        for k in 0..<64 {
            let cut = bytes.count * k / 64
            survive(Array(bytes.prefix(cut)), "\(name) cut at \(cut)")
        }
    }

    func testTruncatedFiles() throws {
        let files = try allFiles() + S.corpusFiles("large")
        XCTAssertGreaterThan(files.count, 180)
        for path in files {
            truncations(try S.read(path), (path as NSString).lastPathComponent)
        }
    }

    /// Cuts the zlib stream (not the file) at 64 points and rebuilds a well-formed container around it, so the
    /// decoder must notice the missing image data itself.
    func testTruncatedImageDataInValidContainer() throws {
        for path in try allFiles() {
            let name = (path as NSString).lastPathComponent
            let chunks = S.chunks(try S.read(path))
            let stream = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
            guard !stream.isEmpty else { continue }
            let before = Array(chunks.prefix { $0.type != "IDAT" })
            let after = Array(chunks.drop { $0.type != "IDAT" }.drop { $0.type == "IDAT" })
            for k in 0..<64 {
                let cut = stream.count * k / 64
                let png = S.assemble(before + [S.Chunk(type: "IDAT", data: Array(stream.prefix(cut)))] + after)
                survive(png, "\(name) stream cut at \(cut)")
            }
        }
    }

    /// Well-formed chunks (valid CRCs) in the wrong order, duplicated or missing exercise the ordering rules.
    func testReorderedDuplicatedAndMissingChunks() throws {
        var rng = SeededGenerator(seed: 42)
        for path in try S.corpusFiles("png/pngsuite") where !(path as NSString).lastPathComponent.hasPrefix("x") {
            let name = (path as NSString).lastPathComponent
            let chunks = S.chunks(try S.read(path))
            for trial in 0..<20 {
                var damaged = chunks
                let i = Int(rng.next() % UInt64(damaged.count))
                let j = Int(rng.next() % UInt64(damaged.count))
                switch trial % 3 {
                case 0: damaged.swapAt(i, j)
                case 1: damaged.insert(damaged[i], at: j)
                default: damaged.remove(at: i)
                }
                survive(S.assemble(damaged), "\(name) chunk edit \(trial)")
            }
        }
    }

    func testRandomBitFlips() throws {
        var rng = SeededGenerator(seed: 0x5EED)
        try bitFlips(allFiles(), rng: &rng)
    }

    /// The benchmark images in Benchmarks/large (fetched by Benchmarks/fetch-large.sh) get their 200 flips as
    /// well (with and without recomputed CRCs).
    func testRandomBitFlipsLargeFiles() throws {
        let files = try S.corpusFiles("large")
        XCTAssertGreaterThan(files.count, 0, "no large PNGs: run bash Benchmarks/fetch-large.sh")
        var rng = SeededGenerator(seed: 0x1A46E)
        try bitFlips(files, rng: &rng)
    }

    private func bitFlips(_ files: [String], rng: inout SeededGenerator) throws {
        for path in files {
            let name = (path as NSString).lastPathComponent
            let original = try S.read(path)
            for trial in 0..<200 {
                var damaged = original
                let bit = Int(rng.next() % UInt64(original.count * 8))
                damaged[bit / 8] ^= 1 << UInt8(bit % 8)
                survive(damaged, "\(name) flip \(trial) at bit \(bit)")
                survive(S.recomputingCRCs(damaged), "\(name) flip \(trial) at bit \(bit), CRCs recomputed")
            }
        }
    }
}
