import Raster
import Glibc

/// Quantizer steps of one segment (RFC 6386 section 14.1 and the dequantization factors of section 9.6), with
/// the rounding biases and rate-distortion multipliers this encoder uses at that step size.
struct VP8SegmentQuantizer {
    let index: Int
    /// (DC, AC) steps for luma, the second-order luma DC block, and chroma.
    let y1: (dc: Int32, ac: Int32)
    let y2: (dc: Int32, ac: Int32)
    let uv: (dc: Int32, ac: Int32)
    /// Multipliers λ (distortion in squared 8-bit units per bit), times 16, for each decision.
    let lambda16: Int64, lambda4: Int64, lambdaUV: Int64, lambdaMode: Int64
    var filterLevel: Int = 0

    static let uvDCDelta = -2
    static let tuneLambda: Double = 1

    init(index q: Int, uvACDelta: Int = 0, lambdaScale: Double = 1.0) {
        index = q
        func dcStep(_ i: Int) -> Int32 { VP8Tables.dcQuantizer[min(max(i, 0), 127)] }
        func acStep(_ i: Int) -> Int32 { VP8Tables.acQuantizer[min(max(i, 0), 127)] }
        y1 = (dcStep(q), acStep(q))
        y2 = (dcStep(q) * 2, max(acStep(q) * 155 / 100, 8))
        uv = (min(dcStep(q + VP8SegmentQuantizer.uvDCDelta), 132), acStep(q + uvACDelta))
        // Classic high-rate RD: λ grows with the square of the step. Constants tuned on the corpus.
        let s = Double(y1.ac)
        let base = s * s * lambdaScale * VP8SegmentQuantizer.tuneLambda
        lambda16 = Int64(max(1.0, base * 0.16 * 16))
        lambda4 = Int64(max(1.0, base * 0.09 * 16))
        lambdaUV = Int64(max(1.0, Double(uv.ac) * Double(uv.ac) * lambdaScale * 0.12 * 16))
        lambdaMode = lambda4
    }

    /// Maps the 0–100 quality scale to a base quantizer index with the curve cwebp uses, so that the same
    /// number gives comparable files: quality is made roughly linear in compression, then cube-rooted.
    static func baseCompression(quality: Int) -> Double {
        let c = Double(min(max(quality, 0), 100)) / 100.0
        let linear = c < 0.75 ? c * (2.0 / 3.0) : 2.0 * c - 1.0
        return cbrt(linear)
    }

    /// Index for one segment: `exponent` below 1 lowers the quantizer (flat, sensitive areas), above 1 raises it.
    static func index(compression: Double, exponent: Double) -> Int {
        let c = pow(compression, exponent)
        return min(max(Int(127.0 * (1.0 - c)), 0), 127)
    }
}

/// Deadzone quantization of one 4x4 block: levels in scan order and dequantized coefficients in raster order.
enum VP8Quantize {
    /// Rounding offsets in 1/256 of a step (below one half: small coefficients fall to zero, saving rate).
    static let biasDC: Int32 = 96, biasAC: Int32 = 104

    /// Quantizes `coefficients` (raster order) from scan position `first`; returns whether any level is non-zero.
    @inline(__always)
    static func block(_ coefficients: UnsafePointer<Int32>, first: Int, dc: Int32, ac: Int32,
                      levels: UnsafeMutablePointer<Int16>, dequantized: UnsafeMutablePointer<Int32>) -> Bool {
        var any = false
        if first == 1 { levels[0] = 0 }
        let zigzag = zigzagTable
        // level = floor((|c|·256 + bias·step) / (256·step)), by multiplication with a 32-bit reciprocal (an
        // off-by-one in rare ties only changes which level we pick, never what the decoder rebuilds).
        let dcInverse = (UInt64(1) << 32) / UInt64(dc * 256) + 1, acInverse = (UInt64(1) << 32) / UInt64(ac * 256) + 1
        let dcBias = UInt64(biasDC * dc), acBias = UInt64(biasAC * ac)
        for n in first..<16 {
            let pos = zigzag[n]
            let isDC = pos == 0
            let step = isDC ? dc : ac
            let c = coefficients[pos]
            let m = UInt64(c < 0 ? -c : c)
            var level = Int32(truncatingIfNeeded: (((m << 8) &+ (isDC ? dcBias : acBias)) &* (isDC ? dcInverse : acInverse)) >> 32)
            if level > Int32(VP8Tokens.maxLevel) { level = Int32(VP8Tokens.maxLevel) }
            let signed = c < 0 ? -level : level
            levels[n] = Int16(truncatingIfNeeded: signed)
            dequantized[pos] = signed &* step
            if level != 0 { any = true }
        }
        return any
    }

    /// The zigzag order (section 13) as a raw table, to keep bounds checks out of the hot loop.
    static let zigzagTable: UnsafePointer<Int> = {
        let p = UnsafeMutablePointer<Int>.allocate(capacity: 16)
        for i in 0..<16 { p[i] = VP8Tokens.zigzag[i] }
        return UnsafePointer(p)
    }()
}
