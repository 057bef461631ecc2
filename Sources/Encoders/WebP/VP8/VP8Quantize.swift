/// One dequantisation matrix of RFC 6386 section 14.1 (a DC step and an AC step) with the encoder's rounding:
/// a level is `floor(|c|/step + bias)` computed in 17-bit fixed point, so a bias below one half is a dead zone
/// that sends small coefficients to zero where they cost more bits than the error they remove.
struct VP8QuantMatrix {
    /// Fixed-point precision of `reciprocal` and `bias`.
    static let fractionBits: Int32 = 17

    /// Per raster position (DC at 0): step, reciprocal (2^17 / step), rounding bias (2^17 units), the largest
    /// magnitude that still quantises to zero, and a sharpening offset added to |coefficient| before quantising
    /// (lifts high-frequency luma detail that would otherwise round away; 0 for DC and non-luma matrices).
    let step: SIMD16<Int32>
    let reciprocal: SIMD16<Int32>
    let bias: SIMD16<Int32>
    let zeroThreshold: SIMD16<Int32>
    let sharpen: SIMD16<Int32>

    /// `dcBias`/`acBias` in 1/256 of a step; `sharpening` in 1/2048 of a step per unit of (row + column), capped at 3.
    init(dc: Int32, ac: Int32, dcBias: Int, acBias: Int, sharpening: Int = 0) {
        var step = SIMD16<Int32>(repeating: ac), reciprocal = SIMD16<Int32>(repeating: 0)
        var bias = SIMD16<Int32>(repeating: 0), zero = SIMD16<Int32>(repeating: 0), sharpen = SIMD16<Int32>(repeating: 0)
        step[0] = dc
        let one = Int32(1) << VP8QuantMatrix.fractionBits
        for i in 0..<16 {
            reciprocal[i] = one / step[i]
            bias[i] = Int32(i == 0 ? dcBias : acBias) << (VP8QuantMatrix.fractionBits - 8)
            zero[i] = (one - 1 - bias[i]) / reciprocal[i]
            if i > 0 && sharpening > 0 { sharpen[i] = Int32(sharpening * min((i >> 2) + (i & 3), 3)) * ac >> 11 }
        }
        self.step = step; self.reciprocal = reciprocal; self.bias = bias; self.zeroThreshold = zero
        self.sharpen = sharpen
    }

    /// Mean step over the 16 positions: the scale of the rate-distortion multipliers.
    var meanStep: Int { (Int(step[0]) + 15 * Int(step[1]) + 8) >> 4 }
}

/// Quantisation of 4x4 blocks of transform coefficients.
enum VP8Quantize {
    /// Largest magnitude a token can carry (DCT_CAT6: 67 + 11 extra bits, RFC 6386 section 13.2).
    static let maxLevel: Int32 = 2047

    /// Quantises `coefficients` (raster order) from scan position `first` (1 for luma blocks whose DC goes to Y2):
    /// writes levels in scan order to `levels` and replaces each coefficient by its dequantised value (what the
    /// decoder will rebuild). Returns whether any level is non-zero.
    @inline(__always)
    static func block(_ coefficients: UnsafeMutablePointer<Int32>, first: Int, matrix m: VP8QuantMatrix,
                      levels: UnsafeMutablePointer<Int16>) -> Bool {
        let c = UnsafeRawPointer(coefficients).loadUnaligned(as: SIMD16<Int32>.self)
        let sign = c.signMask
        let magnitude = c.magnitude &+ m.sharpen
        // Zero where |c| + sharpen ≤ threshold (the mask is all ones where threshold − magnitude < 0).
        var positions = SIMD16<Int32>(repeating: -1)
        if first == 1 { positions[0] = 0 }
        let keep = (m.zeroThreshold &- magnitude).signMask & positions
        let level = (((magnitude &* m.reciprocal &+ m.bias) &>> fractionBits) & keep)
            .minimum(SIMD16(repeating: maxLevel))
        let signed = level.withSign(sign)
        UnsafeMutableRawPointer(coefficients).storeBytes(of: signed &* m.step, as: SIMD16<Int32>.self)
        storeZigzag(signed, levels)
        return level.wrappedSum() != 0
    }

    /// `levels[n] = values[zigzag[n]]` (RFC 6386 section 13 scan order) with the indices as constants.
    @inline(__always)
    static func storeZigzag(_ v: SIMD16<Int32>, _ levels: UnsafeMutablePointer<Int16>) {
        levels[0] = Int16(truncatingIfNeeded: v[0]); levels[1] = Int16(truncatingIfNeeded: v[1])
        levels[2] = Int16(truncatingIfNeeded: v[4]); levels[3] = Int16(truncatingIfNeeded: v[8])
        levels[4] = Int16(truncatingIfNeeded: v[5]); levels[5] = Int16(truncatingIfNeeded: v[2])
        levels[6] = Int16(truncatingIfNeeded: v[3]); levels[7] = Int16(truncatingIfNeeded: v[6])
        levels[8] = Int16(truncatingIfNeeded: v[9]); levels[9] = Int16(truncatingIfNeeded: v[12])
        levels[10] = Int16(truncatingIfNeeded: v[13]); levels[11] = Int16(truncatingIfNeeded: v[10])
        levels[12] = Int16(truncatingIfNeeded: v[7]); levels[13] = Int16(truncatingIfNeeded: v[11])
        levels[14] = Int16(truncatingIfNeeded: v[14]); levels[15] = Int16(truncatingIfNeeded: v[15])
    }

    private static let fractionBits = VP8QuantMatrix.fractionBits

    /// Quantises one DC value with the matrix's DC rounding; returns (dequantised value, error = value − dequantised).
    @inline(__always)
    static func dc(_ value: Int32, matrix m: VP8QuantMatrix) -> (Int32, Int32) {
        let magnitude = value < 0 ? -value : value
        var q: Int32 = 0
        if magnitude > m.zeroThreshold[0] {
            q = min((magnitude &* m.reciprocal[0] &+ m.bias[0]) >> fractionBits, maxLevel) * m.step[0]
        }
        let signed = value < 0 ? -q : q
        return (signed, value - signed)
    }
}
