import XCTest
@testable import Decoders
import TestSupport

/// `PNGUnfilter.row` (with its per-pixel lanes for 3- and 4-byte pixels) against the filters written straight
/// from PNG spec §9.2 and §9.4, byte by byte, on random and extreme rows of every pixel size, for the three ways
/// the decoder lays rows out: separate buffers, in place, and compacted in place (destination before source).
final class PNGUnfilterTests: XCTestCase {
    private typealias Random = TestRandom

    private static func reference(filter: UInt8, row: [UInt8], previous: [UInt8], bpp: Int) -> [UInt8] {
        var out = row
        for i in 0..<row.count {
            let a = i >= bpp ? Int(out[i - bpp]) : 0, b = Int(previous[i]), c = i >= bpp ? Int(previous[i - bpp]) : 0
            let predictor: Int
            switch filter {
            case 1: predictor = a
            case 2: predictor = b
            case 3: predictor = (a + b) / 2
            case 4:
                let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
            default: predictor = 0
            }
            out[i] = UInt8((Int(row[i]) + predictor) & 0xFF)
        }
        return out
    }

    func testRowsMatchTheSpecInEveryLayout() {
        var rng = Random(state: 0x5DEECE66D)
        for trial in 0..<3000 {
            let bpp = [1, 2, 3, 4, 6, 8][trial % 6]
            let pixels = 1 + Int(rng.next() % 40)
            let count = pixels * bpp
            let extreme = trial % 5 == 0
            let row = (0..<count).map { _ in extreme ? (rng.byte() & 1) * 255 : rng.byte() }
            let previous = (0..<count).map { _ in extreme ? (rng.byte() & 1) * 255 : rng.byte() }
            let filter = UInt8(trial / 6 % 5)
            let expected = Self.reference(filter: filter, row: row, previous: previous, bpp: bpp)
            // Layout 0: separate buffers; 1: in place; 2...: compacted, destination `shift` bytes before the source.
            for layout in 0..<4 {
                let shift = layout == 0 ? 0 : layout - 1
                let slack = 8   // the row is followed by other bytes (the next row's filter byte) in the decoder
                var buffer = [UInt8](repeating: 0xA5, count: shift + count + slack)
                for i in 0..<count { buffer[shift + i] = row[i] }
                var separate = [UInt8](repeating: 0x5A, count: count + slack)
                let tail = Array(buffer[(shift + count)...])
                let ok = previous.withUnsafeBufferPointer { p in
                    buffer.withUnsafeMutableBufferPointer { b in separate.withUnsafeMutableBufferPointer { s in
                        let src = UnsafePointer(b.baseAddress! + shift)
                        let dst = layout == 0 ? s.baseAddress! : b.baseAddress!
                        return PNGUnfilter.row(filter: filter, src: src, dst: dst, previous: p.baseAddress!, count: count,
                                               stride: bpp)
                    } }
                }
                XCTAssertTrue(ok)
                let got = layout == 0 ? Array(separate[0..<count]) : Array(buffer[0..<count])
                XCTAssertEqual(got, expected, "filter \(filter), bpp \(bpp), \(pixels) px, layout \(layout)")
                if layout == 0 {
                    XCTAssertEqual(Array(separate[count...]), [UInt8](repeating: 0x5A, count: slack), "wrote past the row")
                } else {
                    XCTAssertEqual(Array(buffer[(shift + count)...]), tail, "wrote past the row")
                }
            }
        }
    }

    func testUnknownFilterIsRejected() {
        let row = [UInt8](repeating: 1, count: 6)
        var out = row
        let ok = row.withUnsafeBufferPointer { r in out.withUnsafeMutableBufferPointer { o in
            PNGUnfilter.row(filter: 5, src: r.baseAddress!, dst: o.baseAddress!, previous: r.baseAddress!, count: 6,
                            stride: 3)
        } }
        XCTAssertFalse(ok)
    }
}
