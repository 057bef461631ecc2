/// Chroma upsampling to the full sampling grid, row by row. The filters are libjpeg's "fancy" triangle filters
/// (djpeg's default, so JPEG decodes match it bit for bit): a 3:1 weighting of the nearer and farther input
/// sample, with alternating rounding biases (1/2 horizontally, 8/7 for 2-D) so errors do not accumulate in one
/// direction; edges replicate the outermost sample. Other integer ratios replicate samples.
public enum ChromaUpsampling {
    /// Vertical 2x triangle filter: out = (3 · nearer row + farther row + bias) / 4, bias 1 above, 2 below.
    @inlinable @inline(__always)
    public static func fancyVertical(_ near: UnsafePointer<UInt8>, _ far: UnsafePointer<UInt8>, _ n: Int, _ bias: Int32,
                                     _ out: UnsafeMutablePointer<UInt8>) {
        for x in 0..<n {
            out[x] = UInt8(truncatingIfNeeded: (Int32(near[x]) &* 3 &+ Int32(far[x]) &+ bias) &>> 2)
        }
    }

    /// Integer ratios without a filter: each sample repeated `h` times, at most `outWidth` outputs (rows are
    /// repeated by the caller).
    @inlinable @inline(__always)
    public static func replicate(_ src: UnsafePointer<UInt8>, _ n: Int, _ h: Int, _ out: UnsafeMutablePointer<UInt8>,
                                 _ outWidth: Int) {
        if h == 1 { out.update(from: src, count: min(n, outWidth)); return }
        var o = 0
        for x in 0..<n {
            let s = src[x]
            for _ in 0..<h { if o < outWidth { out[o] = s }; o &+= 1 }
        }
    }

    /// Horizontal 2x triangle filter: out = (3 · nearer + farther + 1 or 2) / 4; 2n outputs.
    @inlinable @inline(__always)
    public static func fancyHorizontal(_ src: UnsafePointer<UInt8>, _ n: Int, _ out: UnsafeMutablePointer<UInt8>) {
        if n == 1 { out[0] = src[0]; out[1] = src[0]; return }
        out[0] = src[0]
        out[1] = UInt8(truncatingIfNeeded: (Int32(src[0]) &* 3 &+ Int32(src[1]) &+ 2) &>> 2)
        var x = 1
        while x < n &- 1 {
            let c = Int32(src[x]) &* 3
            out[2 &* x] = UInt8(truncatingIfNeeded: (c &+ Int32(src[x &- 1]) &+ 1) &>> 2)
            out[2 &* x &+ 1] = UInt8(truncatingIfNeeded: (c &+ Int32(src[x &+ 1]) &+ 2) &>> 2)
            x &+= 1
        }
        out[2 &* n &- 2] = UInt8(truncatingIfNeeded: (Int32(src[n &- 1]) &* 3 &+ Int32(src[n &- 2]) &+ 1) &>> 2)
        out[2 &* n &- 1] = src[n &- 1]
    }

    /// 2-D 2x triangle filter: column sums 3 · nearer row + farther row, then the horizontal filter on the sums;
    /// 2n outputs.
    @inlinable @inline(__always)
    public static func fancy2D(_ near: UnsafePointer<UInt8>, _ far: UnsafePointer<UInt8>, _ n: Int,
                               _ out: UnsafeMutablePointer<UInt8>) {
        @inline(__always) func colsum(_ x: Int) -> Int32 { Int32(near[x]) &* 3 &+ Int32(far[x]) }
        if n == 1 {
            let v = UInt8(truncatingIfNeeded: (colsum(0) &* 4 &+ 8) &>> 4)
            out[0] = v; out[1] = v; return
        }
        var this = colsum(0), next = colsum(1), last = this
        out[0] = UInt8(truncatingIfNeeded: (this &* 4 &+ 8) &>> 4)
        out[1] = UInt8(truncatingIfNeeded: (this &* 3 &+ next &+ 7) &>> 4)
        var x = 1
        while x < n &- 1 {
            last = this; this = next; next = colsum(x &+ 1)
            out[2 &* x] = UInt8(truncatingIfNeeded: (this &* 3 &+ last &+ 8) &>> 4)
            out[2 &* x &+ 1] = UInt8(truncatingIfNeeded: (this &* 3 &+ next &+ 7) &>> 4)
            x &+= 1
        }
        last = this; this = next
        out[2 &* n &- 2] = UInt8(truncatingIfNeeded: (this &* 3 &+ last &+ 8) &>> 4)
        out[2 &* n &- 1] = UInt8(truncatingIfNeeded: (this &* 4 &+ 7) &>> 4)
    }
}
