/// Reverses the per-row filters of PNG filter method 0 (PNG spec §9.2, §9.4).
enum PNGUnfilter {
    /// Reconstructs one row. `dst` may equal `src` or lie before it in the same buffer (rows are compacted in
    /// place): every `src[i]` is read before `dst[i]` is written, and later source bytes are never overwritten.
    /// `previous` is the reconstructed row above (all zeros for the first row of a pass). Returns false for an
    /// unknown filter type.
    @inline(__always)
    static func row(filter: UInt8, src: UnsafePointer<UInt8>, dst: UnsafeMutablePointer<UInt8>,
                    previous: UnsafePointer<UInt8>, count: Int, stride bpp: Int) -> Bool {
        switch filter {
        case 0:
            if UnsafePointer(dst) != src { dst.update(from: src, count: count) }
        case 1:
            let head = min(bpp, count)
            if UnsafePointer(dst) != src { dst.update(from: src, count: head) }
            var i = bpp
            if bpp == 3 || bpp == 4 { i = PixelLanes.sub(src: src, dst: dst, count: count, stride: bpp) }
            while i < count {
                dst[i] = src[i] &+ dst[i - bpp]
                i += 1
            }
        case 2:
            for i in 0..<count { dst[i] = src[i] &+ previous[i] }
        case 3:
            let head = min(bpp, count)
            for i in 0..<head { dst[i] = src[i] &+ previous[i] >> 1 }
            var i = bpp
            if bpp == 3 || bpp == 4 { i = PixelLanes.average(src: src, dst: dst, previous: previous, count: count, stride: bpp) }
            while i < count {
                dst[i] = src[i] &+ UInt8(truncatingIfNeeded: (UInt16(dst[i - bpp]) &+ UInt16(previous[i])) >> 1)
                i += 1
            }
        case 4:
            let head = min(bpp, count)
            // With no left neighbour, a = c = 0 and the predictor is the byte above.
            for i in 0..<head { dst[i] = src[i] &+ previous[i] }
            var i = bpp
            if bpp == 3 || bpp == 4 { i = PixelLanes.paeth(src: src, dst: dst, previous: previous, count: count, stride: bpp) }
            paeth(from: i, src: src, dst: dst, previous: previous, count: count, stride: bpp)
        default:
            return false
        }
        return true
    }

    /// Paeth predictor (PNG spec §9.4), one byte at a time from byte `start` (at least one pixel in).
    @inline(__always)
    private static func paeth(from start: Int, src: UnsafePointer<UInt8>, dst: UnsafeMutablePointer<UInt8>,
                              previous: UnsafePointer<UInt8>, count: Int, stride bpp: Int) {
        var i = start
        while i < count {
            let a = Int32(dst[i - bpp]), b = Int32(previous[i]), c = Int32(previous[i - bpp])
            let pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c)
            let predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)
            dst[i] = src[i] &+ UInt8(truncatingIfNeeded: predictor)
            i += 1
        }
    }
}
