import Foundation
import XCTest
@testable import Decoders
import Raster
import TestSupport

/// Shared helpers for the JPEG tests: corpus files and the djpeg oracle.
enum JPEGTestSupport {
    static let corpus = URL(fileURLWithPath: TestCorpus.root)

    /// JPEG files under `folder` of the corpus, sorted ("large": the fetched wallpapers in Benchmarks/large).
    static func files(in folder: String) -> [URL] {
        let dir = folder == "large" ? URL(fileURLWithPath: TestCorpus.large) : corpus.appendingPathComponent(folder)
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        return e.compactMap { $0 as? URL }
            .filter { ["jpg", "jpeg"].contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path }
    }

    static let unsupportedNames = ["coffee-arithmetic.jpg", "monkey12.jpg", "testimgari.jpg"]

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    /// Runs a tool and returns its standard output (fails the test when it cannot run or exits non-zero).
    static func run(_ tool: String, _ args: [String]) throws -> Data { Data(try ExternalTool.run(tool, args)) }

    /// djpeg's default output (islow IDCT, fancy upsampling) as (width, height, channels, samples).
    static func djpeg(_ url: URL, scale: Int = 1) throws -> (Int, Int, Int, [UInt8]) {
        var args = ["-pnm"]
        if scale != 1 { args += ["-scale", "1/\(scale)"] }
        return try parsePNM([UInt8](try run("djpeg", args + [url.path])))
    }

    static func parsePNM(_ d: [UInt8]) throws -> (Int, Int, Int, [UInt8]) {
        var pos = 2
        func token() -> Int {
            while pos < d.count, d[pos] == 0x20 || d[pos] == 0x0A || d[pos] == 0x0D || d[pos] == 0x09 { pos += 1 }
            var v = 0
            while pos < d.count, d[pos] >= 0x30, d[pos] <= 0x39 { v = v * 10 + Int(d[pos] - 0x30); pos += 1 }
            return v
        }
        guard d.count > 2, d[0] == 0x50, d[1] == 0x35 || d[1] == 0x36 else {
            throw NSError(domain: "pnm", code: 1, userInfo: [NSLocalizedDescriptionKey: "not P5/P6"])
        }
        let channels = d[1] == 0x35 ? 1 : 3
        let w = token(), h = token(), maxval = token()
        pos += 1
        guard maxval == 255, d.count - pos == w * h * channels else {
            throw NSError(domain: "pnm", code: 2, userInfo: [NSLocalizedDescriptionKey: "unexpected PNM shape"])
        }
        return (w, h, channels, Array(d[pos...]))
    }

    /// Largest absolute sample difference (Int.max when the shapes differ).
    static func maxDifference(_ r: Raster, _ ref: (Int, Int, Int, [UInt8])) -> Int {
        guard r.width == ref.0, r.height == ref.1, r.channels == ref.2, r.samples8.count == ref.3.count else { return Int.max }
        var m = 0
        for i in 0..<ref.3.count { m = max(m, abs(Int(r.samples8[i]) - Int(ref.3[i]))) }
        return m
    }
}
