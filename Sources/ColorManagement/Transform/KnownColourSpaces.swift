/// Colour spaces that outputs can name without profile bytes (ITU-T H.273 code points, used by AVIF's nclx
/// `colr` box), and how a profile is recognised as one of them: by its colorants and its curves.
public struct KnownColourSpace: Sendable, Equatable {
    public let name: String
    /// H.273 ColourPrimaries (Table 2) and TransferCharacteristics (Table 3).
    public let primariesCode: Int
    public let transferCode: Int

    public static let sRGB = KnownColourSpace(name: "sRGB", primariesCode: 1, transferCode: 13)
    public static let bt709 = KnownColourSpace(name: "BT.709", primariesCode: 1, transferCode: 1)
    public static let displayP3 = KnownColourSpace(name: "Display P3", primariesCode: 12, transferCode: 13)
    public static let bt2020 = KnownColourSpace(name: "BT.2020", primariesCode: 9, transferCode: 1)

    /// Tolerances of the recognition, chosen so that treating a recognised profile as the named space moves no
    /// 8-bit code value by more than one step against converting through the profile:
    /// - each XYZ component of each colorant within 0.0005 of the reference (s15Fixed16 storage quantises to
    ///   1.5e-5; the sRGB profiles in circulation agree to 1e-4). Through the PCS → sRGB matrix (absolute row
    ///   sums ≤ 5) and the steepest part of the sRGB curve near white (0.44 per unit), that is ≤ 0.28 of a step;
    /// - each curve, at all 256 8-bit inputs, within 0.35 of a step of the reference curve once both are encoded
    ///   back with the reference transfer.
    public static let colorantTolerance = 0.0005
    public static let curveToleranceSteps = 0.35

    typealias Chromaticity = (x: Double, y: Double)
    static let d65: Chromaticity = (0.3127, 0.3290)

    /// Reference colorants (D50-adapted by Bradford, as profiles store them) for the primaries of each code.
    static func colorants(primariesCode: Int) -> Matrix3? {
        switch primariesCode {
        case 1: // BT.709 = sRGB (H.273 Table 2, value 1)
            return SRGB.d50Colorants(red: (0.64, 0.33), green: (0.30, 0.60), blue: (0.15, 0.06), white: d65)
        case 12: // SMPTE EG 432-1 (Display P3)
            return SRGB.d50Colorants(red: (0.680, 0.320), green: (0.265, 0.690), blue: (0.150, 0.060), white: d65)
        case 9: // BT.2020
            return SRGB.d50Colorants(red: (0.708, 0.292), green: (0.170, 0.797), blue: (0.131, 0.046), white: d65)
        default:
            return nil
        }
    }

    static func transferMatches(_ curve: ICCCurve, transferCode: Int) -> Bool {
        let encode: (Double) -> Double = transferCode == 1 ? BT709Transfer.encode : SRGB.encode
        for v in 0..<256 {
            let back = encode(curve.evaluate(Double(v) / 255)) * 255
            if !(abs(back - Double(v)) <= curveToleranceSteps) { return false }
        }
        return true
    }

    /// The known space a profile is, if any: RGB matrix-shaper only (a LUT profile is converted, not named).
    public static func recognise(_ profile: ICCProfile) -> KnownColourSpace? {
        guard profile.colorSpace == .rgb, case let .matrixShaper(r, g, b, curves) = profile.model else { return nil }
        for candidate in [sRGB, bt709, displayP3, bt2020] {
            guard let reference = colorants(primariesCode: candidate.primariesCode) else { continue }
            let columns = [r, g, b]
            var close = true
            for c in 0..<3 {
                let ref = XYZ(reference.m[0][c], reference.m[1][c], reference.m[2][c])
                if !(columns[c].maxDifference(ref) <= colorantTolerance) { close = false }
            }
            guard close else { continue }
            if curves.allSatisfy({ transferMatches($0, transferCode: candidate.transferCode) }) { return candidate }
        }
        return nil
    }
}

extension ICCProfile {
    /// True when converting through this profile would leave sRGB pixels as they are (within one step): sRGB
    /// colorants and sRGB curves, within `KnownColourSpace`'s tolerances. Such a profile is dropped, pixels untouched.
    public var isSRGBEquivalent: Bool { KnownColourSpace.recognise(self) == .sRGB }
}
