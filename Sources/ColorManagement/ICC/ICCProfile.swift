import Raster

/// The colour space of the device data a profile describes (ICC.1:2010 §7.2.6, Table 19), as far as images go.
public enum ICCColorSpace: Sendable, Equatable, CustomStringConvertible {
    case rgb, gray, cmyk
    case other(String)

    init(signature: String) {
        switch signature {
        case "RGB ": self = .rgb
        case "GRAY": self = .gray
        case "CMYK": self = .cmyk
        default: self = .other(signature.trimmingTrailingSpaces)
        }
    }

    public var description: String {
        switch self {
        case .rgb: return "RGB"
        case .gray: return "GRAY"
        case .cmyk: return "CMYK"
        case .other(let s): return s
        }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

/// How a profile maps device values to the PCS, in the order a CMM looks for them (relative colorimetric intent).
public enum ICCModel: Sendable, Equatable {
    /// rXYZ/gXYZ/bXYZ colorants and rTRC/gTRC/bTRC curves (ICC.1:2010 §F.3).
    case matrixShaper(red: XYZ, green: XYZ, blue: XYZ, curves: [ICCCurve])
    /// kTRC (§F.2): gray → Y (XYZ PCS) or L* (Lab PCS).
    case grayTRC(ICCCurve)
    /// An A2B1 (relative colorimetric) or, failing that, A2B0 tag.
    case lut(ICCLut, tag: String)
}

/// A parsed ICC profile, v2 or v4 (ICC.1:2001-04, ICC.1:2010): the header, the tag table and the tags that a
/// conversion to sRGB or a description needs. Parsing validates every size, offset and count against the profile's
/// bytes and `ICCLimits` and throws a `CodecError` (codec "ICC profile") instead of trapping.
public struct ICCProfile: Sendable {
    public let byteCount: Int
    /// e.g. "2.1.0", "4.4.0" (§7.2.4).
    public let version: String
    public let majorVersion: Int
    /// Profile/device class signature (§7.2.5): "mntr", "scnr", "prtr", "spac", "link", "abst", "nmcl".
    public let deviceClass: String
    public let colorSpace: ICCColorSpace
    /// "XYZ" or "Lab" (§7.2.7).
    public let pcs: String
    public let description: String?
    /// `wtpt` (§9.2.56); in v4 always D50, in v2 the medium's own white.
    public let mediaWhite: XYZ?
    /// `chad` (§9.2.15): how the colorants were adapted to D50, rows of a 3×3 matrix.
    public let adaptation: [[Double]]?
    public let model: ICCModel

    public var isMatrixShaper: Bool { if case .matrixShaper = model { return true }; return false }
    public var isLUT: Bool { if case .lut = model { return true }; return false }

    /// A short name of the model for `imagestack info`: "matrix-shaper", "gray-trc", "lut (A2B0 mft2)".
    public var modelName: String {
        switch model {
        case .matrixShaper: return "matrix-shaper"
        case .grayTRC: return "gray-trc"
        case .lut(let l, let tag): return "lut (\(tag) \(l.form.rawValue.trimmingTrailingSpaces))"
        }
    }

    public init(_ bytes: [UInt8], limits: ICCLimits = .default) throws {
        guard bytes.count <= limits.maxProfileBytes else {
            throw iccError(.limit, nil, "profile of \(bytes.count) bytes exceeds the limit of \(limits.maxProfileBytes)")
        }
        let data = ICCData(bytes: bytes)
        // Header (§7.2): 128 bytes, then the tag count.
        try data.require(0, 132, "header and tag count")
        let declared = try data.u32(0)
        guard declared >= 132 else { throw iccError(.malformed, 0, "declared profile size \(declared) is below 132") }
        guard declared <= bytes.count else {
            throw iccError(.truncated, 0, "declared profile size \(declared) but only \(bytes.count) bytes present")
        }
        guard try data.signature(36) == "acsp" else { throw iccError(.malformed, 36, "missing 'acsp' profile file signature") }
        majorVersion = try data.u8(8)
        let minor = try data.u8(9)
        guard majorVersion == 2 || majorVersion == 4 else {
            throw iccError(.unsupported, 8, "profile version \(majorVersion) (2 and 4 are supported)")
        }
        version = "\(majorVersion).\(minor >> 4).\(minor & 15)"
        deviceClass = try data.signature(12)
        colorSpace = ICCColorSpace(signature: try data.signature(16))
        let pcsSignature = try data.signature(20)
        guard pcsSignature == "XYZ " || pcsSignature == "Lab " else {
            throw iccError(.malformed, 20, "profile connection space '\(pcsSignature)' (must be XYZ or Lab)")
        }
        pcs = pcsSignature.trimmingTrailingSpaces
        byteCount = declared

        // Tag table (§7.3): count, then signature / offset / size per tag, each element inside the profile.
        let tagCount = try data.u32(128)
        guard tagCount <= (declared - 132) / 12 else {
            throw iccError(.malformed, 128, "tag count \(tagCount) does not fit a \(declared)-byte profile")
        }
        var tags: [String: (offset: Int, size: Int)] = [:]
        for t in 0..<tagCount {
            let entry = 132 + 12 * t
            let signature = try data.signature(entry)
            let offset = try data.u32(entry + 4), size = try data.u32(entry + 8)
            guard offset >= 132, size >= 8, offset <= declared, size <= declared - offset else {
                throw iccError(.malformed, entry, "tag '\(signature)' at \(offset) of \(size) bytes lies outside the \(declared)-byte profile")
            }
            if tags[signature] == nil { tags[signature] = (offset, size) }
        }

        func xyzTag(_ name: String) throws -> XYZ? {
            guard let t = tags[name] else { return nil }
            guard try data.signature(t.offset) == "XYZ ", t.size >= 20 else {
                throw iccError(.malformed, t.offset, "tag '\(name)' is not an XYZType of at least 20 bytes")
            }
            return try data.xyz(t.offset + 8)
        }
        func curveTag(_ name: String) throws -> ICCCurve? {
            guard let t = tags[name] else { return nil }
            return try ICCCurve.read(data, at: t.offset, limit: t.size, limits: limits).0
        }

        description = tags["desc"].flatMap { ICCText.read(data, at: $0.offset, size: $0.size) }
        mediaWhite = try xyzTag("wtpt")
        if let t = tags["chad"] {
            guard try data.signature(t.offset) == "sf32", t.size >= 44 else {
                throw iccError(.malformed, t.offset, "tag 'chad' is not an s15Fixed16ArrayType of 9 values")
            }
            let v = try (0..<9).map { try data.s15Fixed16(t.offset + 8 + 4 * $0) }
            adaptation = [Array(v[0..<3]), Array(v[3..<6]), Array(v[6..<9])]
        } else {
            adaptation = nil
        }

        // The relative colorimetric intent: A2B1, else A2B0 (§8.4: A2B0 is the default for every intent), else
        // the matrix-shaper or gray TRC — the order LUT-capable CMMs follow.
        if let (name, t) = ["A2B1", "A2B0"].lazy.compactMap({ n in tags[n].map { (n, $0) } }).first {
            let lut = try ICCLut.read(data, at: t.offset, size: t.size, pcs: pcsSignature, limits: limits)
            let expected: Int
            switch colorSpace {
            case .rgb: expected = 3
            case .gray: expected = 1
            case .cmyk: expected = 4
            case .other: expected = lut.inputs
            }
            guard lut.inputs == expected else {
                throw iccError(.malformed, t.offset, "\(name) has \(lut.inputs) inputs for \(colorSpace) data")
            }
            model = .lut(lut, tag: name)
        } else if colorSpace == .gray, let k = try curveTag("kTRC") {
            model = .grayTRC(k)
        } else if colorSpace == .rgb, let r = try xyzTag("rXYZ"), let g = try xyzTag("gXYZ"), let b = try xyzTag("bXYZ"),
                  let rc = try curveTag("rTRC"), let gc = try curveTag("gTRC"), let bc = try curveTag("bTRC") {
            model = .matrixShaper(red: r, green: g, blue: b, curves: [rc, gc, bc])
        } else {
            throw iccError(.unsupported, 128, "\(colorSpace) profile of class '\(deviceClass)' has no A2B0/A2B1, matrix-shaper or gray TRC tags")
        }
    }
}
