/// LZ77 match finder over a 32 KiB window (RFC 1951 §4) with hash chains on 3-byte prefixes.
///
/// `head[h]` holds the most recent position whose next three bytes hash to `h`; `previous[p & mask]` links each
/// position to the earlier one with the same hash. Positions are absolute (the whole input is in memory), so a chain
/// ends when a link does not point strictly backwards or leaves the window.
struct LZ77Matcher {
    static let windowSize = 32768
    static let maxMatch = 258
    static let minMatch = 3
    private static let hashBits = 16

    let data: UnsafePointer<UInt8>
    let count: Int
    /// Bytes hashed per position (3...8). When short matches are not wanted anyway, hashing as many bytes as the
    /// shortest wanted match keeps chains free of candidates that could never be used.
    let hashLength: Int
    private let hashMask: UInt64
    private let head: UnsafeMutablePointer<Int32>
    private let previous: UnsafeMutablePointer<Int32>

    /// Search effort, as in the classic zlib tuning: follow at most `chainLimit` links, a quarter of them when the
    /// previous match is already `goodLength` long, and stop at the first match of `niceLength`.
    var chainLimit = 128
    var goodLength = 8
    var niceLength = 128

    init(data: UnsafePointer<UInt8>, count: Int, hashLength: Int = 3) {
        self.data = data
        self.count = count
        self.hashLength = min(8, max(3, hashLength))
        hashMask = self.hashLength == 8 ? UInt64.max : (UInt64(1) << UInt64(8 * self.hashLength)) - 1
        head = .allocate(capacity: 1 << Self.hashBits)
        head.initialize(repeating: -1, count: 1 << Self.hashBits)
        previous = .allocate(capacity: Self.windowSize)
        previous.initialize(repeating: -1, count: Self.windowSize)
    }

    func deallocate() {
        head.deallocate()
        previous.deallocate()
    }

    @inline(__always)
    private func hash(at position: Int) -> Int {
        var v: UInt64
        if position + 8 <= count {
            v = UnsafeRawPointer(data).loadUnaligned(fromByteOffset: position, as: UInt64.self)
        } else {
            v = 0
            for k in 0..<hashLength { v |= UInt64(data[position + k]) << UInt64(8 * k) }
        }
        v &= hashMask
        return Int(truncatingIfNeeded: (v &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - Self.hashBits))
    }

    /// True when `position` has `hashLength` bytes left, so it can be hashed and inserted.
    @inline(__always)
    func canInsert(_ position: Int) -> Bool { position + hashLength <= count }

    /// Links `position` into its chain and returns the previous head (the most recent earlier candidate), or -1.
    /// Requires `canInsert(position)`.
    @inline(__always)
    func insert(_ position: Int) -> Int {
        let h = hash(at: position)
        let candidate = Int(head[h])
        previous[position & (Self.windowSize - 1)] = Int32(truncatingIfNeeded: candidate)
        head[h] = Int32(truncatingIfNeeded: position)
        return candidate
    }

    /// Number of equal bytes at `a` and `b` (a < b), up to `limit`.
    @inline(__always)
    private func matchLength(_ a: Int, _ b: Int, limit: Int) -> Int {
        var length = 0
        let raw = UnsafeRawPointer(data)
        while length + 8 <= limit {
            let x = raw.loadUnaligned(fromByteOffset: a + length, as: UInt64.self)
            let y = raw.loadUnaligned(fromByteOffset: b + length, as: UInt64.self)
            let diff = x ^ y
            if diff != 0 { return length + (diff.trailingZeroBitCount >> 3) }
            length += 8
        }
        while length < limit && data[a + length] == data[b + length] { length += 1 }
        return length
    }

    /// The longest match for `position` longer than `currentLength`, starting the search at `candidate`.
    /// Returns (0, 0) when there is none.
    @inline(__always)
    func longestMatch(at position: Int, candidate firstCandidate: Int, currentLength: Int) -> (length: Int, distance: Int) {
        let maxLength = min(Self.maxMatch, count - position)
        var best = max(currentLength, Self.minMatch - 1)
        guard best < maxLength else { return (0, 0) }
        var chain = currentLength >= goodLength ? max(1, chainLimit >> 2) : chainLimit
        let lowest = position - Self.windowSize
        var bestDistance = 0
        var candidate = firstCandidate
        let nice = min(niceLength, maxLength)
        let raw = UnsafeRawPointer(data)
        // Once the best match has 3 bytes, a longer one must share the first 4: compare them in one load.
        let wide = maxLength >= 4
        let head4 = wide ? raw.loadUnaligned(fromByteOffset: position, as: UInt32.self) : 0
        while candidate > lowest && candidate >= 0 && chain > 0 {
            if data[candidate + best] == data[position + best]
                && (wide && best >= 3 ? raw.loadUnaligned(fromByteOffset: candidate, as: UInt32.self) == head4
                         : data[candidate] == data[position]) {
                let length = matchLength(candidate, position, limit: maxLength)
                if length > best {
                    best = length
                    bestDistance = position - candidate
                    if length >= nice { break }
                }
            }
            let next = Int(previous[candidate & (Self.windowSize - 1)])
            if next >= candidate { break }
            candidate = next
            chain -= 1
        }
        return bestDistance == 0 ? (0, 0) : (best, bestDistance)
    }

    /// Every improvement of the match length along the chain of `position`, as (length, distance) pairs with
    /// increasing length (each with the nearest distance reaching it), for the optimal parser. Returns the longest.
    func allMatches(at position: Int, candidate firstCandidate: Int, minimumLength: Int,
                    lengths: inout [UInt16], distances: inout [UInt16]) -> Int {
        let maxLength = min(Self.maxMatch, count - position)
        var best = minimumLength - 1
        guard best < maxLength else { return 0 }
        var chain = chainLimit
        let lowest = position - Self.windowSize
        var candidate = firstCandidate
        var found = 0
        while candidate > lowest && candidate >= 0 && chain > 0 {
            if data[candidate + best] == data[position + best] && data[candidate] == data[position] {
                let length = matchLength(candidate, position, limit: maxLength)
                if length > best {
                    best = length
                    found = length
                    lengths.append(UInt16(length))
                    distances.append(UInt16(position - candidate))
                    if length >= maxLength || length >= niceLength { break }
                    // Past the good length, longer matches are rarely worth a long search.
                    if length >= goodLength { chain = min(chain, 16) }
                }
            }
            let next = Int(previous[candidate & (Self.windowSize - 1)])
            if next >= candidate { break }
            candidate = next
            chain -= 1
        }
        return found
    }
}
