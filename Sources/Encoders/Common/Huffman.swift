/// Canonical Huffman code construction shared by Deflate, JPEG and VP8L.
///
/// Lengths are optimal under a maximum code length (package-merge, Larmore & Hirschberg 1990), so every encoder gets
/// the smallest code its format allows instead of a heuristic repair of an unlimited Huffman tree.
public enum HuffmanBuilder {
    /// Optimal code lengths for `frequencies` with no length above `maxLength`.
    /// Symbols with frequency 0 get length 0. A single used symbol gets length 1 (formats need at least one bit,
    /// except VP8L, which handles single-symbol codes itself). Requires 2^maxLength >= number of used symbols.
    public static func codeLengths(frequencies: [Int], maxLength: Int) -> [UInt8] {
        var lengths = [UInt8](repeating: 0, count: frequencies.count)
        let used = frequencies.indices.filter { frequencies[$0] > 0 }.sorted {
            frequencies[$0] != frequencies[$1] ? frequencies[$0] < frequencies[$1] : $0 < $1
        }
        if used.isEmpty { return lengths }
        if used.count == 1 { lengths[used[0]] = 1; return lengths }
        precondition(used.count <= 1 << maxLength, "alphabet too large for the length limit")

        // Package-merge: nodes are leaves (index < used.count) or packages of two earlier nodes.
        var nodeWeight: [Int] = used.map { frequencies[$0] }
        var nodeLeft: [Int32] = [Int32](repeating: -1, count: used.count)
        var nodeRight: [Int32] = [Int32](repeating: -1, count: used.count)
        let leaves = Array(0..<used.count)
        var current = leaves
        for _ in 1..<maxLength {
            // Package adjacent pairs of the current list, then merge with the leaves by weight.
            var packages: [Int] = []
            packages.reserveCapacity(current.count / 2)
            var i = 0
            while i + 1 < current.count {
                nodeWeight.append(nodeWeight[current[i]] + nodeWeight[current[i + 1]])
                nodeLeft.append(Int32(current[i]))
                nodeRight.append(Int32(current[i + 1]))
                packages.append(nodeWeight.count - 1)
                i += 2
            }
            var merged: [Int] = []
            merged.reserveCapacity(leaves.count + packages.count)
            var a = 0, b = 0
            while a < leaves.count || b < packages.count {
                if b >= packages.count || (a < leaves.count && nodeWeight[leaves[a]] <= nodeWeight[packages[b]]) {
                    merged.append(leaves[a]); a += 1
                } else {
                    merged.append(packages[b]); b += 1
                }
            }
            current = merged
        }
        // The first 2n-2 items of the final list; each appearance of a leaf adds one to its code length.
        var counts = [Int](repeating: 0, count: used.count)
        var stack: [Int] = Array(current.prefix(2 * used.count - 2))
        while let node = stack.popLast() {
            if node < used.count {
                counts[node] += 1
            } else {
                stack.append(Int(nodeLeft[node]))
                stack.append(Int(nodeRight[node]))
            }
        }
        for (k, symbol) in used.enumerated() { lengths[symbol] = UInt8(counts[k]) }
        return lengths
    }

    /// Canonical codes for `lengths` (RFC 1951 §3.2.2): shorter codes first, ties by symbol order.
    /// Codes are returned most-significant-bit first; use `reversed(_:length:)` for LSB-first writers.
    public static func canonicalCodes(lengths: [UInt8]) -> [UInt32] {
        let maxLength = Int(lengths.max() ?? 0)
        var lengthCount = [Int](repeating: 0, count: maxLength + 1)
        for l in lengths where l > 0 { lengthCount[Int(l)] += 1 }
        var nextCode = [UInt32](repeating: 0, count: maxLength + 2)
        var code: UInt32 = 0
        if maxLength > 0 {
            for bits in 1...maxLength {
                code = (code + UInt32(lengthCount[bits - 1])) << 1
                nextCode[bits] = code
            }
        }
        var codes = [UInt32](repeating: 0, count: lengths.count)
        for (symbol, l) in lengths.enumerated() where l > 0 {
            codes[symbol] = nextCode[Int(l)]
            nextCode[Int(l)] += 1
        }
        return codes
    }

    /// Reverses the low `length` bits of `code`.
    @inline(__always)
    public static func reversed(_ code: UInt32, length: Int) -> UInt32 {
        var c = code, r: UInt32 = 0
        for _ in 0..<length { r = (r << 1) | (c & 1); c >>= 1 }
        return r
    }
}
