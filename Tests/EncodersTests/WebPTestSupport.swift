import Foundation
import XCTest
import Decoders
@testable import Encoders
@testable import Raster
import TestSupport

/// Shared helpers of the WebP tests: oracle tools (dwebp, cwebp, pngtopam, djpeg) through Process, and synthetic
/// images.
enum WebPTestSupport {
    static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("webp-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static func toolPath(_ name: String) -> String? { ExternalTool.locate(name) }

    /// Runs a tool; returns its standard output, throwing when it fails.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Data { Data(try ExternalTool.run(tool, arguments)) }

    /// Decodes a WebP file with dwebp into RGBA 8-bit samples.
    static func dwebpRGBA(_ webp: [UInt8], name: String) throws -> Raster {
        let input = scratch.appendingPathComponent("\(name).webp")
        let output = scratch.appendingPathComponent("\(name).pam")
        try Data(webp).write(to: input)
        try run("dwebp", ["-quiet", "-pam", input.path, "-o", output.path])
        let decoded = try PNMDecoder.decode([UInt8](try Data(contentsOf: output)))
        try? FileManager.default.removeItem(at: input)
        try? FileManager.default.removeItem(at: output)
        return decoded
    }

    /// The RGBA 8-bit samples a WebP decoder must give back for `raster`.
    static func expectedRGBA(_ raster: Raster) -> [UInt8] {
        let image = raster.to8Bit()
        let n = image.channels
        var out = [UInt8](repeating: 255, count: image.width * image.height * 4)
        for i in 0..<(image.width * image.height) {
            let s = Array(image.samples8[(i * n)..<(i * n + n)])
            switch image.layout {
            case .gray: out[4 * i] = s[0]; out[4 * i + 1] = s[0]; out[4 * i + 2] = s[0]
            case .grayAlpha: out[4 * i] = s[0]; out[4 * i + 1] = s[0]; out[4 * i + 2] = s[0]; out[4 * i + 3] = s[1]
            case .rgb: out[4 * i] = s[0]; out[4 * i + 1] = s[1]; out[4 * i + 2] = s[2]
            case .rgba: for c in 0..<4 { out[4 * i + c] = s[c] }
            }
        }
        return out
    }

    /// Encodes losslessly, decodes with dwebp and asserts the pixels are identical.
    static func assertLosslessRoundTrip(_ raster: Raster, effort: Int = 4, name: String,
                                        file: StaticString = #filePath, line: UInt = #line) throws {
        let webp = try WebPEncoder.encode(raster, options: WebPEncodeOptions(lossless: true, effort: effort))
        let decoded = try dwebpRGBA(webp, name: name)
        XCTAssertEqual(decoded.width, raster.width, name, file: file, line: line)
        XCTAssertEqual(decoded.height, raster.height, name, file: file, line: line)
        let got = expectedRGBA(decoded)
        let want = expectedRGBA(raster)
        if got != want {
            let first = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1
            XCTFail("\(name): pixels differ, first at sample \(first) (pixel \(first / 4))", file: file, line: line)
        }
    }

    /// Deterministic pseudo-random bytes (xorshift).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next() >> 24) }
    }

    static func raster(width: Int, height: Int, layout: ChannelLayout,
                       _ sample: (_ x: Int, _ y: Int, _ c: Int) -> UInt8) throws -> Raster {
        var samples = [UInt8](repeating: 0, count: width * height * layout.channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<layout.channels { samples[(y * width + x) * layout.channels + c] = sample(x, y, c) }
            }
        }
        return try Raster(width: width, height: height, layout: layout, samples8: samples)
    }

    /// An RGB(A) image using exactly `colors` distinct colours, in blobs and stripes.
    static func paletteImage(width: Int, height: Int, colors: Int, alpha: Bool) throws -> Raster {
        var random = Random(state: 0x1234_5678 &+ UInt64(colors))
        let palette = (0..<colors).map { _ in (random.byte(), random.byte(), random.byte(), alpha ? random.byte() : 255) }
        return try raster(width: width, height: height, layout: alpha ? .rgba : .rgb) { x, y, c in
            let index = (x / 7 + (y / 5) * 3 + (x * y) % 5) % colors
            let p = palette[index]
            return [p.0, p.1, p.2, p.3][c]
        }
    }
}
