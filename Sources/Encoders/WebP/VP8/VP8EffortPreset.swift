/// What each effort level (0 fastest ... 6 most thorough, as `cwebp -m`) spends its time on: named choices,
/// looked up once per frame, so the decision code reads `preset.tryIntra4` rather than `effort >= 2`.
struct VP8EffortPreset {
    /// 16x16 luma modes fully reconstructed and priced (the rest ranked out by prediction error); 4 = all.
    var intra16Candidates: Int
    /// Whether B_PRED (sixteen 4x4 subblock modes) is tried at all.
    var tryIntra4: Bool
    /// Subblock modes fully reconstructed per 4x4 block (the rest ranked out by prediction error); 10 = all.
    var intra4Candidates: Int
    /// Chroma modes fully reconstructed and priced; 4 = all.
    var chromaCandidates: Int
    /// Texture (spectral) distortion in the luma rate-distortion scores.
    var textureDistortion: Bool
    /// Segments of the analysis (1...4).
    var segments: Int
    /// Trellis quantisation of the chosen luma modes' levels.
    var trellis: Bool = false
    /// Trellis quantisation of the chosen chroma mode's levels.
    var chromaTrellis: Bool = false
    /// A candidate that ranked in is still skipped when its estimate is more than this far behind the best one
    /// (1/256 of the best estimate); nil: every ranked-in candidate is evaluated.
    var candidateMargin256: Int64? = nil

    /// Effort 4 (the default, like `cwebp -m 4`) keeps the best 3 of 10 subblock modes and 2 of 4 whole-block
    /// modes by SATD for full rate-distortion evaluation and trellis-quantises the winner: measured against all
    /// modes without trellis, -2.7 % BD-rate on SSIMULACRA2 at half the CPU time (bench-webp-lossy.sh --quick).
    /// Of those, only candidates within 80/256 (31 %) of the best SATD estimate are evaluated: 7 % fewer
    /// instructions, and BD-rate improved in every class of the full benchmark (SSIMULACRA2 −3.86 → −4.17 %,
    /// PSNR −0.32 → −0.48 %; quick set: 40/256 and 60/256 lost PSNR on photos and tuning photos).
    static let table: [VP8EffortPreset] = [
        VP8EffortPreset(intra16Candidates: 1, tryIntra4: false, intra4Candidates: 0, chromaCandidates: 1,
                        textureDistortion: false, segments: 4),
        VP8EffortPreset(intra16Candidates: 2, tryIntra4: true, intra4Candidates: 2, chromaCandidates: 1,
                        textureDistortion: false, segments: 4),
        VP8EffortPreset(intra16Candidates: 2, tryIntra4: true, intra4Candidates: 2, chromaCandidates: 2,
                        textureDistortion: true, segments: 4),
        VP8EffortPreset(intra16Candidates: 2, tryIntra4: true, intra4Candidates: 3, chromaCandidates: 2,
                        textureDistortion: true, segments: 4),
        VP8EffortPreset(intra16Candidates: 2, tryIntra4: true, intra4Candidates: 3, chromaCandidates: 2,
                        textureDistortion: true, segments: 4, trellis: true, candidateMargin256: 80),
        VP8EffortPreset(intra16Candidates: 4, tryIntra4: true, intra4Candidates: 5, chromaCandidates: 4,
                        textureDistortion: true, segments: 4, trellis: true),
        VP8EffortPreset(intra16Candidates: 4, tryIntra4: true, intra4Candidates: 10, chromaCandidates: 4,
                        textureDistortion: true, segments: 4, trellis: true),
    ]

    static func forEffort(_ effort: Int) -> VP8EffortPreset { table[min(max(effort, 0), table.count - 1)] }
}
