import Raster

/// One VP8L transform as read from the bitstream (specification section 4).
struct VP8LTransform {
    enum Kind: Int { case predictor = 0, crossColor = 1, subtractGreen = 2, colorIndexing = 3 }

    var kind: Kind
    /// Width of the image the inverse transform produces.
    var width: Int
    /// Width of the image the inverse transform reads: `width`, except for colour indexing with pixel bundling.
    var inputWidth: Int
    /// Predictor and colour transforms: log2 of the tile side; colour indexing: log2 of the pixels per bundle.
    var bits: Int
    /// Predictor modes or colour transform elements (one per tile, row by row), or the colour table (256 entries,
    /// zero past the table size: indices beyond it give transparent black, section 4.4).
    var data: [UInt32]

    /// Reads the transforms of the main image (section 4, each kind at most once). Returns them in bitstream order
    /// and the width of the entropy-coded image that follows (narrower when colour indexing bundles pixels).
    static func readAll(_ reader: inout VP8LBitReader, width: Int, height: Int,
                        decodeSubImage: (inout VP8LBitReader, Int, Int) throws -> [UInt32]) throws -> ([VP8LTransform], Int) {
        var transforms: [VP8LTransform] = []
        var xsize = width
        var seen = 0
        while reader.readFlag() {
            let offset = reader.byteOffset
            let kind = Kind(rawValue: reader.readInt(2))!
            guard seen & (1 << kind.rawValue) == 0 else {
                throw webpError(.malformed, offset, "transform \(kind) appears twice")
            }
            seen |= 1 << kind.rawValue
            switch kind {
            case .predictor, .crossColor:
                let bits = reader.readInt(3) + 2
                let tiles = try decodeSubImage(&reader, subsampled(xsize, bits), subsampled(height, bits))
                transforms.append(VP8LTransform(kind: kind, width: xsize, inputWidth: xsize, bits: bits, data: tiles))
            case .subtractGreen:
                transforms.append(VP8LTransform(kind: kind, width: xsize, inputWidth: xsize, bits: 0, data: []))
            case .colorIndexing:
                let size = reader.readInt(8) + 1
                let bits = size <= 2 ? 3 : size <= 4 ? 2 : size <= 16 ? 1 : 0
                let deltas = try decodeSubImage(&reader, size, 1)
                // The table is delta-coded: each entry adds to the previous one, per 8-bit channel.
                var table = [UInt32](repeating: 0, count: 256)
                var previous: UInt32 = 0
                for i in 0..<size {
                    previous = VP8LPixel.add(deltas[i], previous)
                    table[i] = previous
                }
                let packed = subsampled(xsize, bits)
                transforms.append(VP8LTransform(kind: kind, width: xsize, inputWidth: packed, bits: bits, data: table))
                xsize = packed
            }
        }
        if reader.overran { throw webpError(.truncated, reader.byteOffset, "data ends inside the transforms") }
        return (transforms, xsize)
    }

    /// DIV_ROUND_UP(size, 1 << bits) of section 4.1.
    @inline(__always)
    static func subsampled(_ size: Int, _ bits: Int) -> Int { (size + (1 << bits) - 1) >> bits }
}

/// Per-channel arithmetic on packed ARGB words (section 4).
enum VP8LPixel {
    /// Adds each 8-bit channel modulo 256.
    @inline(__always)
    static func add(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let ag = (a & 0xFF00_FF00) &+ (b & 0xFF00_FF00)
        let rb = (a & 0x00FF_00FF) &+ (b & 0x00FF_00FF)
        return (ag & 0xFF00_FF00) | (rb & 0x00FF_00FF)
    }

    /// Average2 of section 4.1: (a + b) / 2 per channel.
    @inline(__always)
    static func average(_ a: UInt32, _ b: UInt32) -> UInt32 {
        (((a ^ b) & 0xFEFE_FEFE) &>> 1) &+ (a & b)
    }

    /// The four channels of a pixel as signed 16-bit lanes (blue, green, red, alpha), and back.
    @inline(__always)
    static func lanes(_ p: UInt32) -> SIMD4<Int16> {
        SIMD4<Int16>(truncatingIfNeeded: unsafeBitCast(p, to: SIMD4<UInt8>.self))
    }

    @inline(__always)
    static func pixel(_ v: SIMD4<Int16>) -> UInt32 {
        unsafeBitCast(SIMD4<UInt8>(truncatingIfNeeded: v), to: UInt32.self)
    }

    @inline(__always)
    static func clamp(_ v: SIMD4<Int16>) -> SIMD4<Int16> {
        let zero = SIMD4<Int16>(repeating: 0), top = SIMD4<Int16>(repeating: 255)
        return v.replacing(with: zero, where: v .< zero).replacing(with: top, where: v .> top)
    }

    /// Select of section 4.1: the neighbour (L or T) whose channels are closer to L + T - TL in Manhattan distance.
    /// |estimate - L| = |T - TL| and |estimate - T| = |L - TL| per channel.
    @inline(__always)
    static func select(left: UInt32, top: UInt32, topLeft: UInt32) -> UInt32 {
        let l = lanes(left), t = lanes(top), tl = lanes(topLeft)
        let dt = t &- tl, dl = l &- tl
        let towardsLeft = dt.replacing(with: 0 &- dt, where: dt .< 0).wrappedSum()
        let towardsTop = dl.replacing(with: 0 &- dl, where: dl .< 0).wrappedSum()
        return towardsLeft < towardsTop ? left : top
    }

    /// ClampAddSubtractFull(a, b, c) = clamp(a + b - c) per channel (section 4.1).
    @inline(__always)
    static func clampAddSubtractFull(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> UInt32 {
        pixel(clamp(lanes(a) &+ lanes(b) &- lanes(c)))
    }

    /// ClampAddSubtractHalf(a, b) = clamp(a + (a - b) / 2) per channel, the division truncating toward zero
    /// ((d + 1) >> 1 for negative d).
    @inline(__always)
    static func clampAddSubtractHalf(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let la = lanes(a)
        let d = la &- lanes(b)
        let half = (d &+ ((d &>> 15) & 1)) &>> 1
        return pixel(clamp(la &+ half))
    }
}
