import Raster

/// RIFF container of WebP files (WebP container specification): the simple layouts (`VP8 ` or `VP8L` alone) and
/// the extended layout (`VP8X` first, then `ICCP`, `ALPH` and the bitstream chunk).
public enum WebPContainer {
    /// Largest side a WebP image can have (the VP8 frame header stores 14-bit sizes; VP8X keeps the same limit).
    public static let maxSide = 16383

    /// VP8X flag bits (container spec, "Extended File Format": Rsv|I|L|E|X|A|R from the most significant bit).
    static let iccFlag: UInt8 = 0x20
    static let alphaFlag: UInt8 = 0x10

    public enum Bitstream: String {
        case lossy = "VP8 "
        case lossless = "VP8L"
    }

    /// Throws `.encoderLimit` when the image cannot be stored in WebP, so the caller can fall back to another format.
    public static func checkDimensions(width: Int, height: Int) throws {
        guard width >= 1, height >= 1 else {
            throw CodecError(codec: "WebP encoder", kind: .encoderLimit, message: "empty image \(width)x\(height)")
        }
        guard width <= maxSide, height <= maxSide else {
            throw CodecError(codec: "WebP encoder", kind: .encoderLimit,
                             message: "\(width)x\(height) exceeds WebP's \(maxSide)-pixel side limit")
        }
    }

    /// One RIFF chunk: FourCC, little-endian payload size, payload, and a zero pad byte when the size is odd.
    static func chunk(_ fourCC: String, _ payload: [UInt8]) -> [UInt8] {
        var out = Array(fourCC.utf8)
        out.reserveCapacity(8 + payload.count + 1)
        appendLittleEndian32(UInt32(payload.count), to: &out)
        out += payload
        if payload.count & 1 == 1 { out.append(0) }
        return out
    }

    static func appendLittleEndian32(_ v: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }

    /// A complete file. The extended layout is used when there is an `ALPH` chunk or an ICC profile;
    /// `hasAlpha` sets the VP8X alpha flag (for VP8L it says whether the bitstream carries transparency).
    public static func assemble(bitstream: Bitstream, payload: [UInt8], alpha: [UInt8]? = nil,
                                iccProfile: [UInt8]? = nil, width: Int, height: Int,
                                hasAlpha: Bool) throws -> [UInt8] {
        try checkDimensions(width: width, height: height)
        var body: [UInt8] = Array("WEBP".utf8)
        let icc = iccProfile.flatMap { $0.isEmpty ? nil : $0 }
        if alpha != nil || icc != nil {
            var flags: UInt8 = 0
            if icc != nil { flags |= iccFlag }
            if hasAlpha || alpha != nil { flags |= alphaFlag }
            var vp8x: [UInt8] = [flags, 0, 0, 0]
            for v in [width - 1, height - 1] {
                vp8x += [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v >> 16)]
            }
            body += chunk("VP8X", vp8x)
            if let icc { body += chunk("ICCP", icc) }
            if let alpha { body += chunk("ALPH", alpha) }
        }
        body += chunk(bitstream.rawValue, payload)
        guard body.count <= Int(UInt32.max) - 8 else {
            throw CodecError(codec: "WebP encoder", kind: .encoderLimit, message: "file larger than 4 GiB")
        }
        var out: [UInt8] = Array("RIFF".utf8)
        out.reserveCapacity(8 + body.count)
        appendLittleEndian32(UInt32(body.count), to: &out)
        return out + body
    }
}
