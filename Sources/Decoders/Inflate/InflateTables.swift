/// Symbol descriptions for deflate's alphabets, in the packed form `HuffmanDecodeTable` stores (RFC 1951 §3.2.5).
enum InflateTables {
    /// Length symbols 257...285: base lengths (RFC 1951 §3.2.5).
    static let lengthBase: [UInt32] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                       35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    /// Length symbols 257...285: extra bits (RFC 1951 §3.2.5).
    static let lengthExtra: [UInt32] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                        3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    /// Distance symbols 0...29: base distances (RFC 1951 §3.2.5).
    static let distanceBase: [UInt32] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                         257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                         8193, 12289, 16385, 24577]
    /// Distance symbols 0...29: extra bits (RFC 1951 §3.2.5).
    static let distanceExtra: [UInt32] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                          7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order in which code-length code lengths are sent (RFC 1951 §3.2.7).
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Literal/length alphabet 0...287: literals, end of block, lengths; 286 and 287 never occur in valid data.
    static let literalLengthInfo: [UInt32] = (0..<288).map { s in
        if s < 256 { return HuffmanEntry.literal | UInt32(s) << 16 }
        if s == 256 { return HuffmanEntry.endOfBlock }
        if s <= 285 { return lengthBase[s - 257] << 16 | lengthExtra[s - 257] << 8 }
        return HuffmanEntry.invalid
    }

    /// Distance alphabet 0...31; 30 and 31 never occur in valid data.
    static let distanceInfo: [UInt32] = (0..<32).map { s in
        s < 30 ? distanceBase[s] << 16 | distanceExtra[s] << 8 : HuffmanEntry.invalid
    }

    /// Code-length alphabet 0...18: the symbol itself.
    static let codeLengthInfo: [UInt32] = (0..<19).map { UInt32($0) << 16 }

    /// Fixed Huffman code lengths (RFC 1951 §3.2.6).
    static let fixedLiteralLengths: [UInt8] = (0..<288).map { s in
        s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8
    }
    static let fixedDistanceLengths: [UInt8] = [UInt8](repeating: 5, count: 32)
}
