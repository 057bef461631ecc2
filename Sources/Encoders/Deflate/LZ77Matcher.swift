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
    private let head: UnsafeMutablePointer<Int32>
    private let previous: UnsafeMutablePointer<Int32>

    /// Search effort, as in the classic zlib tuning: follow at most `chainLimit` links, a quarter of them when the
    /// previous match is already `goodLength` long, and stop at the first match of `niceLength`.
    var chainLimit = 128
    var goodLength = 8
    var niceLength = 128

    init(data: UnsafePointer<UInt8>, count: Int) {
        self.data = data
        self.count = count
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
        let v = UInt32(data[position]) | UInt32(data[position + 1]) << 8 | UInt32(data[position + 2]) << 16
        return Int((v &* 0x1E35_A7BD) >> UInt32(32 - Self.hashBits))
    }

    /// Links `position` into its chain and returns the previous head (the most recent earlier candidate), or -1.
    /// Requires position + 2 < count.
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
        while candidate > lowest && candidate >= 0 && chain > 0 {
            if data[candidate + best] == data[position + best] && data[candidate] == data[position] {
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
}
