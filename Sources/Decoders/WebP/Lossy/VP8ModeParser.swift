import Raster

/// Prediction modes of one macroblock row, read from the first partition (RFC 6386 sections 10, 11.2-11.4, 19.3).
///
/// Whole-block modes (luma 16x16 and chroma) and subblock modes share one numbering where the first four agree:
/// DC, TM, VE (vertical), HE (horizontal), then the diagonal subblock modes LD, RD, VR, VL, HD, HU (the order of
/// the `intra_bmode` enumeration of section 11.2). A 16x16 mode therefore doubles as the context its subblocks give
/// their neighbours (section 11.3: DC→B_DC, V→B_VE, H→B_HE, TM→B_TM).
enum VP8Mode {
    static let dc: UInt8 = 0, tm: UInt8 = 1, ve: UInt8 = 2, he: UInt8 = 3
    static let ld: UInt8 = 4, rd: UInt8 = 5, vr: UInt8 = 6, vl: UInt8 = 7, hd: UInt8 = 8, hu: UInt8 = 9
}

struct VP8MacroblockInfo {
    var segment: UInt8 = 0
    /// The macroblock is signalled as having no non-zero coefficients (section 9.11 / 19.3 mb_skip_coeff).
    var skip = false
    /// B_PRED: sixteen 4x4 subblocks with their own modes.
    var isSubblockPredicted = false
    /// 16x16 luma mode (when not subblock predicted) and chroma mode.
    var lumaMode: UInt8 = 0
    var chromaMode: UInt8 = 0
}

struct VP8ModeParser {
    /// Subblock mode contexts: the modes along the bottom edge of the row above (4 per macroblock), and along the
    /// right edge of the macroblock to the left. Outside the frame the context is B_DC_PRED (section 11.3).
    private var above: [UInt8]
    private var left: [UInt8] = [0, 0, 0, 0]
    let segmentTreeProbs: [UInt8]
    let updateSegmentMap: Bool
    let skipProbability: UInt8?

    init(macroblocksWide: Int, header: VP8FrameHeader) {
        above = [UInt8](repeating: VP8Mode.dc, count: 4 * macroblocksWide)
        segmentTreeProbs = header.segmentTreeProbs
        updateSegmentMap = header.updateSegmentMap
        skipProbability = header.skipProbability
    }

    /// Section 11.2: the subblock mode tree (leaves as negated modes; B_DC_PRED is the 0 leaf).
    static let subblockModeTree: [Int8] = [
        -0, 2, -1, 4, -2, 6, 8, 12, -3, 10, -5, -6, -4, 14, -7, 16, -8, -9,
    ]

    /// Reads the modes of `count` macroblocks into `infos`, and their subblock modes (16 per macroblock, raster
    /// order, only for subblock-predicted macroblocks) into `subblockModes`.
    mutating func readRow(_ d: inout VP8BoolDecoder, count: Int, infos: UnsafeMutablePointer<VP8MacroblockInfo>,
                          subblockModes: UnsafeMutablePointer<UInt8>) {
        left = [VP8Mode.dc, VP8Mode.dc, VP8Mode.dc, VP8Mode.dc]
        VP8Tables.keyFrameSubblockModeProbs.withUnsafeBufferPointer { probs in
            Self.subblockModeTree.withUnsafeBufferPointer { tree in
                for x in 0..<count {
                    var info = VP8MacroblockInfo()
                    if updateSegmentMap {
                        // Section 9.3 / 10: segment tree "00" 0, "01" 1, "10" 2, "11" 3.
                        info.segment = !d.readBit(segmentTreeProbs[0])
                            ? (d.readBit(segmentTreeProbs[1]) ? 1 : 0)
                            : (d.readBit(segmentTreeProbs[2]) ? 3 : 2)
                    }
                    if let p = skipProbability { info.skip = d.readBit(p) }
                    // Section 11.2 kf_ymode_tree with kf_ymode_prob {145, 156, 163, 128}: B_PRED = "0",
                    // DC "100", V "101", H "110", TM "111".
                    info.isSubblockPredicted = !d.readBit(145)
                    let modes = subblockModes + 16 * x
                    if !info.isSubblockPredicted {
                        let mode = d.readBit(156) ? (d.readBit(128) ? VP8Mode.tm : VP8Mode.he)
                                                  : (d.readBit(163) ? VP8Mode.ve : VP8Mode.dc)
                        info.lumaMode = mode
                        for i in 0..<4 { above[4 * x + i] = mode; left[i] = mode }
                    } else {
                        for row in 0..<4 {
                            var leftMode = left[row]
                            for column in 0..<4 {
                                // Section 11.5: probabilities by the modes above and to the left of the subblock.
                                let base = (Int(above[4 * x + column]) * 10 + Int(leftMode)) * 9
                                var i = 0
                                repeat {
                                    i = Int(tree[i + (d.readBit(probs[base + (i >> 1)]) ? 1 : 0)])
                                } while i > 0
                                leftMode = UInt8(-i)
                                modes[4 * row + column] = leftMode
                                above[4 * x + column] = leftMode
                            }
                            left[row] = leftMode
                        }
                    }
                    // Section 11.4 uv_mode_tree with {142, 114, 183}: DC "0", V "10", H "110", TM "111".
                    info.chromaMode = !d.readBit(142) ? VP8Mode.dc
                        : !d.readBit(114) ? VP8Mode.ve
                        : d.readBit(183) ? VP8Mode.tm : VP8Mode.he
                    infos[x] = info
                }
            }
        }
    }
}
