/// Code tables of RFC 1951 §3.2.5 (length and distance codes) and §3.2.6 (fixed Huffman codes).
enum DeflateTables {
    /// Base match length of length codes 257...285 (RFC 1951 §3.2.5).
    static let lengthBase: [Int] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
        35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    /// Extra bits of length codes 257...285 (RFC 1951 §3.2.5).
    static let lengthExtraBits: [Int] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
        3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ]
    /// Base distance of distance codes 0...29 (RFC 1951 §3.2.5).
    static let distanceBase: [Int] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
        257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ]
    /// Extra bits of distance codes 0...29 (RFC 1951 §3.2.5).
    static let distanceExtraBits: [Int] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
        7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
    ]
    /// Order in which code length code lengths are sent (RFC 1951 §3.2.7).
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Length code index (0...28, i.e. symbol - 257) for each match length 0...258 (entries below 3 unused).
    static let lengthCodeForLength: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 259)
        for code in 0..<29 {
            let start = lengthBase[code]
            let end = code == 28 ? 258 : min(257, start + (1 << lengthExtraBits[code]) - 1)
            for length in start...end { table[length] = UInt8(code) }
        }
        table[258] = 28
        return table
    }()

    /// Distance code for each distance 1...32768 (index = distance - 1).
    static let distanceCodeForDistance: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 32768)
        for code in 0..<30 {
            let start = distanceBase[code]
            let end = start + (1 << distanceExtraBits[code]) - 1
            for distance in start...end { table[distance - 1] = UInt8(code) }
        }
        return table
    }()

    /// Fixed literal/length code lengths (RFC 1951 §3.2.6).
    static let fixedLiteralLengths: [UInt8] = (0..<288).map { symbol in
        symbol < 144 ? 8 : symbol < 256 ? 9 : symbol < 280 ? 7 : 8
    }
    /// Fixed distance code lengths (RFC 1951 §3.2.6): all 5 bits.
    static let fixedDistanceLengths: [UInt8] = [UInt8](repeating: 5, count: 30)
}
