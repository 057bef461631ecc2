/// What the encoder searches at a speed preset: one value with named choices, made once from the preset and carried
/// with the frame (`AV1FrameState.settings`), so that the search code asks "is this tool on" instead of comparing
/// speed numbers. Tests may switch single choices on or off (`AV1PictureConfig.settings`) to cover a tool at any speed.
///
/// The values per preset are the ones measured on the corpus (docs/avif.md: what each choice costs and gains).
struct AV1SpeedSettings: Sendable, Equatable {
    /// The preset this was made from (0 slowest ... 10 fastest); kept for reporting only, never tested by the search.
    let preset: Int

    // MARK: Partitions

    /// Smallest lossy block: 4x4 blocks (true), else 8x8 or, with `min16x16`, 16x16.
    var lossy4x4Blocks: Bool
    /// 16x16 is the smallest block (lossy and lossless).
    var min16x16: Bool
    /// Lossless frames code 4x4 blocks (4:4:4 and gray: that is where chroma-from-luma is allowed).
    var lossless4x4Blocks: Bool
    /// Blocks of 32x32 and up whose source variance is high are not tried whole (AV1Tuning.varianceLimit64/32).
    var pruneBusyLargeBlocks: Bool
    /// A block coded whole with a distortion of at most 0.25 per sample is not tried split.
    var keepWellPredictedBlocks: Bool
    /// A skipped block whose distortion is below 0.1 step² per sample is not tried split; blocks up to 16x16 coded
    /// in fewer than 24 bits neither. Speed 7 and up: at speed 6, together with `txTypesForWinnerOnly`, it saved
    /// 10–14 % CPU time but cost +1.4 (photos), −0.1 (tuning photos) and +2.8 (art) points of SSIMULACRA2 BD-rate
    /// on the dev bench.
    var keepCheapBlocks: Bool
    /// An 8x8 block is tried as four 4x4 blocks only when it is not skipped and costs AV1Tuning.split4x4MinBits or more.
    var gate4x4ByRate: Bool
    /// The split's children stop as soon as their summed cost passes the whole block's.
    var splitEarlyExit: Bool

    // MARK: Intra modes

    /// Luma modes ranked by SATD (a prefix of AV1ModeDecision.lumaModeOrder) on blocks up to 32x32, and on 64x64.
    var lumaModeCount: Int
    var lumaModeCount64: Int
    /// Largest block side (log2) that searches angle deltas of the best directional mode; 0: none.
    var angleDeltaMaxLog2: Int
    /// Luma mode candidates that get the full RD evaluation (with every transform type).
    var rdModeCandidates: Int
    /// The RD candidates compete with DCT_DCT only; the other transform types are tried on the winner (libaom's
    /// order; speed 7 and up, see `keepCheapBlocks`).
    var txTypesForWinnerOnly: Bool
    /// Chroma modes DC, V, H, SMOOTH, PAETH are ranked (false: DC only, plus chroma-from-luma).
    var chromaModeSearch: Bool
    /// enable_intra_edge_filter: directional modes predict from smoothed (small transforms: upsampled) edges
    /// (§7.11.2.4). A normative tool with no search: it costs only the filtering of each directional prediction.
    /// Off at every speed: on the dev bench (vs avifenc -s 6, 9 images, shared machine) turning it on moved
    /// SSIMULACRA2/PSNR BD-rate by -1.6/-0.6 points on photos but +0.2/+0.1 on tuning photos and +1.6/+1.9 on art,
    /// at +3-6 % CPU (docs/avif.md). Kept, tested against dav1d, for the searches that may make it pay.
    var intraEdgeFilter: Bool
    /// Palette mode (§5.11.46) is tried on 8x8 to 64x64 blocks with few colours, in frames whose statistics say
    /// screen content or graphics (AV1ScreenContent); every other frame keeps allow_screen_content_tools 0.
    var palette: Bool
    /// Blocks of more than 8 colours try a k-means palette (with the residual coded on top) besides the exact ones.
    var paletteKMeans: Bool

    // MARK: Transforms

    /// Luma transform types tried on 4x4 to 16x16 transforms (reduced TX_SET_INTRA_2); DCT only when one.
    var lumaTxTypes: [Int]
    /// Types tried per transform block of a split.
    enum SplitTxTypes: Sendable, Equatable {
        /// Every type of `lumaTxTypes`.
        case all
        /// DCT and the type the whole-block transform chose (DCT and ADST_ADST when that was DCT).
        case dctAndWhole
        /// Only the whole-block transform's type.
        case wholeOnly
    }
    var splitTxTypes: SplitTxTypes
    /// TX_MODE_SELECT (tx_depth per block) instead of TX_MODE_LARGEST.
    var txModeSelect: Bool
    /// Deepest tx_depth tried (≤ MAX_TX_DEPTH 2).
    var maxTxDepth: Int
    /// tx_depth 1 is tried only where the whole-block transform costs enough bits per sample
    /// (AV1Tuning.txSplitMinBitsPerSample), and the depth search stops at the first depth that does not win.
    var pruneTxSplit: Bool

    // MARK: Quantisation

    /// RD-optimised quantisation (AV1Quantizer.rdo) instead of the dead zone, in the RD search (the coding pass
    /// writes the levels the search chose). Up to speed 6: on the dev bench it moved the SSIMULACRA2 / PSNR BD-rate
    /// vs avifenc -s 6 by about −7 / −3 points on photos, −8 / −3 on tuning photos, −3 / −2 on art, for about +10 %
    /// instructions (docs/avif.md).
    var rdoq: Bool

    // MARK: Lossless

    /// Candidates given the exact coefficient rate after the SATD ranking.
    var losslessExactCandidates: Int
    /// V and H with angle deltas ±3 among the lossless luma candidates.
    var losslessAngleDeltas: Bool

    // MARK: In-loop filters

    /// CDEF: off (enable_cdef 0), one strength from the quantizer for the whole frame (the encoder filters nothing
    /// unless the reconstruction is asked for), or strengths searched per 64x64 unit (with the optional deblocking
    /// level search).
    enum CdefChoice: Sendable, Equatable { case off, formula, searched }
    var cdef: CdefChoice
    /// The CDEF search tries 8 luma and 6 chroma primaries (else 6 and 4).
    var cdefWideCandidates: Bool
    /// The CDEF search measures every other row of every other 8x8 block.
    var cdefSubsampledSearch: Bool
    /// The optional deblocking level search refines each luma direction on its own.
    var deblockPerDirection: Bool

    init(preset speed: Int) {
        preset = speed
        lossy4x4Blocks = speed <= 5
        min16x16 = speed >= 9
        lossless4x4Blocks = speed <= 8
        pruneBusyLargeBlocks = speed >= 5
        keepWellPredictedBlocks = speed >= 4
        keepCheapBlocks = speed >= 7
        gate4x4ByRate = speed >= 5
        splitEarlyExit = speed >= 2
        lumaModeCount = speed >= 8 ? 5 : 13
        lumaModeCount64 = speed >= 8 ? 5 : (speed >= 5 ? 7 : 13)
        angleDeltaMaxLog2 = speed <= 4 ? 6 : (speed <= 6 ? 5 : 0)
        rdModeCandidates = speed >= 8 ? 1 : (speed >= 6 ? 2 : 3)
        chromaModeSearch = speed <= 8
        intraEdgeFilter = false
        palette = speed <= 8
        paletteKMeans = speed <= 6
        txTypesForWinnerOnly = speed >= 7
        lumaTxTypes = speed > 8 ? [AV1Tx.dctDct]
            : speed <= 4 ? [AV1Tx.dctDct, AV1Tx.adstAdst, AV1Tx.adstDct, AV1Tx.dctAdst, AV1Tx.idtx]
            : [AV1Tx.dctDct, AV1Tx.adstAdst, AV1Tx.adstDct, AV1Tx.dctAdst]
        splitTxTypes = speed <= 4 ? .all : (speed == 5 ? .dctAndWhole : .wholeOnly)
        txModeSelect = speed <= 7
        maxTxDepth = speed <= 4 ? 2 : 1
        pruneTxSplit = speed >= 5
        rdoq = speed <= 6
        losslessExactCandidates = speed <= 4 ? 3 : (speed <= 7 ? 2 : 1)
        losslessAngleDeltas = speed <= 6
        cdef = speed < 8 ? .searched : .formula
        cdefWideCandidates = speed <= 5
        cdefSubsampledSearch = speed >= 6
        deblockPerDirection = speed <= 5
    }
}
