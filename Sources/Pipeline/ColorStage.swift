import Raster
import ColorManagement

/// Rule field `colorProfile` (SPEC §5): what happens to a source's ICC profile.
public enum ColorProfilePolicy: String, Sendable, Equatable, CaseIterable {
    /// Convert every tagged source to sRGB and write no profile; an sRGB-equivalent profile is dropped and the
    /// pixels left as they are. The default: browsers assume sRGB, so the profile bytes buy nothing.
    case srgb
    /// Keep RGB profiles (the outputs carry them: PNG iCCP, JPEG APP2, WebP ICCP; AVIF names recognised spaces
    /// with nclx, others with an ICC `colr`). Gray and CMYK sources are still converted to sRGB.
    case keep
}

/// The plan's colour stage: after decoding and orientation, before resize. It leaves an RGB or gray raster whose
/// metadata describes its colour space truthfully: no profile (sRGB), or a kept RGB profile. Never fails: a profile
/// it cannot use is ignored (the image is then taken as sRGB) and the reason returned for the logs.
public enum ColorStage {
    public struct Result: Sendable {
        public var raster: Raster
        /// What was done, for logs: nil when the source had no profile.
        public var note: String?
    }

    public static func apply(_ input: Raster, policy: ColorProfilePolicy) -> Result {
        var raster = input
        let note = apply(&raster, policy: policy)
        return Result(raster: raster, note: note)
    }

    /// The same in place: a matrix-shaper or gray conversion rewrites the samples without copying them. Returns
    /// the note for the logs.
    public static func apply(_ raster: inout Raster, policy: ColorProfilePolicy) -> String? {
        let bytes = raster.metadata.iccProfile.flatMap { $0.isEmpty ? nil : $0 }
        var profile: ICCProfile?
        var problem: String?
        if let bytes {
            do { profile = try ColorConversion.profile(bytes) } catch { problem = "\(error)" }
        }
        if let cmyk = raster.metadata.cmyk {
            let result = convertCMYK(raster, profile: profile, bytes: bytes, inverted: cmyk.adobeInverted, problem: problem)
            raster = result.raster
            return result.note
        }
        guard let bytes else { return nil }
        guard let profile else {
            raster.metadata.iccProfile = nil
            return "ICC profile ignored, image taken as sRGB: \(problem ?? "unreadable")"
        }
        let name = profile.description ?? "unnamed"
        if policy == .keep && profile.colorSpace == .rgb && raster.layout.isColor {
            raster.metadata.codePoints = KnownColourSpace.recognise(profile).map {
                ColourCodePoints(primaries: $0.primariesCode, transfer: $0.transferCode)
            }
            return "ICC profile kept: \(name)"
        }
        if profile.colorSpace == .rgb && raster.layout.isColor && profile.isSRGBEquivalent {
            raster.metadata.iccProfile = nil
            return "ICC profile dropped (sRGB): \(name)"
        }
        do {
            try ColorConversion.convertToSRGB(&raster, profile: profile, profileBytes: bytes)
            // The profile described the pixels; a PNG gAMA beside it (PNG spec §11.3.3.3: iCCP wins) would now
            // describe them wrongly.
            raster.metadata.gamma = nil
            return "converted to sRGB from \(name) (\(profile.modelName))"
        } catch {
            raster.metadata.iccProfile = nil
            return "ICC profile ignored, image taken as sRGB: \(error)"
        }
    }

    /// CMYK samples become RGB through the profile, or by the documented naive formula without a usable one.
    static func convertCMYK(_ raster: Raster, profile: ICCProfile?, bytes: [UInt8]?, inverted: Bool, problem: String?) -> Result {
        var reason = problem.map { "ICC profile unusable (\($0))" } ?? "no ICC profile"
        if let profile, let bytes {
            do {
                var out = try ColorConversion.cmykToSRGB(raster, profile: profile, profileBytes: bytes, adobeInverted: inverted)
                out.metadata.cmyk = nil
                return Result(raster: out, note: "converted to sRGB from CMYK \(profile.description ?? "unnamed") (\(profile.modelName))")
            } catch {
                reason = "ICC profile unusable (\(error))"
            }
        }
        var out = ColorConversion.naiveCMYKToRGB(raster)
        out.metadata.cmyk = nil
        return Result(raster: out, note: "CMYK converted naively (\(reason))")
    }
}
