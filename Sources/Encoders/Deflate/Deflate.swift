import Raster

/// Deflate compressor (RFC 1951) and its zlib wrapper (RFC 1950).
///
/// Levels: 0 stores; 1-3 take the longest match greedily; 4-8 defer each match by one byte when the next position
/// matches longer (lazy matching), searching longer hash chains as the level rises; 9 chooses the parse with the
/// fewest bits (`DeflateOptimalParser`). Tokens are gathered in segments;
/// adjacent segments share a block while one Huffman code for both costs less than two, and each block is written
/// as stored, fixed or dynamic, whichever is smallest.
public enum Deflate {
    struct Parameters {
        var lazy: Bool
        var chainLimit: Int
        /// Lazy matching is skipped once the pending match is at least this long.
        var lazyLimit: Int
        var goodLength: Int
        var niceLength: Int
        /// Tokens per segment, the unit of block splitting.
        var segmentTokens: Int
        /// Shorter matches are sent as literals (see `compress(_:level:minimumMatch:)`).
        var minimumMatch = 3
        /// Bytes hashed per position: the minimum match, so chains hold only candidates that can be used.
        var hashLength = 3
        /// Cost-based parsing (`DeflateOptimalParser`) instead of lazy matching.
        var optimal = false
    }

    static func parameters(level: Int) -> Parameters {
        switch level {
        case ...1: return Parameters(lazy: false, chainLimit: 4, lazyLimit: 0, goodLength: 4, niceLength: 8, segmentTokens: 16384)
        case 2: return Parameters(lazy: false, chainLimit: 8, lazyLimit: 0, goodLength: 4, niceLength: 16, segmentTokens: 16384)
        case 3: return Parameters(lazy: false, chainLimit: 32, lazyLimit: 0, goodLength: 4, niceLength: 32, segmentTokens: 16384)
        case 4: return Parameters(lazy: true, chainLimit: 16, lazyLimit: 4, goodLength: 4, niceLength: 16, segmentTokens: 16384)
        case 5: return Parameters(lazy: true, chainLimit: 32, lazyLimit: 16, goodLength: 8, niceLength: 32, segmentTokens: 8192)
        case 6: return Parameters(lazy: true, chainLimit: 128, lazyLimit: 16, goodLength: 8, niceLength: 128, segmentTokens: 8192)
        case 7: return Parameters(lazy: true, chainLimit: 256, lazyLimit: 32, goodLength: 8, niceLength: 128, segmentTokens: 8192)
        case 8: return Parameters(lazy: true, chainLimit: 1024, lazyLimit: 128, goodLength: 32, niceLength: 258, segmentTokens: 4096)
        default: return Parameters(lazy: true, chainLimit: 256, lazyLimit: 258, goodLength: 32, niceLength: 128, segmentTokens: 4096,
                                   optimal: true)
        }
    }

    /// A raw Deflate stream of `data` at `level` 0...9. `minimumMatch` (3...8) sends shorter matches as literals:
    /// on prediction residuals such as filtered PNG rows, short matches are mostly coincidences that cost more than
    /// the literals they replace (zlib's Z_FILTERED makes the same bet), and hashing longer prefixes makes the search
    /// faster.
    public static func compress(_ data: [UInt8], level: Int = 6, minimumMatch: Int = 3) -> [UInt8] {
        var writer = LSBBitWriter(reservingCapacity: data.count / 2 + 64)
        data.withUnsafeBufferPointer { input in
            compress(input, level: level, minimumMatch: minimumMatch, to: &writer)
        }
        return writer.finish()
    }

    /// A zlib stream (RFC 1950): CMF/FLG header, Deflate data, Adler-32 of the input, big-endian.
    public static func zlibCompress(_ data: [UInt8], level: Int = 6, minimumMatch: Int = 3) -> [UInt8] {
        var writer = LSBBitWriter(reservingCapacity: data.count / 2 + 64)
        // CM 8 (deflate), CINFO 7 (32 KiB window); FLEVEL from the level; FCHECK makes CMF*256+FLG a multiple of 31.
        let cmf: UInt32 = 0x78
        let flevel: UInt32 = level <= 1 ? 0 : level <= 5 ? 1 : level == 6 ? 2 : 3
        var flg = flevel << 6
        flg += 31 - (cmf * 256 + flg) % 31
        writer.write(cmf, count: 8)
        writer.write(flg, count: 8)
        let adler = data.withUnsafeBufferPointer { input -> UInt32 in
            compress(input, level: level, minimumMatch: minimumMatch, to: &writer)
            return Adler32.update(1, input)
        }
        writer.alignToByte()
        for shift in stride(from: 24, through: 0, by: -8) { writer.write(UInt32(adler >> UInt32(shift)) & 0xFF, count: 8) }
        return writer.finish()
    }

    static func compress(_ input: UnsafeBufferPointer<UInt8>, level: Int, minimumMatch: Int,
                         to writer: inout LSBBitWriter) {
        guard level > 0, let base = input.baseAddress, input.count > 0 else {
            DeflateBlockWriter.writeStored(input, from: 0, to: input.count, isFinal: true, to: &writer)
            return
        }
        var p = parameters(level: level)
        p.minimumMatch = min(8, max(3, minimumMatch))
        p.hashLength = p.minimumMatch
        var splitter = BlockSplitter(input: input)
        var matcher = LZ77Matcher(data: base, count: input.count, hashLength: p.hashLength)
        defer { matcher.deallocate() }
        matcher.chainLimit = p.chainLimit
        matcher.goodLength = p.goodLength
        matcher.niceLength = p.niceLength
        var segment = DeflateTokens()
        segment.tokens.reserveCapacity(p.segmentTokens + 1)
        let tokenize = p.optimal ? DeflateOptimalParser.tokenize : p.lazy ? tokenizeLazy : tokenizeGreedy
        tokenize(matcher, p, &segment) { segment, byteEnd in
            segment.byteEnd = byteEnd
            segment.countSymbols()
            splitter.add(segment, to: &writer)
            segment.tokens.removeAll(keepingCapacity: true)
            segment.byteStart = byteEnd
        }
        splitter.finish(to: &writer)
    }

    /// Matches of length 3 farther than this cost more than three literals in practice (the zlib heuristic).
    private static let tooFar = 4096

    private static func tokenizeGreedy(_ matcher: LZ77Matcher, _ p: Parameters, _ segment: inout DeflateTokens,
                                       _ flush: (inout DeflateTokens, Int) -> Void) {
        let n = matcher.count
        let data = matcher.data
        let minimumMatch = p.minimumMatch
        var position = 0
        while position < n {
            if segment.tokens.count >= p.segmentTokens { flush(&segment, position) }
            var length = 0, distance = 0
            if matcher.canInsert(position) {
                let candidate = matcher.insert(position)
                if candidate >= 0 {
                    (length, distance) = matcher.longestMatch(at: position, candidate: candidate, currentLength: 0)
                    if length < minimumMatch || (length == 3 && distance > tooFar) { length = 0 }
                }
            }
            if length >= LZ77Matcher.minMatch {
                segment.tokens.append(DeflateTokens.match(length: length, distance: distance))
                let end = position + length
                var q = position + 1
                while q < end && matcher.canInsert(q) { _ = matcher.insert(q); q += 1 }
                position = end
            } else {
                segment.tokens.append(UInt32(data[position]))
                position += 1
            }
        }
        flush(&segment, n)
    }

    private static func tokenizeLazy(_ matcher: LZ77Matcher, _ p: Parameters, _ segment: inout DeflateTokens,
                                     _ flush: (inout DeflateTokens, Int) -> Void) {
        let n = matcher.count
        let data = matcher.data
        let minimumMatch = p.minimumMatch
        var position = 0
        // A match found at position - 1, held back to see whether `position` starts a longer one.
        var pendingAvailable = false
        var pendingLength = 0, pendingDistance = 0
        while position < n {
            if segment.tokens.count >= p.segmentTokens { flush(&segment, pendingAvailable ? position - 1 : position) }
            var length = 0, distance = 0
            if matcher.canInsert(position) {
                let candidate = matcher.insert(position)
                if candidate >= 0 && pendingLength < p.lazyLimit {
                    (length, distance) = matcher.longestMatch(at: position, candidate: candidate, currentLength: pendingLength)
                    if length < minimumMatch || (length == 3 && distance > tooFar) { length = 0 }
                }
            }
            if pendingLength >= LZ77Matcher.minMatch && length <= pendingLength {
                segment.tokens.append(DeflateTokens.match(length: pendingLength, distance: pendingDistance))
                let end = position - 1 + pendingLength
                var q = position + 1
                while q < end && matcher.canInsert(q) { _ = matcher.insert(q); q += 1 }
                position = end
                pendingAvailable = false
                pendingLength = 0
            } else {
                if pendingAvailable { segment.tokens.append(UInt32(data[position - 1])) }
                pendingAvailable = true
                pendingLength = length
                pendingDistance = distance
                position += 1
            }
        }
        if pendingAvailable {
            if pendingLength >= LZ77Matcher.minMatch {
                segment.tokens.append(DeflateTokens.match(length: pendingLength, distance: pendingDistance))
            } else {
                segment.tokens.append(UInt32(data[n - 1]))
            }
        }
        flush(&segment, n)
    }
}

/// Decides block boundaries: a new segment joins the pending block when one code for both is cheaper than two
/// blocks; otherwise the pending block is written and the segment starts the next one.
struct BlockSplitter {
    let input: UnsafeBufferPointer<UInt8>
    private var pending = DeflateTokens()
    private var pendingCost = 0
    private var hasPending = false

    init(input: UnsafeBufferPointer<UInt8>) { self.input = input }

    mutating func add(_ segment: DeflateTokens, to writer: inout LSBBitWriter) {
        guard !segment.isEmpty else { return }
        let segmentCost = DeflateBlockWriter.dynamicCost(segment)
        guard hasPending else {
            pending = segment; pendingCost = segmentCost; hasPending = true
            return
        }
        var merged = pending
        merged.append(segment)
        let mergedCost = DeflateBlockWriter.dynamicCost(merged)
        if mergedCost <= pendingCost + segmentCost {
            pending = merged
            pendingCost = mergedCost
        } else {
            DeflateBlockWriter.write(pending, input: input, isFinal: false, to: &writer)
            pending = segment
            pendingCost = segmentCost
        }
    }

    mutating func finish(to writer: inout LSBBitWriter) {
        if hasPending {
            DeflateBlockWriter.write(pending, input: input, isFinal: true, to: &writer)
        } else {
            DeflateBlockWriter.writeStored(input, from: input.count, to: input.count, isFinal: true, to: &writer)
        }
    }
}
