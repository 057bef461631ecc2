import XCTest
import Raster
import Formats
import Decoders
@testable import Pipeline
import TestSupport

/// Random queries and damaged inputs: the pipeline never traps, every skip uses a known reason and keeps the
/// original bytes.
final class PipelineFuzzTests: XCTestCase {
    /// SplitMix64: a fixed seed makes every run check the same cases.
    private struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private static let knownPrefixes = ["resizing: ", "cropping: ", "compression: ", "decoding: ", "detected content type ",
                                        "webp will be bigger", "avif will be bigger"]

    func testRandomQueriesParseToARequestOrAKnownReason() {
        var rng = Generator(state: 42)
        let keys = ["width", "height", "fit", "crop", "quality", "fmt", "other", "w%69dth"]
        let pieces = ["0", "1", "300", "-5", "+3", "99999999999999999999", "x10", "y20p", "offset-x50", "offset-y101",
                      ",", ":", "%2C", "%3A", "%", "%zz", "webp", "avif", "cover", "bounds", "force", "fit", "p", "", " ", "é"]
        for _ in 0..<3000 {
            var parameters: [String] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                var value = ""
                for _ in 0..<Int.random(in: 0...5, using: &rng) { value += pieces.randomElement(using: &rng)! }
                parameters.append(keys.randomElement(using: &rng)! + "=" + value)
            }
            let query = parameters.joined(separator: "&")
            let split = ImageProcessor.splitQuery(query)
            switch QueryGrammar.parse(split.imageParameters) {
            case .success(let request):
                if let w = request.width { XCTAssertGreaterThanOrEqual(w, 1, query) }
                if let q = request.quality { XCTAssertTrue((0...100).contains(q), query) }
            case .failure(let reason):
                XCTAssertTrue(Self.knownPrefixes.contains { reason.text.hasPrefix($0) }, "\(query) → \(reason)")
            }
            // Plans on a few sizes never trap either.
            if case .success(let request) = QueryGrammar.parse(split.imageParameters) {
                for (w, h) in [(1, 1), (3, 7000), (900, 600)] {
                    var m = ImageMetadata()
                    m.source.format = .jpeg
                    m.orientation = Int.random(in: 0...9, using: &rng)
                    let header = ImageHeader(width: w, height: h, layout: .rgb, bitDepth: .eight, metadata: m)
                    if case .skip(let reason) = Plan.make(request: request, rule: RuleSettings(formats: .switches([.webp])), accepted: [.webp],
                                                          header: header, estimateQuality: { _ in 80 }) {
                        XCTAssertTrue(Self.knownPrefixes.contains { reason.text.hasPrefix($0) }, "\(query) → \(reason)")
                    }
                }
            }
        }
    }

    func testDamagedInputsNeverTrap() throws {
        var rng = Generator(state: 7)
        let sources = [try FileIO.read(TestCorpus.path("jpeg/variants/odd-s2x2-prog.jpg")),
                       try FileIO.read(TestCorpus.path("png/variants/camera-gray-alpha.png"))]
        for source in sources {
            for round in 0..<24 {
                var bytes = source
                if round % 3 == 0 {
                    bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
                } else {
                    for _ in 0..<(1 + round / 3) {
                        let i = Int.random(in: 16..<bytes.count, using: &rng)
                        bytes[i] ^= UInt8.random(in: 1...255, using: &rng)
                    }
                }
                let o = ImageProcessor.process(original: bytes, query: ImageProcessor.splitQuery("width=50&fmt=webp"),
                                               accept: "image/webp", rule: RuleSettings())
                if let reason = o.skipReason {
                    XCTAssertEqual(o.body, bytes)
                    XCTAssertTrue(Self.knownPrefixes.contains { reason.hasPrefix($0) }, reason)
                }
            }
        }
    }
}
