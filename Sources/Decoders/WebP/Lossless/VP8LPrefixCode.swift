import Raster

/// Canonical prefix codes of VP8L (specification section 6.2.1) as lookup tables, and the reading of their code
/// lengths from the bitstream.
///
/// A code is decoded with one table lookup on its first `rootBits` bits (at most 8); longer codes continue in a
/// second-level table the root entry points to. An entry packs `symbol << 16 | length`; a root entry whose length is
/// larger than `rootBits` is a link: `offset << 16 | (rootBits + subtableBits)`, offset relative to the code's table.
/// Every code of an image lives in one `VP8LPrefixCodeStore`, addressed by `VP8LPrefixCode` descriptors, so a
/// group of five codes costs no allocation and a single-symbol code costs one entry.
struct VP8LPrefixCode {
    /// Index of the code's first root entry in the store.
    var offset: Int32
    var rootBits: Int32
}

struct VP8LPrefixCodeStore {
    var entries: [UInt32] = []

    static let maxCodeLength = 15
    static let maxRootBits = 8

    /// Builds the table for `lengths` (code length per symbol, 0 = unused) and appends it. Returns nil when the
    /// lengths do not form a complete prefix code (section 6.2.1: the tree must be full; one used symbol is the
    /// exception and then consumes no bits), or when no symbol is used.
    mutating func append(lengths: UnsafeBufferPointer<UInt8>) -> VP8LPrefixCode? {
        var counts = [Int](repeating: 0, count: Self.maxCodeLength + 1)
        var used = 0
        var lastUsed = 0
        var maxLength = 0
        for (symbol, l) in lengths.enumerated() where l != 0 {
            guard Int(l) <= Self.maxCodeLength else { return nil }
            counts[Int(l)] += 1
            used += 1
            lastUsed = symbol
            maxLength = max(maxLength, Int(l))
        }
        guard used > 0 else { return nil }
        let offset = Int32(entries.count)
        if used == 1 {
            entries.append(UInt32(lastUsed) << 16)
            return VP8LPrefixCode(offset: offset, rootBits: 0)
        }
        // Kraft equality: every level of the tree is exactly filled.
        var open = 1
        for l in 1...Self.maxCodeLength {
            open = open * 2 - counts[l]
            if open < 0 { return nil }
        }
        guard open == 0 else { return nil }

        // Symbols sorted by (length, symbol): the canonical order of section 6.2.1 (as in DEFLATE).
        var firstOfLength = [Int](repeating: 0, count: Self.maxCodeLength + 2)
        for l in 1...Self.maxCodeLength { firstOfLength[l + 1] = firstOfLength[l] + counts[l] }
        var sorted = [UInt16](repeating: 0, count: used)
        for (symbol, l) in lengths.enumerated() where l != 0 {
            sorted[firstOfLength[Int(l)]] = UInt16(symbol)
            firstOfLength[Int(l)] += 1
        }

        let rootBits = min(Self.maxRootBits, maxLength)
        let rootSize = 1 << rootBits
        let start = entries.count
        entries.append(contentsOf: repeatElement(0, count: rootSize))
        var remaining = counts
        var key = 0          // the current code, bit-reversed (codes are read least significant bit first)
        var index = 0
        // Codes that fit the root table are replicated over every index with the same low bits.
        for l in 1...rootBits {
            while remaining[l] > 0 {
                let entry = UInt32(sorted[index]) << 16 | UInt32(l)
                var k = key
                while k < rootSize { entries[start + k] = entry; k += 1 << l }
                index += 1
                remaining[l] -= 1
                key = Self.nextKey(key, length: l)
            }
        }
        // Longer codes: one subtable per distinct low-`rootBits` prefix, just large enough for the codes under it.
        var currentPrefix = -1
        var tableStart = 0, tableBits = 0
        if maxLength > rootBits {
            for l in (rootBits + 1)...maxLength {
                while remaining[l] > 0 {
                    let prefix = key & (rootSize - 1)
                    if prefix != currentPrefix {
                        tableBits = Self.subtableBits(remaining, length: l, rootBits: rootBits)
                        tableStart = entries.count
                        entries.append(contentsOf: repeatElement(0, count: 1 << tableBits))
                        entries[start + prefix] = UInt32(tableStart - start) << 16 | UInt32(rootBits + tableBits)
                        currentPrefix = prefix
                    }
                    let entry = UInt32(sorted[index]) << 16 | UInt32(l - rootBits)
                    var k = key >> rootBits
                    while k < 1 << tableBits { entries[tableStart + k] = entry; k += 1 << (l - rootBits) }
                    index += 1
                    remaining[l] -= 1
                    key = Self.nextKey(key, length: l)
                }
            }
        }
        return VP8LPrefixCode(offset: offset, rootBits: Int32(rootBits))
    }

    /// The next canonical code after `key` (both bit-reversed, `length` bits): increment in reversed bit order.
    @inline(__always)
    static func nextKey(_ key: Int, length: Int) -> Int {
        var step = 1 << (length - 1)
        while key & step != 0 { step >>= 1 }
        return step != 0 ? (key & (step - 1)) + step : key
    }

    /// Bits of the subtable that starts with a code of `length`: enough to hold every remaining code that shares
    /// its root prefix (the codes of one prefix are consecutive in canonical order).
    static func subtableBits(_ remaining: [Int], length: Int, rootBits: Int) -> Int {
        var l = length
        var left = 1 << (l - rootBits)
        while l < maxCodeLength {
            left -= remaining[l]
            if left <= 0 { break }
            l += 1
            left <<= 1
        }
        return l - rootBits
    }
}

extension VP8LBitReader {
    /// Decodes one symbol of `code` from the table `entries` (the store's buffer).
    @inline(__always)
    mutating func readSymbol(_ code: VP8LPrefixCode, _ entries: UnsafePointer<UInt32>) -> Int {
        if count < VP8LPrefixCodeStore.maxCodeLength { refill() }
        let root = entries + Int(code.offset)
        var entry = root[Int(buffer & ((1 &<< UInt64(code.rootBits)) &- 1))]
        var length = Int(entry & 0xFFFF)
        if length > Int(code.rootBits) {
            let subBits = length &- Int(code.rootBits)
            skip(Int(code.rootBits))
            entry = root[Int(entry >> 16) &+ Int(buffer & ((1 &<< UInt64(subBits)) &- 1))]
            length = Int(entry & 0xFFFF)
        }
        skip(length)
        return Int(entry >> 16)
    }
}

/// Reading one prefix code from the bitstream (section 6.2.1, simple and normal code length codes).
enum VP8LPrefixCodeReader {
    /// Order in which the code length code lengths are stored (section 6.2.1).
    static let codeLengthOrder: [Int] = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]

    /// Reads the code lengths of one code over `alphabetSize` symbols into `lengths` (zeroed first).
    /// Returns false when the stream describes an invalid code length code.
    static func readLengths(_ reader: inout VP8LBitReader, alphabetSize: Int,
                            lengths: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        lengths.update(repeating: 0)
        if reader.readFlag() {
            // Simple code: one or two symbols of length 1; the first is 1 or 8 bits wide.
            // A symbol outside the alphabet (possible for the 40-symbol distance code) is not part of the code;
            // if none is left, building the code fails (as libwebp's dwebp decides).
            let twoSymbols = reader.readFlag()
            let first = reader.readInt(reader.readFlag() ? 8 : 1)
            if first < alphabetSize { lengths[first] = 1 }
            if twoSymbols {
                let second = reader.readInt(8)
                if second < alphabetSize { lengths[second] = 1 }
            }
            return true
        }
        // Normal code: the code lengths are themselves prefix-coded.
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        let stored = 4 + reader.readInt(4)
        for i in 0..<stored { codeLengthLengths[codeLengthOrder[i]] = UInt8(reader.read(3)) }
        var store = VP8LPrefixCodeStore()
        guard let lengthCode = codeLengthLengths.withUnsafeBufferPointer({ store.append(lengths: $0) }) else {
            return false
        }
        var maxSymbol = alphabetSize
        if reader.readFlag() {
            let lengthBits = 2 + 2 * reader.readInt(3)
            maxSymbol = 2 + reader.readInt(lengthBits)
            guard maxSymbol <= alphabetSize else { return false }
        }
        return store.entries.withUnsafeBufferPointer { table -> Bool in
            guard let entries = table.baseAddress else { return false }
            var symbol = 0
            var previous: UInt8 = 8  // code 16 repeats 8 until a non-zero length was read
            var budget = maxSymbol
            while symbol < alphabetSize {
                if budget == 0 { break }
                budget -= 1
                let code = reader.readSymbol(lengthCode, entries)
                if code < 16 {
                    lengths[symbol] = UInt8(code)
                    symbol += 1
                    if code != 0 { previous = UInt8(code) }
                } else {
                    // 16: repeat the previous non-zero length 3-6 times; 17: 3-10 zeros; 18: 11-138 zeros.
                    let (extraBits, base): (Int, Int) = code == 16 ? (2, 3) : code == 17 ? (3, 3) : (7, 11)
                    let count = base + reader.readInt(extraBits)
                    guard symbol + count <= alphabetSize else { return false }
                    let value: UInt8 = code == 16 ? previous : 0
                    for _ in 0..<count { lengths[symbol] = value; symbol += 1 }
                }
            }
            return true
        }
    }
}
