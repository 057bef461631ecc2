import Raster

/// Step 3 of T.81 decoding: Huffman tables (B.2.4.2) built as canonical codes (C.2) with a 9-bit lookahead table,
/// plus, for AC tables, a table that decodes a whole (run, size, value) triple when it fits in the lookahead.
final class JPEGHuffmanTable {
    static let lookaheadBits = 9
    static let lookaheadSize = 1 << lookaheadBits

    /// lookahead[peek] = codeLength << 8 | symbol, or 0 when the code is longer than the lookahead.
    let lookahead: UnsafeMutablePointer<UInt16>
    /// acFast[peek] = value << 16 | run << 8 | totalBits, or 0 when not decodable from the lookahead alone.
    let acFast: UnsafeMutablePointer<Int32>
    /// maxCode[l]: the largest code of length l (-1 if none); valueOffset[l]: index of its symbols (F.2.2.3).
    let maxCode: UnsafeMutablePointer<Int32>
    let valueOffset: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<UInt8>

    /// A table with no codes yet.
    init() {
        lookahead = .allocate(capacity: JPEGHuffmanTable.lookaheadSize)
        lookahead.initialize(repeating: 0, count: JPEGHuffmanTable.lookaheadSize)
        acFast = .allocate(capacity: JPEGHuffmanTable.lookaheadSize)
        acFast.initialize(repeating: 0, count: JPEGHuffmanTable.lookaheadSize)
        maxCode = .allocate(capacity: 18)
        maxCode.initialize(repeating: -1, count: 18)
        valueOffset = .allocate(capacity: 18)
        valueOffset.initialize(repeating: 0, count: 18)
        values = .allocate(capacity: 256)
        values.initialize(repeating: 0, count: 256)
    }

    /// Builds the table from BITS (counts of codes per length 1...16) and HUFFVAL; throws on an over-full code set.
    convenience init(counts: [Int], symbols: [UInt8], offset: Int) throws {
        self.init()
        for (i, s) in symbols.prefix(256).enumerated() { values[i] = s }

        // C.2: canonical code assignment, length by length.
        var code = 0
        var k = 0
        for length in 1...16 {
            let n = counts[length - 1]
            if n > 0 {
                valueOffset[length] = Int32(k - code)
                for _ in 0..<n {
                    // Each code must fit in `length` bits and not be all ones (C.2, F.1.2.1.2); checked before the
                    // lookahead table is written so an over-full table can never write outside it.
                    guard code < (1 << length) - 1 else {
                        throw jpegError(.malformed, offset, "Huffman table has more codes than fit in \(length) bits")
                    }
                    guard k < symbols.count else { throw jpegError(.malformed, offset, "Huffman table lacks symbols") }
                    if length <= JPEGHuffmanTable.lookaheadBits {
                        let shift = JPEGHuffmanTable.lookaheadBits - length
                        let entry = UInt16(length) << 8 | UInt16(symbols[k])
                        for fill in 0..<(1 << shift) { lookahead[(code << shift) | fill] = entry }
                    }
                    code += 1
                    k += 1
                }
                maxCode[length] = Int32(code - 1)
            }
            code <<= 1
        }
        buildACFast()
    }

    private func buildACFast() {
        let bits = JPEGHuffmanTable.lookaheadBits
        for peek in 0..<JPEGHuffmanTable.lookaheadSize {
            let e = Int(lookahead[peek])
            guard e != 0 else { continue }
            let length = e >> 8, rs = e & 0xFF
            let run = rs >> 4, size = rs & 15
            guard size != 0, length + size <= bits else { continue }
            let raw = (peek >> (bits - length - size)) & ((1 << size) - 1)
            let value = jpegExtend(raw, size)
            acFast[peek] = Int32(value) << 16 | Int32(run) << 8 | Int32(length + size)
        }
    }

    /// A table with no codes: every lookup fails with "invalid Huffman code".
    nonisolated(unsafe) static let empty = JPEGHuffmanTable()

    /// The table's arrays as plain pointers, for the decoding loops (no reference counting per use).
    var lookup: JPEGHuffmanLookup {
        JPEGHuffmanLookup(lookahead: lookahead, acFast: acFast, maxCode: maxCode, valueOffset: valueOffset, values: values)
    }

    deinit {
        lookahead.deallocate(); acFast.deallocate(); maxCode.deallocate(); valueOffset.deallocate(); values.deallocate()
    }
}

/// F.2.2.1 EXTEND: a `size`-bit magnitude category value to its signed coefficient.
@inline(__always)
func jpegExtend(_ v: Int, _ size: Int) -> Int {
    v < (1 << (size &- 1)) ? v &- (1 << size) &+ 1 : v
}

/// Parses DHT (B.2.4.2); returns (class, slot, table) for every table in the segment.
func jpegParseHuffmanTables(_ p: ArraySlice<UInt8>, offset: Int) throws -> [(tc: Int, th: Int, table: JPEGHuffmanTable)] {
    var out: [(Int, Int, JPEGHuffmanTable)] = []
    var i = p.startIndex
    while i < p.endIndex {
        guard p.endIndex - i >= 17 else { throw jpegError(.malformed, offset, "Huffman table header truncated") }
        let tc = Int(p[i] >> 4), th = Int(p[i] & 15)
        guard tc <= 1, th <= 3 else { throw jpegError(.malformed, offset, "invalid Huffman table class \(tc) slot \(th)") }
        let counts = (0..<16).map { Int(p[i + 1 + $0]) }
        let total = counts.reduce(0, +)
        guard total <= 256, p.endIndex - (i + 17) >= total else {
            throw jpegError(.malformed, offset, "Huffman table symbols truncated or too many (\(total))")
        }
        let symbols = Array(p[(i + 17)..<(i + 17 + total)])
        out.append((tc, th, try JPEGHuffmanTable(counts: counts, symbols: symbols, offset: offset)))
        i += 17 + total
    }
    return out
}

/// Unowned view of a `JPEGHuffmanTable`'s arrays; valid while the table object is alive.
struct JPEGHuffmanLookup {
    let lookahead: UnsafeMutablePointer<UInt16>
    let acFast: UnsafeMutablePointer<Int32>
    let maxCode: UnsafeMutablePointer<Int32>
    let valueOffset: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<UInt8>
}
