import Raster

/// Lookup tables for decoding canonical Huffman codes as deflate packs them (RFC 1951 §3.2.2: codes are sent
/// most-significant bit first inside an LSB-first bit stream, so tables are indexed by bit-reversed codes).
///
/// A table is a primary level of `2^primaryBits` entries indexed by the next input bits; codes longer than
/// `primaryBits` go through a pointer entry to a secondary table. Each entry is a packed `UInt32`:
///
///     bits 0-4   bits to consume for this lookup (code length, or `primaryBits` for a pointer)
///     bit  5     invalid: the bits do not form a code of this (incomplete) table, or the symbol is reserved
///     bit  6     pointer to a secondary table (value = its offset, bits 8-11 = its index width)
///     bit  7     literal byte (value = the byte)
///     bits 8-11  extra bits that follow the code (length / distance symbols)
///     bit  12    end of block (symbol 256)
///     bit  13    literal pair: two literal codes fit in the primary index bits (bits 16-23 first, 24-31 second)
///     bits 16-31 value: literal, length or distance base, secondary table offset, or plain symbol
enum HuffmanEntry {
    static let lengthMask: UInt32 = 0x1F
    static let invalid: UInt32 = 1 << 5
    static let pointer: UInt32 = 1 << 6
    static let literal: UInt32 = 1 << 7
    static let endOfBlock: UInt32 = 1 << 12
    static let literalPair: UInt32 = 1 << 13
    /// Entries with any of these flags leave the fast literal/length path.
    static let special: UInt32 = invalid | pointer | endOfBlock

    @inline(__always) static func value(_ e: UInt32) -> Int { Int(e >> 16) }
    @inline(__always) static func extraBits(_ e: UInt32) -> UInt32 { (e >> 8) & 0xF }
}

/// Builds the two-level decoding table for one canonical code into a preallocated buffer.
struct HuffmanDecodeTable {
    let primaryBits: Int
    /// Storage: primary level followed by secondary tables.
    var entries: [UInt32]

    /// `capacity` must cover the primary level plus the worst-case secondary tables for `maxSymbols` codes.
    init(primaryBits: Int, maxSymbols: Int) {
        self.primaryBits = primaryBits
        let secondaryWorst = maxSymbols * (1 << max(0, 15 - primaryBits))
        entries = [UInt32](repeating: HuffmanEntry.invalid, count: (1 << primaryBits) + secondaryWorst)
    }

    /// Fills the table for code lengths `lengths[0..<count]` (0 = unused symbol). `info[symbol]` holds the entry
    /// bits describing each symbol (everything except the consumed length). Over-subscribed codes are rejected;
    /// incomplete codes are accepted and their unused bit patterns decode as invalid.
    /// With `pairLiterals`, primary entries whose bits hold two complete literal codes decode both at once.
    mutating func build(lengths: UnsafePointer<UInt8>, count: Int, info: UnsafePointer<UInt32>,
                        offset: Int, pairLiterals: Bool = false) throws {
        var lengthCount = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var maxLength = 0
        try withUnsafeMutableBytes(of: &lengthCount) { raw in
            let counts = raw.bindMemory(to: Int.self)
            for s in 0..<count {
                let l = Int(lengths[s])
                counts[l] += 1
                if l > maxLength { maxLength = l }
            }
            // Kraft inequality: an over-subscribed set of lengths describes no prefix code (RFC 1951 §3.2.2).
            var left = 1
            for l in 1...15 {
                left = (left << 1) - counts[l]
                if left < 0 {
                    throw CodecError(codec: "inflate", kind: .malformed, offset: offset,
                                     message: "over-subscribed Huffman code lengths")
                }
            }
        }
        let primaryBits = self.primaryBits
        let primarySize = 1 << primaryBits
        let secondaryBits = max(0, maxLength - primaryBits)
        entries.withUnsafeMutableBufferPointer { table in
            let t = table.baseAddress!
            for i in 0..<primarySize { t[i] = HuffmanEntry.invalid | 1 }
            guard maxLength > 0 else { return }
            // First canonical code of each length (RFC 1951 §3.2.2, step 2).
            var nextCode = [Int](repeating: 0, count: 16)
            withUnsafeBytes(of: &lengthCount) { raw in
                let counts = raw.bindMemory(to: Int.self)
                var code = 0
                for l in 1...15 {
                    code = (code + (l == 1 ? 0 : counts[l - 1])) << 1
                    nextCode[l] = code
                }
            }
            var nextSecondary = primarySize
            for s in 0..<count {
                let len = Int(lengths[s])
                if len == 0 { continue }
                let code = nextCode[len]
                nextCode[len] = code + 1
                var reversed = 0
                var c = code
                for _ in 0..<len { reversed = (reversed << 1) | (c & 1); c >>= 1 }
                if len <= primaryBits {
                    let entry = info[s] | UInt32(len)
                    var i = reversed
                    while i < primarySize { t[i] = entry; i += 1 << len }
                } else {
                    let slot = reversed & (primarySize - 1)
                    var pointerEntry = t[slot]
                    if pointerEntry & HuffmanEntry.pointer == 0 {
                        pointerEntry = HuffmanEntry.pointer | UInt32(nextSecondary) << 16
                            | UInt32(secondaryBits) << 8 | UInt32(primaryBits)
                        t[slot] = pointerEntry
                        for i in 0..<(1 << secondaryBits) { t[nextSecondary + i] = HuffmanEntry.invalid | 1 }
                        nextSecondary += 1 << secondaryBits
                    }
                    let base = HuffmanEntry.value(pointerEntry)
                    let subLength = len - primaryBits
                    let entry = info[s] | UInt32(subLength)
                    var i = reversed >> primaryBits
                    while i < (1 << secondaryBits) { t[base + i] = entry; i += 1 << subLength }
                }
            }
            guard pairLiterals else { return }
            // Descending order: the entry for the bits after the first code has a smaller index and is still a
            // single-symbol entry when read. It is valid whatever the unseen higher bits are only if its code
            // fits in the bits left over.
            for i in stride(from: primarySize - 1, through: 0, by: -1) {
                let first = t[i]
                guard first & (HuffmanEntry.literal | HuffmanEntry.pointer | HuffmanEntry.invalid) == HuffmanEntry.literal else { continue }
                let firstLength = Int(first & HuffmanEntry.lengthMask)
                let second = t[i >> firstLength]
                let secondLength = Int(second & HuffmanEntry.lengthMask)
                guard second & (HuffmanEntry.literal | HuffmanEntry.pointer | HuffmanEntry.invalid | HuffmanEntry.literalPair) == HuffmanEntry.literal,
                      firstLength + secondLength <= primaryBits else { continue }
                t[i] = HuffmanEntry.literal | HuffmanEntry.literalPair | (first & 0x00FF_0000) | (second & 0x00FF_0000) << 8
                    | UInt32(firstLength + secondLength)
            }
        }
    }
}
