import Glibc

/// Symbol counts of one prefix-code group (RFC 9649 §6.2.2), the five alphabets side by side in one flat array:
/// green + length prefixes + cache (256 + 24 + cache size), red (256), blue (256), alpha (256), distance (40).
struct VP8LHistogramLayout {
    let greenSize: Int
    var redOffset: Int { greenSize }
    var blueOffset: Int { greenSize + 256 }
    var alphaOffset: Int { greenSize + 512 }
    var distanceOffset: Int { greenSize + 768 }
    var size: Int { greenSize + 808 }
    /// The five alphabets in the order the codes are written (§6.2.2): green, red, blue, alpha, distance.
    var ranges: [Range<Int>] {
        [0..<greenSize, redOffset..<(redOffset + 256), blueOffset..<(blueOffset + 256),
         alphaOffset..<(alphaOffset + 256), distanceOffset..<(distanceOffset + 40)]
    }

    init(cacheBits: Int) { greenSize = 256 + 24 + (cacheBits > 0 ? 1 << cacheBits : 0) }

    /// Adds one token's symbols to the histogram at `h`.
    @inline(__always)
    func add(_ t: VP8LToken, to h: UnsafeMutablePointer<UInt32>) {
        switch t.kind {
        case VP8LToken.literal:
            let v = t.value
            h[Int((v >> 8) & 0xff)] &+= 1
            h[redOffset + Int((v >> 16) & 0xff)] &+= 1
            h[blueOffset + Int(v & 0xff)] &+= 1
            h[alphaOffset + Int(v >> 24)] &+= 1
        case VP8LToken.cacheIndex:
            h[280 + Int(t.value)] &+= 1
        default:
            h[256 + VP8LPrefixCoding.symbol(Int(t.length))] &+= 1
            h[distanceOffset + VP8LPrefixCoding.symbol(Int(t.value))] &+= 1
        }
    }

    /// Estimated bits of a group with these counts: the five codes, their descriptions and the extra bits of the
    /// length and distance prefixes.
    func bits(_ h: UnsafePointer<UInt32>) -> Double {
        var total = 0.0
        for r in ranges { total += VP8LEntropy.populationBits(h + r.lowerBound, nil, r.count) }
        return total + extraBits(h)
    }

    /// The extra bits of the length and distance prefix symbols counted in `h` (RFC 9649 §5.2.2).
    func extraBits(_ h: UnsafePointer<UInt32>) -> Double {
        var extra = 0
        for symbol in 4..<24 { extra += Int(h[256 + symbol]) * ((symbol - 2) >> 1) }
        for symbol in 4..<40 { extra += Int(h[distanceOffset + symbol]) * ((symbol - 2) >> 1) }
        return Double(extra)
    }
}

/// Bit estimates for prefix-coded alphabets, used to compare parses, cache sizes, transforms and groupings.
enum VP8LEntropy {
    /// c·log2(c) for small counts, so estimates avoid a logarithm per bin.
    static let xLogXTable: [Double] = (0..<4096).map { $0 == 0 ? 0 : Double($0) * log2(Double($0)) }

    @inline(__always)
    static func xLogX(_ c: UInt32) -> Double {
        c < 4096 ? xLogXTable.withUnsafeBufferPointer { $0[Int(c)] } : Double(c) * log2(Double(c))
    }

    /// Bits an ideal entropy coder spends on the symbols counted in `counts`.
    static func shannonBits(_ counts: [UInt32]) -> Double {
        counts.withUnsafeBufferPointer { shannonBits($0) }
    }

    static func shannonBits(_ counts: UnsafeBufferPointer<UInt32>) -> Double {
        var total: UInt32 = 0
        var sum = 0.0
        for c in counts where c > 0 { total &+= c; sum += xLogX(c) }
        return xLogX(total) - sum
    }

    /// Estimated bits of coding the `n` symbols counted in `a` (plus `b` when given) with a length-limited prefix
    /// code, including the description of the code (RFC 9649 §3.7.2).
    ///
    /// Data: the Shannon bound, but never below what a prefix code can reach — with three or more symbols the most
    /// frequent one takes at least one bit and every other at least two. Description: the code lengths are written
    /// with the code-length code and its run-length codes 16/17/18; symbols whose counts have the same magnitude
    /// (bit length) tend to get the same code length, so a run of them costs about one length plus repeats, and
    /// runs of unused symbols cost one zero-run code each. The constants are the typical sizes of those codes.
    @inline(__always)
    static func populationBits(_ a: UnsafePointer<UInt32>, _ b: UnsafePointer<UInt32>?, _ n: Int) -> Double {
        var total: UInt32 = 0
        var largest: UInt32 = 0
        var sum = 0.0
        var used = 0
        var last = 0
        var description = 0.0
        var i = 0
        while i < n {
            let c = b == nil ? a[i] : a[i] &+ b.unsafelyUnwrapped[i]
            if c == 0 {
                // Indices stay below n: wrapping arithmetic keeps overflow checks out of the scan.
                var j = i &+ 1
                if let b {
                    while j < n && a[j] &+ b[j] == 0 { j &+= 1 }
                } else {
                    while j < n && a[j] == 0 { j &+= 1 }
                }
                let run = j - i
                if j < n {
                    description += run >= 11 ? Double((run + 137) / 138) * 10.0 : (run >= 3 ? 6.0 : 2.5 * Double(run))
                }
                i = j
                continue
            }
            let magnitude = 32 - c.leadingZeroBitCount
            var j = i
            while j < n {
                let v = b == nil ? a[j] : a[j] &+ b.unsafelyUnwrapped[j]
                if v == 0 || 32 - v.leadingZeroBitCount != magnitude { break }
                total &+= v
                sum += xLogX(v)
                if v > largest { largest = v }
                used &+= 1
                last = j
                j &+= 1
            }
            let repeats = j - i - 1
            description += 3.0 + (repeats >= 3 ? Double((repeats + 5) / 6) * 4.5 : 3.0 * Double(repeats))
            i = j
        }
        if used <= 1 { return used == 0 || last < 256 ? 12 : 30 }  // simple code, or a one-length normal code
        if used == 2 { return Double(total) + (last < 256 ? 20 : description + 28) }
        let shannon = xLogX(total) - sum
        let prefixFloor = 2.0 * Double(total) - Double(largest)
        return max(shannon, prefixFloor) + description + 28
    }
}
