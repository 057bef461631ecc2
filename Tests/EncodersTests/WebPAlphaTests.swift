import Foundation
import XCTest
@testable import Encoders
@testable import Raster

/// The ALPH chunk: filters invert exactly, and dwebp recovers the alpha plane bit for bit when our ALPH chunk is
/// combined with a VP8 frame (taken from cwebp so this test does not depend on our lossy encoder).
final class WebPAlphaTests: XCTestCase {
    typealias S = WebPTestSupport

    /// Inverse filtering as the container spec describes it, to check our forward filters.
    private func unfilter(_ filter: WebPAlpha.Filter, _ residuals: [UInt8], width: Int, height: Int) -> [UInt8] {
        var a = [UInt8](repeating: 0, count: residuals.count)
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                var prediction = 0
                if filter != .none {
                    if x == 0 && y == 0 { prediction = 0 }
                    else if y == 0 { prediction = Int(a[i - 1]) }
                    else if x == 0 { prediction = Int(a[i - width]) }
                    else if filter == .horizontal { prediction = Int(a[i - 1]) }
                    else if filter == .vertical { prediction = Int(a[i - width]) }
                    else { prediction = min(255, max(0, Int(a[i - 1]) + Int(a[i - width]) - Int(a[i - width - 1]))) }
                }
                a[i] = UInt8(truncatingIfNeeded: Int(residuals[i]) + prediction)
            }
        }
        return a
    }

    func testFiltersInvert() {
        var random = S.Random(state: 5)
        let alpha = (0..<(37 * 11)).map { _ in random.byte() }
        for filter in WebPAlpha.Filter.allCases {
            let residuals = WebPAlpha.apply(filter, to: alpha, width: 37, height: 11)
            XCTAssertEqual(unfilter(filter, residuals, width: 37, height: 11), alpha, "\(filter)")
        }
    }

    func testGradientAlphaPrefersAFilter() {
        let alpha: [UInt8] = (0..<(64 * 64)).map { (i: Int) -> UInt8 in UInt8((i % 64) * 2 + i / 64) }
        XCTAssertNotEqual(WebPAlpha.estimateBestFilter(alpha, width: 64, height: 64), .none)
    }

    /// A VP8 frame from cwebp for an opaque image of the given size.
    private func referenceFrame(width: Int, height: Int) throws -> [UInt8] {
        let ppm = S.scratch.appendingPathComponent("frame-\(width)x\(height).ppm")
        let webp = S.scratch.appendingPathComponent("frame-\(width)x\(height).webp")
        var data = Data("P6\n\(width) \(height)\n255\n".utf8)
        data.append(Data((0..<(width * height * 3)).map { UInt8(truncatingIfNeeded: $0 * 7) }))
        try data.write(to: ppm)
        try S.run("cwebp", ["-quiet", "-q", "75", ppm.path, "-o", webp.path])
        let file = [UInt8](try Data(contentsOf: webp))
        XCTAssertEqual(String(decoding: file[12..<16], as: UTF8.self), "VP8 ")
        let size = Int(file[16]) | Int(file[17]) << 8 | Int(file[18]) << 16 | Int(file[19]) << 24
        return Array(file[20..<(20 + size)])
    }

    func testAlphaPlaneRoundTripsThroughDwebp() throws {
        let cases: [(Int, Int, (Int, Int) -> UInt8)] = [
            (64, 48, { x, y in UInt8(truncatingIfNeeded: x * 4 + y) }),                 // smooth: filters help
            (33, 17, { x, y in (x / 4 + y / 4) % 2 == 0 ? 0 : 255 }),                   // two levels: palette
            (1, 1, { _, _ in 77 }),
            (509, 3, { x, y in UInt8(truncatingIfNeeded: (x * 131 + y * 71) ^ (x >> 2)) }), // noisy
        ]
        for (index, (w, h, f)) in cases.enumerated() {
            let alpha = (0..<(w * h)).map { f($0 % w, $0 / w) }
            for effort in [1, 4, 6] {
                let payload = WebPAlpha.encode(alpha: alpha, width: w, height: h, effort: effort)
                XCTAssertEqual(payload[0] & 0x03, 1, "compression: lossless")
                XCTAssertEqual(payload[0] >> 4, 0, "no pre-processing")
                let file = try WebPContainer.assemble(bitstream: .lossy, payload: try referenceFrame(width: w, height: h),
                                                      alpha: payload, width: w, height: h, hasAlpha: true)
                let decoded = try S.dwebpRGBA(file, name: "alpha-\(index)-\(effort)")
                let got = stride(from: 3, to: decoded.samples8.count, by: 4).map { decoded.samples8[$0] }
                XCTAssertEqual(got, alpha, "case \(index) effort \(effort)")
            }
        }
    }
}
