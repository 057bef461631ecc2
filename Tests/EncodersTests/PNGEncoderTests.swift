import XCTest
import Foundation
import Raster
import Decoders
@testable import Encoders
import TestSupport

final class PNGEncoderTests: XCTestCase {
    /// Decodes `png` with libpng (`pngtopam -alphapam`) into RGBA at 16 bits per sample, scaling any maxval.
    private func libpngRGBA16(_ png: [UInt8]) throws -> (width: Int, height: Int, rgba: [Int]) {
        let url = try DeflateOracle.temporaryFile(png, suffix: ".png")
        defer { try? FileManager.default.removeItem(at: url) }
        let pam = try DeflateOracle.run("/usr/bin/pngtopam", ["-alphapam", url.path])
        // PAM header (netpbm PAM format): "P7", WIDTH, HEIGHT, DEPTH, MAXVAL, TUPLTYPE lines, ENDHDR.
        guard let end = pam.firstRange(of: Array("ENDHDR\n".utf8)) else { throw ExternalTool.Failure(description: "no PAM header") }
        var fields: [String: Int] = [:]
        for line in String(decoding: pam[..<end.lowerBound], as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let v = Int(parts[1]) { fields[String(parts[0])] = v }
        }
        let width = fields["WIDTH"]!, height = fields["HEIGHT"]!, depth = fields["DEPTH"]!, maxval = fields["MAXVAL"]!
        let data = Array(pam[end.upperBound...])
        let wide = maxval > 255
        var rgba = [Int]()
        rgba.reserveCapacity(width * height * 4)
        for p in 0..<(width * height) {
            var s = [Int]()
            for k in 0..<depth {
                let i = p * depth + k
                let raw = wide ? Int(data[2 * i]) << 8 | Int(data[2 * i + 1]) : Int(data[i])
                s.append(raw * 65535 / maxval)
            }
            switch depth {
            case 1: rgba += [s[0], s[0], s[0], 65535]
            case 2: rgba += [s[0], s[0], s[0], s[1]]
            case 3: rgba += [s[0], s[1], s[2], 65535]
            default: rgba += s
            }
        }
        return (width, height, rgba)
    }

    private func rgba16(_ r: Raster) -> [Int] {
        var out = [Int]()
        out.reserveCapacity(r.width * r.height * 4)
        for p in 0..<(r.width * r.height) {
            let s = (0..<r.channels).map { k in
                r.bitDepth == .eight ? Int(r.samples8[p * r.channels + k]) * 257 : Int(r.samples16[p * r.channels + k])
            }
            switch r.channels {
            case 1: out += [s[0], s[0], s[0], 65535]
            case 2: out += [s[0], s[0], s[0], s[1]]
            case 3: out += [s[0], s[1], s[2], 65535]
            default: out += s
            }
        }
        return out
    }

    private func assertLossless(_ raster: Raster, level: Int = 6, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let png = try PNGEncoder.encode(raster, options: PNGEncodeOptions(compressionLevel: level))
        let decoded = try libpngRGBA16(png)
        XCTAssertEqual(decoded.width, raster.width, name, file: file, line: line)
        XCTAssertEqual(decoded.height, raster.height, name, file: file, line: line)
        XCTAssertTrue(decoded.rgba == rgba16(raster), "\(name): pixels differ after libpng decode", file: file, line: line)
        // And our own decoder gives the same pixels back (in the stored layout, which may be reduced).
        let ours = try PNGDecoder.decode(png)
        XCTAssertEqual(ours.width, raster.width, name, file: file, line: line)
        XCTAssertTrue(rgba16(ours) == rgba16(raster), "\(name): pixels differ after our decode", file: file, line: line)
    }

    private func colorType(_ png: [UInt8]) -> (depth: UInt8, type: UInt8) { (png[24], png[25]) }

    private func gradient(_ w: Int, _ h: Int, _ layout: ChannelLayout, sixteen: Bool, seed: UInt64) throws -> Raster {
        let noise = DeflateOracle.randomBytes(w * h * layout.channels, seed: seed)
        if sixteen {
            let s = (0..<(w * h * layout.channels)).map { i -> UInt16 in
                let p = i / layout.channels
                return UInt16(truncatingIfNeeded: (p % w) * 700 + (p / w) * 300 + Int(noise[i]) * 3 + (i % layout.channels) * 5000)
            }
            return try Raster(width: w, height: h, layout: layout, samples16: s)
        }
        let s = (0..<(w * h * layout.channels)).map { i -> UInt8 in
            let p = i / layout.channels
            return UInt8(truncatingIfNeeded: (p % w) * 3 + (p / w) * 2 + Int(noise[i] & 7) + (i % layout.channels) * 40)
        }
        return try Raster(width: w, height: h, layout: layout, samples8: s)
    }

    func testEveryLayoutAndDepthIsLosslessInLibpng() throws {
        for layout in ChannelLayout.allCases {
            for sixteen in [false, true] {
                let raster = try gradient(61, 37, layout, sixteen: sixteen, seed: UInt64(layout.rawValue) * 31 + (sixteen ? 1 : 0))
                let png = try PNGEncoder.encode(raster)
                let expectedType: UInt8 = [0, 4, 2, 6][layout.rawValue - 1]
                XCTAssertEqual(colorType(png).type, expectedType, "\(layout) \(sixteen)")
                XCTAssertEqual(colorType(png).depth, sixteen ? 16 : 8)
                try assertLossless(raster, "\(layout) 16-bit: \(sixteen)")
            }
        }
    }

    func testEveryLevelIsLossless() throws {
        let raster = try gradient(100, 40, .rgb, sixteen: false, seed: 5)
        for level in 0...9 { try assertLossless(raster, level: level, "level \(level)") }
    }

    func testReductionsGrayOpaqueAndPalette() throws {
        // RGB whose pixels are all gray becomes colour type 0.
        let gray = try Raster(width: 40, height: 30, layout: .rgb,
                              samples8: (0..<1200).flatMap { (p: Int) -> [UInt8] in
                                  let v = UInt8(p % 200)
                                  return [v, v, v]
                              })
        XCTAssertEqual(colorType(try PNGEncoder.encode(gray)).type, 0)
        try assertLossless(gray, "gray RGB")
        // RGBA, all opaque, many colours: alpha dropped.
        var opaque = try gradient(50, 50, .rgba, sixteen: false, seed: 9)
        for i in stride(from: 3, to: opaque.samples8.count, by: 4) { opaque.samples8[i] = 255 }
        XCTAssertEqual(colorType(try PNGEncoder.encode(opaque)).type, 2)
        try assertLossless(opaque, "opaque RGBA")
        // 16-bit RGBA, opaque gray: 16-bit gray.
        let gray16 = try Raster(width: 20, height: 10, layout: .rgba,
                                samples16: (0..<200).flatMap { (p: Int) -> [UInt16] in
                                    let v = UInt16(p * 300)
                                    return [v, v, v, 65535]
                                })
        XCTAssertEqual(colorType(try PNGEncoder.encode(gray16)).type, 0)
        XCTAssertEqual(colorType(try PNGEncoder.encode(gray16)).depth, 16)
        try assertLossless(gray16, "gray 16")
        // Few colours with translucency: palette with tRNS at the smallest depth.
        for colours in [2, 3, 11, 200] {
            let pixels = (0..<(33 * 17)).flatMap { p -> [UInt8] in
                let c: Int = (p * 7 + p / 33) % colours
                let alpha: UInt8 = c % 3 == 0 ? 128 : 255
                return [UInt8(c * 37 % 256), UInt8(c * 11 % 256), UInt8(255 - c), alpha]
            }
            let raster = try Raster(width: 33, height: 17, layout: .rgba, samples8: pixels)
            let png = try PNGEncoder.encode(raster)
            XCTAssertEqual(colorType(png).type, 3, "\(colours) colours")
            XCTAssertEqual(Int(colorType(png).depth), colours <= 2 ? 1 : colours <= 4 ? 2 : colours <= 16 ? 4 : 8)
            XCTAssertNotNil(png.firstRange(of: Array("tRNS".utf8)))
            try assertLossless(raster, "\(colours) colours")
        }
        // Gray levels exactly on a 2-bit grid: 2-bit gray.
        let twoBit = try Raster(width: 13, height: 5, layout: .gray, samples8: (0..<65).map { UInt8(($0 % 4) * 85) })
        XCTAssertEqual(colorType(try PNGEncoder.encode(twoBit)).depth, 2)
        try assertLossless(twoBit, "2-bit gray")
        // Three gray levels off that grid: a 2-bit palette. Gray+alpha with few colours: palette with tRNS.
        let levels: [UInt8] = [3, 100, 200]
        let fewGray = try Raster(width: 19, height: 7, layout: .gray, samples8: (0..<133).map { levels[$0 % 3] })
        XCTAssertEqual(colorType(try PNGEncoder.encode(fewGray)).type, 3)
        XCTAssertEqual(colorType(try PNGEncoder.encode(fewGray)).depth, 2)
        try assertLossless(fewGray, "few gray levels")
        let fewGrayAlpha = try Raster(width: 19, height: 7, layout: .grayAlpha,
                                      samples8: (0..<133).flatMap { [levels[$0 % 3], UInt8($0 % 2 * 200)] })
        XCTAssertEqual(colorType(try PNGEncoder.encode(fewGrayAlpha)).type, 3)
        try assertLossless(fewGrayAlpha, "few gray+alpha colours")
    }

    func testICCProfileIsStoredInICCP() throws {
        var raster = try gradient(8, 8, .rgb, sixteen: false, seed: 1)
        let profile = EmbeddedProfileTests.fakeProfile(space: "RGB ", count: 3000)
        raster.metadata.iccProfile = profile
        let png = try PNGEncoder.encode(raster)
        guard let range = png.firstRange(of: Array("iCCP".utf8)) else { return XCTFail("no iCCP chunk") }
        let length = png[(range.lowerBound - 4)..<range.lowerBound].reduce(0) { $0 << 8 | Int($1) }
        let body = Array(png[range.upperBound..<(range.upperBound + length)])
        let nameEnd = body.firstIndex(of: 0)!
        XCTAssertEqual(String(decoding: body[..<nameEnd], as: UTF8.self), "ICC Profile")
        XCTAssertEqual(try DeflateOracle.pythonInflate(Array(body[(nameEnd + 2)...])), profile)
        try assertLossless(raster, "with ICC")
    }

    func testCorpusPhotosAreLosslessAndNotLargerThanLibpng() throws {
        // pnmtopng: libpng's default filtering and zlib level (the benchmark's reference).
        for name in ["camera", "chelsea", "coffee"] {
            let path = TestCorpus.path("photos/\(name).png")
            let pnm = try DeflateOracle.run("/usr/bin/pngtopam", [path])
            let raster = try PNMDecoder.decode(pnm)
            let png = try PNGEncoder.encode(raster)
            try assertLossless(raster, name)
            let reference = try DeflateOracle.run("/usr/bin/pnmtopng", [], input: pnm)
            XCTAssertLessThanOrEqual(png.count, reference.count, "\(name): ours \(png.count) vs libpng \(reference.count)")
        }
    }
}
