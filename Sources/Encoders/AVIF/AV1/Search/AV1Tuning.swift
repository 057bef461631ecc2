/// Encoder tuning constants, chosen by sweeps on the corpus photos against avifenc with Benchmarks/bench-avif.sh
/// (BD-rate on SSIMULACRA2 and PSNR); the optimum was flat around these values.
enum AV1Tuning {
    /// Deblocking level per unit of quantizer step (ac_q / 8); chroma uses 0.6 of it.
    static let deblockScale = 0.5
    static let deblockOffset = 0.0
    /// CDEF primary strength per unit of quantizer step (where CDEF is not searched).
    static let cdefScale = 0.15
    /// CDEF search: a candidate's error is raised by this fraction of the unfiltered error per 16 units of
    /// strength (pri + sec), biasing the choice towards lighter filtering (0.1 was the best of 0, 0.1, 0.3 on
    /// SSIMULACRA2 and PSNR BD-rate).
    static let cdefStrengthPenalty = 0.1
    /// Lagrange multiplier in units of squared quantizer step (distortion = SSE, rate in bits).
    static let lambdaScale = 0.07
    /// Luma variance (in squared steps) above which 64x64 is not tried whole; 32x32 is always tried.
    static let varianceLimit64 = 2.0
    static let varianceLimit32 = 1e9
    /// Dead-zone rounding offsets of the plain quantiser (AC 0.25 and 0.35 were worse on SSIMULACRA2).
    static let acRounding: Float = 0.30
    static let dcRounding: Float = 0.45
    /// RD-optimised quantisation (AV1Quantizer, `AV1SpeedSettings.rdoq`) scales the block's λ by this for luma and
    /// by the second for chroma. Chroma wants far more of its small coefficients kept than luma: with luma at 0.85,
    /// chroma at 0.85 → 0.35 moved the dev bench (vs avifenc -s 6, SSIMULACRA2 / PSNR BD-rate) photos +5.0/+4.8 →
    /// +5.0/+1.3 %, tuning photos −2.9/−2.7 → −4.2/−6.2 %, art +20.1/+8.6 → +22.3/+4.7 % (docs/avif.md: the sweep).
    static let rdoqLambdaScale = 0.85
    static let rdoqChromaLambdaScale = 0.35
    /// Chroma quantizer delta (DeltaQUDc = DeltaQUAc, §5.9.12): finer chroma by 8 indices gained 0.4 % BD-rate on
    /// SSIMULACRA2 and 1.5 % on PSNR (−6…−12 is flat, −20 is worse).
    static let chromaDeltaQ = -8
    /// The delta for a base_q_idx, kept inside 0...255 and su(1+6).
    static func chromaDeltaQ(_ qIndex: Int) -> Int {
        max(-64, min(63, max(-qIndex, min(255 - qIndex, chromaDeltaQ))))
    }

    /// An 8x8 block coded in fewer bits than this is not tried as four 4x4 blocks (`AV1SpeedSettings.gate4x4ByRate`).
    static let split4x4MinBits = 40
    /// Luma bits per sample of the whole-block transform below which tx_depth 1 is not tried
    /// (`AV1SpeedSettings.pruneTxSplit`), for 8x8, 16x16 and 32x32-or-larger blocks.
    static let txSplitMinBitsPerSample = [0.4, 0.1, 0.03]
    /// Lossless k-means palettes: squared error traded against bits at this rate when choosing the palette size
    /// (the residual is coded exactly, so the error stands for its bits). Of 2, 8 and 32, 2 made the smallest files:
    /// screen-transparent 324914 (exact palettes only) → 301852 bytes, the other screenshots within ±0.01 %.
    static let losslessPaletteLambda = 2.0
}
