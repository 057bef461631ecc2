import Foundation
import XCTest
import Raster
@testable import ColorManagement
import TestSupport

/// Shared helpers for the colour tests: the package's corpus, system ICC profiles (Debian colord-data,
/// icc-profiles-free, libgs-common) and LittleCMS (tificc, through Conformance/icc/lcms_convert.py) as the oracle.
enum ColorTestSupport {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let iccCorpus = packageRoot.appendingPathComponent("Conformance/corpus/icc")
    static let oracleScript = packageRoot.appendingPathComponent("Conformance/icc/lcms_convert.py").path

    static let colord = "/usr/share/color/icc/colord/"
    static let free = "/usr/share/color/icc/"
    static let ghostscript = "/usr/share/color/icc/ghostscript/"

    /// A profile's bytes; fails the test (does not skip) when the package providing it is missing.
    static func profileBytes(_ path: String) throws -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: path) else {
            throw NSError(domain: "profile", code: 1, userInfo: [NSLocalizedDescriptionKey:
                "\(path) missing: Scripts/test.sh installs colord-data, icc-profiles-free and libgs-common"])
        }
        return [UInt8](d)
    }

    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> Data { Data(try ExternalTool.run(tool, args)) }

    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "imagestack-colour-\(getpid())-\(name)"
    }

    /// LittleCMS's relative colorimetric conversion of 8-bit samples (mode "L", "RGB" or "CMYK") to 8-bit sRGB.
    static func lcms8(_ samples: [UInt8], width: Int, height: Int, mode: String, profile: String,
                      exact: Bool = false) throws -> [UInt8] {
        let input = temporaryPath("in.raw"), output = temporaryPath("out.raw")
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: output) }
        try Data(samples).write(to: URL(fileURLWithPath: input))
        try run("python3", [oracleScript, input, "\(width)", "\(height)", mode, profile, output] + (exact ? ["--exact"] : []))
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    /// The same for 16-bit samples ("L16", "RGB16"), result 16-bit sRGB.
    static func lcms16(_ samples: [UInt16], width: Int, height: Int, mode: String, profile: String,
                       exact: Bool = false) throws -> [UInt16] {
        let input = temporaryPath("in16.raw"), output = temporaryPath("out16.raw")
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: output) }
        var bytes = [UInt8](); bytes.reserveCapacity(samples.count * 2)
        for s in samples { bytes.append(UInt8(s & 0xFF)); bytes.append(UInt8(s >> 8)) }
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        try run("python3", [oracleScript, input, "\(width)", "\(height)", mode, profile, output] + (exact ? ["--exact"] : []))
        let d = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
        return (0..<(d.count / 2)).map { UInt16(d[2 * $0]) | UInt16(d[2 * $0 + 1]) << 8 }
    }

    /// A deterministic test image of `channels` 8-bit samples: every combination of 9 levels per channel, full
    /// ramps of each channel alone and of all together, then pseudo-random pixels; 64 pixels wide.
    static func testSamples(channels: Int, height: Int = 96) -> (width: Int, height: Int, samples: [UInt8]) {
        let width = 64
        var pixels: [[UInt8]] = []
        let levels: [UInt8] = [0, 32, 64, 96, 128, 160, 192, 224, 255]
        var combo = [Int](repeating: 0, count: channels)
        outer: while true {
            pixels.append(combo.map { levels[$0] })
            var c = channels - 1
            while c >= 0 { combo[c] += 1; if combo[c] < levels.count { break }; combo[c] = 0; c -= 1 }
            if c < 0 { break outer }
            if pixels.count > width * height / 2 { break }
        }
        for v in 0..<256 {
            pixels.append([UInt8](repeating: UInt8(v), count: channels))
            for c in 0..<channels { var p = [UInt8](repeating: 0, count: channels); p[c] = UInt8(v); pixels.append(p) }
        }
        var state: UInt32 = 0x1234_5678
        while pixels.count < width * height {
            pixels.append((0..<channels).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return UInt8(truncatingIfNeeded: state >> 24)
            })
        }
        return (width, height, Array(pixels.prefix(width * height).joined()))
    }

    static func maxDifference<T: BinaryInteger>(_ a: [T], _ b: [T]) -> Int {
        guard a.count == b.count else { return Int.max }
        var m = 0
        for i in 0..<a.count { m = max(m, abs(Int(a[i]) - Int(b[i]))) }
        return m
    }

    static func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var sum = 0.0
        for i in 0..<a.count { let d = Double(Int(a[i]) - Int(b[i])); sum += d * d }
        let mse = sum / Double(a.count)
        return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
    }

    /// Gray raster from an RGB result (lcms writes gray sources' sRGB as R = G = B).
    static func firstChannel(_ rgb: [UInt8]) -> [UInt8] { stride(from: 0, to: rgb.count, by: 3).map { rgb[$0] } }
}
