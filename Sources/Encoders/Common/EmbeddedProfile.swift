import Raster

/// The one rule every encoder follows for ICC profiles: a profile is written only when it describes the data being
/// written — an RGB profile for colour data, a GRAY profile for gray data (ICC.1:2010 §7.2.6; PNG spec §11.3.3.3 and
/// the WebP/HEIF containers say the same). Anything else (a CMYK profile, a gray one on colour output, bytes that are
/// not a profile) is dropped rather than tagging the output with another colour space.
enum EmbeddedProfile {
    /// The raster's profile if it may be embedded in output whose samples are colour (`colorData`) or gray.
    static func bytes(of raster: Raster, colorData: Bool) -> [UInt8]? {
        guard let profile = raster.metadata.iccProfile, profile.count >= 132 else { return nil }
        // Header field at offset 16: the data colour space signature; 36: "acsp".
        guard Array(profile[36..<40]) == Array("acsp".utf8) else { return nil }
        let space = Array(profile[16..<20])
        return space == Array((colorData ? "RGB " : "GRAY").utf8) ? profile : nil
    }

    /// True when the raster carries an RGB profile: its colour data must stay colour (a PNG encoder may not reduce
    /// it to gray, where the profile would no longer be valid).
    static func requiresColor(_ raster: Raster) -> Bool {
        raster.layout.isColor && bytes(of: raster, colorData: true) != nil
    }
}
