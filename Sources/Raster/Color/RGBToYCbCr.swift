/// RGB → Y'CbCr, the one forward conversion every lossy encoder uses. The matrix and range are data; each codec's
/// exact arithmetic is a named instance, so every encoder keeps its historical output bit for bit.
///
/// Fixed point: each output is (cR·R + cG·G + cB·B + offset) >> shift, clamped to 0...255 — the coefficients are
/// the matrix entries scaled by 2^16 (and by the range's scale for limited range), the offset carries the output's
/// offset (0, 16 or 128, times 2^shift) and the codec's rounding. `shift` is 16 for single pixels (a variant whose
/// inputs are sums of several pixels shifts by more). The named instances are inlinable values, so a
/// codec's loop sees the coefficients as constants, as when each codec spelled them out.
public struct FixedPointRGBToYCbCr: Sendable, Equatable {
    /// (cR, cG, cB, offset) of each output.
    public var luma: SIMD4<Int32>
    public var blueDifference: SIMD4<Int32>
    public var redDifference: SIMD4<Int32>
    /// Right shift of the sums (16 for single pixels).
    public var shift: Int32

    @inlinable
    public init(luma: SIMD4<Int32>, blueDifference: SIMD4<Int32>, redDifference: SIMD4<Int32>, shift: Int32 = 16) {
        self.luma = luma; self.blueDifference = blueDifference; self.redDifference = redDifference; self.shift = shift
    }

    @inlinable @inline(__always)
    func apply(_ c: SIMD4<Int32>, _ r: Int32, _ g: Int32, _ b: Int32) -> UInt8 {
        let v = (c.x &* r &+ c.y &* g &+ c.z &* b &+ c.w) &>> shift
        return UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v))
    }

    @inlinable @inline(__always)
    public func y(_ r: Int32, _ g: Int32, _ b: Int32) -> UInt8 { apply(luma, r, g, b) }
    @inlinable @inline(__always)
    public func cb(_ r: Int32, _ g: Int32, _ b: Int32) -> UInt8 { apply(blueDifference, r, g, b) }
    @inlinable @inline(__always)
    public func cr(_ r: Int32, _ g: Int32, _ b: Int32) -> UInt8 { apply(redDifference, r, g, b) }

    /// The same conversion for inputs that are sums of four pixels (a 2×2 block, no averaging first): two more
    /// bits of shift and the offsets scaled to match, so the block mean is converted with two extra bits of
    /// precision. Gives chroma only (luma is per pixel). Used by the VP8 encoder's 4:2:0 chroma.
    @inlinable
    public var forSumsOfFour: FixedPointRGBToYCbCr {
        FixedPointRGBToYCbCr(luma: luma, blueDifference: blueDifference &* SIMD4(1, 1, 1, 4),
                             redDifference: redDifference &* SIMD4(1, 1, 1, 4), shift: shift + 2)
    }

    /// JFIF 1.02 §7 (ITU-R BT.601 matrix, full range): Y = 0.299R + 0.587G + 0.114B, Cb = 128 + (B − Y)/1.772,
    /// Cr = 128 + (R − Y)/1.402, each weight as round(w · 2^16) like libjpeg's FIX() (0.299 → 19595, 0.587 → 38470,
    /// 0.114 → 7471, 0.168735892 → 11058, 0.331264108 → 21710, 0.5 → 32768, 0.418687589 → 27439,
    /// 0.081312411 → 5329), with libjpeg's rounding (luma + ½; chroma + ½ − 2^-16, so a chroma of exactly x.5
    /// rounds down). The weights of each output sum to 1, so the clamp never acts. Used by the JPEG encoder.
    @inlinable
    public static var jfif: FixedPointRGBToYCbCr {
        FixedPointRGBToYCbCr(luma: [19595, 38470, 7471, 32768],
                             blueDifference: [-11058, -21710, 32768, (128 << 16) + 32767],
                             redDifference: [32768, -27439, -5329, (128 << 16) + 32767])
    }

    /// ITU-R BT.601 matrix, limited range (Y 16–235, Cb/Cr 16–240), rounded half up: the matrix VP8 decoders assume
    /// (RFC 6386 §9.2 refers to BT.601) with libwebp's 16-bit coefficients. Y = 16 + 219·Y'/255,
    /// Cb/Cr = 128 + 224·(B − Y' or R − Y')/(255 · 1.772 or 1.402). Used by the VP8 encoder.
    @inlinable
    public static var bt601Limited: FixedPointRGBToYCbCr {
        FixedPointRGBToYCbCr(luma: [16829, 33039, 6416, (16 << 16) + (1 << 15)],
                             blueDifference: [-9714, -19071, 28784, (128 << 16) + (1 << 15)],
                             redDifference: [28784, -24103, -4681, (128 << 16) + (1 << 15)])
    }
}

/// RGB → Y'CbCr in single-precision floating point, rounded to the nearest 8-bit code at the end:
/// Y = kR·R + kG·G + kB·B, Cb = offset + (B − Y) / cbDivisor, Cr = offset + (R − Y) / crDivisor. Chroma stays in
/// Float until it is downsampled (`ChromaDownsampling.averageFloat`). Used by the AV1 encoder.
public struct FloatRGBToYCbCr: Sendable, Equatable {
    public var kR: Float, kG: Float, kB: Float
    public var cbDivisor: Float, crDivisor: Float
    public var chromaOffset: Float

    @inlinable
    public init(kR: Float, kG: Float, kB: Float, cbDivisor: Float, crDivisor: Float, chromaOffset: Float) {
        self.kR = kR; self.kG = kG; self.kB = kB
        self.cbDivisor = cbDivisor; self.crDivisor = crDivisor; self.chromaOffset = chromaOffset
    }

    /// ITU-R BT.601 matrix, full range (H.273 MatrixCoefficients 6 with VideoFullRangeFlag 1).
    @inlinable
    public static var bt601Full: FloatRGBToYCbCr {
        FloatRGBToYCbCr(kR: 0.299, kG: 0.587, kB: 0.114, cbDivisor: 1.772, crDivisor: 1.402, chromaOffset: 128)
    }

    @inlinable @inline(__always)
    public func luma(_ r: Float, _ g: Float, _ b: Float) -> Float { kR * r + kG * g + kB * b }
    @inlinable @inline(__always)
    public func cb(_ b: Float, luma y: Float) -> Float { (b - y) / cbDivisor + chromaOffset }
    @inlinable @inline(__always)
    public func cr(_ r: Float, luma y: Float) -> Float { (r - y) / crDivisor + chromaOffset }

    /// A Float sample rounded to the nearest code, clamped to 0...255.
    @inlinable @inline(__always)
    public static func code(_ v: Float) -> UInt8 { UInt8(min(max(v.rounded(), 0), 255)) }

    /// Y (8-bit) and full-resolution Cb, Cr (Float) planes of interleaved RGB samples with `channels` per pixel.
    @inlinable
    public func planes(_ s: UnsafeBufferPointer<UInt8>, channels ch: Int, count n: Int)
        -> (y: [UInt8], cb: [Float], cr: [Float]) {
        var y = [UInt8](repeating: 0, count: n)
        var cb = [Float](repeating: 0, count: n), cr = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let r = Float(s[i * ch]), g = Float(s[i * ch + 1]), b = Float(s[i * ch + 2])
            let yy = luma(r, g, b)
            y[i] = Self.code(yy)
            cb[i] = self.cb(b, luma: yy)
            cr[i] = self.cr(r, luma: yy)
        }
        return (y, cb, cr)
    }
}

/// The identity matrix (H.273 MatrixCoefficients 0): RGB coded as G, B, R planes, as AV1's lossless RGB needs.
public enum IdentityPlanes {
    /// G, B and R planes of interleaved RGB samples with `channels` per pixel.
    public static func gbr(_ s: UnsafeBufferPointer<UInt8>, channels ch: Int, count n: Int) -> [[UInt8]] {
        var g = [UInt8](repeating: 0, count: n), b = g, r = g
        for i in 0..<n { r[i] = s[i * ch]; g[i] = s[i * ch + 1]; b[i] = s[i * ch + 2] }
        return [g, b, r]
    }

    /// The first sample of each pixel (gray of a gray or gray+alpha raster).
    public static func first(_ s: UnsafeBufferPointer<UInt8>, channels ch: Int, count n: Int) -> [UInt8] {
        var y = [UInt8](repeating: 0, count: n)
        for i in 0..<n { y[i] = s[i * ch] }
        return y
    }
}
