import XCTest
@testable import Encoders

/// The lossless 4x4 Walsh-Hadamard pair: the spec's inverse (§7.13.2.10, §7.13.3 with Lossless = 1) of our forward
/// output must be the residual exactly.
final class AVIFLosslessTransformTests: XCTestCase {
    private func roundTrip(_ residual: [Int32], file: StaticString = #filePath, line: UInt = #line) -> Bool {
        var levels = [Int32](repeating: 0, count: 16), back = [Int32](repeating: 0, count: 16)
        residual.withUnsafeBufferPointer { r in
            levels.withUnsafeMutableBufferPointer { AV1WalshHadamard.forward4x4(r.baseAddress!, levels: $0.baseAddress!) }
        }
        // Levels must survive dequantisation (Dequant = 4 * level within 16 bits) unclipped.
        for l in levels where abs(Int(l)) * 4 >= 1 << 15 { XCTFail("level \(l) out of range", file: file, line: line); return false }
        levels.withUnsafeBufferPointer { l in
            back.withUnsafeMutableBufferPointer { AV1WalshHadamard.inverse4x4(l.baseAddress!, residual: $0.baseAddress!) }
        }
        return back == residual
    }

    func testRandomBlocksRoundTripExactly() {
        // xorshift64*: deterministic, covers the whole 8-bit residual range [-255, 255].
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state ^= state >> 12; state ^= state << 25; state ^= state >> 27; return state &* 0x2545_F491_4F6C_DD1D }
        var failures = 0
        for _ in 0..<400_000 {
            var block = [Int32](repeating: 0, count: 16)
            let range = [511, 31, 3][Int(next() % 3)]   // full range, small and tiny residuals
            for k in 0..<16 { block[k] = Int32(Int(next() % UInt64(range)) - range / 2) }
            if !roundTrip(block) { failures += 1 }
        }
        XCTAssertEqual(failures, 0)
    }

    func testExtremeBlocksRoundTripExactly() {
        // Every block whose samples are all -255 or 255 (2^16 patterns), plus constants and single impulses.
        var failures = 0
        for bits in 0..<(1 << 16) {
            let block = (0..<16).map { Int32((bits >> $0) & 1 == 1 ? 255 : -255) }
            if !roundTrip(block) { failures += 1 }
        }
        for v in [-255, -1, 0, 1, 255] {
            if !roundTrip([Int32](repeating: Int32(v), count: 16)) { failures += 1 }
            for k in 0..<16 {
                var b = [Int32](repeating: 0, count: 16); b[k] = Int32(v)
                if !roundTrip(b) { failures += 1 }
            }
        }
        XCTAssertEqual(failures, 0)
    }

    func testZeroLevelsGiveZeroResidual() {
        XCTAssertTrue(roundTrip([Int32](repeating: 0, count: 16)))
        var levels = [Int32](repeating: 0, count: 16), out = [Int32](repeating: 7, count: 16)
        levels.withUnsafeBufferPointer { l in out.withUnsafeMutableBufferPointer { AV1WalshHadamard.inverse4x4(l.baseAddress!, residual: $0.baseAddress!) } }
        XCTAssertEqual(out, [Int32](repeating: 0, count: 16))
    }
}
