/// Steps 6 and 7 fused for the common case, a YCbCr image whose two chroma components share one sampling ratio:
/// each output row is made 16 pixels at a time from the luma row and the chroma rows it is upsampled from, in
/// 16-bit lanes, without an intermediate upsampled row. The arithmetic is JPEGUpsample's and JPEGColor's, exactly:
/// - upsampling: the triangle filters with djpeg's rounding (h2v1: (3·near + far + 1 or 2) / 4; h2v2 on column
///   sums 3·near + far: (3·this + neighbour + 8 or 7) / 16; h1v2: (3·near + far + 1 or 2) / 4). The rows carry one
///   replicated sample on each side (`JPEGChromaEdges`), which makes the edge rules of the scalar filters fall out.
/// - colour: libjpeg's constants round(c · 2^16) split so that every product fits a 16-bit multiply:
///   1.40200 = 1 + 26345/2^16, 1.77200 = 2 − 14942/2^16, and G's two terms plus 1·Cr. A high-half multiply of 2x
///   followed by (+1) >> 1 equals the scalar (x·c + 2^15) >> 16 for every input (floor of a floor).

/// Chroma for 16 consecutive output pixels as two groups of eight 16-bit lanes: the even pixels (0, 2, ..., 14)
/// and the odd ones. Kernels work on even and odd pixels apart because 2x upsampling makes them that way, and the
/// final interleave into R, G, B bytes is cheapest from that form.
protocol JPEGChromaSource {
    func chroma(_ x: Int) -> (even: Lanes16, odd: Lanes16)
}

/// 16 bytes at `p` split into even and odd samples.
@inline(__always)
func jpegLoadEvenOdd(_ p: UnsafePointer<UInt8>) -> (even: Lanes16, odd: Lanes16) {
    let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt16>.self)
    return (unsafeBitCast(v & 0x00FF, to: Lanes16.self), unsafeBitCast(v &>> 8, to: Lanes16.self))
}

/// 8 bytes at `p` as 16-bit lanes.
@inline(__always)
func jpegLoad8(_ p: UnsafePointer<UInt8>) -> Lanes16 {
    JPEGLanes.widenBytes(UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt8>.self))
}

/// Chroma at full resolution (4:4:4).
struct JPEGChromaFull: JPEGChromaSource {
    let row: UnsafePointer<UInt8>
    @inline(__always)
    func chroma(_ x: Int) -> (even: Lanes16, odd: Lanes16) { jpegLoadEvenOdd(row + x) }
}

/// Horizontal 2x triangle filter (4:2:2): output 2i from input i and i - 1, output 2i + 1 from i and i + 1.
struct JPEGChromaH2V1: JPEGChromaSource {
    let row: UnsafePointer<UInt8>
    @inline(__always)
    func chroma(_ x: Int) -> (even: Lanes16, odd: Lanes16) {
        let i = x &>> 1
        let this3 = jpegLoad8(row + i) &* 3
        return ((this3 &+ jpegLoad8(row + (i &- 1)) &+ 1) &>> 2, (this3 &+ jpegLoad8(row + (i &+ 1)) &+ 2) &>> 2)
    }
}

/// 2-D 2x triangle filter (4:2:0) on column sums: `near` is the chroma row closer to the output row, `far` the
/// other neighbour.
struct JPEGChromaH2V2: JPEGChromaSource {
    let near: UnsafePointer<UInt8>, far: UnsafePointer<UInt8>
    @inline(__always)
    func chroma(_ x: Int) -> (even: Lanes16, odd: Lanes16) {
        let i = x &>> 1
        @inline(__always) func columnSum(_ k: Int) -> Lanes16 { jpegLoad8(near + k) &* 3 &+ jpegLoad8(far + k) }
        let this3 = columnSum(i) &* 3
        return ((this3 &+ columnSum(i &- 1) &+ 8) &>> 4, (this3 &+ columnSum(i &+ 1) &+ 7) &>> 4)
    }
}

/// Vertical 2x triangle filter (4:4:0): bias 1 for the upper, 2 for the lower output row of a pair.
struct JPEGChromaH1V2: JPEGChromaSource {
    let near: UnsafePointer<UInt8>, far: UnsafePointer<UInt8>
    let bias: Int16
    @inline(__always)
    func chroma(_ x: Int) -> (even: Lanes16, odd: Lanes16) {
        let n = jpegLoadEvenOdd(near + x), f = jpegLoadEvenOdd(far + x)
        return ((n.even &* 3 &+ f.even &+ bias) &>> 2, (n.odd &* 3 &+ f.odd &+ bias) &>> 2)
    }
}

/// Writes the replicated edge samples the upsampling sources read: row[-1] = row[0] and row[width] = row[width - 1].
/// Sample rows are allocated with room on both sides (JPEGRowRenderer).
@inline(__always)
func jpegChromaEdges(_ row: UnsafeMutablePointer<UInt8>, _ width: Int) {
    row[-1] = row[0]
    row[width] = row[width &- 1]
}

enum JPEGColorRows {
    /// (x·c + 2^15) >> 16 for |x| ≤ 2^14 and 16-bit c, from a high-half multiply of 2x. Written as the low half of
    /// the product shifted down (not `narrowHigh`) so that the compiler recognises a 16-bit high multiply and
    /// emits one `pmulhw` instead of widening, `pmaddwd` and packing (callgrind, one thread: 4:2:0 1622x2880
    /// 268 -> 258 M instructions, 4:2:2 5120x2880 662 -> 628 M).
    @inline(__always)
    static func scaledRound(_ x: Lanes16, _ c: Int32) -> Lanes16 {
        let doubled = x &+ x
        let high = JPEGLanes.narrowLow((JPEGLanes.widen(doubled) &* c) &>> 16)
        return (high &+ 1) &>> 1
    }

    /// R, G, B (before saturation) of eight pixels from their Y, Cb and Cr.
    @inline(__always)
    static func rgb(_ y: Lanes16, _ cb: Lanes16, _ cr: Lanes16) -> (Lanes16, Lanes16, Lanes16) {
        let cb0 = cb &- 128, cr0 = cr &- 128
        // R − Y = round(1.40200·Cr), B − Y = round(1.77200·Cb), G − Y = ⌊−0.34414·Cb − 0.71414·Cr + ½⌋.
        let red = cr0 &+ scaledRound(cr0, Int32(JPEGColor.ycbcr.crToR) - 65536)
        let blue = cb0 &+ cb0 &+ scaledRound(cb0, Int32(JPEGColor.ycbcr.cbToB) - 131072)
        let greenSum = JPEGLanes.multiplyAdd(cb0, -Int32(JPEGColor.ycbcr.cbToG), cr0, 65536 - Int32(JPEGColor.ycbcr.crToG))
        let green = JPEGLanes.narrowHigh(greenSum &+ Lanes32(repeating: 1 << 15)) &- cr0
        return (y &+ red, y &+ green, y &+ blue)
    }

    /// Stores 16 pixels as 48 bytes R, G, B at `out` from their even and odd R, G, B values (saturated to bytes
    /// here). Each channel is packed to 16 bytes (even pixels, then odd), byte pairs are formed by interleaving
    /// channels (R0 G0, B0 R1, G1 B1 for pixels 0 and 1, and so on), and the three streams of pairs are
    /// interleaved with 16- and 32-bit unpacks.
    @inline(__always)
    static func storeRGB(even: (Lanes16, Lanes16, Lanes16), odd: (Lanes16, Lanes16, Lanes16),
                         _ out: UnsafeMutableRawPointer) {
        typealias Bytes = SIMD16<UInt8>
        typealias Words = SIMD8<UInt16>
        typealias Dwords = SIMD4<UInt32>
        let red = JPEGLanes.packBytes(even.0, odd.0), green = JPEGLanes.packBytes(even.1, odd.1)
        let blue = JPEGLanes.packBytes(even.2, odd.2)
        @inline(__always) func zipLow8(_ x: Bytes, _ y: Bytes) -> Words {
            unsafeBitCast(Bytes(x[0], y[0], x[1], y[1], x[2], y[2], x[3], y[3], x[4], y[4], x[5], y[5], x[6], y[6], x[7], y[7]),
                          to: Words.self)
        }
        @inline(__always) func zipHigh8(_ x: Bytes, _ y: Bytes) -> Words {
            unsafeBitCast(Bytes(x[8], y[8], x[9], y[9], x[10], y[10], x[11], y[11], x[12], y[12], x[13], y[13], x[14], y[14],
                                x[15], y[15]), to: Words.self)
        }
        let oddRed = Bytes(red[8], red[9], red[10], red[11], red[12], red[13], red[14], red[15], 0, 0, 0, 0, 0, 0, 0, 0)
        let a = zipLow8(red, green), b = zipLow8(blue, oddRed), c = zipHigh8(green, blue)
        @inline(__always) func zipLow(_ x: Words, _ y: Words) -> Dwords {
            unsafeBitCast(Words(x[0], y[0], x[1], y[1], x[2], y[2], x[3], y[3]), to: Dwords.self)
        }
        @inline(__always) func zipHigh(_ x: Words, _ y: Words) -> Dwords {
            unsafeBitCast(Words(x[4], y[4], x[5], y[5], x[6], y[6], x[7], y[7]), to: Dwords.self)
        }
        // Pairs of pairs: (a_k, b_k), (c_k, a_k+1), (b_k, c_k); the output is a0 b0 c0 a1 b1 c1 ... as 32-bit units
        // (a0 b0)(c0 a1)(b1 c1)(a2 b2) | (c2 a3)(b3 c3)(a4 b4)(c4 a5) | (b5 c5)(a6 b6)(c6 a7)(b7 c7).
        let aNext = Words(a[1], a[2], a[3], a[4], a[5], a[6], a[7], 0)
        let ab = zipLow(a, b), abHigh = zipHigh(a, b)
        let ca = zipLow(c, aNext), caHigh = zipHigh(c, aNext)
        let bc = zipLow(b, c), bcHigh = zipHigh(b, c)
        out.storeBytes(of: Dwords(ab[0], ca[0], bc[1], ab[2]), toByteOffset: 0, as: Dwords.self)
        out.storeBytes(of: Dwords(ca[2], bc[3], abHigh[0], caHigh[0]), toByteOffset: 16, as: Dwords.self)
        out.storeBytes(of: Dwords(bcHigh[1], abHigh[2], caHigh[2], bcHigh[3]), toByteOffset: 32, as: Dwords.self)
    }

    /// One output row of `width` RGB pixels from the luma row and two chroma sources. Reads up to 16 samples past
    /// the end of the luma row and 9 past the chroma rows' widths (the rows are allocated with that slack).
    @inline(__always)
    static func convert<C: JPEGChromaSource>(luma: UnsafePointer<UInt8>, cb: C, cr: C,
                                             out: UnsafeMutablePointer<UInt8>, width: Int) {
        @inline(__always) func chunk(_ x: Int, _ dst: UnsafeMutableRawPointer) {
            let y = jpegLoadEvenOdd(luma + x), b = cb.chroma(x), r = cr.chroma(x)
            let e = rgb(y.even, b.even, r.even), o = rgb(y.odd, b.odd, r.odd)
            storeRGB(even: e, odd: o, dst)
        }
        var x = 0
        while x &+ 16 <= width {
            chunk(x, UnsafeMutableRawPointer(out + x &* 3))
            x &+= 16
        }
        if x < width {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { tail in
                guard let base = tail.baseAddress else { return }
                chunk(x, UnsafeMutableRawPointer(base))
                (out + x &* 3).update(from: base, count: (width &- x) &* 3)
            }
        }
    }
}
