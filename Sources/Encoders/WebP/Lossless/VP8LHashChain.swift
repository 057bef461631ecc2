import Raster

/// The match finder: for every pixel, the longest earlier match found (RFC 9649 §5.2.2 backward references), as
/// one packed word `distance << 12 | length` (length 0 = none). Built once per image; the parses read it.
///
/// Pixels are chained by a hash of themselves and their right neighbour. Inside a run of one colour every pixel
/// would share that hash, so there the second key is the run length still ahead: pixels with the same colour and
/// the same run ahead are the ones whose matches are long. The search then walks the image from the end: a match
/// found at `i + 1` that also holds one pixel to the left is the match at `i`, one longer, without searching.
struct VP8LHashChain {
    /// Longest match length stored (12 bits; the format allows 4096).
    static let maxLength = 4095
    /// Largest distance whose code (distance + 120) a distance prefix can carry (§5.2.2: values up to 2^20).
    static let maxDistance = (1 << 20) - 120

    struct Parameters {
        /// Chain candidates examined per searched pixel (besides the left and upper neighbours).
        var iterations: Int
        /// How far back matches are searched, in rows.
        var windowRows: Int
        /// A match this long ends the search.
        var goodLength: Int
    }

    private(set) var packed: [UInt32]

    @inline(__always) func length(_ i: Int) -> Int { Int(packed[i] & 0xfff) }
    @inline(__always) func distance(_ i: Int) -> Int { Int(packed[i] >> 12) }

    init(_ pixels: [UInt32], width: Int, parameters: Parameters) {
        let count = pixels.count
        packed = [UInt32](repeating: 0, count: count)
        if count < 2 { return }
        // Each pixel beside its link, so following a link and checking the candidate's pixel cost one memory
        // access: low 32 bits the pixel, high 32 bits the previous position of the same key (−1: none).
        var chain = [UInt64](repeating: 0, count: count)
        pixels.withUnsafeBufferPointer { px in
            chain.withUnsafeMutableBufferPointer { chainBuffer in
                Self.link(px.baseAddress!, count: count, chain: chainBuffer.baseAddress!)
            }
        }
        let window = min(VP8LHashChain.maxDistance, max(1, parameters.windowRows) * width)
        // Two fixed halves (whatever the thread count), each searched from its end.
        let parts = count >= 1 << 16 ? 2 : 1
        pixels.withUnsafeBufferPointer { px in
            chain.withUnsafeBufferPointer { chainBuffer in
                packed.withUnsafeMutableBufferPointer { out in
                    let p = px.baseAddress!, c = chainBuffer.baseAddress!, o = out.baseAddress!
                    Job.parallelFor(parts) { part in
                        Self.search(p, count: count, width: width, range: (part * count / parts)..<((part + 1) * count / parts),
                                    chain: c, window: window, parameters: parameters, out: o)
                    }
                }
            }
        }
    }

    /// Fills `chain[i]` with pixel i and the previous pixel of the same key (−1: none).
    private static func link(_ p: UnsafePointer<UInt32>, count: Int, chain: UnsafeMutablePointer<UInt64>) {
        for i in 0..<count { chain[i] = 0xffff_ffff_0000_0000 | UInt64(p[i]) }
        var hashBits = 14
        while hashBits < 20 && (1 << hashBits) < count { hashBits += 1 }
        let shift = UInt32(32 - hashBits)
        var head = [Int32](repeating: -1, count: 1 << hashBits)
        head.withUnsafeMutableBufferPointer { headBuffer in
            let head = headBuffer.baseAddress!
            @inline(__always) func insert(_ i: Int, _ a: UInt32, _ b: UInt32) {
                let h = Int((a &* 0x5bd1_e996 &+ b &* 0xc6a4_a793) >> shift)
                chain[i] = UInt64(UInt32(bitPattern: head[h])) << 32 | UInt64(p[i])
                head[h] = Int32(i)
            }
            var i = 0
            while i < count - 1 {
                let v = p[i]
                if i + 2 < count && p[i + 1] == v && p[i + 2] == v {
                    var end = i + 3
                    while end < count && p[end] == v { end += 1 }
                    // Pixels i..<end - 1 are followed by their own colour; key: colour and the run ahead.
                    for k in i..<(end - 1) {
                        let ahead = end - k
                        // Far inside a long run the left neighbour already gives a maximal match.
                        if ahead > maxLength + 1 { continue }
                        insert(k, v, UInt32(ahead) ^ 0x9e37_79b9)
                    }
                    i = end - 1
                } else {
                    insert(i, v, p[i + 1])
                    i += 1
                }
            }
        }
    }

    @inline(__always)
    private static func matchLength(_ p: UnsafePointer<UInt32>, _ a: Int, _ b: Int, _ limit: Int) -> Int {
        var n = 0
        let ra = UnsafeRawPointer(p + a), rb = UnsafeRawPointer(p + b)
        while n + 2 <= limit {
            let x = ra.loadUnaligned(fromByteOffset: n * 4, as: UInt64.self)
            let y = rb.loadUnaligned(fromByteOffset: n * 4, as: UInt64.self)
            if x != y { return n + ((x ^ y) & 0xffff_ffff == 0 ? 1 : 0) }
            n += 2
        }
        if n < limit && p[a + n] == p[b + n] { n += 1 }
        return n
    }

    private static func search(_ p: UnsafePointer<UInt32>, count: Int, width: Int, range: Range<Int>,
                               chain: UnsafePointer<UInt64>, window: Int, parameters: Parameters,
                               out: UnsafeMutablePointer<UInt32>) {
        var previousLength = 0, previousDistance = 0
        var i = range.upperBound - 1
        while i >= range.lowerBound {
            if i == 0 { out[0] = 0; break }
            let limit = min(maxLength, count - i)
            // Extend the match of i + 1 one pixel to the left when it holds there.
            if previousDistance > 0 && i >= previousDistance && p[i - previousDistance] == p[i]
                && (previousLength < maxLength || previousDistance == 1 || previousDistance == width) {
                previousLength = min(previousLength + 1, limit)
                out[i] = UInt32(previousDistance) << 12 | UInt32(previousLength)
                i -= 1
                continue
            }
            var bestLength = 0, bestDistance = 0
            if i >= width {
                let n = matchLength(p, i - width, i, limit)
                if n > bestLength { bestLength = n; bestDistance = width }
            }
            let left = matchLength(p, i - 1, i, limit)
            if left > bestLength { bestLength = left; bestDistance = 1 }
            if bestLength < limit && bestLength < parameters.goodLength {
                let lowest = i - window
                @inline(__always) func previous(_ link: UInt64) -> Int { Int(Int32(truncatingIfNeeded: link >> 32)) }
                var candidate = previous(chain[i])
                var iterations = parameters.iterations
                while candidate >= 0 && candidate >= lowest && iterations > 0 {
                    let link = chain[candidate]
                    if UInt32(truncatingIfNeeded: chain[candidate + bestLength]) == p[i + bestLength] {
                        let n = matchLength(p, candidate, i, limit)
                        if n > bestLength {
                            bestLength = n; bestDistance = i - candidate
                            if n >= parameters.goodLength || n == limit { break }
                        }
                    }
                    candidate = previous(link)
                    iterations -= 1
                }
            }
            out[i] = UInt32(bestDistance) << 12 | UInt32(bestLength)
            previousLength = bestLength
            previousDistance = bestLength > 0 ? bestDistance : 0
            i -= 1
        }
    }
}
