import Foundation
import XCTest
import Raster
@testable import ColorManagement

/// What the reader finds in real profiles, and which of them count as sRGB.
final class ICCProfileTests: XCTestCase {
    typealias S = ColorTestSupport

    func testHeaderAndModels() throws {
        let adobe = try ICCProfile(S.profileBytes(S.colord + "AdobeRGB1998.icc"))
        XCTAssertEqual(adobe.version, "4.4.0")
        XCTAssertEqual(adobe.deviceClass, "mntr")
        XCTAssertEqual(adobe.colorSpace, .rgb)
        XCTAssertEqual(adobe.pcs, "XYZ")
        XCTAssertEqual(adobe.modelName, "matrix-shaper")
        XCTAssertEqual(adobe.description, "Compatible with Adobe RGB (1998)")
        XCTAssertNotNil(adobe.adaptation)
        XCTAssertEqual(adobe.mediaWhite.map { $0.maxDifference(.d50) < 0.001 }, true)

        let swop = try ICCProfile(S.profileBytes(S.ghostscript + "default_cmyk.icc"))
        XCTAssertEqual(swop.version, "2.1.0")
        XCTAssertEqual(swop.deviceClass, "prtr")
        XCTAssertEqual(swop.colorSpace, .cmyk)
        XCTAssertEqual(swop.pcs, "Lab")
        XCTAssertEqual(swop.modelName, "lut (A2B1 mft2)")
        guard case .lut(let lut, _) = swop.model else { return XCTFail("SWOP is a LUT profile") }
        XCTAssertEqual(lut.clut?.gridPoints, [9, 9, 9, 9])
        XCTAssertEqual(lut.pcsEncoding, .labLegacy16)

        let gray = try ICCProfile(S.profileBytes(S.ghostscript + "sgray.icc"))
        XCTAssertEqual(gray.colorSpace, .gray)
        XCTAssertEqual(gray.modelName, "gray-trc")

        let psCMYK = try ICCProfile(S.profileBytes(S.ghostscript + "ps_cmyk.icc"))
        XCTAssertEqual(psCMYK.modelName, "lut (A2B0 mft2)")
        XCTAssertEqual(psCMYK.description.map { !$0.isEmpty }, true) // mluc

        let mAB = try ICCProfile(TestProfileBuilder.lutAToBXYZ())
        XCTAssertEqual(mAB.modelName, "lut (A2B0 mAB)")
        XCTAssertEqual(mAB.description, "Test mAB XYZ")
    }

    /// Every sRGB profile installed (v2 curv tables, v4 para curves, HP's 3144-byte one from the corpus) is
    /// recognised; LittleCMS's conversion through each leaves the test image within one step of itself, which is
    /// what dropping the profile without touching the pixels assumes.
    func testSRGBProfilesAreRecognisedAndConvertToThemselves() throws {
        let hp = S.packageRoot.appendingPathComponent("Conformance/icc/profiles/srgb-hp-3144.icc").path
        let image = S.testSamples(channels: 3)
        for path in [S.colord + "sRGB.icc", S.free + "sRGB.icc", S.ghostscript + "srgb.icc", S.ghostscript + "default_rgb.icc", hp] {
            let profile = try ICCProfile(S.profileBytes(path))
            XCTAssertTrue(profile.isSRGBEquivalent, path)
            let reference = try S.lcms8(image.samples, width: image.width, height: image.height, mode: "RGB", profile: path)
            XCTAssertLessThanOrEqual(S.maxDifference(image.samples, reference), 1, path)
        }
    }

    func testOtherSpacesAreNotSRGB() throws {
        for path in [S.colord + "AdobeRGB1998.icc", S.colord + "ProPhotoRGB.icc", S.colord + "Rec709.icc",
                     S.colord + "AppleRGB.icc", S.ghostscript + "esrgb.icc", S.colord + "SwappedRedAndGreen.icc",
                     S.ghostscript + "sgray.icc", S.ghostscript + "default_cmyk.icc"] {
            XCTAssertFalse(try ICCProfile(S.profileBytes(path)).isSRGBEquivalent, path)
        }
    }

    func testKnownSpaces() throws {
        XCTAssertEqual(KnownColourSpace.recognise(try ICCProfile(S.profileBytes(S.colord + "sRGB.icc"))), .sRGB)
        XCTAssertEqual(KnownColourSpace.recognise(try ICCProfile(S.profileBytes(S.colord + "Rec709.icc"))), .bt709)
        XCTAssertNil(KnownColourSpace.recognise(try ICCProfile(S.profileBytes(S.colord + "AdobeRGB1998.icc"))))
        let p3 = try ICCProfile(S.profileBytes(S.packageRoot.appendingPathComponent("Conformance/icc/profiles/display-p3-like.icc").path))
        XCTAssertEqual(KnownColourSpace.recognise(p3), .displayP3)
    }
}
