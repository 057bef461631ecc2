import Foundation
import XCTest
import Raster
import Decoders
@testable import Encoders
import TestSupport

/// Oracle helpers for the VP8 tests: wrap a payload in the smallest RIFF/WEBP container, run libwebp's dwebp,
/// read its PAM/YUV output back.
enum VP8Oracle {
    static let corpus = TestCorpus.root

    struct MissingTool: Error, CustomStringConvertible {
        let name: String
        var description: String { "\(name) missing (Scripts/test.sh installs it)" }
    }

    static func riff(_ payload: [UInt8]) -> [UInt8] {
        let padded = payload.count + (payload.count & 1)
        func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8((v >> 24) & 0xFF)] }
        var out = Array("RIFF".utf8) + le32(4 + 8 + padded) + Array("WEBP".utf8) + Array("VP8 ".utf8) + le32(payload.count)
        out += payload
        if payload.count & 1 == 1 { out.append(0) }
        return out
    }

    static func tool(_ name: String) -> String? { ExternalTool.locate(name) }

    /// Runs a tool; returns its exit status and stderr.
    @discardableResult
    static func run(_ path: String, _ args: [String], stdout: String? = nil) throws -> (Int32, String) {
        let result = try ExternalTool.execute(path, args, stdoutFile: stdout)
        return (result.status, result.stderr)
    }

    static func temporaryPath(_ suffix: String) -> String {
        NSTemporaryDirectory() + "vp8test-\(UUID().uuidString)\(suffix)"
    }

    /// Decodes a WebP file's bytes with dwebp to a raster (RGB), failing the test on a decoder error.
    static func decode(_ webp: [UInt8], extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> Raster? {
        guard let dwebp = tool("dwebp") else { XCTFail("dwebp missing", file: file, line: line); return nil }
        let input = temporaryPath(".webp"), output = temporaryPath(".pam")
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: output) }
        try Data(webp).write(to: URL(fileURLWithPath: input))
        let (status, err) = try run(dwebp, [input, "-pam", "-o", output] + extra)
        XCTAssertEqual(status, 0, "dwebp failed: \(err)", file: file, line: line)
        guard status == 0 else { return nil }
        let raster = try PNMDecoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: output))))
        return raster
    }

    /// dwebp's raw planar YUV 4:2:0 output (Y full size, U and V at half size rounded up).
    static func decodeYUV(_ webp: [UInt8], extra: [String] = []) throws -> [UInt8]? {
        guard let dwebp = tool("dwebp") else { throw MissingTool(name: "dwebp") }
        let input = temporaryPath(".webp"), output = temporaryPath(".yuv")
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: output) }
        try Data(webp).write(to: URL(fileURLWithPath: input))
        let (status, _) = try run(dwebp, [input, "-yuv", "-o", output] + extra)
        guard status == 0 else { return nil }
        return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    /// Loads a corpus image through netpbm/libjpeg tools into our PNM decoder (RGB or gray, 8-bit); throws when
    /// the tool is missing (an oracle test must fail, not skip).
    static func load(_ relativePath: String) throws -> Raster {
        let path = "\(corpus)/\(relativePath)"
        let out = temporaryPath(".pnm")
        defer { try? FileManager.default.removeItem(atPath: out) }
        if path.hasSuffix(".png") {
            guard let t = tool("pngtopam") else { throw MissingTool(name: "pngtopam") }
            try run(t, [path], stdout: out)
        } else {
            guard let t = tool("djpeg") else { throw MissingTool(name: "djpeg") }
            try run(t, ["-pnm", path], stdout: out)
        }
        return try PNMDecoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
    }

    /// PSNR over the colour samples (RGB, or gray replicated), 8-bit.
    static func psnr(_ a: Raster, _ b: Raster) -> Double {
        precondition(a.width == b.width && a.height == b.height)
        var sum = 0.0
        var count = 0
        for i in 0..<(a.width * a.height) {
            for c in 0..<3 {
                let va = Int(a.samples8[i * a.channels + min(c, a.layout.isColor ? c : 0)])
                let vb = Int(b.samples8[i * b.channels + min(c, b.layout.isColor ? c : 0)])
                sum += Double((va - vb) * (va - vb)); count += 1
            }
        }
        let mse = sum / Double(count)
        return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
    }
}
