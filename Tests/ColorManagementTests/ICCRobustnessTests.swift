import Foundation
import XCTest
import Raster
@testable import ColorManagement

/// Hostile profiles: truncated, bit-flipped and with impossible counts or offsets. Each one either parses (and then
/// converts a small image without trapping) or throws a CodecError from "ICC profile".
final class ICCRobustnessTests: XCTestCase {
    typealias S = ColorTestSupport

    static func sources() throws -> [(String, [UInt8])] {
        [("a98", try S.profileBytes(S.ghostscript + "a98.icc")),
         ("adobe-v4-para", try S.profileBytes(S.colord + "AdobeRGB1998.icc")),
         ("rec709-curv", try S.profileBytes(S.colord + "Rec709.icc")),
         ("ps_cmyk-xyz", try S.profileBytes(S.ghostscript + "ps_cmyk.icc")),
         ("sgray", try S.profileBytes(S.ghostscript + "sgray.icc")),
         ("mAB", TestProfileBuilder.lutAToBXYZ()), ("mft1", TestProfileBuilder.lut8Lab())]
    }

    /// Parses and, when that works, converts a 4×4 image of the profile's colour space.
    func exercise(_ bytes: [UInt8], _ label: String) {
        do {
            let profile = try ICCProfile(bytes)
            _ = profile.isSRGBEquivalent
            let layout: ChannelLayout
            switch profile.colorSpace {
            case .gray: layout = .gray
            case .cmyk: layout = .rgba
            default: layout = .rgb
            }
            let raster = try Raster(width: 4, height: 4, layout: layout,
                                    samples8: (0..<(16 * layout.channels)).map { UInt8(($0 * 37) & 0xFF) })
            if profile.colorSpace == .cmyk {
                _ = try ColorConversion.cmykToSRGB(raster, profile: profile, profileBytes: bytes, adobeInverted: true)
            } else {
                _ = try ColorConversion.toSRGB(raster, profile: profile, profileBytes: bytes)
            }
        } catch let e as CodecError {
            XCTAssertEqual(e.codec, "ICC profile", label)
        } catch {
            XCTFail("\(label): unexpected error \(error)")
        }
    }

    func testTruncations() throws {
        for (name, bytes) in try Self.sources() {
            var cuts = Array(0..<min(bytes.count, 160))
            cuts += stride(from: 160, to: bytes.count, by: max(1, bytes.count / 97)).map { $0 }
            for cut in cuts { exercise(Array(bytes[0..<cut]), "\(name) cut at \(cut)") }
        }
    }

    func testBitFlips() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return Int(state >> 33) }
        for (name, bytes) in try Self.sources() {
            for trial in 0..<300 {
                var b = bytes
                for _ in 0..<(1 + trial % 4) {
                    // Mostly the header, tag table and element headers, where sizes and counts live.
                    let i = trial % 2 == 0 ? next() % min(b.count, 400) : next() % b.count
                    b[i] ^= UInt8(1 << (next() % 8))
                }
                exercise(b, "\(name) flip trial \(trial)")
            }
        }
    }

    func testHostileFields() throws {
        let base = try S.profileBytes(S.ghostscript + "a98.icc")
        func patched(_ offset: Int, _ value: [UInt8]) -> [UInt8] {
            var b = base; b.replaceSubrange(offset..<(offset + value.count), with: value); return b
        }
        func expect(_ bytes: [UInt8], _ kind: CodecError.Kind, _ label: String) {
            XCTAssertThrowsError(try ICCProfile(bytes), label) { e in
                XCTAssertEqual((e as? CodecError)?.codec, "ICC profile", label)
                XCTAssertEqual((e as? CodecError)?.kind, kind, label)
            }
        }
        let ff: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
        expect(patched(128, ff), .malformed, "tag count 2^32-1")
        expect(patched(132 + 4, ff), .malformed, "tag offset past the end")
        expect(patched(132 + 8, ff), .malformed, "tag size 2^32-1")
        expect(patched(0, ff), .truncated, "declared size past the data")
        expect(patched(36, Array("xxxx".utf8)), .malformed, "no acsp")
        expect(patched(8, [5]), .unsupported, "version 5")
        expect(patched(20, Array("RGB ".utf8)), .malformed, "PCS RGB")
        XCTAssertThrowsError(try ICCProfile([UInt8](repeating: 0, count: 17 << 20))) { e in
            XCTAssertEqual((e as? CodecError)?.kind, .limit)
        }
        // A curv with 2^32-1 entries.
        let profile = try ICCProfile(base)
        XCTAssertTrue(profile.isMatrixShaper)
        let rTRC = Self.tagOffset(base, "rTRC")
        expect(patched(rTRC + 8, ff), .limit, "curv count 2^32-1")
        // A CLUT of 255^4 × 3 samples, from a hostile mft2 grid size in the CMYK profile.
        let cmyk = try S.profileBytes(S.ghostscript + "ps_cmyk.icc")
        var big = cmyk
        big[Self.tagOffset(cmyk, "A2B0") + 10] = 255
        XCTAssertThrowsError(try ICCProfile(big)) { e in XCTAssertEqual((e as? CodecError)?.kind, .limit) }
        // mAB offsets outside the tag.
        var mab = TestProfileBuilder.lutAToBXYZ()
        let a2b = Self.tagOffset(mab, "A2B0")
        mab.replaceSubrange((a2b + 24)..<(a2b + 28), with: [0x7F, 0xFF, 0xFF, 0xFF])
        XCTAssertThrowsError(try ICCProfile(mab)) { e in XCTAssertEqual((e as? CodecError)?.kind, .malformed) }
    }

    static func tagOffset(_ bytes: [UInt8], _ name: String) -> Int {
        let count = Int(bytes[131])
        for t in 0..<count {
            let e = 132 + 12 * t
            if Array(bytes[e..<(e + 4)]) == Array(name.utf8) {
                return Int(bytes[e + 4]) << 24 | Int(bytes[e + 5]) << 16 | Int(bytes[e + 6]) << 8 | Int(bytes[e + 7])
            }
        }
        return 0
    }
}
