import Raster

/// How the PNG encoder stores a raster: the smallest lossless PNG image type (PNG spec §6.1, §11.2.2) for its pixels.
struct PNGImageFormat {
    /// PNG colour type: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.
    var colorType: UInt8
    var bitDepth: Int
    /// Samples per pixel in the stored rows (1 for palette).
    var channels: Int
    /// PLTE entries (RGB) and tRNS alpha values for palette images.
    var palette: [(r: UInt8, g: UInt8, b: UInt8, a: UInt8)] = []

    var bitsPerPixel: Int { channels * bitDepth }
    /// Bytes per complete pixel for filtering (PNG spec §9.2: at least 1).
    var filterStride: Int { max(1, bitsPerPixel / 8) }
    func rowBytes(width: Int) -> Int { (width * bitsPerPixel + 7) / 8 }
}

/// Finds what a raster really needs: gray when all pixels are gray, no alpha when all are opaque, a palette when at
/// most 256 colours occur, and gray at 1, 2 or 4 bits when every level is exactly representable there.
struct PNGColorAnalysis {
    let format: PNGImageFormat
    /// Palette index of each colour key, when `format` is a palette.
    private let paletteTable: ColorTable?
    private let sourceIsGray: Bool

    /// `allowGray` false keeps colour data in a colour type (an RGB ICC profile is invalid on a gray PNG).
    init(_ raster: Raster, allowGray: Bool = true) {
        let layout = raster.layout
        let isGray = layout.isColor ? allowGray && Self.allGray(raster) : true
        let isOpaque = !raster.hasTranslucentPixels
        let channels = (isGray ? 1 : 3) + (layout.hasAlpha && !isOpaque ? 1 : 0)
        sourceIsGray = isGray
        let trueColorType: UInt8 = channels == 1 ? 0 : channels == 2 ? 4 : channels == 3 ? 2 : 6

        guard raster.bitDepth == .eight else {
            format = PNGImageFormat(colorType: trueColorType, bitDepth: 16, channels: channels)
            paletteTable = nil
            return
        }
        if channels == 1, let depth = Self.lowGrayDepth(raster) {
            format = PNGImageFormat(colorType: 0, bitDepth: depth, channels: 1)
            paletteTable = nil
            return
        }
        let table = Self.distinctColors(raster, limit: 256)
        if let table, channels > 1 || table.count <= 16 {
            let entries = table.sortedEntries()
            var palette: [(r: UInt8, g: UInt8, b: UInt8, a: UInt8)] = []
            let indexTable = ColorTable(capacityFor: entries.count)
            for (index, key) in entries.enumerated() {
                palette.append((UInt8(key >> 24), UInt8((key >> 16) & 0xFF), UInt8((key >> 8) & 0xFF), UInt8(key & 0xFF)))
                indexTable.insert(key, value: UInt8(index))
            }
            let depth = entries.count <= 2 ? 1 : entries.count <= 4 ? 2 : entries.count <= 16 ? 4 : 8
            format = PNGImageFormat(colorType: 3, bitDepth: depth, channels: 1, palette: palette)
            paletteTable = indexTable
            return
        }
        format = PNGImageFormat(colorType: trueColorType, bitDepth: 8, channels: channels)
        paletteTable = nil
    }

    /// The unfiltered PNG rows (PNG spec §7.2), `height * rowBytes` bytes.
    func packedRows(_ raster: Raster) -> [UInt8] {
        let width = raster.width, height = raster.height
        let rowBytes = format.rowBytes(width: width)
        var out = [UInt8](repeating: 0, count: rowBytes * height)
        let sourceChannels = raster.channels
        let hasAlphaOut = format.channels == 2 || format.channels == 4
        // Source sample offsets of the stored channels: gray takes R; alpha is the last source channel.
        var picks: [Int] = sourceIsGray ? [0] : [0, 1, 2]
        if hasAlphaOut { picks.append(sourceChannels - 1) }
        if format.bitDepth == 16 {
            raster.samples16.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    var o = 0
                    for p in 0..<(width * height) {
                        let base = p * sourceChannels
                        for k in picks {
                            let v = src[base + k]
                            dst[o] = UInt8(v >> 8); dst[o + 1] = UInt8(v & 0xFF); o += 2
                        }
                    }
                }
            }
            return out
        }
        raster.samples8.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                if let paletteTable {
                    let depth = format.bitDepth
                    let perByte = 8 / depth
                    for y in 0..<height {
                        for x in 0..<width {
                            let key = Self.colorKey(src, (y * width + x) * sourceChannels, sourceChannels)
                            let index = paletteTable.value(for: key)
                            let shift = (perByte - 1 - x % perByte) * depth
                            dst[y * rowBytes + x / perByte] |= index << UInt8(shift)
                        }
                    }
                } else if format.bitDepth < 8 {
                    let depth = format.bitDepth
                    let perByte = 8 / depth
                    let step = 255 / ((1 << depth) - 1)
                    for y in 0..<height {
                        for x in 0..<width {
                            let level = Int(src[(y * width + x) * sourceChannels]) / step
                            let shift = (perByte - 1 - x % perByte) * depth
                            dst[y * rowBytes + x / perByte] |= UInt8(level << shift)
                        }
                    }
                } else if picks.count == sourceChannels {
                    for i in 0..<src.count { dst[i] = src[i] }
                } else {
                    var o = 0
                    var base = 0
                    for _ in 0..<(width * height) {
                        for k in picks { dst[o] = src[base + k]; o += 1 }
                        base += sourceChannels
                    }
                }
            }
        }
        return out
    }

    // MARK: - Analysis passes

    private static func allGray(_ raster: Raster) -> Bool {
        let n = raster.channels
        if raster.bitDepth == .eight {
            return raster.samples8.withUnsafeBufferPointer { p in
                var i = 0
                while i < p.count { if p[i] != p[i + 1] || p[i] != p[i + 2] { return false }; i += n }
                return true
            }
        }
        return raster.samples16.withUnsafeBufferPointer { p in
            var i = 0
            while i < p.count { if p[i] != p[i + 1] || p[i] != p[i + 2] { return false }; i += n }
            return true
        }
    }

    /// 1, 2 or 4 when every gray level is a multiple of 255 / (2^depth - 1) (PNG spec §12.5 scaling), else nil.
    private static func lowGrayDepth(_ raster: Raster) -> Int? {
        let n = raster.channels
        var fits1 = true, fits2 = true, fits4 = true
        raster.samples8.withUnsafeBufferPointer { p in
            var i = 0
            while i < p.count {
                let v = p[i]
                if v % 17 != 0 { fits1 = false; fits2 = false; fits4 = false; return }
                if v % 85 != 0 { fits1 = false; fits2 = false }
                if v != 0 && v != 255 { fits1 = false }
                i += n
            }
        }
        return fits1 ? 1 : fits2 ? 2 : fits4 ? 4 : nil
    }

    /// Colour as RGBA packed in a UInt32 (gray layouts expand to R=G=B).
    @inline(__always)
    fileprivate static func colorKey(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ channels: Int) -> UInt32 {
        switch channels {
        case 1: let g = UInt32(p[i]); return g << 24 | g << 16 | g << 8 | 0xFF
        case 2: let g = UInt32(p[i]); return g << 24 | g << 16 | g << 8 | UInt32(p[i + 1])
        case 3: return UInt32(p[i]) << 24 | UInt32(p[i + 1]) << 16 | UInt32(p[i + 2]) << 8 | 0xFF
        default: return UInt32(p[i]) << 24 | UInt32(p[i + 1]) << 16 | UInt32(p[i + 2]) << 8 | UInt32(p[i + 3])
        }
    }

    /// The distinct colours when there are at most `limit` of them, else nil (stops at the first colour too many).
    private static func distinctColors(_ raster: Raster, limit: Int) -> ColorTable? {
        let table = ColorTable(capacityFor: limit + 1)
        let n = raster.channels
        let tooMany = raster.samples8.withUnsafeBufferPointer { p -> Bool in
            var last: UInt32? = nil
            var i = 0
            while i < p.count {
                let key = colorKey(p, i, n)
                if key != last {
                    table.insert(key, value: 0)
                    if table.count > limit { return true }
                    last = key
                }
                i += n
            }
            return false
        }
        return tooMany ? nil : table
    }
}

/// A small open-addressing map from RGBA keys to palette indices.
final class ColorTable {
    private var keys: [UInt32]
    private var values: [UInt8]
    private var used: [Bool]
    private let mask: Int
    private(set) var count = 0

    init(capacityFor entries: Int) {
        var size = 16
        while size < entries * 4 { size <<= 1 }
        keys = [UInt32](repeating: 0, count: size)
        values = [UInt8](repeating: 0, count: size)
        used = [Bool](repeating: false, count: size)
        mask = size - 1
    }

    @inline(__always)
    private func slot(for key: UInt32) -> Int {
        var i = Int((key &* 0x9E37_79B1) >> 16) & mask
        while used[i] && keys[i] != key { i = (i + 1) & mask }
        return i
    }

    func insert(_ key: UInt32, value: UInt8) {
        let i = slot(for: key)
        if !used[i] { used[i] = true; keys[i] = key; count += 1 }
        values[i] = value
    }

    func value(for key: UInt32) -> UInt8 { values[slot(for: key)] }

    /// Keys with translucent colours first (so tRNS stays short, PNG spec §11.3.2.1), then by brightness, which
    /// keeps similar colours on nearby indices.
    func sortedEntries() -> [UInt32] {
        var entries: [UInt32] = []
        for i in 0..<keys.count where used[i] { entries.append(keys[i]) }
        func rank(_ k: UInt32) -> (Int, Int, UInt32) {
            let opaque = k & 0xFF == 0xFF ? 1 : 0
            let luma = 299 * Int(k >> 24) + 587 * Int((k >> 16) & 0xFF) + 114 * Int((k >> 8) & 0xFF)
            return (opaque, luma, k)
        }
        return entries.sorted { rank($0) < rank($1) }
    }
}
