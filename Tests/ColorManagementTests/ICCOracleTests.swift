import Foundation
import XCTest
import Raster
@testable import ColorManagement

/// Our conversions to sRGB against LittleCMS's (tificc, relative colorimetric, built-in sRGB output) on a test image
/// that covers the cube, the ramps and random colours.
final class ICCOracleTests: XCTestCase {
    typealias S = ColorTestSupport

    /// Matrix-shaper RGB profiles, v2 and v4, `curv` gamma/tables and `para` curves: within one 8-bit step.
    static let matrixShaperProfiles = [
        S.colord + "AdobeRGB1998.icc", S.colord + "ProPhotoRGB.icc", S.colord + "Rec709.icc",
        S.colord + "AppleRGB.icc", S.colord + "WideGamutRGB.icc", S.colord + "ECI-RGBv2.icc",
        S.colord + "BestRGB.icc", S.colord + "SMPTE-C-RGB.icc", S.colord + "SwappedRedAndGreen.icc",
        S.free + "compatibleWithAdobeRGB1998.icc", S.free + "LStar-RGB.icc", S.free + "CineonLog_M.icc",
        S.ghostscript + "a98.icc", S.ghostscript + "rommrgb.icc", S.ghostscript + "esrgb.icc",
        S.ghostscript + "ps_rgb.icc", S.colord + "sRGB.icc", S.free + "sRGB.icc",
    ]

    func testMatrixShaperProfilesWithinOneStepOfLittleCMS() throws {
        let image = S.testSamples(channels: 3)
        for path in Self.matrixShaperProfiles {
            let bytes = try S.profileBytes(path)
            let profile = try ICCProfile(bytes)
            XCTAssertTrue(profile.isMatrixShaper, path)
            let raster = try Raster(width: image.width, height: image.height, layout: .rgb, samples8: image.samples)
            let ours = try ColorConversion.toSRGB(raster, profile: profile, profileBytes: bytes)
            let reference = try S.lcms8(image.samples, width: image.width, height: image.height, mode: "RGB", profile: path)
            let diff = S.maxDifference(ours.samples8, reference)
            XCTAssertLessThanOrEqual(diff, 1, "\(path): max difference \(diff)")
            XCTAssertNil(ours.metadata.iccProfile)
        }
    }

    func testSixteenBitKeepsPrecision() throws {
        let image = S.testSamples(channels: 3)
        let samples16 = image.samples.enumerated().map { UInt16($0.element) &* 257 &+ UInt16($0.offset % 251) }
        for path in [S.colord + "AdobeRGB1998.icc", S.colord + "ProPhotoRGB.icc"] {
            let bytes = try S.profileBytes(path)
            let raster = try Raster(width: image.width, height: image.height, layout: .rgb, samples16: samples16)
            let ours = try ColorConversion.toSRGB(raster, profile: try ICCProfile(bytes), profileBytes: bytes)
            XCTAssertEqual(ours.bitDepth, .sixteen)
            // lcms's default 16-bit transform is precalculated into a grid, which smooths the gamut clip (a red that
            // is exactly 0 comes out near 3800); its exact per-pixel evaluation (-c0) is the oracle.
            let reference = try S.lcms16(samples16, width: image.width, height: image.height, mode: "RGB16", profile: path,
                                         exact: true)
            let diff = S.maxDifference(ours.samples16, reference)
            XCTAssertLessThanOrEqual(diff, 2, "\(path): max 16-bit difference \(diff)")
            var exact = DeviceToPCS(try ICCProfile(bytes))
            var worst = 0.0
            for p in 0..<(samples16.count / 3) {
                let (r, g, b) = exact.srgb((0..<3).map { Double(samples16[3 * p + $0]) / 65535 })
                for (c, v) in [r, g, b].enumerated() { worst = max(worst, abs(v * 65535 - Double(ours.samples16[3 * p + c]))) }
            }
            XCTAssertLessThanOrEqual(worst, 1.5, "\(path): 16-bit kernel vs double precision")
        }
    }

    func testGrayProfilesWithinOneStepOfLittleCMS() throws {
        let gray = (0..<(64 * 4)).map { UInt8($0 % 256) }
        for path in [S.free + "Gray.icc", S.free + "Gray-CIE_L.icc", S.ghostscript + "sgray.icc",
                     S.ghostscript + "default_gray.icc", S.ghostscript + "ps_gray.icc"] {
            let bytes = try S.profileBytes(path)
            let raster = try Raster(width: 64, height: 4, layout: .gray, samples8: gray)
            let ours = try ColorConversion.toSRGB(raster, profile: try ICCProfile(bytes), profileBytes: bytes)
            XCTAssertEqual(ours.layout, .gray)
            // lcms's precalculated gray transform samples the curve coarsely (10 steps off near black for Gray.icc's
            // gamma 1.0): compare with its exact evaluation.
            let reference = S.firstChannel(try S.lcms8(gray, width: 64, height: 4, mode: "L", profile: path, exact: true))
            let diff = S.maxDifference(ours.samples8, reference)
            XCTAssertLessThanOrEqual(diff, 1, "\(path): max difference \(diff)")
        }
    }

    /// CMYK LUT profiles (mft2, Lab PCS in the legacy 16-bit encoding, and XYZ PCS): PSNR ≥ 45 dB.
    func testCMYKProfilesCloseToLittleCMS() throws {
        let image = S.testSamples(channels: 4, height: 128)
        for path in [S.ghostscript + "default_cmyk.icc", S.ghostscript + "ps_cmyk.icc"] {
            let bytes = try S.profileBytes(path)
            let profile = try ICCProfile(bytes)
            XCTAssertTrue(profile.isLUT, path)
            let raster = try Raster(width: image.width, height: image.height, layout: .rgba, samples8: image.samples)
            let ours = try ColorConversion.cmykToSRGB(raster, profile: profile, profileBytes: bytes, adobeInverted: false)
            let reference = try S.lcms8(image.samples, width: image.width, height: image.height, mode: "CMYK", profile: path)
            let psnr = S.psnr(ours.samples8, reference)
            let diff = S.maxDifference(ours.samples8, reference)
            print("\(path): PSNR \(psnr) dB, max difference \(diff)")
            XCTAssertGreaterThanOrEqual(psnr, 45, "\(path): PSNR \(psnr), max difference \(diff)")
        }
    }
}

/// The LUT forms no installed profile uses (`mAB ` with every element, `mft1`), written by TestProfileBuilder and
/// read by LittleCMS and by us.
final class ICCLutFormOracleTests: XCTestCase {
    typealias S = ColorTestSupport

    func testLutFormsCloseToLittleCMS() throws {
        let image = S.testSamples(channels: 3)
        for (name, bytes) in [("mAB-xyz", TestProfileBuilder.lutAToBXYZ()), ("mft1-lab", TestProfileBuilder.lut8Lab())] {
            let path = S.temporaryPath("\(name).icc")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let profile = try ICCProfile(bytes)
            XCTAssertTrue(profile.isLUT, name)
            let raster = try Raster(width: image.width, height: image.height, layout: .rgb, samples8: image.samples)
            let ours = try ColorConversion.toSRGB(raster, profile: profile, profileBytes: bytes)
            let reference = try S.lcms8(image.samples, width: image.width, height: image.height, mode: "RGB", profile: path)
            let psnr = S.psnr(ours.samples8, reference)
            print("\(name): PSNR \(psnr) dB, max difference \(S.maxDifference(ours.samples8, reference))")
            XCTAssertGreaterThanOrEqual(psnr, 45, name)
        }
    }
}
