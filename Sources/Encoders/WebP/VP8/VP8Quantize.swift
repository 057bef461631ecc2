/// One dequantisation matrix of RFC 6386 section 14.1 (a DC step and an AC step) with the encoder's rounding:
/// a level is `floor(|c|/step + bias)` computed in 17-bit fixed point, so a bias below one half is a dead zone
/// that sends small coefficients to zero where they cost more bits than the error they remove.
struct VP8QuantMatrix {
    /// Fixed-point precision of `reciprocal` and `bias`.
    static let fractionBits: UInt32 = 17

    /// Step, reciprocal (2^17 / step), rounding bias (2^17 units) and the largest magnitude that still quantises to
    /// zero, for the DC position [0] and the AC positions [1].
    let step: (dc: Int32, ac: Int32)
    let reciprocal: (dc: UInt32, ac: UInt32)
    let bias: (dc: UInt32, ac: UInt32)
    let zeroThreshold: (dc: UInt32, ac: UInt32)
    /// Added to |coefficient| before quantising, per raster position: lifts high-frequency luma detail that would
    /// otherwise round away (0 for DC and for the non-luma matrices).
    let sharpen: SIMD16<Int32>

    /// `dcBias`/`acBias` in 1/256 of a step; `sharpening` in 1/2048 of a step per unit of (row + column), capped at 3.
    init(dc: Int32, ac: Int32, dcBias: Int, acBias: Int, sharpening: Int = 0) {
        step = (dc, ac)
        func reciprocalOf(_ q: Int32) -> UInt32 { (UInt32(1) << VP8QuantMatrix.fractionBits) / UInt32(q) }
        reciprocal = (reciprocalOf(dc), reciprocalOf(ac))
        let shift = VP8QuantMatrix.fractionBits - 8
        bias = (UInt32(dcBias) << shift, UInt32(acBias) << shift)
        let one = (UInt32(1) << VP8QuantMatrix.fractionBits) - 1
        zeroThreshold = ((one - bias.dc) / reciprocal.dc, (one - bias.ac) / reciprocal.ac)
        var s = SIMD16<Int32>(repeating: 0)
        if sharpening > 0 {
            for i in 1..<16 { s[i] = Int32(sharpening * min((i >> 2) + (i & 3), 3)) * ac >> 11 }
        }
        sharpen = s
    }

    /// Mean step over the 16 positions: the scale of the rate-distortion multipliers.
    var meanStep: Int { (Int(step.dc) + 15 * Int(step.ac) + 8) >> 4 }

    @inline(__always) func level(_ magnitude: UInt32, isDC: Bool) -> Int32 {
        let r = isDC ? reciprocal.dc : reciprocal.ac, b = isDC ? bias.dc : bias.ac
        return Int32(truncatingIfNeeded: (magnitude &* r &+ b) >> VP8QuantMatrix.fractionBits)
    }
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
        var any: Int32 = 0
        if first == 1 { levels[0] = 0; coefficients[0] = 0 }
        let zigzag = VP8Tokens.zigzagPointer
        for n in first..<16 {
            let pos = zigzag[n]
            let c = coefficients[pos]
            let magnitude = UInt32(c < 0 ? -c : c) &+ UInt32(truncatingIfNeeded: m.sharpen[pos])
            let isDC = pos == 0
            var level: Int32 = 0
            if magnitude > (isDC ? m.zeroThreshold.dc : m.zeroThreshold.ac) {
                level = min(m.level(magnitude, isDC: isDC), maxLevel)
            }
            let signed = c < 0 ? -level : level
            levels[n] = Int16(truncatingIfNeeded: signed)
            coefficients[pos] = signed &* (isDC ? m.step.dc : m.step.ac)
            any |= level
        }
        return any != 0
    }

    /// Quantises one DC value with the matrix's DC rounding; returns (dequantised value, error = value − dequantised).
    @inline(__always)
    static func dc(_ value: Int32, matrix m: VP8QuantMatrix) -> (Int32, Int32) {
        let magnitude = UInt32(value < 0 ? -value : value)
        var q: Int32 = 0
        if magnitude > m.zeroThreshold.dc { q = min(m.level(magnitude, isDC: true), maxLevel) * m.step.dc }
        let signed = value < 0 ? -q : q
        return (signed, value - signed)
    }
}
