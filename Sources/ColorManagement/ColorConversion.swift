import Raster

/// The entry points of colour management: read a raster's embedded profile and convert its pixels to sRGB.
/// Decisions (when to convert, keep or drop) belong to the caller's policy; this module only does what it is asked.
public enum ColorConversion {
    /// Parses a profile with the default limits.
    public static func profile(_ bytes: [UInt8]) throws -> ICCProfile { try ICCProfile(bytes) }

    /// The raster's pixels in sRGB, profile removed. Gray stays gray (sRGB gray), alpha is untouched, 16-bit stays
    /// 16-bit. Throws when the profile's colour space does not fit the raster (e.g. an RGB profile on gray data).
    public static func toSRGB(_ raster: Raster, profile: ICCProfile, profileBytes: [UInt8]) throws -> Raster {
        var out = raster
        try convertToSRGB(&out, profile: profile, profileBytes: profileBytes)
        return out
    }

    /// The same in place (no copy of the samples); on error the raster is left as it was.
    public static func convertToSRGB(_ raster: inout Raster, profile: ICCProfile, profileBytes: [UInt8]) throws {
        let colourChannels = raster.layout.isColor ? 3 : 1
        let expected: Int
        switch profile.colorSpace {
        case .rgb: expected = 3
        case .gray: expected = 1
        case .cmyk: expected = 4
        case .other(let s):
            throw CodecError(codec: iccCodecName, kind: .unsupported, message: "data colour space '\(s)' is not an image colour space we convert")
        }
        guard expected == colourChannels else {
            throw CodecError(codec: iccCodecName, kind: .malformed,
                             message: "\(profile.colorSpace) profile on a \(colourChannels == 3 ? "colour" : "gray") image")
        }
        let transform = try TransformCache.shared.transform(for: profileBytes, profile: profile, bitDepth: raster.bitDepth.rawValue) {
            try SRGBTransform(profile: profile, bitDepth: raster.bitDepth)
        }
        transform.applyInPlace(&raster)
        raster.metadata.iccProfile = nil
    }

    /// A CMYK raster (8-bit, 4 channels as the JPEG decoder stores them: libjpeg's CMYK output, Adobe files with
    /// samples = 255 − ink) converted to sRGB through a CMYK profile.
    public static func cmykToSRGB(_ raster: Raster, profile: ICCProfile, profileBytes: [UInt8], adobeInverted: Bool) throws -> Raster {
        guard profile.colorSpace == .cmyk else {
            throw CodecError(codec: iccCodecName, kind: .malformed, message: "\(profile.colorSpace) profile on a CMYK image")
        }
        let transform = try TransformCache.shared.transform(for: profileBytes, profile: profile, bitDepth: 8) {
            try SRGBTransform(profile: profile, bitDepth: .eight)
        }
        var out = try transform.convertCMYK(raster, inverted: adobeInverted)
        out.metadata.iccProfile = nil
        return out
    }

    /// The documented default for a CMYK image without a usable profile — the conversion djpeg's PPM writer makes
    /// (and the JPEG decoder's RGB output): R = round(C·K / 255) on the stored (Adobe-inverted) samples, likewise
    /// G from M and B from Y. Not colour-managed: for press CMYK it is visibly off (too saturated, too light).
    public static func naiveCMYKToRGB(_ raster: Raster) -> Raster {
        let n = raster.width * raster.height
        var out = [UInt8](repeating: 0, count: n * 3)
        raster.samples8.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                for i in 0..<n {
                    let k = UInt32(s[4 * i + 3])
                    for c in 0..<3 { d[3 * i + c] = UInt8(truncatingIfNeeded: (2 * UInt32(s[4 * i + c]) * k + 255) / 510) }
                }
            }
        }
        var r = raster
        r.reshape(width: raster.width, height: raster.height, layout: .rgb, bitDepth: .eight, samples8: out)
        r.metadata.iccProfile = nil
        return r
    }
}
