/// LZ77 tokens of one or more segments waiting to be written as a Deflate block, with their symbol histograms.
///
/// A token is a literal byte (value < 256) or a match: bit 31 set, length in bits 16...24, distance in bits 0...15.
struct DeflateTokens {
    static let matchFlag: UInt32 = 0x8000_0000

    var tokens: [UInt32] = []
    var literalFrequencies = [Int](repeating: 0, count: 286)
    var distanceFrequencies = [Int](repeating: 0, count: 30)
    /// The input bytes the tokens cover, for stored blocks.
    var byteStart = 0
    var byteEnd = 0
    /// Bits of length and distance extra fields; they cost the same under every Huffman code.
    var extraBits = 0

    var isEmpty: Bool { tokens.isEmpty }

    @inline(__always)
    static func match(length: Int, distance: Int) -> UInt32 {
        matchFlag | UInt32(length) << 16 | UInt32(distance)
    }

    /// Recounts histograms and extra bits from `tokens`.
    mutating func countSymbols() {
        for i in literalFrequencies.indices { literalFrequencies[i] = 0 }
        for i in distanceFrequencies.indices { distanceFrequencies[i] = 0 }
        var extra = 0
        tokens.withUnsafeBufferPointer { t in
            literalFrequencies.withUnsafeMutableBufferPointer { lit in
                distanceFrequencies.withUnsafeMutableBufferPointer { dist in
                    DeflateTables.lengthCodeForLength.withUnsafeBufferPointer { lengthCode in
                        DeflateTables.distanceCodeForDistance.withUnsafeBufferPointer { distanceCode in
                            for token in t {
                                if token & Self.matchFlag == 0 {
                                    lit[Int(token)] += 1
                                } else {
                                    let lc = Int(lengthCode[Int((token >> 16) & 0x1FF)])
                                    let dc = Int(distanceCode[Int(token & 0xFFFF) - 1])
                                    lit[257 + lc] += 1
                                    dist[dc] += 1
                                    extra += DeflateTables.lengthExtraBits[lc] + DeflateTables.distanceExtraBits[dc]
                                }
                            }
                        }
                    }
                }
            }
        }
        literalFrequencies[256] = 1
        extraBits = extra
    }

    mutating func append(_ other: DeflateTokens) {
        tokens.append(contentsOf: other.tokens)
        for i in 0..<286 { literalFrequencies[i] += other.literalFrequencies[i] }
        literalFrequencies[256] = 1
        for i in 0..<30 { distanceFrequencies[i] += other.distanceFrequencies[i] }
        extraBits += other.extraBits
        byteEnd = other.byteEnd
    }
}

/// Huffman code lengths of a dynamic block and the run-length encoded header that transmits them (RFC 1951 §3.2.7).
struct DynamicBlockCode {
    var literalLengths: [UInt8]
    var distanceLengths: [UInt8]
    var literalCount: Int
    var distanceCount: Int
    /// Run-length items: symbol 0...18 in the low byte, extra-bit value above.
    var lengthItems: [(symbol: Int, extra: Int)] = []
    var codeLengthLengths: [UInt8] = []
    var codeLengthCount = 4
    /// Bits of the header after the 3-bit block header (HLIT...the code lengths).
    var headerBits = 0

    init(literalFrequencies: [Int], distanceFrequencies: [Int]) {
        literalLengths = HuffmanBuilder.codeLengths(frequencies: Self.withTwoSymbols(literalFrequencies), maxLength: 15)
        distanceLengths = HuffmanBuilder.codeLengths(frequencies: Self.withTwoSymbols(distanceFrequencies), maxLength: 15)
        literalCount = 257
        for s in stride(from: 285, through: 257, by: -1) where literalLengths[s] != 0 { literalCount = s + 1; break }
        distanceCount = 1
        for s in stride(from: 29, through: 1, by: -1) where distanceLengths[s] != 0 { distanceCount = s + 1; break }
        buildRunLengths()
    }

    /// Inflaters reject incomplete codes other than a lone 1-bit code, and some reject even that: giving a second
    /// symbol a token count keeps every code complete at a cost of at most one bit per block.
    static func withTwoSymbols(_ frequencies: [Int]) -> [Int] {
        var f = frequencies
        var used = 0
        for v in f where v > 0 { used += 1 }
        var i = 0
        while used < 2 && i < f.count {
            if f[i] == 0 { f[i] = 1; used += 1 }
            i += 1
        }
        return f
    }

    private mutating func buildRunLengths() {
        let all = Array(literalLengths[0..<literalCount]) + Array(distanceLengths[0..<distanceCount])
        var items: [(symbol: Int, extra: Int)] = []
        var i = 0
        while i < all.count {
            let value = all[i]
            var run = 1
            while i + run < all.count && all[i + run] == value { run += 1 }
            var remaining = run
            if value == 0 {
                while remaining >= 11 { let n = min(138, remaining); items.append((18, n - 11)); remaining -= n }
                if remaining >= 3 { items.append((17, remaining - 3)); remaining = 0 }
            } else {
                items.append((Int(value), 0)); remaining -= 1
                while remaining >= 3 { let n = min(6, remaining); items.append((16, n - 3)); remaining -= n }
            }
            while remaining > 0 { items.append((Int(value), 0)); remaining -= 1 }
            i += run
        }
        var frequencies = [Int](repeating: 0, count: 19)
        for item in items { frequencies[item.symbol] += 1 }
        codeLengthLengths = HuffmanBuilder.codeLengths(frequencies: Self.withTwoSymbols(frequencies), maxLength: 7)
        codeLengthCount = 4
        for k in stride(from: 18, through: 4, by: -1) where codeLengthLengths[DeflateTables.codeLengthOrder[k]] != 0 {
            codeLengthCount = k + 1; break
        }
        var bits = 5 + 5 + 4 + 3 * codeLengthCount
        for item in items {
            bits += Int(codeLengthLengths[item.symbol])
            bits += item.symbol == 16 ? 2 : item.symbol == 17 ? 3 : item.symbol == 18 ? 7 : 0
        }
        lengthItems = items
        headerBits = bits
    }

    /// Bits of the block body (symbols without extra bits, plus end of block) under these codes.
    func symbolBits(literalFrequencies: [Int], distanceFrequencies: [Int]) -> Int {
        var bits = 0
        for i in 0..<286 { bits += literalFrequencies[i] * Int(literalLengths[i]) }
        for i in 0..<30 { bits += distanceFrequencies[i] * Int(distanceLengths[i]) }
        return bits
    }

    func writeHeader(to writer: inout LSBBitWriter) {
        writer.write(UInt32(literalCount - 257), count: 5)
        writer.write(UInt32(distanceCount - 1), count: 5)
        writer.write(UInt32(codeLengthCount - 4), count: 4)
        for k in 0..<codeLengthCount {
            writer.write(UInt32(codeLengthLengths[DeflateTables.codeLengthOrder[k]]), count: 3)
        }
        let codes = DeflateBlockWriter.lsbCodes(codeLengthLengths)
        for item in lengthItems {
            writer.write(codes[item.symbol], count: Int(codeLengthLengths[item.symbol]))
            switch item.symbol {
            case 16: writer.write(UInt32(item.extra), count: 2)
            case 17: writer.write(UInt32(item.extra), count: 3)
            case 18: writer.write(UInt32(item.extra), count: 7)
            default: break
            }
        }
    }
}

/// Writes one block of tokens as whichever of stored, fixed or dynamic Huffman (RFC 1951 §3.2.4-3.2.7) is smallest.
enum DeflateBlockWriter {
    /// Huffman codes bit-reversed for an LSB-first writer (RFC 1951 §3.1.1: codes are packed starting with the MSB).
    static func lsbCodes(_ lengths: [UInt8]) -> [UInt32] {
        let codes = HuffmanBuilder.canonicalCodes(lengths: lengths)
        return codes.indices.map { HuffmanBuilder.reversed(codes[$0], length: Int(lengths[$0])) }
    }

    /// Estimated size in bits of `block` as a dynamic block (header included), used to decide block splits.
    static func dynamicCost(_ block: DeflateTokens) -> Int {
        let code = DynamicBlockCode(literalFrequencies: block.literalFrequencies,
                                    distanceFrequencies: block.distanceFrequencies)
        return 3 + code.headerBits + block.extraBits
            + code.symbolBits(literalFrequencies: block.literalFrequencies, distanceFrequencies: block.distanceFrequencies)
    }

    static func write(_ block: DeflateTokens, input: UnsafeBufferPointer<UInt8>, isFinal: Bool, to writer: inout LSBBitWriter) {
        let dynamic = DynamicBlockCode(literalFrequencies: block.literalFrequencies,
                                       distanceFrequencies: block.distanceFrequencies)
        let dynamicBits = 3 + dynamic.headerBits + block.extraBits
            + dynamic.symbolBits(literalFrequencies: block.literalFrequencies, distanceFrequencies: block.distanceFrequencies)
        var fixedBits = 3 + block.extraBits
        for i in 0..<286 { fixedBits += block.literalFrequencies[i] * Int(DeflateTables.fixedLiteralLengths[i]) }
        for i in 0..<30 { fixedBits += block.distanceFrequencies[i] * 5 }
        let storedLength = block.byteEnd - block.byteStart
        let storedChunks = max(1, (storedLength + 65534) / 65535)
        let storedBits = storedChunks * (3 + 7 + 32) + storedLength * 8

        if storedBits < dynamicBits && storedBits < fixedBits {
            writeStored(input, from: block.byteStart, to: block.byteEnd, isFinal: isFinal, to: &writer)
        } else if fixedBits <= dynamicBits {
            writer.write(isFinal ? 1 : 0, count: 1)
            writer.write(1, count: 2)
            writeSymbols(block.tokens, literalLengths: DeflateTables.fixedLiteralLengths,
                         distanceLengths: DeflateTables.fixedDistanceLengths, to: &writer)
        } else {
            writer.write(isFinal ? 1 : 0, count: 1)
            writer.write(2, count: 2)
            dynamic.writeHeader(to: &writer)
            writeSymbols(block.tokens, literalLengths: dynamic.literalLengths,
                         distanceLengths: dynamic.distanceLengths, to: &writer)
        }
    }

    /// Stored blocks (RFC 1951 §3.2.4): at most 65535 bytes each, LEN and its complement, then the raw bytes.
    static func writeStored(_ input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, isFinal: Bool,
                            to writer: inout LSBBitWriter) {
        var position = start
        repeat {
            let length = min(65535, end - position)
            let last = position + length == end
            writer.write(isFinal && last ? 1 : 0, count: 1)
            writer.write(0, count: 2)
            writer.alignToByte()
            writer.write(UInt32(length) | UInt32(~length & 0xFFFF) << 16, count: 32)
            writer.appendAlignedBytes(UnsafeBufferPointer(rebasing: input[position..<position + length]))
            position += length
        } while position < end
    }

    private static func writeSymbols(_ tokens: [UInt32], literalLengths: [UInt8], distanceLengths: [UInt8],
                                     to writer: inout LSBBitWriter) {
        let literalCodes = lsbCodes(literalLengths)
        let distanceCodes = lsbCodes(distanceLengths)
        // Length code, its extra bits and its length merged into one write per match length (at most 15 + 5 bits).
        var lengthWord = [UInt32](repeating: 0, count: 259)
        var lengthBits = [Int](repeating: 0, count: 259)
        for length in 3...258 {
            let lc = Int(DeflateTables.lengthCodeForLength[length])
            let codeLength = Int(literalLengths[257 + lc])
            lengthWord[length] = literalCodes[257 + lc] | UInt32(length - DeflateTables.lengthBase[lc]) << UInt32(codeLength)
            lengthBits[length] = codeLength + DeflateTables.lengthExtraBits[lc]
        }
        var distanceWord = [UInt32](repeating: 0, count: 30)
        var distanceBits = [Int](repeating: 0, count: 30)
        for dc in 0..<30 {
            distanceWord[dc] = distanceCodes[dc]
            distanceBits[dc] = Int(distanceLengths[dc])
        }
        tokens.withUnsafeBufferPointer { t in
            DeflateTables.distanceCodeForDistance.withUnsafeBufferPointer { distanceCode in
                for token in t {
                    if token & DeflateTokens.matchFlag == 0 {
                        writer.write(literalCodes[Int(token)], count: Int(literalLengths[Int(token)]))
                    } else {
                        let length = Int((token >> 16) & 0x1FF)
                        writer.write(lengthWord[length], count: lengthBits[length])
                        let distance = Int(token & 0xFFFF)
                        let dc = Int(distanceCode[distance - 1])
                        let codeBits = distanceBits[dc]
                        let extra = UInt32(distance - DeflateTables.distanceBase[dc])
                        writer.write(distanceWord[dc] | extra << UInt32(codeBits),
                                     count: codeBits + DeflateTables.distanceExtraBits[dc])
                    }
                }
            }
        }
        writer.write(literalCodes[256], count: Int(literalLengths[256]))
    }
}
