/// An optimized JPEG Huffman table (T.81 §K.2 goal, built with the shared length-limited builder).
struct JPEGHuffmanTable {
    /// BITS: number of codes of each length 1...16 (T.81 §B.2.4.2).
    var counts: [UInt8] = []
    /// HUFFVAL: symbols ordered by code length, then by value.
    var symbols: [UInt8] = []
    var codes = [UInt32](repeating: 0, count: 256)
    var lengths = [UInt8](repeating: 0, count: 256)

    /// The table that minimizes the coded size of symbols with `frequencies` (256 entries) under the JPEG rules:
    /// no code longer than 16 bits and no code of all 1 bits (T.81 §C). Frequencies are doubled and a dummy symbol
    /// of weight 1 is added: it is then the strictly lightest leaf, gets a longest code and, being the highest
    /// symbol, the all-ones code, which is then left unused.
    init(frequencies: [Int]) {
        var weights = frequencies.map { $0 * 2 }
        if !weights.contains(where: { $0 > 0 }) { weights[0] = 2 }
        weights.append(1)
        let allLengths = HuffmanBuilder.codeLengths(frequencies: weights, maxLength: 16)
        let allCodes = HuffmanBuilder.canonicalCodes(lengths: allLengths)
        counts = [UInt8](repeating: 0, count: 16)
        for length in 1...16 {
            for symbol in 0..<256 where Int(allLengths[symbol]) == length {
                counts[length - 1] += 1
                symbols.append(UInt8(symbol))
                codes[symbol] = allCodes[symbol]
                lengths[symbol] = UInt8(length)
            }
        }
    }

    /// The DHT segment body for this table in class `tableClass` (0 DC, 1 AC) and slot `slot` (T.81 §B.2.4.2).
    func segmentBody(tableClass: Int, slot: Int) -> [UInt8] {
        [UInt8(tableClass << 4 | slot)] + counts + symbols
    }
}
