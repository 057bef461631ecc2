/// Lossy WebP's YUV 4:2:0 → RGB as libwebp's `dwebp` outputs it by default, so decoded pixels are bit-identical
/// to dwebp's: "fancy" upsampling of the chroma, then a fixed-point BT.601 conversion.
///
/// Upsampling: each output pixel's chroma is interpolated from the 2x2 nearest chroma samples with weights 9, 3,
/// 3, 1 (/16), computed as libwebp computes it: for a chroma square [a b; c d] the two diagonals are averaged first,
/// (a + b + c + d + 2·(b + c) + 8) / 8 and (a + b + c + d + 2·(a + d) + 8) / 8, and the pixel nearest `a` gets
/// (diagonal(b, c) + a) / 2, each division truncating. The first and last columns use (3·near + far + 2) / 4
/// vertically only, and the first row (and the last one of an even height) pairs a chroma row with itself.
///
/// Conversion (ITU-R BT.601, studio range), with 14-bit constants:
///   R = (19077·Y >> 8) + (26149·V >> 8) - 14234
///   G = (19077·Y >> 8) - (6419·U >> 8) - (13320·V >> 8) + 8708
///   B = (19077·Y >> 8) + (33050·U >> 8) - 17685
/// each then divided by 64 and saturated to 0...255.
enum WebPFancyUpsampler {
    @inline(__always)
    static func clip8(_ v: Int32) -> UInt8 {
        (v & ~16383) == 0 ? UInt8(truncatingIfNeeded: v &>> 6) : (v < 0 ? 0 : 255)
    }

    /// One pixel; `out` receives R, G, B.
    @inline(__always)
    static func yuvToRGB(_ y: Int32, _ u: Int32, _ v: Int32, _ out: UnsafeMutablePointer<UInt8>) {
        let luma = (y &* 19077) &>> 8
        out[0] = clip8(luma &+ ((v &* 26149) &>> 8) &- 14234)
        out[1] = clip8(luma &- ((u &* 6419) &>> 8) &- ((v &* 13320) &>> 8) &+ 8708)
        out[2] = clip8(luma &+ ((u &* 33050) &>> 8) &- 17685)
    }

    /// Converts one or two output rows that share two chroma rows: `topY` uses chroma interpolated 3:1 towards
    /// `topU/topV`, `bottomY` (if any) 3:1 towards `currentU/currentV`. `channels` is 3 (RGB) or 4 (RGBA; the
    /// alpha byte is left alone). U and V are packed in one word (U low, V in bits 16-31) so both interpolate at once.
    static func upsampleRowPair(topY: UnsafePointer<UInt8>, bottomY: UnsafePointer<UInt8>?,
                                topU: UnsafePointer<UInt8>, topV: UnsafePointer<UInt8>,
                                currentU: UnsafePointer<UInt8>, currentV: UnsafePointer<UInt8>,
                                topOut: UnsafeMutablePointer<UInt8>, bottomOut: UnsafeMutablePointer<UInt8>?,
                                width: Int, channels: Int) {
        @inline(__always) func load(_ u: UnsafePointer<UInt8>, _ v: UnsafePointer<UInt8>, _ i: Int) -> UInt32 {
            UInt32(u[i]) | UInt32(v[i]) &<< 16
        }
        @inline(__always) func emit(_ y: UInt8, _ uv: UInt32, _ out: UnsafeMutablePointer<UInt8>) {
            yuvToRGB(Int32(y), Int32(uv & 0xFF), Int32((uv &>> 16) & 0xFF), out)
        }
        let lastPair = (width - 1) >> 1
        var topLeft = load(topU, topV, 0)
        var left = load(currentU, currentV, 0)
        emit(topY[0], (3 &* topLeft &+ left &+ 0x0002_0002) &>> 2, topOut)
        if let bottomY, let bottomOut {
            emit(bottomY[0], (3 &* left &+ topLeft &+ 0x0002_0002) &>> 2, bottomOut)
        }
        var x = 1
        while x <= lastPair {
            let top = load(topU, topV, x)
            let current = load(currentU, currentV, x)
            let sum = topLeft &+ top &+ left &+ current &+ 0x0008_0008
            let diagonal12 = (sum &+ 2 &* (top &+ left)) &>> 3
            let diagonal03 = (sum &+ 2 &* (topLeft &+ current)) &>> 3
            emit(topY[2 &* x &- 1], (diagonal12 &+ topLeft) &>> 1, topOut + (2 &* x &- 1) &* channels)
            emit(topY[2 &* x], (diagonal03 &+ top) &>> 1, topOut + (2 &* x) &* channels)
            if let bottomY, let bottomOut {
                emit(bottomY[2 &* x &- 1], (diagonal03 &+ left) &>> 1, bottomOut + (2 &* x &- 1) &* channels)
                emit(bottomY[2 &* x], (diagonal12 &+ current) &>> 1, bottomOut + (2 &* x) &* channels)
            }
            topLeft = top
            left = current
            x &+= 1
        }
        if width & 1 == 0 {
            emit(topY[width - 1], (3 &* topLeft &+ left &+ 0x0002_0002) &>> 2, topOut + (width - 1) * channels)
            if let bottomY, let bottomOut {
                emit(bottomY[width - 1], (3 &* left &+ topLeft &+ 0x0002_0002) &>> 2, bottomOut + (width - 1) * channels)
            }
        }
    }
}

/// Emits RGB(A) rows from YUV 4:2:0 planes as they become final, in dwebp's order: row 0 alone (its chroma row
/// paired with itself), then rows (2k-1, 2k) from chroma rows k-1 and k, and for an even height the last row alone.
struct WebPFancyRowEmitter {
    let width: Int
    let height: Int
    let channels: Int
    /// Next output row to produce.
    private(set) var nextRow = 0

    init(width: Int, height: Int, channels: Int) {
        self.width = width; self.height = height; self.channels = channels
    }

    /// Emits every row whose luma rows are below `lumaRows` and chroma rows below `chromaRows` (both final).
    mutating func emit(lumaRows: Int, chromaRows: Int, y: UnsafePointer<UInt8>, yStride: Int,
                       u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>, uvStride: Int,
                       out: UnsafeMutablePointer<UInt8>) {
        let outStride = width * channels
        if nextRow == 0 && lumaRows >= 1 && chromaRows >= 1 {
            WebPFancyUpsampler.upsampleRowPair(topY: y, bottomY: nil, topU: u, topV: v, currentU: u, currentV: v,
                                               topOut: out, bottomOut: nil, width: width, channels: channels)
            nextRow = 1
        }
        guard nextRow > 0 else { return }
        while nextRow + 1 < height {
            let k = (nextRow + 1) / 2
            guard nextRow + 1 < lumaRows, k < chromaRows else { return }
            WebPFancyUpsampler.upsampleRowPair(
                topY: y + nextRow * yStride, bottomY: y + (nextRow + 1) * yStride,
                topU: u + (k - 1) * uvStride, topV: v + (k - 1) * uvStride,
                currentU: u + k * uvStride, currentV: v + k * uvStride,
                topOut: out + nextRow * outStride, bottomOut: out + (nextRow + 1) * outStride,
                width: width, channels: channels)
            nextRow += 2
        }
        if nextRow == height - 1 && lumaRows >= height {
            // Even height: the last row pairs the last chroma row with itself.
            let k = (height - 1) / 2
            guard k < chromaRows else { return }
            WebPFancyUpsampler.upsampleRowPair(
                topY: y + nextRow * yStride, bottomY: nil,
                topU: u + k * uvStride, topV: v + k * uvStride, currentU: u + k * uvStride, currentV: v + k * uvStride,
                topOut: out + nextRow * outStride, bottomOut: nil, width: width, channels: channels)
            nextRow += 1
        }
    }
}
