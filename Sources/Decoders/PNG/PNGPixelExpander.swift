import Raster

/// Converts reconstructed PNG rows into the output layout: samples below 8 bits scaled by bit replication,
/// palette indices expanded to RGB(A), tRNS keys turned into an alpha channel, 16-bit samples byte-swapped.
struct PNGPixelExpander {
    let header: PNGImageHeader
    let layout: ChannelLayout
    let bitDepth: BitDepth
    /// Palette as RGBA quadruples for all 256 indices; indices past PLTE's end are opaque black (as libpng).
    private var paletteRGBA: [UInt8] = []
    /// tRNS key for gray (one value) or RGB (three values) in the stored sample scale; -1 when absent.
    private var key: (Int, Int, Int) = (-1, -1, -1)

    init(chunks: PNGChunks) {
        header = chunks.header
        let hasKey = chunks.transparency != nil
        switch header.colorType {
        case 0: layout = hasKey ? .grayAlpha : .gray
        case 2: layout = hasKey ? .rgba : .rgb
        case 3: layout = hasKey ? .rgba : .rgb
        case 4: layout = .grayAlpha
        default: layout = .rgba
        }
        bitDepth = header.bitDepth == 16 ? .sixteen : .eight
        if header.colorType == 3 {
            var table = [UInt8](repeating: 0, count: 1024)
            for i in 0..<256 { table[4 * i + 3] = 255 }
            let palette = chunks.palette
            for i in 0..<(palette.count / 3) {
                table[4 * i] = palette[3 * i]; table[4 * i + 1] = palette[3 * i + 1]; table[4 * i + 2] = palette[3 * i + 2]
            }
            if let alphas = chunks.transparency {
                for (i, a) in alphas.enumerated() { table[4 * i + 3] = a }
            }
            paletteRGBA = table
        } else if let t = chunks.transparency {
            func v(_ i: Int) -> Int { Int(t[2 * i]) << 8 | Int(t[2 * i + 1]) }
            key = header.colorType == 0 ? (v(0), -1, -1) : (v(0), v(1), v(2))
        }
    }

    /// True when reconstructed rows already are the output samples (8-bit gray/GA/RGB/RGBA without tRNS).
    var rowsAreOutput: Bool { header.bitDepth == 8 && header.colorType != 3 && key.0 < 0 }

    /// Writes `pixels` pixels of the reconstructed row `src` to `dst`, advancing `pixelStride` output pixels
    /// between consecutive ones (1 for a full row, the Adam7 column step otherwise).
    func expand8(_ src: UnsafePointer<UInt8>, _ pixels: Int, _ dst: UnsafeMutablePointer<UInt8>, _ pixelStride: Int) {
        let channels = layout.channels
        let step = channels * pixelStride
        let depth = header.bitDepth
        switch header.colorType {
        case 0:
            let mask = (1 << depth) - 1
            let scale = 255 / mask
            let perByte = 8 / depth
            let k = key.0
            var o = 0
            for x in 0..<pixels {
                let v = depth == 8 ? Int(src[x]) : (Int(src[x / perByte]) >> (8 - depth * (x % perByte + 1))) & mask
                dst[o] = UInt8(truncatingIfNeeded: v * scale)
                if channels == 2 { dst[o + 1] = v == k ? 0 : 255 }
                o += step
            }
        case 3:
            paletteRGBA.withUnsafeBufferPointer { table in
                let mask = (1 << depth) - 1
                let perByte = 8 / depth
                var o = 0
                for x in 0..<pixels {
                    let index = depth == 8 ? Int(src[x]) : (Int(src[x / perByte]) >> (8 - depth * (x % perByte + 1))) & mask
                    let t = 4 * index
                    dst[o] = table[t]; dst[o + 1] = table[t + 1]; dst[o + 2] = table[t + 2]
                    if channels == 4 { dst[o + 3] = table[t + 3] }
                    o += step
                }
            }
        case 2 where channels == 4:
            var o = 0
            for x in 0..<pixels {
                let r = src[3 * x], g = src[3 * x + 1], b = src[3 * x + 2]
                dst[o] = r; dst[o + 1] = g; dst[o + 2] = b
                dst[o + 3] = (Int(r) == key.0 && Int(g) == key.1 && Int(b) == key.2) ? 0 : 255
                o += step
            }
        default:
            // 8-bit gray, gray+alpha, RGB, RGBA stored as output: copy pixel by pixel to the strided positions.
            var o = 0
            for x in 0..<pixels {
                for c in 0..<channels { dst[o + c] = src[channels * x + c] }
                o += step
            }
        }
    }

    /// 16-bit version of `expand8`: big-endian samples to native `UInt16`, tRNS keys to an alpha channel.
    func expand16(_ src: UnsafePointer<UInt8>, _ pixels: Int, _ dst: UnsafeMutablePointer<UInt16>, _ pixelStride: Int) {
        let channels = layout.channels
        let stored = header.samplesPerPixel
        let step = channels * pixelStride
        var o = 0
        var s = 0
        if channels == stored {
            for _ in 0..<pixels {
                for c in 0..<channels { dst[o + c] = UInt16(src[s + 2 * c]) << 8 | UInt16(src[s + 2 * c + 1]) }
                o += step
                s += 2 * stored
            }
            return
        }
        // tRNS: one more (alpha) channel than stored.
        for _ in 0..<pixels {
            var matches = true
            for c in 0..<stored {
                let v = UInt16(src[s + 2 * c]) << 8 | UInt16(src[s + 2 * c + 1])
                dst[o + c] = v
                let k = c == 0 ? key.0 : c == 1 ? key.1 : key.2
                if Int(v) != k { matches = false }
            }
            dst[o + stored] = matches ? 0 : 65535
            o += step
            s += 2 * stored
        }
    }
}
