/// Parameters of one AV1 still picture.
struct AV1PictureConfig {
    var width: Int, height: Int
    /// 1 (monochrome) or 3 planes; `subX/subY` are 1 for 4:2:0, 0 for 4:4:4.
    var planes: [[UInt8]]
    var subX: Int, subY: Int
    var qIndex: Int
    /// What the search tries: `AV1SpeedSettings(preset: speed)` unless a test changes single choices.
    var settings: AV1SpeedSettings
    var colorPrimaries = 1, transferCharacteristics = 13, matrixCoefficients = 6
    var fullRange = true
    /// In-loop filters (deblocking, CDEF): searched after the tiles are coded and applied to the returned
    /// reconstruction (intra prediction uses unfiltered samples, as the decoder's does). Off only for tests that
    /// compare the unfiltered reconstruction.
    var filters = true
    /// Rate-distortion weighting across the picture (per-16x16 λ by activity for .ssim).
    var tune = AV1Tune.ssim
    /// Test-only overrides of the search (force a coding tool so that conformance tests cover it).
    var forced = AV1ForcedTools()

    init(width: Int, height: Int, planes: [[UInt8]], subX: Int, subY: Int, qIndex: Int, speed: Int) {
        self.width = width; self.height = height; self.planes = planes
        self.subX = subX; self.subY = subY; self.qIndex = qIndex
        settings = AV1SpeedSettings(preset: speed)
    }

    /// Deblocking levels (loop_filter_level[0...3], §5.9.11) growing with the quantizer step (tuned on SSIMULACRA2
    /// and PSNR BD-rate); the start of the optional level search.
    var formulaDeblock: AV1DeblockParams {
        let step = Double(acQlookup[qIndex]) / 8
        let luma = min(63, Int((step * AV1Tuning.deblockScale + AV1Tuning.deblockOffset).rounded()))
        let chroma = min(63, Int((step * AV1Tuning.deblockScale * 0.6 + AV1Tuning.deblockOffset).rounded()))
        return AV1DeblockParams(levels: [max(0, luma), max(0, luma), max(0, chroma), max(0, chroma)], sharpness: 0)
    }

    /// Searching the deblocking levels for the least squared error (instead of `formulaDeblock`). Off: on the
    /// photos it chose levels about twice the formula's, +0.2 % PSNR BD-rate gain but 1.1 % SSIMULACRA2 loss.
    var searchDeblock = false

    /// One frame-wide CDEF strength from the quantizer step (cdef_bits 0), used when the filters are not searched.
    var formulaCdef: AV1CdefParams {
        var out = AV1CdefParams()
        let step = Double(acQlookup[qIndex]) / 8
        let pri = min(15, Int((step * AV1Tuning.cdefScale).rounded()))
        if pri <= 0 { return out }
        let sec = pri >= 8 ? 2 : (pri >= 3 ? 1 : 0)
        out.damping = step > 40 ? 4 : 3
        out.y = [AV1CdefStrength(pri: pri, sec: sec)]
        out.uv = [AV1CdefStrength(pri: min(15, pri / 2), sec: sec > 0 ? 1 : 0)]
        return out
    }

    /// allow_screen_content_tools: palette mode is searched when the settings allow it and the picture looks like
    /// screen content or graphics (AV1ScreenContent), or a test forces it; lossy and lossless frames alike.
    var allowScreenContentTools: Bool {
        guard settings.palette || forced.palette else { return false }
        return forced.palette || AV1ScreenContent.looksLikeScreenContent(luma: planes[0], width: width, height: height)
    }

    /// CodedLossless of §5.9.2: base_q_idx 0 with every DeltaQ 0 (the header never codes a delta) and no
    /// segmentation. Every transform block is then a 4x4 Walsh-Hadamard block.
    var codedLossless: Bool { qIndex == 0 }

    var profile: Int { planes.count == 3 && subX == 0 ? 1 : 0 }
    var monochrome: Bool { planes.count == 1 }
    /// seq_level_idx chosen from the picture size (Annex A.3 limits: 4.0, 5.0, 6.0, else 31 = unconstrained).
    var levelIndex: Int {
        let area = width * height
        if area <= 2_228_224 && width <= 4096 && height <= 2304 { return 8 }
        if area <= 8_912_896 && width <= 8192 && height <= 4352 { return 12 }
        if area <= 35_651_584 && width <= 16384 && height <= 8704 { return 16 }
        return 31
    }
}
