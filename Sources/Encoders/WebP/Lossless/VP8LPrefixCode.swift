/// VP8L prefix codes (RFC 9649 §3.7.2 and §6.2.1): building length-limited canonical codes from symbol counts and
/// writing their code lengths with the simple code or the normal code-length code (run-length codes 16/17/18).
struct VP8LPrefixCode {
    /// Bit-reversed canonical codes, ready for the LSB-first writer.
    var codes: [UInt32]
    /// Bits written per symbol: 0 for every symbol of a single-leaf code (the decoder reads no bits for it).
    var bitCounts: [UInt8]

    /// Order in which the code-length code lengths are stored (RFC 9649 §6.2.1, kCodeLengthCodeOrder).
    static let codeLengthCodeOrder: [Int] = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]

    /// Builds the code for `counts` and writes its description to `writer`.
    static func write(counts: UnsafeBufferPointer<UInt32>, to writer: inout LSBBitWriter) -> VP8LPrefixCode {
        let size = counts.count
        var used: [Int] = []
        for s in 0..<size where counts[s] > 0 {
            used.append(s)
            if used.count > 2 { break }
        }
        var result = VP8LPrefixCode(codes: [UInt32](repeating: 0, count: size),
                                    bitCounts: [UInt8](repeating: 0, count: size))
        // Simple code: one or two symbols below 256 (an empty code is written as the single symbol 0).
        if used.count <= 2 && (used.last ?? 0) < 256 {
            writer.write(1, count: 1)
            if used.isEmpty { used = [0] }
            writer.write(UInt32(used.count - 1), count: 1)
            if used[0] < 2 {
                writer.write(0, count: 1)
                writer.write(UInt32(used[0]), count: 1)
            } else {
                writer.write(1, count: 1)
                writer.write(UInt32(used[0]), count: 8)
            }
            if used.count == 2 {
                writer.write(UInt32(used[1]), count: 8)
                // Both symbols have length 1; the canonical order gives the smaller symbol code 0.
                result.codes[used[0]] = 0; result.bitCounts[used[0]] = 1
                result.codes[used[1]] = 1; result.bitCounts[used[1]] = 1
            }
            return result
        }
        var frequencies = [Int](repeating: 0, count: size)
        for s in 0..<size { frequencies[s] = Int(counts[s]) }
        let lengths = HuffmanBuilder.codeLengths(frequencies: frequencies, maxLength: 15)
        writeNormal(lengths: lengths, to: &writer)
        if used.count == 1 { return result }  // single leaf: zero bits per symbol
        let canonical = HuffmanBuilder.canonicalCodes(lengths: lengths)
        for s in 0..<size where lengths[s] > 0 {
            result.codes[s] = HuffmanBuilder.reversed(canonical[s], length: Int(lengths[s]))
            result.bitCounts[s] = lengths[s]
        }
        return result
    }

    /// Writes code lengths with the normal code-length code (RFC 9649 §6.2.1).
    private static func writeNormal(lengths: [UInt8], to writer: inout LSBBitWriter) {
        writer.write(0, count: 1)
        // Run-length tokens: (symbol, extra bits value, extra bit count).
        var tokens: [(UInt8, UInt8, UInt8)] = []
        var end = lengths.count
        while end > 0 && lengths[end - 1] == 0 { end -= 1 }
        var i = 0
        var previous: UInt8 = 8
        while i < end {
            let value = lengths[i]
            var run = 1
            while i + run < end && lengths[i + run] == value { run += 1 }
            if value == 0 {
                appendZeroRun(run, to: &tokens)
            } else {
                var left = run
                if value != previous {
                    tokens.append((value, 0, 0)); left -= 1
                }
                while left > 0 {
                    if left >= 3 {
                        let n = min(left, 6)
                        tokens.append((16, UInt8(n - 3), 2)); left -= n
                    } else {
                        tokens.append((value, 0, 0)); left -= 1
                    }
                }
                previous = value
            }
            i += run
        }
        // max_symbol counts tokens; use it when trailing zero lengths can be dropped, else spell them out.
        let usesMaxSymbol = end < lengths.count && tokens.count >= 2
        if !usesMaxSymbol { appendZeroRun(lengths.count - end, to: &tokens) }
        var histogram = [Int](repeating: 0, count: 19)
        for t in tokens { histogram[Int(t.0)] += 1 }
        let codeLengthLengths = HuffmanBuilder.codeLengths(frequencies: histogram, maxLength: 7)
        var stored = 19
        while stored > 4 && codeLengthLengths[codeLengthCodeOrder[stored - 1]] == 0 { stored -= 1 }
        writer.write(UInt32(stored - 4), count: 4)
        for k in 0..<stored { writer.write(UInt32(codeLengthLengths[codeLengthCodeOrder[k]]), count: 3) }
        if usesMaxSymbol {
            let value = tokens.count - 2
            var nbits = 2
            while nbits < 16 && value >= 1 << nbits { nbits += 2 }
            writer.write(1, count: 1)
            writer.write(UInt32((nbits - 2) / 2), count: 3)
            writer.write(UInt32(value), count: nbits)
        } else {
            writer.write(0, count: 1)
        }
        let singleLeaf = codeLengthLengths.filter { $0 > 0 }.count == 1
        let canonical = HuffmanBuilder.canonicalCodes(lengths: codeLengthLengths)
        for t in tokens {
            let symbol = Int(t.0)
            if !singleLeaf {
                let n = Int(codeLengthLengths[symbol])
                writer.write(HuffmanBuilder.reversed(canonical[symbol], length: n), count: n)
            }
            if t.2 > 0 { writer.write(UInt32(t.1), count: Int(t.2)) }
        }
    }

    /// Appends tokens for `run` zero lengths: codes 18 (11...138), 17 (3...10) and literal zeros.
    private static func appendZeroRun(_ run: Int, to tokens: inout [(UInt8, UInt8, UInt8)]) {
        var left = run
        while left > 0 {
            if left >= 11 {
                let n = min(left, 138)
                tokens.append((18, UInt8(n - 11), 7)); left -= n
            } else if left >= 3 {
                tokens.append((17, UInt8(left - 3), 3)); left = 0
            } else {
                tokens.append((0, 0, 0)); left -= 1
            }
        }
    }
}
