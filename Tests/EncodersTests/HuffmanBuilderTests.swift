import XCTest
@testable import Encoders

final class HuffmanBuilderTests: XCTestCase {
    private func kraftSum(_ lengths: [UInt8]) -> Double {
        lengths.filter { $0 > 0 }.reduce(0.0) { $0 + 1.0 / Double(1 << Int($1)) }
    }

    func testLengthsRespectLimitAndFormCompleteCode() {
        // Fibonacci frequencies force an unlimited Huffman tree deeper than 15.
        var fib = [1, 1]
        while fib.count < 30 { fib.append(fib[fib.count - 1] + fib[fib.count - 2]) }
        for limit in [7, 9, 15] {
            let lengths = HuffmanBuilder.codeLengths(frequencies: fib, maxLength: limit)
            XCTAssertLessThanOrEqual(Int(lengths.max()!), limit)
            XCTAssertEqual(kraftSum(lengths), 1.0, accuracy: 1e-12)
        }
    }

    func testOptimalWithoutLimitPressure() {
        // Classic example: frequencies 5, 9, 12, 13, 16, 45 have Huffman cost 224.
        let freqs = [5, 9, 12, 13, 16, 45]
        let lengths = HuffmanBuilder.codeLengths(frequencies: freqs, maxLength: 15)
        XCTAssertEqual(zip(freqs, lengths).reduce(0) { $0 + $1.0 * Int($1.1) }, 224)
    }

    func testUnusedAndSingleSymbols() {
        XCTAssertEqual(HuffmanBuilder.codeLengths(frequencies: [0, 0, 0], maxLength: 15), [0, 0, 0])
        XCTAssertEqual(HuffmanBuilder.codeLengths(frequencies: [0, 7, 0], maxLength: 15), [0, 1, 0])
    }

    func testCanonicalCodesMatchRFC1951Example() {
        // RFC 1951 §3.2.2: lengths (3,3,3,3,3,2,4,4) give codes 010,011,100,101,110,00,1110,1111.
        let codes = HuffmanBuilder.canonicalCodes(lengths: [3, 3, 3, 3, 3, 2, 4, 4])
        XCTAssertEqual(codes, [0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111])
        XCTAssertEqual(HuffmanBuilder.reversed(0b1101, length: 4), 0b1011)
    }

    func testBitWriters() {
        var lsb = LSBBitWriter()
        lsb.write(0b1, count: 1); lsb.write(0b10, count: 2); lsb.write(0xABCD, count: 16)
        XCTAssertEqual(lsb.finish(), [0b0110_1101, 0x5E, 0x05])
        var msb = MSBBitWriter(stuffsZeroAfterFF: true)
        msb.write(0xFF, count: 8); msb.write(0b101, count: 3)
        XCTAssertEqual(msb.finish(padBit: 1), [0xFF, 0x00, 0b1011_1111])
    }
}
