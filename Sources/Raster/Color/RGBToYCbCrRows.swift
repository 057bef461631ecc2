/// Row kernels of `FixedPointRGBToYCbCr` in SIMD lanes: whole rows of packed RGB (3 bytes per pixel) to Y, Cb and
/// Cr, or to Y and box-downsampled Cb/Cr (`ChromaDownsampling.boxAlternatingBias` fused with the conversion, so
/// no full-resolution chroma plane is ever stored). Every output is bit-identical to the per-pixel `y`/`cb`/`cr`
/// and to the separate downsampler: the same 32-bit sums, shift, clamp and biases, eight pixels per step. Used by
/// the JPEG encoder, one MCU row at a time.
///
/// Written for SSE2 (the x86-64 baseline), checked against the generated code: samples in 32-bit lanes known to
/// be below 2^9, multiplied by coefficients that are 16-bit lane values at run time, which the compiler turns into
/// one `pmaddwd` per product. A coefficient of 2^15 or more (0.587 · 2^16 for luma) is split as
/// c = 2·⌊c/2⌋ + (c mod 2) and applied to 2·sample and to the sample; constant coefficients, or a product written
/// twice on the same sample, would be folded back into a 32-bit multiply that SSE2 lacks (emulated, or scalar).
extension FixedPointRGBToYCbCr {
    public typealias Samples = SIMD8<Int16>
    public typealias Sums = SIMD8<Int32>


    /// The eight pixels at `p` (24 bytes): R, G, B and 2R, 2G, 2B in 32-bit lanes. Each pixel's 32-bit word is
    /// loaded (the last one from a byte earlier and shifted, so nothing past the 24 bytes is read), then shifts and
    /// masks.
    @usableFromInline
    struct Pixels {
        @usableFromInline var r, g, b, r2, g2, b2: Sums

        @inlinable @inline(__always)
        init(_ p: UnsafePointer<UInt8>) {
            let raw = UnsafeRawPointer(p)
            @inline(__always) func word(_ offset: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
            let w = SIMD8<UInt32>(word(0), word(3), word(6), word(9), word(12), word(15), word(18), word(20) >> 8)
            r = unsafeBitCast(w & 0xFF, to: Sums.self)
            g = unsafeBitCast((w &>> 8) & 0xFF, to: Sums.self)
            b = unsafeBitCast((w &>> 16) & 0xFF, to: Sums.self)
            r2 = unsafeBitCast((w &<< 1) & 0x1FE, to: Sums.self)
            g2 = unsafeBitCast((w &>> 7) & 0x1FE, to: Sums.self)
            b2 = unsafeBitCast((w &>> 15) & 0x1FE, to: Sums.self)
        }
    }

    /// One output's coefficients as 16-bit lane values: `single` multiplies the samples, `half` the doubled
    /// samples. A coefficient that fits 16 bits is all `single`; a larger one (below 2^16 in magnitude) is
    /// ⌊c/2⌋ in `half` and its remainder (0 or ±1) in `single`.
    @usableFromInline
    struct OutputLanes {
        @usableFromInline var single: (r: Samples, g: Samples, b: Samples)
        @usableFromInline var half: (r: Samples, g: Samples, b: Samples)
        @usableFromInline var offset: Sums

        @inlinable
        init(_ c: SIMD4<Int32>) {
            @inline(__always) func split(_ v: Int32) -> (Samples, Samples) {
                if v >= -32768 && v <= 32767 { return (Samples(repeating: Int16(v)), Samples(repeating: 0)) }
                precondition(v > -65536 && v < 65536, "coefficient beyond the 16-bit kernel's range")
                return (Samples(repeating: Int16(v % 2)), Samples(repeating: Int16(v / 2)))
            }
            let (sr, hr) = split(c.x), (sg, hg) = split(c.y), (sb, hb) = split(c.z)
            single = (sr, sg, sb)
            half = (hr, hg, hb)
            offset = Sums(repeating: c.w)
        }
    }

    /// One output of eight pixels, (cR·R + cG·G + cB·B + offset) >> 16, clamped to 0...255, in 16-bit lanes: the
    /// high halves of the 32-bit sums (`psrad` + `packssdw`; every sum is below 2^25 in magnitude), then the
    /// clamp with shifts and masks.
    @inlinable @inline(__always)
    static func output(_ c: OutputLanes, _ p: Pixels) -> Samples {
        let singles = p.r &* Int16Lanes.widen(c.single.r) &+ p.g &* Int16Lanes.widen(c.single.g)
            &+ p.b &* Int16Lanes.widen(c.single.b)
        let halves = p.r2 &* Int16Lanes.widen(c.half.r) &+ p.g2 &* Int16Lanes.widen(c.half.g)
            &+ p.b2 &* Int16Lanes.widen(c.half.b)
        return clamp255(Int16Lanes.high(singles &+ halves &+ c.offset))
    }

    /// Each lane clamped to 0...255 with shifts and masks (no compares: they become scalar code).
    @inlinable @inline(__always)
    static func clamp255(_ v: Samples) -> Samples {
        let nonNegative = v & ~(v &>> 15)
        return (nonNegative | ((Samples(repeating: 255) &- nonNegative) &>> 15)) & 255
    }

    /// Stores two groups of eight 0...255 lanes as sixteen bytes at `out` (`packuswb`).
    @inlinable @inline(__always)
    static func store16(_ a: Samples, _ b: Samples, _ out: UnsafeMutablePointer<UInt8>) {
        let both = unsafeBitCast(SIMD16<Int16>(lowHalf: a, highHalf: b), to: SIMD32<UInt8>.self).evenHalf
        UnsafeMutableRawPointer(out).storeBytes(of: both, as: SIMD16<UInt8>.self)
    }

    /// Stores eight lanes as eight bytes at `out`.
    @inlinable @inline(__always)
    static func store8(_ a: Samples, _ out: UnsafeMutablePointer<UInt8>) {
        let bytes = unsafeBitCast(SIMD16<Int16>(lowHalf: a, highHalf: a), to: SIMD32<UInt8>.self).evenHalf.lowHalf
        UnsafeMutableRawPointer(out).storeBytes(of: bytes, as: SIMD8<UInt8>.self)
    }

    /// `jfif`'s Y, Cb and Cr of the eight pixels at `p` (24 bytes), with its weights as constants: each output is
    /// two multiply-adds over channel pairs (`pmaddwd`, four pixels per instruction) where the generic kernel needs
    /// six products — G's 38470 split as 19235 + 19235 over both pairs, and the 32768 (0.5 · 2^16) of Cb's B and
    /// Cr's R a shift by 15. The 32-bit sums, hence the outputs, are those of `y`, `cb` and `cr`. No clamp: each
    /// output's weights sum to 1 (see `jfif`), so every sum lies in 0 ..< 256 · 2^16.
    @inlinable @inline(__always)
    static func jfif8(_ p: UnsafePointer<UInt8>) -> (y: Samples, cb: Samples, cr: Samples) {
        let raw = UnsafeRawPointer(p)
        @inline(__always) func word(_ offset: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        let w = SIMD8<UInt32>(word(0), word(3), word(6), word(9), word(12), word(15), word(18), word(20) >> 8)
        // Channels in 32-bit lanes (masked there: masking or shifting 16-bit views made the compiler extract lanes
        // one by one and lose their range, turning the multiplies into 32-bit ones), then as 16-bit lanes.
        let r32 = unsafeBitCast(w & 0xFF, to: Sums.self)
        let g32 = unsafeBitCast((w &>> 8) & 0xFF, to: Sums.self)
        let b32 = unsafeBitCast((w &>> 16) & 0xFF, to: Sums.self)
        @inline(__always) func narrow(_ v: Sums) -> Samples { Int16Lanes.high(v &<< 16) }
        let r = narrow(r32), g = narrow(g32), b = narrow(b32)
        let chromaOffset: Int32 = (128 << 16) + 32767
        let y = Int16Lanes.multiplyAdd(r, 19595, g, 19235) &+ Int16Lanes.multiplyAdd(b, 7471, g, 19235) &+ 32768
        let cb = Int16Lanes.multiplyAdd(r, -11058, g, -21710) &+ (b32 &<< 15) &+ chromaOffset
        let cr = Int16Lanes.multiplyAdd(g, -27439, b, -5329) &+ (r32 &<< 15) &+ chromaOffset
        return (Int16Lanes.high(y), Int16Lanes.high(cb), Int16Lanes.high(cr))
    }

    /// Y, Cb and Cr of `count` pixels (a multiple of 8) of packed RGB at `rgb`, one of each per pixel.
    @inlinable @inline(__always)
    public func convertRow(_ rgb: UnsafePointer<UInt8>, count: Int, y: UnsafeMutablePointer<UInt8>,
                           cb: UnsafeMutablePointer<UInt8>, cr: UnsafeMutablePointer<UInt8>) {
        let cy = OutputLanes(luma), ccb = OutputLanes(blueDifference), ccr = OutputLanes(redDifference)
        precondition(shift == 16, "the row kernels take single pixels (shift 16)")
        var x = 0
        if self == Self.jfif {
            while x < count {
                let o = Self.jfif8(rgb + 3 &* x)
                Self.store8(o.y, y + x); Self.store8(o.cb, cb + x); Self.store8(o.cr, cr + x)
                x &+= 8
            }
            return
        }
        while x < count {
            let p = Pixels(rgb + 3 &* x)
            Self.store8(Self.output(cy, p), y + x)
            Self.store8(Self.output(ccb, p), cb + x)
            Self.store8(Self.output(ccr, p), cr + x)
            x &+= 8
        }
    }

    /// Y of `count` pixels (a multiple of 16) of one row, or of two rows (`bottom`, written to `bottomY`), and
    /// their Cb and Cr downsampled by 2 horizontally, and by 2 vertically when `bottom` is given: each chroma
    /// output is the box mean of the 8-bit chroma of its 2 (or 2×2) pixels with
    /// `ChromaDownsampling.boxAlternatingBias`'s rounding (bias 0, 1 for two samples and 1, 2 for four,
    /// alternating between neighbouring outputs). Writes count / 2 samples to each of `cb` and `cr`. Each pixel is
    /// loaded once for its three outputs.
    @inlinable @inline(__always)
    public func convertRowsBoxDownsampled(_ top: UnsafePointer<UInt8>, _ bottom: UnsafePointer<UInt8>?, count: Int,
                                          y: UnsafeMutablePointer<UInt8>, bottomY: UnsafeMutablePointer<UInt8>,
                                          cb: UnsafeMutablePointer<UInt8>, cr: UnsafeMutablePointer<UInt8>) {
        let cy = OutputLanes(luma), ccb = OutputLanes(blueDifference), ccr = OutputLanes(redDifference)
        precondition(self.shift == 16, "the row kernels take single pixels (shift 16)")
        let bias: Samples = bottom == nil ? [0, 1, 0, 1, 0, 1, 0, 1] : [1, 2, 1, 2, 1, 2, 1, 2]
        let shift: Int16 = bottom == nil ? 1 : 2
        /// Sums of horizontal neighbours, lanes (0+1, 2+3, ...) of a then of b: each pair of 16-bit lanes read as
        /// one 32-bit lane (both halves are 0...510) and its halves added.
        @inline(__always) func pairSums(_ a: Samples, _ b: Samples) -> Samples {
            let a32 = unsafeBitCast(a, to: SIMD4<Int32>.self), b32 = unsafeBitCast(b, to: SIMD4<Int32>.self)
            let sums = Sums(lowHalf: (a32 & 0xFFFF) &+ (a32 &>> 16), highHalf: (b32 & 0xFFFF) &+ (b32 &>> 16))
            return unsafeBitCast(sums, to: SIMD16<Int16>.self).evenHalf
        }
        /// Y of 16 pixels stored, their clamped Cb and Cr returned.
        let isJFIF = self == Self.jfif
        @inline(__always) func pixels16(_ p: UnsafePointer<UInt8>, _ yOut: UnsafeMutablePointer<UInt8>)
            -> (cb0: Samples, cb1: Samples, cr0: Samples, cr1: Samples) {
            if isJFIF {
                let low = Self.jfif8(p), high = Self.jfif8(p + 24)
                Self.store16(low.y, high.y, yOut)
                return (low.cb, high.cb, low.cr, high.cr)
            }
            let low = Pixels(p), high = Pixels(p + 24)
            Self.store16(Self.output(cy, low), Self.output(cy, high), yOut)
            return (Self.output(ccb, low), Self.output(ccb, high),
                    Self.output(ccr, low), Self.output(ccr, high))
        }
        var x = 0
        while x < count {
            var c = pixels16(top + 3 &* x, y + x)
            if let bottom {
                let d = pixels16(bottom + 3 &* x, bottomY + x)
                c.cb0 &+= d.cb0; c.cb1 &+= d.cb1; c.cr0 &+= d.cr0; c.cr1 &+= d.cr1
            }
            Self.store8((pairSums(c.cb0, c.cb1) &+ bias) &>> shift, cb + x / 2)
            Self.store8((pairSums(c.cr0, c.cr1) &+ bias) &>> shift, cr + x / 2)
            x &+= 16
        }
    }
}

extension FixedPointRGBToYCbCr {
    /// Y of two rows of `count` pixels (a multiple of 16) of packed RGB, and the Cb and Cr of each 2×2 block
    /// converted from the block's summed R, G and B with `forSumsOfFour` (the VP8 encoder's 4:2:0 chroma):
    /// count / 2 samples to each of `cb` and `cr`. `bottom` may equal `top` (an odd last row: its Y is written
    /// twice, its pixels counted twice, as the scalar conversion does). Bit-identical to `y` per pixel and to
    /// `forSumsOfFour.cb`/`cr` per block: the same 32-bit sums (each below 2^26), shift and clamp. The summed
    /// channels are below 2^10 and every chroma weight fits 16 bits, so the products stay `pmaddwd`s.
    @inlinable @inline(__always)
    public func convertRowPairSummedChroma(_ top: UnsafePointer<UInt8>, _ bottom: UnsafePointer<UInt8>, count: Int,
                                           y: UnsafeMutablePointer<UInt8>, bottomY: UnsafeMutablePointer<UInt8>,
                                           cb: UnsafeMutablePointer<UInt8>, cr: UnsafeMutablePointer<UInt8>) {
        precondition(shift == 16, "the row kernels take single pixels (shift 16)")
        let sums = forSumsOfFour
        let cy = OutputLanes(luma), ccb = OutputLanes(sums.blueDifference), ccr = OutputLanes(sums.redDifference)
        precondition(ccb.half == (Samples(), Samples(), Samples()) && ccr.half == (Samples(), Samples(), Samples()),
                     "chroma weights beyond 16 bits")
        let extraShift = sums.shift - 16
        /// Lanes (0+1, 2+3, 4+5, 6+7) of a, then of b.
        @inline(__always) func pairSums(_ a: Sums, _ b: Sums) -> Sums {
            Sums(a[0], a[2], a[4], a[6], b[0], b[2], b[4], b[6]) &+ Sums(a[1], a[3], a[5], a[7], b[1], b[3], b[5], b[7])
        }
        /// (cR·R + cG·G + cB·B + offset) >> (16 + extraShift), clamped to 0...255, for eight summed blocks.
        /// The sums pass through 16-bit lanes (exact: they are below 2^10) so that the compiler sees 16-bit
        /// factors; the pair sums' shuffles otherwise hide their range and the products become emulated 32-bit ones.
        @inline(__always) func chroma(_ c: OutputLanes, _ r: Samples, _ g: Samples, _ b: Samples) -> Samples {
            let total = Int16Lanes.widen(r) &* Int16Lanes.widen(c.single.r)
                &+ Int16Lanes.widen(g) &* Int16Lanes.widen(c.single.g)
                &+ Int16Lanes.widen(b) &* Int16Lanes.widen(c.single.b) &+ c.offset
            return Self.clamp255(Int16Lanes.high(total &>> Sums.Scalar(extraShift)))
        }
        var x = 0
        while x < count {
            let topLow = Pixels(top + 3 &* x), topHigh = Pixels(top + (3 &* x &+ 24))
            let bottomLow = Pixels(bottom + 3 &* x), bottomHigh = Pixels(bottom + (3 &* x &+ 24))
            Self.store16(Self.output(cy, topLow), Self.output(cy, topHigh), y + x)
            Self.store16(Self.output(cy, bottomLow), Self.output(cy, bottomHigh), bottomY + x)
            @inline(__always) func narrow(_ v: Sums) -> Samples { Int16Lanes.high(v &<< 16) }
            let r = narrow(pairSums(topLow.r &+ bottomLow.r, topHigh.r &+ bottomHigh.r))
            let g = narrow(pairSums(topLow.g &+ bottomLow.g, topHigh.g &+ bottomHigh.g))
            let b = narrow(pairSums(topLow.b &+ bottomLow.b, topHigh.b &+ bottomHigh.b))
            Self.store8(chroma(ccb, r, g, b), cb + x / 2)
            Self.store8(chroma(ccr, r, g, b), cr + x / 2)
            x &+= 16
        }
    }
}
