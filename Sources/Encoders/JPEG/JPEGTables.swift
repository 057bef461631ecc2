/// Constant tables of baseline JPEG shared by the encoder and the quality estimate.
enum JPEGTables {
    /// ITU-T T.81 Annex K, Table K.1: luminance quantization table, natural (row-major) order.
    static let annexKLuminance: [Int] = [
        16, 11, 10, 16, 24, 40, 51, 61,
        12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77,
        24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101,
        72, 92, 95, 98, 112, 100, 103, 99,
    ]

    /// ITU-T T.81 Annex K, Table K.2: chrominance quantization table, natural order.
    static let annexKChrominance: [Int] = [
        17, 18, 24, 47, 99, 99, 99, 99,
        18, 21, 26, 66, 99, 99, 99, 99,
        24, 26, 56, 99, 99, 99, 99, 99,
        47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
    ]

    /// T.81 Figure A.6: natural index of the coefficient at each zig-zag position.
    static let zigzagToNatural: [Int] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ]

    /// The IJG quality convention: quality 1...100 becomes a percentage scale of the Annex K tables
    /// (5000/q below 50, 200-2q from 50 up), so q=50 gives the tables as printed and q=100 gives all ones.
    static func scaleFactor(quality: Int) -> Int {
        let q = min(100, max(1, quality))
        return q < 50 ? 5000 / q : 200 - q * 2
    }

    /// One Annex K table scaled for `quality`, rounded to nearest and limited to 1...`maximum`: 255 for 8-bit
    /// (baseline) tables, 32767 when 16-bit tables are allowed, as libjpeg does without force_baseline.
    static func scaledTable(_ base: [Int], quality: Int, maximum: Int = 255) -> [UInt16] {
        let scale = scaleFactor(quality: quality)
        return base.map { UInt16(min(maximum, max(1, ($0 * scale + 50) / 100))) }
    }
}
