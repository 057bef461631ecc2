import Raster

/// The name every ICC parsing error carries: the profile is a part of the image, not a codec of its own, but it
/// fails the same way (typed, with the byte offset inside the profile).
let iccCodecName = "ICC profile"

func iccError(_ kind: CodecError.Kind, _ offset: Int?, _ message: String) -> CodecError {
    CodecError(codec: iccCodecName, kind: kind, offset: offset, message: message)
}

/// Limits checked before anything is allocated from a profile's declared sizes.
public struct ICCLimits: Sendable, Equatable {
    /// Largest profile accepted. Real CMYK press profiles are 0.2–3 MB; JPEG's APP2 chain tops out near 16 MB.
    public var maxProfileBytes: Int
    /// Largest colour lookup table accepted, in samples (grid points^inputs × outputs).
    public var maxCLUTSamples: Int
    /// Most entries in one sampled curve (`curv` or a LUT's input/output table).
    public var maxCurveEntries: Int

    public static let `default` = ICCLimits(maxProfileBytes: 16 << 20, maxCLUTSamples: 1 << 22, maxCurveEntries: 65_536)

    public init(maxProfileBytes: Int, maxCLUTSamples: Int, maxCurveEntries: Int) {
        self.maxProfileBytes = maxProfileBytes; self.maxCLUTSamples = maxCLUTSamples; self.maxCurveEntries = maxCurveEntries
    }
}

/// Bounds-checked big-endian reads inside one profile (ICC.1:2010 §4: every number is big-endian). Every read
/// names the absolute offset it failed at; nothing here can trap on hostile offsets or counts.
struct ICCData {
    let bytes: [UInt8]

    var count: Int { bytes.count }

    func require(_ offset: Int, _ length: Int, _ what: String) throws {
        guard offset >= 0, length >= 0, offset <= bytes.count, length <= bytes.count - offset else {
            throw iccError(.truncated, max(0, min(offset, bytes.count)), "\(what) needs \(length) bytes at offset \(offset) of a \(bytes.count)-byte profile")
        }
    }

    func u8(_ o: Int) throws -> Int { try require(o, 1, "u8"); return Int(bytes[o]) }

    func u16(_ o: Int) throws -> Int {
        try require(o, 2, "u16")
        return Int(bytes[o]) << 8 | Int(bytes[o + 1])
    }

    func u32(_ o: Int) throws -> Int {
        try require(o, 4, "u32")
        return Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
    }

    /// s15Fixed16Number (ICC.1:2010 §4.6): a signed 32-bit value / 65536.
    func s15Fixed16(_ o: Int) throws -> Double {
        Double(Int32(truncatingIfNeeded: try u32(o))) / 65536
    }

    /// u8Fixed8Number (§4.9): an unsigned 16-bit value / 256.
    func u8Fixed8(_ o: Int) throws -> Double { Double(try u16(o)) / 256 }

    /// A four-character signature (§4.4) as text, e.g. "RGB ", "mntr".
    func signature(_ o: Int) throws -> String {
        try require(o, 4, "signature")
        return String(decoding: bytes[o..<(o + 4)].map { (0x20...0x7E).contains($0) ? $0 : 0x3F }, as: UTF8.self)
    }

    /// XYZNumber (§4.14): three s15Fixed16Numbers.
    func xyz(_ o: Int) throws -> XYZ {
        XYZ(try s15Fixed16(o), try s15Fixed16(o + 4), try s15Fixed16(o + 8))
    }
}
