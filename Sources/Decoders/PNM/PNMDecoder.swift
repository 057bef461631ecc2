import Raster

/// Netpbm reader (P5 gray, P6 RGB, P7 PAM with GRAYSCALE/RGB and _ALPHA tuple types; maxval 255 or 65535),
/// so the CLI's `encode` accepts the files `decode`, djpeg and pngtopnm write.
public enum PNMDecoder {
    private static let codec = "PNM decoder"

    private struct Parsed {
        var width = 0, height = 0, maxval = 0
        var layout: ChannelLayout = .gray
        var dataOffset = 0
    }

    public static func readHeader(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> ImageHeader {
        let p = try parse(bytes, limits: limits)
        var meta = ImageMetadata()
        meta.source.format = .pnm
        meta.source.bitDepth = p.maxval > 255 ? 16 : 8
        meta.source.components = p.layout.channels
        return ImageHeader(width: p.width, height: p.height, layout: p.layout,
                           bitDepth: p.maxval > 255 ? .sixteen : .eight, metadata: meta)
    }

    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> Raster {
        let header = try readHeader(bytes, limits: limits)
        let p = try parse(bytes, limits: limits)
        let count = p.width * p.height * p.layout.channels
        let wide = p.maxval > 255
        let needed = count * (wide ? 2 : 1)
        guard bytes.count - p.dataOffset >= needed else {
            throw CodecError(codec: codec, kind: .truncated, offset: bytes.count,
                             message: "pixel data has \(bytes.count - p.dataOffset) bytes, \(needed) expected")
        }
        if wide {
            var samples = [UInt16](repeating: 0, count: count)
            for i in 0..<count {
                let v = Int(bytes[p.dataOffset + 2 * i]) << 8 | Int(bytes[p.dataOffset + 2 * i + 1])
                samples[i] = UInt16(p.maxval == 65535 ? v : min(v, p.maxval) * 65535 / p.maxval)
            }
            return try Raster(width: p.width, height: p.height, layout: p.layout, samples16: samples, metadata: header.metadata)
        }
        var samples = Array(bytes[p.dataOffset..<p.dataOffset + count])
        if p.maxval != 255 {
            for i in 0..<count { samples[i] = UInt8((min(Int(samples[i]), p.maxval) * 255 + p.maxval / 2) / p.maxval) }
        }
        return try Raster(width: p.width, height: p.height, layout: p.layout, samples8: samples, metadata: header.metadata)
    }

    private static func parse(_ bytes: [UInt8], limits: ImageLimits) throws -> Parsed {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P") else {
            throw CodecError(codec: codec, kind: .malformed, offset: 0, message: "missing P5/P6/P7 magic")
        }
        var pos = 2
        var p = Parsed()
        func skipSpaceAndComments() {
            while pos < bytes.count {
                if bytes[pos] == UInt8(ascii: "#") {
                    while pos < bytes.count && bytes[pos] != 10 { pos += 1 }
                } else if bytes[pos] == 32 || (9...13).contains(bytes[pos]) {
                    pos += 1
                } else { return }
            }
        }
        func token() throws -> String {
            skipSpaceAndComments()
            let start = pos
            while pos < bytes.count, !(bytes[pos] == 32 || (9...13).contains(bytes[pos])) { pos += 1 }
            guard pos > start else { throw CodecError(codec: codec, kind: .truncated, offset: pos, message: "header ends early") }
            return String(decoding: bytes[start..<pos], as: UTF8.self)
        }
        func number() throws -> Int {
            let t = try token()
            guard let v = Int(t), v >= 0, v < 1 << 30 else {
                throw CodecError(codec: codec, kind: .malformed, offset: pos, message: "bad header number '\(t)'")
            }
            return v
        }
        switch bytes[1] {
        case UInt8(ascii: "5"), UInt8(ascii: "6"):
            p.layout = bytes[1] == UInt8(ascii: "5") ? .gray : .rgb
            p.width = try number(); p.height = try number(); p.maxval = try number()
        case UInt8(ascii: "7"):
            var depth = 0
            var tuple = ""
            while true {
                let t = try token()
                if t == "ENDHDR" { break }
                switch t {
                case "WIDTH": p.width = try number()
                case "HEIGHT": p.height = try number()
                case "DEPTH": depth = try number()
                case "MAXVAL": p.maxval = try number()
                case "TUPLTYPE": tuple = try token()
                default: break
                }
            }
            switch (tuple, depth) {
            case ("GRAYSCALE", 1), ("", 1): p.layout = .gray
            case ("GRAYSCALE_ALPHA", 2), ("", 2): p.layout = .grayAlpha
            case ("RGB", 3), ("", 3): p.layout = .rgb
            case ("RGB_ALPHA", 4), ("", 4): p.layout = .rgba
            default:
                throw CodecError(codec: codec, kind: .unsupported, message: "PAM tuple type '\(tuple)' with depth \(depth)")
            }
        default:
            throw CodecError(codec: codec, kind: .unsupported, offset: 1, message: "only binary P5, P6 and P7 are read")
        }
        guard (1...65535).contains(p.maxval) else {
            throw CodecError(codec: codec, kind: .malformed, message: "maxval \(p.maxval) outside 1...65535")
        }
        try limits.checkDimensions(width: p.width, height: p.height, codec: codec)
        pos += 1 // exactly one whitespace byte separates the header from the samples
        p.dataOffset = pos
        return p
    }
}
