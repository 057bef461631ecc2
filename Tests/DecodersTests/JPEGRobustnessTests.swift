import Foundation
import XCTest
@testable import Decoders
import Raster

/// Damaged input: every corpus JPEG truncated at 64 points and with 200 seeded random bit flips must give a typed CodecError or a valid image — never a crash, trap or hang. Files are processed in
/// parallel; problems are collected and reported at the end.
final class JPEGRobustnessTests: XCTestCase {
    typealias Outcome = DecoderRobustness.Outcome

    /// Decodes and returns the outcome, or a problem description.
    static func check(_ bytes: [UInt8], _ label: String, scale: Int = 1) -> Result<Outcome, DecoderRobustness.ProblemReport> {
        DecoderRobustness.check(label) { try JPEGDecoder.decode(bytes, scaleDenominator: scale) }
    }

    func runParallel(_ count: Int, _ work: @escaping @Sendable (Int) -> [String]) {
        DecoderRobustness.runParallel(count, work)
    }

    func truncations(_ files: [URL], points: Int) {
        runParallel(files.count) { i in
            let url = files[i]
            guard let bytes = try? JPEGTestSupport.bytes(url) else { return ["\(url.path): unreadable"] }
            var problems: [String] = []
            for k in 0..<points {
                let cut = bytes.count * k / points
                let label = "\(url.lastPathComponent) cut at \(cut)"
                switch JPEGRobustnessTests.check(Array(bytes.prefix(cut)), label) {
                case .failure(let p): problems.append(p.text)
                case .success(.image) where cut > bytes.count / 2:
                    // Cut inside the entropy data: refused with a typed error, not returned as a partial image.
                    problems.append("\(label): returned an image")
                default: break
                }
            }
            return problems
        }
    }

    func testTruncatedSmallFiles() {
        let files = JPEGTestSupport.files(in: "jpeg") + JPEGTestSupport.files(in: "photos")
        XCTAssertGreaterThan(files.count, 60)
        truncations(files, points: 64)
    }

    func testTruncatedLargeFiles() {
        let files = JPEGTestSupport.files(in: "large")
        XCTAssertGreaterThan(files.count, 0, "no large JPEGs: run bash Benchmarks/fetch-large.sh")
        truncations(files, points: 64)
    }

    func testBitFlips() {
        let files = JPEGTestSupport.files(in: "jpeg") + JPEGTestSupport.files(in: "photos")
        XCTAssertGreaterThan(files.count, 60)
        bitFlips(files, trials: 0..<200, seedBase: 0x5EED_0000)
    }

    /// The wallpapers in Benchmarks/large (fetched by Benchmarks/fetch-large.sh) get their 200 flips too: each
    /// file's trials are split in halves that run
    /// on both cores, since one decode of a 5120x2880 image is the expensive part.
    func testBitFlipsLargeFiles() {
        let files = JPEGTestSupport.files(in: "large")
        XCTAssertGreaterThan(files.count, 0, "no large JPEGs: run bash Benchmarks/fetch-large.sh")
        bitFlips(files, trials: 0..<100, seedBase: 0x1A46_0000)
        bitFlips(files, trials: 100..<200, seedBase: 0x1A46_1000)
    }

    /// `trials` seeded random flips per file (1-4 bits after SOI), every fourth decoded with a scaled IDCT.
    func bitFlips(_ files: [URL], trials: Range<Int>, seedBase: UInt64) {
        runParallel(files.count) { index in
            let url = files[index]
            guard let original = try? JPEGTestSupport.bytes(url) else { return ["\(url.path): unreadable"] }
            var rng = SeededGenerator(seed: seedBase + UInt64(index))
            var problems: [String] = []
            for trial in trials {
                var bytes = original
                // One to four flipped bits anywhere after SOI, so headers, tables and entropy data all get hit.
                for _ in 0...rng.below(4) {
                    let bit = 16 + rng.below((bytes.count - 2) * 8)
                    bytes[bit / 8] ^= UInt8(1 << (bit % 8))
                }
                // Every fourth trial decodes with a scaled IDCT so those paths see damaged data too.
                let scale = trial % 4 == 3 ? [2, 4, 8][trial / 4 % 3] : 1
                if case .failure(let p) = JPEGRobustnessTests.check(bytes, "\(url.lastPathComponent) flip trial \(trial)",
                                                                    scale: scale) {
                    problems.append(p.text)
                }
            }
            return problems
        }
    }

    func testScanCountIsCapped() throws {
        // A progressive file's first scan (DC first, which does not depend on earlier scans), with the tables
        // defined before it, repeated: valid syntax, but more scans than the cap.
        let url = JPEGTestSupport.corpus.appendingPathComponent("jpeg/variants/coffee-gray-prog.jpg")
        let bytes = try JPEGTestSupport.bytes(url)
        var start: Int?, scan: Int?
        var i = 2
        while i + 4 <= bytes.count, scan == nil {
            let marker = bytes[i + 1]
            if start == nil && (marker == 0xC4 || marker == 0xDA) && bytes[2..<i].contains(0xC2) { start = i }
            if marker == 0xDA { scan = i } else { i += 2 + (Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])) }
        }
        let from = try XCTUnwrap(start), sos = try XCTUnwrap(scan)
        // The scan's data ends at the next marker that is not a stuffed 0xFF00 or RSTn.
        var end = sos + 2 + (Int(bytes[sos + 2]) << 8 | Int(bytes[sos + 3]))
        while end + 1 < bytes.count, !(bytes[end] == 0xFF && bytes[end + 1] != 0 && !(0xD0...0xD7).contains(bytes[end + 1])) {
            end += 1
        }
        let chunk = Array(bytes[from..<end])
        func repeated(_ n: Int) -> [UInt8] {
            var out = Array(bytes[..<from])
            for _ in 0..<n { out += chunk }
            return out + Array(bytes[from...])
        }
        XCTAssertThrowsError(try JPEGDecoder.decode(repeated(JPEGStream.maxScans + 1))) {
            XCTAssertEqual(($0 as? CodecError)?.kind, .limit)
        }
        // Within the cap the same file decodes, to the same pixels as the original.
        XCTAssertEqual(try JPEGDecoder.decode(repeated(3)).samples8, try JPEGDecoder.decode(bytes).samples8)
    }

    func testGarbageAndEdgeInputs() {
        var inputs: [[UInt8]] = [[], [0xFF, 0xD8], [0xFF, 0xD8, 0xFF, 0xD9], [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x02]]
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<200 {
            var bytes: [UInt8] = [0xFF, 0xD8]
            for _ in 0..<(rng.below(400)) { bytes.append(UInt8(rng.below(256))) }
            inputs.append(bytes)
        }
        for (i, bytes) in inputs.enumerated() {
            switch JPEGRobustnessTests.check(bytes, "input \(i)") {
            case .failure(let p): XCTFail(p.text)
            case .success(let o): XCTAssertEqual(o, .typedError, "input \(i)")
            }
        }
    }
}
