// Tables the in-loop filters need, transcribed from the AV1 specification.

enum AV1FilterTables {
    /// Num_4x4_Blocks_Wide[BLOCK_SIZES] (§9.3), indexed by the BLOCK_SIZE enumeration (BLOCK_4X4 = 0 ... BLOCK_64X16).
    static let num4x4Wide: [UInt8] = [1, 1, 2, 2, 2, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 1, 4, 2, 8, 4, 16]
    /// Num_4x4_Blocks_High[BLOCK_SIZES] (§9.3).
    static let num4x4High: [UInt8] = [1, 2, 1, 2, 4, 2, 4, 8, 4, 8, 16, 8, 16, 32, 16, 32, 4, 1, 8, 2, 16, 4]
    /// Tx_Width[TX_SIZES_ALL] (§9.3), indexed by the TX_SIZE enumeration (TX_4X4 = 0 ... TX_64X16).
    static let txWidth: [UInt8] = [4, 8, 16, 32, 64, 4, 8, 8, 16, 16, 32, 32, 64, 4, 16, 8, 32, 16, 64]
    /// Tx_Height[TX_SIZES_ALL] (§9.3).
    static let txHeight: [UInt8] = [4, 8, 16, 32, 64, 8, 4, 16, 8, 32, 16, 64, 32, 16, 4, 32, 8, 64, 16]
    /// Div_Table[9] of the CDEF direction process (§7.15.2).
    static let cdefDivTable: [Int32] = [0, 840, 420, 280, 210, 168, 140, 120, 105]
}
