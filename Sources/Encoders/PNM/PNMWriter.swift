import Raster

/// Netpbm writer used by `imagestack decode`: gray → P5, RGB → P6, with alpha → P7 PAM; maxval 255 or 65535
/// (16-bit samples big-endian, as netpbm requires).
public enum PNMWriter {
    public static func encode(_ raster: Raster) -> [UInt8] {
        var out = header(for: raster)
        if raster.bitDepth == .eight {
            out.append(contentsOf: raster.samples8)
        } else {
            out.append(contentsOf: bigEndianSamples(raster))
        }
        return out
    }

    /// The file as parts to write one after the other: the header, then the samples. 8-bit samples are handed
    /// over without a copy, which matters for 5120×2880 images written to a pipe.
    public static func parts(_ raster: Raster) -> [[UInt8]] {
        [header(for: raster), raster.bitDepth == .eight ? raster.samples8 : bigEndianSamples(raster)]
    }

    private static func bigEndianSamples(_ raster: Raster) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: raster.samples16.count * 2)
        for (i, v) in raster.samples16.enumerated() { out[2 * i] = UInt8(v >> 8); out[2 * i + 1] = UInt8(v & 0xFF) }
        return out
    }

    public static func header(for raster: Raster) -> [UInt8] {
        let maxval = raster.bitDepth == .sixteen ? 65535 : 255
        var header: String
        switch raster.layout {
        case .gray: header = "P5\n\(raster.width) \(raster.height)\n\(maxval)\n"
        case .rgb: header = "P6\n\(raster.width) \(raster.height)\n\(maxval)\n"
        case .grayAlpha, .rgba:
            let tuple = raster.layout == .rgba ? "RGB_ALPHA" : "GRAYSCALE_ALPHA"
            header = "P7\nWIDTH \(raster.width)\nHEIGHT \(raster.height)\nDEPTH \(raster.channels)\nMAXVAL \(maxval)\nTUPLTYPE \(tuple)\nENDHDR\n"
        }
        return Array(header.utf8)
    }
}
