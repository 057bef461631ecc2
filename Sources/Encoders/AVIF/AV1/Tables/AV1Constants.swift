// Symbolic tables of the AV1 specification (§3 symbols, §9.3 conversion tables), transcribed by hand because
// their entries are names rather than numbers. Block sizes and transform sizes use the spec's enumeration order.

enum AV1Block {
    static let b4x4 = 0, b8x8 = 3, b16x16 = 6, b32x32 = 9, b64x64 = 12
    /// Num_4x4_Blocks_Wide (§9.3), only the square sizes the encoder uses are looked up through `side4`.
    static func side4(_ bsize: Int) -> Int {
        switch bsize { case b4x4: return 1; case b8x8: return 2; case b16x16: return 4; case b32x32: return 8; default: return 16 }
    }
    /// Mi_Width_Log2 of a square size.
    static func log2Side4(_ bsize: Int) -> Int {
        switch bsize { case b4x4: return 0; case b8x8: return 1; case b16x16: return 2; case b32x32: return 3; default: return 4 }
    }
    /// Partition_Subsize[PARTITION_SPLIT] for square sizes.
    static func splitSize(_ bsize: Int) -> Int { bsize - 3 }
    /// Max_Tx_Size_Rect for square sizes: TX_4X4 ... TX_64X64 share the index of their log2 - 2.
    static func maxTx(_ bsize: Int) -> Int { bsize / 3 }
    /// Max_Tx_Depth (§5.11.15) for square sizes: the number of halvings down to TX_4X4 (0 for BLOCK_4X4).
    static func maxTxDepth(_ bsize: Int) -> Int { log2Side4(bsize) }
}

enum AV1Tx {
    static let t4x4 = 0, t8x8 = 1, t16x16 = 2, t32x32 = 3, t64x64 = 4
    /// Tx_Width and Tx_Height (§9.3) indexed by TX_SIZE.
    static let width = [4, 8, 16, 32, 64, 4, 8, 8, 16, 16, 32, 32, 64, 4, 16, 8, 32, 16, 64]
    static let height = [4, 8, 16, 32, 64, 8, 4, 16, 8, 32, 16, 64, 32, 16, 4, 32, 8, 64, 16]
    /// Transform types (§6.10.19 TxType enumeration).
    static let dctDct = 0, adstDct = 1, dctAdst = 2, adstAdst = 3, idtx = 9
    /// Tx_Type_Intra_Inv_Set2 (§5.11.47): coded value → type; and its inverse for the encoder.
    static let intraSet2 = [idtx, dctDct, adstAdst, adstDct, dctAdst]
    static func intraSet2Symbol(_ type: Int) -> Int { intraSet2.firstIndex(of: type) ?? 1 }
}

enum AV1Mode {
    static let dc = 0, v = 1, h = 2, d45 = 3, d135 = 4, d113 = 5, d157 = 6, d203 = 7, d67 = 8
    static let smooth = 9, smoothV = 10, smoothH = 11, paeth = 12, cfl = 13
    static func isDirectional(_ m: Int) -> Bool { m >= v && m <= d67 }
    /// Mode_To_Txfm (§9.3) restricted to the types of the intra sets.
    static let modeToTxfm = [0, 1, 2, 0, 3, 1, 2, 2, 1, 3, 1, 2, 3, 0]
}
