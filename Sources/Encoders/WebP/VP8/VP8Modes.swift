import Raster

/// Prediction-mode trees and fixed key-frame probabilities (RFC 6386 sections 8.1, 11.2–11.4, 9.3), with the
/// path of every symbol precomputed so a mode is written (or priced) by walking its branches.
enum VP8Modes {
    /// Luma modes as this encoder numbers them: the four whole-block modes of `VP8Predict`, then B_PRED.
    static let bPred = 4

    /// Section 11.2 kf_ymode_tree, with our numbering (DC 0, V 1, H 2, TM 3, B_PRED 4).
    static let yTree: [Int] = [-4, 2, 4, 6, -0, -1, -2, -3]
    static let yProbs: [UInt8] = [145, 156, 163, 128]
    /// Section 11.4 uv_mode_tree.
    static let uvTree: [Int] = [-0, 2, -1, 4, -2, -3]
    static let uvProbs: [UInt8] = [142, 114, 183]
    /// Section 11.2 bmode_tree (B_DC 0, TM 1, VE 2, HE 3, LD 4, RD 5, VR 6, VL 7, HD 8, HU 9).
    static let bTree: [Int] = [-0, 2, -1, 4, -2, 6, 8, 12, -3, 10, -5, -6, -4, 14, -7, 16, -8, -9]
    /// Section 9.3 mb_segment_tree.
    static let segmentTree: [Int] = [2, 4, -0, -1, -2, -3]

    /// For each symbol, its branches as (probability index, bit) pairs from the root.
    static func paths(_ tree: [Int], symbols: Int) -> [[(Int, Bool)]] {
        var result = [[(Int, Bool)]](repeating: [], count: symbols)
        func walk(_ node: Int, _ path: [(Int, Bool)]) {
            for bit in 0..<2 {
                let next = tree[node + bit]
                let step = path + [(node >> 1, bit == 1)]
                if next <= 0 { result[-next] = step } else { walk(next, step) }
            }
        }
        walk(0, [])
        return result
    }
    static let yPaths = paths(yTree, symbols: 5)
    static let uvPaths = paths(uvTree, symbols: 4)
    static let bPaths = paths(bTree, symbols: 10)
    static let segmentPaths = paths(segmentTree, symbols: 4)

    static func put(_ path: [(Int, Bool)], probs: UnsafePointer<UInt8>, into encoder: inout VP8BoolEncoder) {
        for (index, bit) in path { encoder.put(bit, Int(probs[index])) }
    }

    static func cost(_ path: [(Int, Bool)], probs: UnsafePointer<UInt8>) -> Int32 {
        var c: Int32 = 0
        for (index, bit) in path { c += VP8BitCost.of(bit, probs[index]) }
        return c
    }

    /// Costs in 1/256 bit: y modes [5], uv modes [4], subblock modes [above][left][mode] (10x10x10).
    static let yCost: [Int32] = yProbs.withUnsafeBufferPointer { p in yPaths.map { cost($0, probs: p.baseAddress!) } }
    static let uvCost: [Int32] = uvProbs.withUnsafeBufferPointer { p in uvPaths.map { cost($0, probs: p.baseAddress!) } }
    static let bCost: [Int32] = VP8Tables.keyFrameSubblockModeProbs.withUnsafeBufferPointer { p in
        var t = [Int32](repeating: 0, count: 1000)
        for context in 0..<100 {
            for mode in 0..<10 { t[context * 10 + mode] = cost(bPaths[mode], probs: p.baseAddress! + context * 9) }
        }
        return t
    }

    /// Raw copy of `bCost` for the mode-decision loops.
    static let bCostPointer: UnsafePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1000)
        p.initialize(from: bCost, count: 1000)
        return UnsafePointer(p)
    }()

    /// The subblock mode implied by a whole-block luma mode, for neighbours' contexts (section 11.3, item 4).
    static let impliedSubblockMode: [UInt8] = [0, 2, 3, 1]
}
