/// Row kernels of `FixedPointRGBToYCbCr` in SIMD lanes: whole rows of packed RGB (3 bytes per pixel) to Y, Cb and
/// Cr, or to Y and box-downsampled Cb/Cr (`ChromaDownsampling.boxAlternatingBias` fused with the conversion, so
/// no full-resolution chroma plane is ever stored). Every output is bit-identical to the per-pixel `y`/`cb`/`cr`
/// and to the separate downsampler: the same 32-bit sums, shift, clamp and biases, eight pixels per step. Used by
/// the JPEG encoder, one MCU row at a time.
///
/// Written for SSE2 (the x86-64 baseline) as the JPEG decoder's kernels are: samples in 16-bit lanes, each
/// product a 16-bit × 16-bit multiply into 32 bits (`pmaddwd`), a coefficient that does not fit 16 bits taken as
/// twice its half (plus the sample when odd); results narrowed with signed saturation and packed to bytes with
/// unsigned saturation, which is the clamp to 0...255.
extension FixedPointRGBToYCbCr {
    public typealias Samples = SIMD8<Int16>
    public typealias Sums = SIMD8<Int32>

    /// Eight bytes as 16-bit lanes (`punpcklbw` with zero).
    @inlinable @inline(__always)
    static func widenBytes(_ b: SIMD8<UInt8>) -> Samples {
        let z: UInt8 = 0
        return unsafeBitCast(SIMD16<UInt8>(b[0], z, b[1], z, b[2], z, b[3], z, b[4], z, b[5], z, b[6], z, b[7], z),
                             to: Samples.self)
    }

    /// Sign-extends each lane to 32 bits (interleave above zero, arithmetic shift back).
    @inlinable @inline(__always)
    static func widen(_ a: Samples) -> Sums {
        let z: Int16 = 0
        let spread = SIMD16<Int16>(z, a[0], z, a[1], z, a[2], z, a[3], z, a[4], z, a[5], z, a[6], z, a[7])
        return unsafeBitCast(spread, to: Sums.self) &>> 16
    }

    /// R, G and B of the eight pixels at `p` (24 bytes) in 16-bit lanes: each pixel's 32-bit word (the last one
    /// read from a byte earlier and shifted, so nothing past the 24 bytes is read), then masks and shifts in
    /// 32-bit lanes and a narrowing pack.
    @inlinable @inline(__always)
    static func load8(_ p: UnsafePointer<UInt8>) -> (r: Samples, g: Samples, b: Samples) {
        let raw = UnsafeRawPointer(p)
        @inline(__always) func word(_ offset: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        let pixels = SIMD8<UInt32>(word(0), word(3), word(6), word(9), word(12), word(15), word(18), word(20) >> 8)
        @inline(__always) func channel(_ shift: UInt32) -> Samples {
            let lanes = unsafeBitCast((pixels &>> shift) & 0xFF, to: SIMD16<Int16>.self)
            return lanes.evenHalf
        }
        return (channel(0), channel(8), channel(16))
    }

    /// One output's coefficients as 16-bit lanes: a coefficient outside the Int16 range is stored halved (rounded
    /// toward zero), with `doubled` 2, and multiplies the doubled sample instead (samples are below 2^8, so 2x fits
    /// 16 bits); when it is odd, `odd` selects the sample once more (`hasOdd`: any such coefficient). Runtime
    /// lane values on purpose: a 16-bit × 16-bit product into 32 bits is then `pmullw`/`pmulhw`, where a constant
    /// above 2^15 would make the compiler emulate a 32-bit multiply.
    @usableFromInline
    struct OutputLanes {
        @usableFromInline var r: Samples, g: Samples, b: Samples
        /// 2 where the coefficient is stored halved (the sample is multiplied by it first), else 1.
        @usableFromInline var doubled: (r: Samples, g: Samples, b: Samples)
        /// All ones where a halved coefficient was odd (its sample is added once more), else 0.
        @usableFromInline var odd: (r: Samples, g: Samples, b: Samples)
        @usableFromInline var hasOdd: Bool
        @usableFromInline var offset: Sums

        @inlinable
        init(_ c: SIMD4<Int32>) {
            // Coefficients are below 2^16 in magnitude (the matrix scaled by 2^16); an odd one beyond 16 bits must
            // be positive here (the sample is added, not subtracted), which holds for every variant.
            @inline(__always) func lane(_ v: Int32) -> (Samples, Samples, Samples) {
                if v >= -32768 && v <= 32767 { return (Samples(repeating: Int16(v)), Samples(repeating: 1), Samples(repeating: 0)) }
                precondition(v > 0 && v < 65536, "coefficient beyond the 16-bit kernel's range")
                return (Samples(repeating: Int16(v / 2)), Samples(repeating: 2), Samples(repeating: v % 2 == 0 ? 0 : -1))
            }
            let (r, dr, or) = lane(c.x), (g, dg, og) = lane(c.y), (b, db, ob) = lane(c.z)
            self.r = r; self.g = g; self.b = b
            doubled = (dr, dg, db)
            odd = (or, og, ob)
            hasOdd = or[0] != 0 || og[0] != 0 || ob[0] != 0
            offset = Sums(repeating: c.w)
        }
    }

    /// x · c in 32-bit lanes (exact).
    @inlinable @inline(__always)
    static func product(_ x: Samples, _ c: Samples, doubled: Samples) -> Sums {
        widen(x &* doubled) &* widen(c)
    }

    /// One output of eight pixels, (cR·R + cG·G + cB·B + offset) >> shift, in 32-bit lanes (not clamped).
    @inlinable @inline(__always)
    static func sums(_ c: OutputLanes, _ shift: Sums, _ r: Samples, _ g: Samples, _ b: Samples, odd: Bool) -> Sums {
        var sum = product(r, c.r, doubled: c.doubled.r) &+ product(g, c.g, doubled: c.doubled.g)
            &+ product(b, c.b, doubled: c.doubled.b) &+ c.offset
        if odd { sum &+= widen((r & c.odd.r) &+ (g & c.odd.g) &+ (b & c.odd.b)) }
        return sum &>> shift
    }

    /// Lanes narrowed to 16 bits (their values fit: sums of products below 2^25 shifted by 16) and clamped to
    /// 0...255.
    @inlinable @inline(__always)
    static func clampNarrow(_ v: Sums) -> Samples {
        let narrow = unsafeBitCast(v, to: SIMD16<Int16>.self).evenHalf
        let nonNegative = narrow & ~(narrow &>> 15)
        return nonNegative | ((Samples(repeating: 255) &- nonNegative) &>> 15) & 255
    }

    /// One clamped output (0...255 in 16-bit lanes) of eight pixels.
    @inlinable @inline(__always)
    static func output(_ c: OutputLanes, _ shift: Sums, _ r: Samples, _ g: Samples, _ b: Samples, odd: Bool) -> Samples {
        clampNarrow(sums(c, shift, r, g, b, odd: odd))
    }

    /// Stores two groups of eight 0...255 lanes as sixteen bytes at `out` (`packuswb`).
    @inlinable @inline(__always)
    static func store16(_ a: Samples, _ b: Samples, _ out: UnsafeMutablePointer<UInt8>) {
        let both = unsafeBitCast(SIMD16<Int16>(lowHalf: a, highHalf: b), to: SIMD32<UInt8>.self).evenHalf
        UnsafeMutableRawPointer(out).storeBytes(of: both, as: SIMD16<UInt8>.self)
    }

    /// Stores eight 0...255 lanes as eight bytes at `out`.
    @inlinable @inline(__always)
    static func store8(_ a: Samples, _ out: UnsafeMutablePointer<UInt8>) {
        let bytes = unsafeBitCast(a, to: SIMD16<UInt8>.self).evenHalf
        UnsafeMutableRawPointer(out).storeBytes(of: bytes, as: SIMD8<UInt8>.self)
    }

    /// Y, Cb and Cr of `count` pixels (a multiple of 8) of packed RGB at `rgb`, one of each per pixel.
    @inlinable @inline(__always)
    public func convertRow(_ rgb: UnsafePointer<UInt8>, count: Int, y: UnsafeMutablePointer<UInt8>,
                           cb: UnsafeMutablePointer<UInt8>, cr: UnsafeMutablePointer<UInt8>) {
        let cy = OutputLanes(luma), ccb = OutputLanes(blueDifference), ccr = OutputLanes(redDifference)
        let shift = Sums(repeating: self.shift)
        // The loop twice, with and without the odd-coefficient term, so that the common case does not pay for it.
        @inline(__always) func run(_ odd: Bool) {
            var x = 0
            while x < count {
                let (r, g, b) = Self.load8(rgb + 3 &* x)
                Self.store8(Self.output(cy, shift, r, g, b, odd: odd), y + x)
                Self.store8(Self.output(ccb, shift, r, g, b, odd: odd), cb + x)
                Self.store8(Self.output(ccr, shift, r, g, b, odd: odd), cr + x)
                x &+= 8
            }
        }
        if cy.hasOdd || ccb.hasOdd || ccr.hasOdd { run(true) } else { run(false) }
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
        let outputShift = Sums(repeating: self.shift)
        let bias: Samples = bottom == nil ? [0, 1, 0, 1, 0, 1, 0, 1] : [1, 2, 1, 2, 1, 2, 1, 2]
        let shift: Int16 = bottom == nil ? 1 : 2
        /// Sums of horizontal neighbours: lanes (0+1, 2+3, ...) of a then of b.
        @inline(__always) func pairSums(_ a: Samples, _ b: Samples) -> Samples {
            let both = SIMD16<Int16>(lowHalf: a, highHalf: b)
            return both.evenHalf &+ both.oddHalf
        }
        /// Y of 16 pixels stored, their clamped Cb and Cr returned.
        @inline(__always) func pixels16(_ p: UnsafePointer<UInt8>, _ yOut: UnsafeMutablePointer<UInt8>, odd: Bool)
            -> (cb0: Samples, cb1: Samples, cr0: Samples, cr1: Samples) {
            let (rl, gl, bl) = Self.load8(p)
            let (rh, gh, bh) = Self.load8(p + 24)
            Self.store16(Self.output(cy, outputShift, rl, gl, bl, odd: odd), Self.output(cy, outputShift, rh, gh, bh, odd: odd), yOut)
            return (Self.output(ccb, outputShift, rl, gl, bl, odd: odd), Self.output(ccb, outputShift, rh, gh, bh, odd: odd),
                    Self.output(ccr, outputShift, rl, gl, bl, odd: odd), Self.output(ccr, outputShift, rh, gh, bh, odd: odd))
        }
        // The loop twice, with and without the odd-coefficient term, so that the common case does not pay for it.
        @inline(__always) func run(_ odd: Bool) {
            var x = 0
            while x < count {
                var c = pixels16(top + 3 &* x, y + x, odd: odd)
                if let bottom {
                    let d = pixels16(bottom + 3 &* x, bottomY + x, odd: odd)
                    c.cb0 &+= d.cb0; c.cb1 &+= d.cb1; c.cr0 &+= d.cr0; c.cr1 &+= d.cr1
                }
                Self.store8((pairSums(c.cb0, c.cb1) &+ bias) &>> shift, cb + x / 2)
                Self.store8((pairSums(c.cr0, c.cr1) &+ bias) &>> shift, cr + x / 2)
                x &+= 16
            }
        }
        if cy.hasOdd || ccb.hasOdd || ccr.hasOdd { run(true) } else { run(false) }
    }
}
