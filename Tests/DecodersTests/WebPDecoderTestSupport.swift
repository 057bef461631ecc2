import Foundation
import XCTest
@testable import Decoders
import Raster
import TestSupport

/// Helpers of the WebP decoder tests: the corpus (located from this file), the libwebp tools cwebp and dwebp as
/// file makers and oracle (a missing tool fails the test: Scripts/test.sh installs them), and pixel comparison.
enum WebPDecoderOracle {
    /// Conformance/corpus of this package.
    static let corpus: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Conformance/corpus")

    static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("webp-decoder-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Runs a tool and returns its standard output (a missing tool or a non-zero exit throws).
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Data { Data(try ExternalTool.run(tool, arguments)) }

    static func temporary(_ suffix: String) -> URL {
        scratch.appendingPathComponent(UUID().uuidString + suffix)
    }

    /// A WebP made by cwebp from a corpus file with the given options.
    static func cwebp(_ relativePath: String, _ options: [String]) throws -> [UInt8] {
        let output = temporary(".webp")
        defer { try? FileManager.default.removeItem(at: output) }
        try run("cwebp", ["-quiet"] + options + [corpus.appendingPathComponent(relativePath).path, "-o", output.path])
        return [UInt8](try Data(contentsOf: output))
    }

    /// dwebp's default output (`-pam`: RGBA, fancy upsampling, loop filter on) as an RGBA raster.
    static func dwebp(_ webp: [UInt8], extra: [String] = []) throws -> Raster {
        let input = temporary(".webp"), output = temporary(".pam")
        defer { try? FileManager.default.removeItem(at: input); try? FileManager.default.removeItem(at: output) }
        try Data(webp).write(to: input)
        try run("dwebp", ["-quiet", "-pam"] + extra + [input.path, "-o", output.path])
        return try PNMDecoder.decode([UInt8](try Data(contentsOf: output)))
    }

    /// dwebp's planar YUV 4:2:0 output (`-yuv`), e.g. with `-nofilter`.
    static func dwebpYUV(_ webp: [UInt8], extra: [String] = []) throws -> [UInt8] {
        let input = temporary(".webp"), output = temporary(".yuv")
        defer { try? FileManager.default.removeItem(at: input); try? FileManager.default.removeItem(at: output) }
        try Data(webp).write(to: input)
        try run("dwebp", ["-quiet", "-yuv"] + extra + [input.path, "-o", output.path])
        return [UInt8](try Data(contentsOf: output))
    }

    /// nil when `ours` (RGB or RGBA) has exactly the pixels of the RGBA `reference`, else what differs.
    static func difference(_ ours: Raster, _ reference: Raster) -> String? {
        guard ours.width == reference.width, ours.height == reference.height else {
            return "size \(ours.width)x\(ours.height), dwebp \(reference.width)x\(reference.height)"
        }
        let n = ours.channels, m = reference.channels
        var mismatches = 0
        var first: String?
        for i in 0..<(ours.width * ours.height) {
            for c in 0..<4 {
                let a = c < n ? ours.samples8[i * n + c] : 255
                let b = c < m ? reference.samples8[i * m + c] : 255
                if a != b {
                    mismatches += 1
                    if first == nil { first = "pixel (\(i % ours.width), \(i / ours.width)) channel \(c): \(a) vs \(b)" }
                }
            }
        }
        return mismatches == 0 ? nil : "\(mismatches) samples differ, first at \(first!)"
    }
}
