import XCTest
@testable import Raster

final class RasterTests: XCTestCase {
    func testLimitsRejectBeforeAllocating() {
        let limits = ImageLimits(maxPixels: 100, maxSide: 20, maxSourceBytes: 10)
        XCTAssertThrowsError(try Raster(width: 21, height: 1, layout: .rgb, limits: limits)) { error in
            XCTAssertEqual((error as? CodecError)?.kind, .limit)
        }
        XCTAssertThrowsError(try Raster(width: 11, height: 10, layout: .rgb, limits: limits))
        XCTAssertThrowsError(try Raster(width: 0, height: 10, layout: .rgb, limits: limits))
        XCTAssertThrowsError(try ImageLimits.default.checkDimensions(width: Int.max, height: Int.max, codec: "t"))
        XCTAssertNoThrow(try Raster(width: 10, height: 10, layout: .rgba, limits: limits))
        XCTAssertThrowsError(try limits.checkSourceSize(11, codec: "t"))
    }

    func testDepthConversionRoundTrips() throws {
        let r = try Raster(width: 2, height: 1, layout: .gray, samples8: [0, 200])
        XCTAssertEqual(r.to16Bit().samples16, [0, 200 * 257])
        XCTAssertEqual(r.to16Bit().to8Bit().samples8, [0, 200])
    }

    func testChecksumsMatchKnownValues() {
        // RFC 1952 / zlib check values for "123456789".
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(Adler32.checksum(Array("123456789".utf8)), 0x091E_01DE)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        XCTAssertEqual(Adler32.checksum([UInt8]()), 1)
        // The 16-byte lane path against the definition (RFC 1950 §8.2), byte by byte, on lengths around the chunk
        // and 5552-byte block boundaries, all-0xFF runs (the largest sums) and updates split at odd places.
        var seed: UInt64 = 7
        for length in [1, 15, 16, 17, 31, 33, 5551, 5552, 5553, 11_104, 11_121, 70_000] {
            for allMax in [false, true] {
                let data = (0..<length).map { _ -> UInt8 in
                    seed = seed &* 6364136223846793005 &+ 1442695040888963407
                    return allMax ? 0xFF : UInt8(truncatingIfNeeded: seed >> 56)
                }
                var a: UInt32 = 1, b: UInt32 = 0
                for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
                XCTAssertEqual(Adler32.checksum(data), b << 16 | a, "length \(length)")
                let split = length / 3
                let pieces = data.withUnsafeBufferPointer { whole in
                    Adler32.update(Adler32.update(1, UnsafeBufferPointer(rebasing: whole[..<split])),
                                   UnsafeBufferPointer(rebasing: whole[split...]))
                }
                XCTAssertEqual(pieces, b << 16 | a, "length \(length) in two pieces")
            }
        }
        let long = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var crc: UInt32 = 0
        long.withUnsafeBufferPointer { crc = CRC32.update(CRC32.update(0, UnsafeBufferPointer(rebasing: $0[0..<777])), UnsafeBufferPointer(rebasing: $0[777...])) }
        XCTAssertEqual(crc, CRC32.checksum(long))
    }

    func testTranslucencyDetection() throws {
        let opaque = try Raster(width: 1, height: 2, layout: .rgba, samples8: [1, 2, 3, 255, 4, 5, 6, 255])
        XCTAssertFalse(opaque.hasTranslucentPixels)
        let clear = try Raster(width: 1, height: 2, layout: .rgba, samples8: [1, 2, 3, 255, 4, 5, 6, 0])
        XCTAssertTrue(clear.hasTranslucentPixels)
    }
}
