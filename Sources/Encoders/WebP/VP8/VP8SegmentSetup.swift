import Raster
import Glibc

/// Everything the macroblock decisions of one segment need: its quantiser index, the three dequantisation
/// matrices (RFC 6386 section 9.6 / 14.1), the rate-distortion multipliers and its loop-filter level.
struct VP8SegmentParams {
    var quantIndex: Int
    var y1: VP8QuantMatrix, y2: VP8QuantMatrix, uv: VP8QuantMatrix
    /// Rate multipliers (score = λ·rate + 256·distortion, rate in 1/256 bit, distortion in squared 8-bit units):
    /// choice among 16x16 modes, among subblock modes, among chroma modes, and the 16x16-versus-B_PRED arbitration.
    var lambdaI16: Int64, lambdaI4: Int64, lambdaUV: Int64, lambdaMode: Int64
    /// Rate multipliers of trellis quantisation (weighted squared coefficient error) for B_PRED and 16x16 AC blocks.
    var lambdaTrellisI4: Int64, lambdaTrellisI16: Int64, lambdaTrellisUV: Int64
    /// Rate weight for ranking subblock modes by SATD (SATD·256 + weight·bits/256): √λ_i4 in SATD units.
    var satdLambdaI4: Int64
    /// Weight of the texture (spectral) distortion term, 0 = off.
    var textureLambda: Int64
    /// A DC-only 16x16 macroblock with more distortion than this counts as "blocky" for the loop-filter floor.
    var blockyDistortion: Int64
    /// Loop-filter level (section 9.6, 15.2).
    var filterLevel: Int
    /// Segment susceptibility from the analysis: alpha in −127...127 (positive = smoother than the frame's mean),
    /// beta in 0...255 (0 = the busiest segment).
    var alpha: Int, beta: Int
}

/// Quality → per-segment quantisers, the chroma deltas, filter levels and λs ("spatial noise shaping": smooth
/// segments, where quantisation noise shows, get finer steps; busy ones, where texture masks it, coarser steps).
struct VP8SegmentSetup {
    /// Frame-level deltas of the header's quantiser indices (section 9.6): chroma DC and chroma AC.
    var uvDCDelta: Int, uvACDelta: Int
    var segments: [VP8SegmentParams]

    /// Tuning constants, measured on the benchmark corpus (Benchmarks/bench-webp-lossy.sh).
    enum Tuning {
        /// Strength of the susceptibility modulation of the quantiser exponent (0...100, as `cwebp -sns`).
        static let snsStrengthValue: Double = 50
        static let snsStrength = Int(snsStrengthValue)
        /// Scale from susceptibility to exponent change; must stay below 1.
        static let snsToExponent = 0.9
        /// Chroma AC delta range and the chroma susceptibility that maps to zero.
        static let uvACDeltaRange = (-4, 6)
        static let uvAlphaNeutral = 64, uvAlphaSpan = 70
        /// Chroma DC index delta at full SNS strength (finer chroma DC: flat chroma blocks show as stains).
        static let uvDCDeltaAtFullStrength = -4
        /// Rounding biases (1/256 step) per matrix: luma AC-block DC/AC, Y2 DC/AC, chroma DC/AC.
        static let y1Bias = (96, 110), y2Bias = (96, 108), uvBias = (110, 115)
        /// Luma high-frequency sharpening, 1/2048 step per unit of (row + column) frequency.
        static let lumaSharpening = 30
        /// Filter strength (0...100, as `cwebp -f`) and the level below which filtering is switched off.
        static let filterStrengthValue: Double = 60
        static let filterStrength = Int(filterStrengthValue)
        static let filterCutoff = 2
        /// Scales of the mode-decision λs (16x16, subblock, chroma, 16x16-versus-B_PRED).
        static let lambdaScaleI16: Double = 1.0
        static let lambdaScaleI4: Double = 1.0
        static let lambdaScaleUV: Double = 1.0
        static let lambdaScaleMode: Double = 1.0
        /// Scale of the chroma trellis λ relative to the luma ones.
        static let chromaTrellisScale: Double = 1.0
        /// Scale of the trellis λs.
        static let trellisScale: Double = 1.0
        /// Scale of √λ for ranking subblock modes by SATD.
        static let satdRateScale: Double = 1.0
    }

    /// `segmentAlphas`/`segmentBetas` from `VP8Analysis` (one per segment); `uvAlpha` is the frame's mean chroma
    /// susceptibility (higher = busier chroma).
    init(quality: Int, segmentAlphas: [Int], segmentBetas: [Int], uvAlpha: Int, textureDistortion: Bool) {
        let sns = Tuning.snsStrength
        let amplitude = Tuning.snsToExponent * Double(sns) / 100.0 / 128.0
        let base = VP8SegmentSetup.baseCompression(quality: quality)
        var uvAC = (uvAlpha - Tuning.uvAlphaNeutral) * (Tuning.uvACDeltaRange.1 - Tuning.uvACDeltaRange.0)
            / Tuning.uvAlphaSpan
        uvAC = uvAC * sns / 100
        uvACDelta = min(max(uvAC, Tuning.uvACDeltaRange.0), Tuning.uvACDeltaRange.1)
        uvDCDelta = min(max(Tuning.uvDCDeltaAtFullStrength * sns / 100, -15), 15)
        var list: [VP8SegmentParams] = []
        for (s, alpha) in segmentAlphas.enumerated() {
            let exponent = 1.0 - amplitude * Double(alpha)
            let c = pow(base, exponent)
            let q = min(max(Int(127.0 * (1.0 - c)), 0), 127)
            list.append(VP8SegmentSetup.params(quantIndex: q, uvDCDelta: uvDCDelta, uvACDelta: uvACDelta,
                                               alpha: alpha, beta: segmentBetas[s],
                                               textureDistortion: textureDistortion ? sns : 0))
        }
        segments = list
    }

    /// cwebp's quality → compression curve, so the same number gives comparable files: piecewise linear in
    /// quality (the knee at 75 mimics JPEG's scale), then a cube root, since file size goes roughly as step⁻³.
    static func baseCompression(quality: Int) -> Double {
        let c = Double(min(max(quality, 0), 100)) / 100.0
        let linear = c < 0.75 ? c * (2.0 / 3.0) : 2.0 * c - 1.0
        return cbrt(linear)
    }

    static func params(quantIndex q: Int, uvDCDelta: Int, uvACDelta: Int, alpha: Int, beta: Int,
                       textureDistortion: Int) -> VP8SegmentParams {
        func dcStep(_ i: Int) -> Int32 { VP8Tables.dcQuantizer[min(max(i, 0), 127)] }
        func acStep(_ i: Int) -> Int32 { VP8Tables.acQuantizer[min(max(i, 0), 127)] }
        // Section 14.1 / 9.6: Y2 DC ×2, Y2 AC ×155/100 (at least 8), chroma DC at most 132.
        let y1 = VP8QuantMatrix(dc: dcStep(q), ac: acStep(q), dcBias: Tuning.y1Bias.0, acBias: Tuning.y1Bias.1,
                                sharpening: Tuning.lumaSharpening)
        let y2 = VP8QuantMatrix(dc: dcStep(q) * 2, ac: max(acStep(q) * 155 / 100, 8), dcBias: Tuning.y2Bias.0,
                                acBias: Tuning.y2Bias.1)
        let uv = VP8QuantMatrix(dc: min(dcStep(q + uvDCDelta), 132), ac: acStep(q + uvACDelta),
                                dcBias: Tuning.uvBias.0, acBias: Tuning.uvBias.1)
        let q4 = Int64(y1.meanStep), q16 = Int64(y2.meanStep), quv = Int64(uv.meanStep)
        // λ ∝ step²: the high-rate slope of distortion against rate. The per-decision scales are tuned.
        let params = VP8SegmentParams(
            quantIndex: q, y1: y1, y2: y2, uv: uv,
            lambdaI16: max(1, Int64(Double(3 * q16 * q16) * Tuning.lambdaScaleI16)),
            lambdaI4: max(1, Int64(Double((3 * q4 * q4) >> 7) * Tuning.lambdaScaleI4)),
            lambdaUV: max(1, Int64(Double((3 * quv * quv) >> 6) * Tuning.lambdaScaleUV)),
            lambdaMode: max(1, Int64(Double((q4 * q4) >> 7) * Tuning.lambdaScaleMode)),
            lambdaTrellisI4: max(1, Int64(Double(7 * q4 * q4 / 8) * Tuning.trellisScale)),
            lambdaTrellisI16: max(1, Int64(Double(q16 * q16 / 4) * Tuning.trellisScale)),
            lambdaTrellisUV: max(1, Int64(Double(quv * quv * 2) * Tuning.trellisScale * Tuning.chromaTrellisScale)),
            satdLambdaI4: Int64((Double(max(1, (3 * q4 * q4) >> 7)).squareRoot() * Tuning.satdRateScale).rounded()),
            textureLambda: textureDistortion > 0 ? max(1, (Int64(textureDistortion) * q4) >> 5) : 0,
            blockyDistortion: 20 * Int64(y1.step[0]),
            filterLevel: VP8SegmentSetup.filterLevel(acStep: Int(acStep(q)), beta: beta),
            alpha: alpha, beta: beta)
        return params
    }

    /// Loop-filter level from the AC step (coarser steps leave stronger block edges), lowered for smooth segments
    /// (high beta), where the filter would blur what little texture there is.
    static func filterLevel(acStep: Int, beta: Int) -> Int {
        let edge = min(acStep >> 2, 63)  // sharpness 0: the level that filters an edge step of this size
        let f = edge * 5 * Tuning.filterStrength / (256 + beta)
        return f < Tuning.filterCutoff ? 0 : min(f, 63)
    }

    /// Merges segments with identical quantiser and filter level; returns the old → new segment map.
    mutating func mergeEquivalentSegments() -> [UInt8] {
        var map = [UInt8](repeating: 0, count: segments.count)
        var kept: [VP8SegmentParams] = []
        for (s, p) in segments.enumerated() {
            if let k = kept.firstIndex(where: { $0.quantIndex == p.quantIndex && $0.filterLevel == p.filterLevel }) {
                map[s] = UInt8(k)
            } else {
                map[s] = UInt8(kept.count); kept.append(p)
            }
        }
        segments = kept
        return map
    }
}
