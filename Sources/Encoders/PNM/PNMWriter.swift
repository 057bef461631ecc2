import Raster

/// Netpbm writer used by `imagestack decode`: gray → P5, RGB → P6, with alpha → P7 PAM; maxval 255 or 65535
/// (16-bit samples big-endian, as netpbm requires).
public enum PNMWriter {
    public static func encode(_ raster: Raster) -> [UInt8] {
        let maxval = raster.bitDepth == .sixteen ? 65535 : 255
        var header: String
        switch raster.layout {
        case .gray: header = "P5\n\(raster.width) \(raster.height)\n\(maxval)\n"
        case .rgb: header = "P6\n\(raster.width) \(raster.height)\n\(maxval)\n"
        case .grayAlpha, .rgba:
            let tuple = raster.layout == .rgba ? "RGB_ALPHA" : "GRAYSCALE_ALPHA"
            header = "P7\nWIDTH \(raster.width)\nHEIGHT \(raster.height)\nDEPTH \(raster.channels)\nMAXVAL \(maxval)\nTUPLTYPE \(tuple)\nENDHDR\n"
        }
        var out = Array(header.utf8)
        if raster.bitDepth == .eight {
            out.append(contentsOf: raster.samples8)
        } else {
            out.reserveCapacity(out.count + raster.samples16.count * 2)
            for v in raster.samples16 { out.append(UInt8(v >> 8)); out.append(UInt8(v & 0xFF)) }
        }
        return out
    }
}
