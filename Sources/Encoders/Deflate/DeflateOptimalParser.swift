import Glibc

/// Cost-based parsing for the thorough level: instead of deciding match by match, each chunk of input is parsed
/// as the cheapest path through all (literal | match) choices, with bit costs taken from the Huffman code that the
/// previous parse of the same chunk would get. Two rounds: the first prices literals by their byte frequencies.
struct DeflateOptimalParser {
    private static let chunkSize = 1 << 16

    private var literalCost = [Float](repeating: 8, count: 256)
    /// Bits of the length symbol plus its extra bits, per match length 0...258.
    private var lengthCost = [Float](repeating: 8, count: 259)
    /// Bits of the distance symbol plus its extra bits, per distance code.
    private var distanceCodeCost = [Float](repeating: 5, count: 30)

    static func tokenize(_ matcher: LZ77Matcher, _ p: Deflate.Parameters, _ segment: inout DeflateTokens,
                         _ flush: (inout DeflateTokens, Int) -> Void) {
        var parser = DeflateOptimalParser()
        let n = matcher.count
        var chunkStart = 0
        var matchOffsets = [Int32](), lengths = [UInt16](), distances = [UInt16]()
        var tokens = [UInt32]()
        while chunkStart < n {
            let chunkEnd = min(n, chunkStart + chunkSize)
            parser.findMatches(matcher, p, from: chunkStart, to: chunkEnd,
                               offsets: &matchOffsets, lengths: &lengths, distances: &distances)
            parser.priceByByteFrequencies(matcher.data, from: chunkStart, to: chunkEnd)
            for round in 0..<2 {
                tokens = parser.cheapestPath(matcher.data, from: chunkStart, to: chunkEnd,
                                             offsets: matchOffsets, lengths: lengths, distances: distances)
                if round == 0 { parser.priceByCode(of: tokens) }
            }
            var position = chunkStart
            for token in tokens {
                if segment.tokens.count >= p.segmentTokens { flush(&segment, position) }
                segment.tokens.append(token)
                position += token & DeflateTokens.matchFlag == 0 ? 1 : Int((token >> 16) & 0x1FF)
            }
            chunkStart = chunkEnd
        }
        flush(&segment, n)
    }

    /// Matches at every position of the chunk: offsets[i]..<offsets[i+1] index `lengths`/`distances`.
    /// A match reaching the nice length is taken as is: the positions it covers are only hashed.
    private func findMatches(_ matcher: LZ77Matcher, _ p: Deflate.Parameters, from start: Int, to end: Int,
                             offsets: inout [Int32], lengths: inout [UInt16], distances: inout [UInt16]) {
        offsets.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        distances.removeAll(keepingCapacity: true)
        var position = start
        var skipUntil = start
        while position < end {
            offsets.append(Int32(lengths.count))
            if matcher.canInsert(position) {
                let candidate = matcher.insert(position)
                if position >= skipUntil && candidate >= 0 {
                    let longest = matcher.allMatches(at: position, candidate: candidate, minimumLength: p.minimumMatch,
                                                     lengths: &lengths, distances: &distances)
                    if longest >= p.niceLength { skipUntil = position + longest }
                }
            }
            position += 1
        }
        offsets.append(Int32(lengths.count))
    }

    private mutating func priceByByteFrequencies(_ data: UnsafePointer<UInt8>, from start: Int, to end: Int) {
        var counts = [Int](repeating: 0, count: 256)
        for i in start..<end { counts[Int(data[i])] += 1 }
        let total = Float(end - start)
        for b in 0..<256 { literalCost[b] = counts[b] == 0 ? 12 : max(1, log2f(total / Float(counts[b]))) }
        for length in 3...258 {
            let code = Int(DeflateTables.lengthCodeForLength[length])
            lengthCost[length] = 7 + Float(DeflateTables.lengthExtraBits[code])
        }
        for code in 0..<30 { distanceCodeCost[code] = 5 + Float(DeflateTables.distanceExtraBits[code]) }
    }

    /// Costs from the optimal length-limited code for the symbol counts of `tokens`.
    private mutating func priceByCode(of tokens: [UInt32]) {
        var block = DeflateTokens()
        block.tokens = tokens
        block.countSymbols()
        let code = DynamicBlockCode(literalFrequencies: block.literalFrequencies,
                                    distanceFrequencies: block.distanceFrequencies)
        // Unused symbols would cost about a longest code if the next parse started using them.
        func bits(_ length: UInt8) -> Float { length == 0 ? 15 : Float(length) }
        for b in 0..<256 { literalCost[b] = bits(code.literalLengths[b]) }
        for length in 3...258 {
            let lc = Int(DeflateTables.lengthCodeForLength[length])
            lengthCost[length] = bits(code.literalLengths[257 + lc]) + Float(DeflateTables.lengthExtraBits[lc])
        }
        for dc in 0..<30 { distanceCodeCost[dc] = bits(code.distanceLengths[dc]) + Float(DeflateTables.distanceExtraBits[dc]) }
    }

    /// Shortest path over positions start...end where each step is a literal or one of the recorded matches
    /// (shortened to any length down to the minimum, since every shorter prefix is a match too).
    private func cheapestPath(_ data: UnsafePointer<UInt8>, from start: Int, to end: Int, offsets: [Int32],
                              lengths: [UInt16], distances: [UInt16]) -> [UInt32] {
        let n = end - start
        var cost = [Float](repeating: .infinity, count: n + 1)
        var stepLength = [UInt16](repeating: 0, count: n + 1)
        var stepDistance = [UInt16](repeating: 0, count: n + 1)
        cost[0] = 0
        let minimum = 3
        DeflateTables.distanceCodeForDistance.withUnsafeBufferPointer { distanceCode in
            for i in 0..<n {
                let here = cost[i]
                let literal = here + literalCost[Int(data[start + i])]
                if literal < cost[i + 1] { cost[i + 1] = literal; stepLength[i + 1] = 1; stepDistance[i + 1] = 0 }
                var shorter = minimum - 1
                for k in Int(offsets[i])..<Int(offsets[i + 1]) {
                    let length = min(Int(lengths[k]), n - i)
                    let distance = Int(distances[k])
                    let base = here + distanceCodeCost[Int(distanceCode[distance - 1])]
                    if length > shorter {
                        for l in (shorter + 1)...length {
                            let c = base + lengthCost[l]
                            if c < cost[i + l] { cost[i + l] = c; stepLength[i + l] = UInt16(l); stepDistance[i + l] = UInt16(distance) }
                        }
                        shorter = length
                    }
                }
            }
        }
        var reversed: [UInt32] = []
        var position = n
        while position > 0 {
            let l = Int(stepLength[position])
            if l <= 1 {
                reversed.append(UInt32(data[start + position - 1]))
                position -= 1
            } else {
                reversed.append(DeflateTokens.match(length: l, distance: Int(stepDistance[position])))
                position -= l
            }
        }
        return reversed.reversed()
    }
}
