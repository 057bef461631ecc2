/// VP8L prefix codes (RFC 9649 §3.7.2 and §6.2.1): building length-limited canonical codes from symbol counts and
/// writing their code lengths with the simple code or the normal code-length code (run-length codes 16/17/18).
struct VP8LPrefixCode {
    /// Bit-reversed canonical codes, ready for the LSB-first writer.
    var codes: [UInt32]
    /// Bits written per symbol: 0 for every symbol of a single-leaf code (the decoder reads no bits for it).
    var bitCounts: [UInt8]

    /// Order in which the code-length code lengths are stored (RFC 9649 §6.2.1, kCodeLengthCodeOrder).
    static let codeLengthCodeOrder: [Int] = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]

    /// How a normal code's lengths are written: run-length tokens (symbol, extra value, extra bit count), the
    /// code-length code, how many of its lengths are stored, and whether `max_symbol` cuts trailing zeros.
    private struct Description {
        var tokens: [(UInt8, UInt8, UInt8)]
        var codeLengthLengths: [UInt8]
        var stored: Int
        var usesMaxSymbol: Bool
        var bits: Int
    }

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
        let frequencies = (0..<size).map { Int(counts[$0]) }
        var lengths = HuffmanBuilder.codeLengths(frequencies: frequencies, maxLength: 15)
        var description = describe(lengths)
        if used.count > 2 {
            // Counts evened out over runs of similar values give runs of equal lengths, which the run-length codes
            // describe cheaply; keep whichever code costs fewer bits in total.
            var bestTotal = description.bits + dataBits(frequencies, lengths)
            for tolerance in [0.125, 0.25] {
                let smoothed = HuffmanBuilder.codeLengths(frequencies: smoothedForRuns(frequencies, tolerance: tolerance),
                                                          maxLength: 15)
                let candidate = describe(smoothed)
                let total = candidate.bits + dataBits(frequencies, smoothed)
                if total < bestTotal { bestTotal = total; lengths = smoothed; description = candidate }
            }
        }
        writeNormal(description, to: &writer)
        if used.count == 1 { return result }  // single leaf: zero bits per symbol
        let canonical = HuffmanBuilder.canonicalCodes(lengths: lengths)
        for s in 0..<size where lengths[s] > 0 {
            result.codes[s] = HuffmanBuilder.reversed(canonical[s], length: Int(lengths[s]))
            result.bitCounts[s] = lengths[s]
        }
        return result
    }

    private static func dataBits(_ frequencies: [Int], _ lengths: [UInt8]) -> Int {
        var bits = 0
        for s in 0..<frequencies.count { bits += frequencies[s] * Int(lengths[s]) }
        return bits
    }

    /// Replaces each run of at least four non-zero counts that stay within `tolerance` of the run's mean by that
    /// mean (zeros are never touched, so no unused symbol gets a code).
    static func smoothedForRuns(_ counts: [Int], tolerance: Double) -> [Int] {
        var out = counts
        var start = 0
        while start < counts.count {
            if counts[start] == 0 { start += 1; continue }
            var end = start + 1
            var sum = counts[start]
            while end < counts.count && counts[end] != 0 {
                let mean = Double(sum) / Double(end - start)
                if abs(Double(counts[end]) - mean) > max(1.5, tolerance * mean) { break }
                sum += counts[end]
                end += 1
            }
            if end - start >= 4 {
                let mean = max(1, (sum + (end - start) / 2) / (end - start))
                for k in start..<end { out[k] = mean }
            }
            start = end
        }
        return out
    }

    /// Plans the normal code-length code for `lengths` (RFC 9649 §6.2.1) and counts its bits; with and without
    /// `max_symbol`, whichever is shorter.
    private static func describe(_ lengths: [UInt8]) -> Description {
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
        let trimmed = plan(tokens)
        if end == lengths.count || tokens.count < 2 {
            var full = tokens
            appendZeroRun(lengths.count - end, to: &full)
            return plan(full)
        }
        var full = tokens
        appendZeroRun(lengths.count - end, to: &full)
        let explicit = plan(full)
        var withMax = trimmed
        withMax.usesMaxSymbol = true
        withMax.bits += maxSymbolFieldBits(tokens.count - 2) - 1
        return withMax.bits < explicit.bits ? withMax : explicit
    }

    /// Bits of the max_symbol field for `value` (3-bit length code, then 2 + 2·n bits).
    private static func maxSymbolFieldBits(_ value: Int) -> Int {
        var nbits = 2
        while nbits < 16 && value >= 1 << nbits { nbits += 2 }
        return 1 + 3 + nbits
    }

    /// The code-length code for `tokens` and the bits of the whole description (without max_symbol).
    private static func plan(_ tokens: [(UInt8, UInt8, UInt8)]) -> Description {
        var histogram = [Int](repeating: 0, count: 19)
        for t in tokens { histogram[Int(t.0)] += 1 }
        let codeLengthLengths = HuffmanBuilder.codeLengths(frequencies: histogram, maxLength: 7)
        var stored = 19
        while stored > 4 && codeLengthLengths[codeLengthCodeOrder[stored - 1]] == 0 { stored -= 1 }
        let singleLeaf = codeLengthLengths.filter { $0 > 0 }.count == 1
        var bits = 1 + 4 + 3 * stored + 1
        for t in tokens {
            if !singleLeaf { bits += Int(codeLengthLengths[Int(t.0)]) }
            bits += Int(t.2)
        }
        return Description(tokens: tokens, codeLengthLengths: codeLengthLengths, stored: stored,
                           usesMaxSymbol: false, bits: bits)
    }

    /// Writes a planned normal code (RFC 9649 §6.2.1).
    private static func writeNormal(_ d: Description, to writer: inout LSBBitWriter) {
        writer.write(0, count: 1)
        writer.write(UInt32(d.stored - 4), count: 4)
        for k in 0..<d.stored { writer.write(UInt32(d.codeLengthLengths[codeLengthCodeOrder[k]]), count: 3) }
        if d.usesMaxSymbol {
            let value = d.tokens.count - 2
            var nbits = 2
            while nbits < 16 && value >= 1 << nbits { nbits += 2 }
            writer.write(1, count: 1)
            writer.write(UInt32((nbits - 2) / 2), count: 3)
            writer.write(UInt32(value), count: nbits)
        } else {
            writer.write(0, count: 1)
        }
        let singleLeaf = d.codeLengthLengths.filter { $0 > 0 }.count == 1
        let canonical = HuffmanBuilder.canonicalCodes(lengths: d.codeLengthLengths)
        for t in d.tokens {
            let symbol = Int(t.0)
            if !singleLeaf {
                let n = Int(d.codeLengthLengths[symbol])
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
