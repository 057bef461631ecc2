import XCTest
@testable import Decoders
import Raster

/// Huffman table construction (T.81 C.2) and lookahead decoding, including codes longer than the lookahead.
final class JPEGHuffmanTests: XCTestCase {
    /// T.81 Table K.3: the typical luminance DC table (BITS and HUFFVAL).
    let dcCounts = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    let dcSymbols: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]

    /// Packs (code, length) pairs MSB first into bytes, padding with 1-bits and stuffing 0x00 after 0xFF.
    func pack(_ codes: [(Int, Int)]) -> [UInt8] {
        var bits: [Bool] = []
        for (code, length) in codes { for i in stride(from: length - 1, through: 0, by: -1) { bits.append((code >> i) & 1 == 1) } }
        while bits.count % 8 != 0 { bits.append(true) }
        var out: [UInt8] = []
        for i in stride(from: 0, to: bits.count, by: 8) {
            var b: UInt8 = 0
            for j in 0..<8 { b = b << 1 | (bits[i + j] ? 1 : 0) }
            out.append(b)
            if b == 0xFF { out.append(0) }
        }
        return out + [0xFF, 0xD9]
    }

    func decodeAll(_ table: JPEGHuffmanTable, _ data: [UInt8], count: Int) throws -> [Int] {
        try data.withUnsafeBufferPointer { buf in
            var r = JPEGBitReader(base: buf.baseAddress!, end: buf.count, position: 0)
            var out: [Int] = []
            for _ in 0..<count {
                if r.count < 32 { r.refill() }
                out.append(try r.decode(table.lookup))
            }
            XCTAssertFalse(r.overran)
            return out
        }
    }

    func testCanonicalCodesOfTableK3() throws {
        let t = try JPEGHuffmanTable(counts: dcCounts, symbols: dcSymbols, offset: 0)
        // K.3 lists: category 0 → 00, 1 → 010, 2 → 011, 5 → 110, 6 → 1110, 11 → 111111110.
        let expected: [(symbol: Int, code: Int, length: Int)] = [(0, 0b00, 2), (1, 0b010, 3), (2, 0b011, 3),
                                                                  (5, 0b110, 3), (6, 0b1110, 4), (11, 0b1_1111_1110, 9)]
        for e in expected {
            let entry = Int(t.lookahead[e.code << (9 - e.length)])
            XCTAssertEqual(entry >> 8, e.length, "length of symbol \(e.symbol)")
            XCTAssertEqual(entry & 0xFF, e.symbol)
        }
        let stream = expected.map { ($0.code, $0.length) }
        XCTAssertEqual(try decodeAll(t, pack(stream), count: stream.count), expected.map(\.symbol))
    }

    func testCodesLongerThanLookaheadUseSlowPath() throws {
        // One code of each length 1...16: 0, 10, 110, ..., 1111111111111110.
        let counts = [Int](repeating: 1, count: 16)
        let symbols = (0..<16).map { UInt8($0 * 3) }
        let t = try JPEGHuffmanTable(counts: counts, symbols: symbols, offset: 0)
        var codes: [(Int, Int)] = []
        for length in 1...16 { codes.append(((1 << length) - 2, length)) }
        let decoded = try decodeAll(t, pack(codes.reversed()), count: 16)
        XCTAssertEqual(decoded, symbols.reversed().map { Int($0) })
    }

    func testStuffedFFIsData() throws {
        // K.3's 9-bit code 111111110 (category 11) fills a whole 0xFF byte, which must be followed by a stuffed 0x00.
        let t = try JPEGHuffmanTable(counts: dcCounts, symbols: dcSymbols, offset: 0)
        let data = pack([(0b1_1111_1110, 9), (0b00, 2), (0b1_1111_1110, 9)])
        XCTAssertEqual(data.prefix(2), [0xFF, 0x00])
        XCTAssertEqual(try decodeAll(t, data, count: 3), [11, 0, 11])
    }

    func testOversubscribedTableIsMalformed() {
        // Three codes of length 1 cannot exist.
        XCTAssertThrowsError(try JPEGHuffmanTable(counts: [3] + [Int](repeating: 0, count: 15), symbols: [1, 2, 3], offset: 0)) {
            XCTAssertEqual(($0 as? CodecError)?.kind, .malformed)
        }
    }

    func testInvalidCodeThrows() throws {
        // Only "0" is a code: "1111..." matches nothing.
        let t = try JPEGHuffmanTable(counts: [1] + [Int](repeating: 0, count: 15), symbols: [4], offset: 0)
        XCTAssertThrowsError(try decodeAll(t, [0xFF, 0x00, 0xFF, 0x00, 0xFF, 0xD9], count: 1)) {
            XCTAssertEqual(($0 as? CodecError)?.kind, .malformed)
        }
    }

    func testACFastEntriesMatchSlowDecoding() throws {
        // Table K.5-like AC table fragment: symbols with run/size, check fast entry = decode + receive/extend.
        let counts = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D]
        var symbols: [UInt8] = []
        for i in 0..<counts.reduce(0, +) { symbols.append(UInt8((i * 37 + 1) & 0xFF)) }
        let t = try JPEGHuffmanTable(counts: counts, symbols: symbols, offset: 0)
        var checked = 0
        for peek in 0..<512 {
            let f = t.acFast[peek]
            guard f != 0 else { continue }
            let e = Int(t.lookahead[peek])
            let length = e >> 8, rs = e & 0xFF
            let size = rs & 15
            let raw = (peek >> (9 - length - size)) & ((1 << size) - 1)
            XCTAssertEqual(Int(f >> 16), jpegExtend(raw, size))
            XCTAssertEqual(Int((f >> 8) & 0xFF), rs >> 4)
            XCTAssertEqual(Int(f & 0xFF), length + size)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 0)
    }

    func testExtend() {
        XCTAssertEqual(jpegExtend(0, 1), -1)
        XCTAssertEqual(jpegExtend(1, 1), 1)
        XCTAssertEqual(jpegExtend(0b011, 3), -4)
        XCTAssertEqual(jpegExtend(0b100, 3), 4)
        XCTAssertEqual(jpegExtend(0, 11), -2047)
    }

    func testNaturalOrderIsTheZigZagWalk() {
        // Generate the zig-zag walk of Figure A.6 independently and compare with the transcribed table.
        var walk: [Int] = []
        for s in 0..<15 {
            let cells = (0...s).map { (r: $0, c: s - $0) }.filter { $0.r < 8 && $0.c < 8 }
            let ordered = s % 2 == 1 ? cells : cells.reversed()
            walk += ordered.map { $0.r * 8 + $0.c }
        }
        XCTAssertEqual(Array(jpegNaturalOrder.prefix(64)), walk)
        XCTAssertTrue(jpegNaturalOrder.dropFirst(64).allSatisfy { $0 == 63 })
    }
}
