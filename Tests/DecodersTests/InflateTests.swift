import Foundation
import Raster
import XCTest
@testable import Decoders

/// Inflate against an independent compressor (python3's zlib) and on hand-made edge cases and corrupt streams.
final class InflateTests: XCTestCase {
    struct Job { var data: [UInt8]; var level: Int; var strategy = 0; var wbits = 15 }

    /// zlib.compressobj(level, DEFLATED, wbits, 9, strategy) for each job in one python3 run; wbits -15 gives raw
    /// deflate. (One process for many jobs keeps the test quick on a busy machine.)
    private func pythonCompress(_ jobs: [Job]) throws -> [[UInt8]] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inflate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var arguments = ["-c", """
            import sys, zlib
            for spec in sys.argv[1:]:
                path, level, strategy, wbits = spec.split(",")
                c = zlib.compressobj(int(level), zlib.DEFLATED, int(wbits), 9, int(strategy))
                data = open(path, "rb").read()
                open(path + ".z", "wb").write(c.compress(data) + c.flush())
            """]
        for (i, job) in jobs.enumerated() {
            let path = dir.appendingPathComponent("\(i)").path
            try Data(job.data).write(to: URL(fileURLWithPath: path))
            arguments.append("\(path),\(job.level),\(job.strategy),\(job.wbits)")
        }
        _ = try PNGTestSupport.run("python3", arguments)
        return try jobs.indices.map { try PNGTestSupport.read(dir.appendingPathComponent("\($0).z").path) }
    }

    private func pythonCompress(_ data: [UInt8], level: Int, strategy: Int = 0, wbits: Int = 15) throws -> [UInt8] {
        try pythonCompress([Job(data: data, level: level, strategy: strategy, wbits: wbits)])[0]
    }

    /// A mix of incompressible bytes, runs, short repeats and text-like data, so every block type and match shape
    /// (distance 1, short overlapping distances, far distances, maximal lengths) occurs.
    private func sampleData(count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(count)
        let words = ["png ", "inflate ", "huffman ", "distance ", "length ", "literal ", "\n"].map { Array($0.utf8) }
        while out.count < count {
            switch rng.next() % 5 {
            case 0: for _ in 0..<Int(rng.next() % 300) { out.append(UInt8(truncatingIfNeeded: rng.next())) }
            case 1: out += [UInt8](repeating: UInt8(truncatingIfNeeded: rng.next()), count: Int(rng.next() % 600))
            case 2:
                let period = 2 + Int(rng.next() % 6)
                let unit = (0..<period).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                for i in 0..<Int(rng.next() % 400) { out.append(unit[i % period]) }
            case 3: for _ in 0..<Int(rng.next() % 40) { out += words[Int(rng.next() % UInt64(words.count))] }
            default:
                if out.count > 1000 {
                    let start = Int(rng.next() % UInt64(out.count - 500))
                    out += out[start..<(start + Int(rng.next() % 500))]
                }
            }
        }
        return Array(out.prefix(count))
    }

    func testMatchesPythonZlibAcrossLevelsAndStrategies() throws {
        let data = sampleData(count: 300_000, seed: 1)
        // level 0: stored blocks; strategy 4 (Z_FIXED): fixed Huffman; 2: Huffman only; 3: RLE; others dynamic.
        let settings = [(0, 0), (1, 0), (6, 0), (9, 0), (6, 1), (6, 2), (6, 3), (6, 4), (9, 4)]
        let streams = try pythonCompress(settings.map { Job(data: data, level: $0.0, strategy: $0.1) })
        for ((level, strategy), compressed) in zip(settings, streams) {
            let out = try Inflate.zlibDecompress(compressed, maxOutput: 1 << 24)
            XCTAssertTrue(out == data, "level \(level) strategy \(strategy)")
            // With the size known up front, and with a too-small first guess that has to grow.
            XCTAssertTrue(try Inflate.zlibDecompress(compressed, expectedSize: data.count, maxOutput: data.count) == data)
            XCTAssertTrue(try Inflate.zlibDecompress(compressed, expectedSize: 10, maxOutput: 1 << 24) == data)
        }
    }

    func testRawDeflateAndSmallInputs() throws {
        let sizes = [0, 1, 2, 3, 257, 258, 259, 32768, 65535, 65536, 70000]
        let inputs = sizes.map { sampleData(count: $0, seed: UInt64($0) + 7) }
        let streams = try pythonCompress(inputs.flatMap { [Job(data: $0, level: 6, wbits: -15), Job(data: $0, level: 0)] })
        for (i, data) in inputs.enumerated() {
            XCTAssertTrue(try Inflate.rawDecompress(streams[2 * i], maxOutput: 1 << 20) == data, "raw \(sizes[i])")
            XCTAssertTrue(try Inflate.zlibDecompress(streams[2 * i + 1], maxOutput: 1 << 20) == data, "stored \(sizes[i])")
        }
    }

    func testLongRunsAndFarDistances() throws {
        // One byte repeated (distance 1, length 258 matches), then a 32 KiB block repeated (distance 32768).
        var data = [UInt8](repeating: 0x41, count: 100_000)
        var rng = SeededGenerator(seed: 99)
        let block = (0..<32768).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        data += block + block + block
        let compressed = try pythonCompress(data, level: 9)
        XCTAssertEqual(try Inflate.zlibDecompress(compressed, maxOutput: 1 << 20), data)
    }

    func testIntoFixedBufferReportsExtraData() throws {
        let data = sampleData(count: 5000, seed: 3)
        let compressed = try pythonCompress(data, level: 6)
        var out = [UInt8](repeating: 0, count: 4999)
        XCTAssertThrowsError(try compressed.withUnsafeBufferPointer { input in
            try out.withUnsafeMutableBufferPointer { try Inflate.zlibDecompress(input, into: $0) }
        }) { XCTAssertEqual(($0 as? CodecError)?.kind, .malformed) }
        // Accepting excess: the buffer is filled with the stream's first bytes and decoding stops there.
        for stored in [false, true] {
            let stream = stored ? try pythonCompress(data, level: 0) : compressed
            let n = try stream.withUnsafeBufferPointer { input in
                try out.withUnsafeMutableBufferPointer { try Inflate.zlibDecompress(input, into: $0, acceptingExcess: true) }
            }
            XCTAssertEqual(n, 4999)
            XCTAssertEqual(out, Array(data.prefix(4999)))
        }
    }

    func testOutputLimitStopsDecompressionBombs() throws {
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        let compressed = try pythonCompress(zeros, level: 9)
        XCTAssertLessThan(compressed.count, 10_000)
        XCTAssertThrowsError(try Inflate.zlibDecompress(compressed, maxOutput: 1 << 20)) { error in
            XCTAssertEqual((error as? CodecError)?.kind, .limit)
            XCTAssertEqual((error as? CodecError)?.codec, "inflate")
        }
        // Tiny limits hold exactly: 100 bytes fit in 100, not in 99 (growth never overshoots the limit).
        let hundred = try pythonCompress([UInt8](repeating: 9, count: 100), level: 9)
        XCTAssertEqual(try Inflate.zlibDecompress(hundred, expectedSize: 1, maxOutput: 100).count, 100)
        XCTAssertThrowsError(try Inflate.zlibDecompress(hundred, expectedSize: 1, maxOutput: 99)) {
            XCTAssertEqual(($0 as? CodecError)?.kind, .limit)
        }
    }

    // MARK: hand-made streams

    /// Writes deflate bits LSB first; Huffman codes are given MSB first and reversed (RFC 1951 §3.1.1).
    private struct Bits {
        var bytes: [UInt8] = []
        var used = 0
        mutating func put(_ value: Int, _ count: Int) {
            for i in 0..<count {
                if used == 0 { bytes.append(0) }
                bytes[bytes.count - 1] |= UInt8((value >> i) & 1) << used
                used = (used + 1) & 7
            }
        }
        mutating func code(_ value: Int, _ count: Int) {
            for i in (0..<count).reversed() { put((value >> i) & 1, 1) }
        }
    }

    private func expectError(_ raw: [UInt8], _ kind: CodecError.Kind, _ fragment: String, line: UInt = #line) {
        XCTAssertThrowsError(try Inflate.rawDecompress(raw, maxOutput: 1 << 16), line: line) { error in
            guard let e = error as? CodecError else { return XCTFail("untyped error \(error)", line: line) }
            XCTAssertEqual(e.kind, kind, "\(e)", line: line)
            XCTAssertTrue(e.message.contains(fragment), "\(e)", line: line)
            XCTAssertNotNil(e.offset, line: line)
        }
    }

    func testFixedBlockByHand() throws {
        var b = Bits()
        b.put(1, 1); b.put(1, 2)            // final, fixed
        b.code(0x30 + 0x61, 8)              // literal 'a' (0-143: 8-bit codes from 00110000)
        b.code(0b0000001, 7)                // length symbol 257: length 3
        b.code(0, 5)                        // distance symbol 0: distance 1
        b.code(0, 7)                        // end of block (256)
        XCTAssertEqual(try Inflate.rawDecompress(b.bytes, maxOutput: 100), Array("aaaa".utf8))
    }

    func testCorruptStreams() throws {
        expectError([0x07], .malformed, "block type 3")
        expectError([0x01, 0x05, 0x00, 0x00, 0x00], .malformed, "complement")
        expectError([0x01, 0x05, 0x00, 0xFA, 0xFF, 0x61], .truncated, "stored block")

        var far = Bits()
        far.put(1, 1); far.put(1, 2); far.code(0b0000001, 7); far.code(0, 5); far.code(0, 7)
        expectError(far.bytes, .malformed, "distance")

        var reserved = Bits()                // fixed code for distance symbol 30, which RFC 1951 reserves
        reserved.put(1, 1); reserved.put(1, 2); reserved.code(0x30, 8); reserved.code(0b0000001, 7); reserved.code(30, 5)
        expectError(reserved.bytes, .malformed, "invalid distance code")

        var oversubscribed = Bits()          // dynamic block whose code-length code gives 19 codes of length 1
        oversubscribed.put(1, 1); oversubscribed.put(2, 2)
        oversubscribed.put(0, 5); oversubscribed.put(0, 5); oversubscribed.put(15, 4)
        for _ in 0..<19 { oversubscribed.put(1, 3) }
        expectError(oversubscribed.bytes, .malformed, "over-subscribed")

        var noEnd = Bits()                   // dynamic block: every literal/length code length zero (no end code)
        noEnd.put(1, 1); noEnd.put(2, 2)
        noEnd.put(0, 5); noEnd.put(0, 5); noEnd.put(0, 4)
        noEnd.put(0, 3); noEnd.put(2, 3); noEnd.put(2, 3); noEnd.put(1, 3)   // lengths for symbols 16, 17, 18, 0
        // code-length code: 0 -> "0", 17 -> "10", 18 -> "11"; 258 zero lengths via 18 (138) + 18 (120)
        noEnd.code(3, 2); noEnd.put(127, 7); noEnd.code(3, 2); noEnd.put(109, 7)
        expectError(noEnd.bytes, .malformed, "end-of-block")

        var repeatFirst = Bits()             // code 16 (repeat previous) with no previous length
        repeatFirst.put(1, 1); repeatFirst.put(2, 2)
        repeatFirst.put(0, 5); repeatFirst.put(0, 5); repeatFirst.put(0, 4)
        repeatFirst.put(1, 3); repeatFirst.put(2, 3); repeatFirst.put(2, 3); repeatFirst.put(0, 3)
        repeatFirst.code(0, 1); repeatFirst.put(0, 2)
        expectError(repeatFirst.bytes, .malformed, "no previous")
    }

    func testZlibHeaderAndTrailer() throws {
        let data = sampleData(count: 20000, seed: 5)
        let good = try pythonCompress(data, level: 6)
        func check(_ bytes: [UInt8], _ kind: CodecError.Kind, _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try Inflate.zlibDecompress(bytes, maxOutput: 1 << 20), line: line) { error in
                let e = error as? CodecError
                XCTAssertEqual(e?.kind, kind, "\(error)", line: line)
                XCTAssertTrue(e?.message.contains(fragment) ?? false, "\(error)", line: line)
            }
        }
        var badMethod = good; badMethod[0] = 0x77
        check(badMethod, .malformed, "method")
        var badCheck = good; badCheck[1] ^= 1
        check(badCheck, .malformed, "check bits")
        check([0x78, 0xBB] + good.dropFirst(2), .unsupported, "dictionar")
        var badAdler = good; badAdler[badAdler.count - 1] ^= 0x10
        check(badAdler, .malformed, "Adler-32")
        check(Array(good.dropLast(2)), .truncated, "Adler-32")
        check([0x78], .truncated, "header")
    }

    func testEveryTruncationFailsWithTypedError() throws {
        let data = sampleData(count: 30000, seed: 11)
        for compressed in try pythonCompress([Job(data: data, level: 0), Job(data: data, level: 6), Job(data: data, level: 6, strategy: 4)]) {
            // Every cut near both ends (headers, first tables, final block and trailer), every 7th byte between.
            let cuts = (0..<compressed.count).filter { $0 < 300 || $0 > compressed.count - 300 || $0 % 7 == 0 }
            for cut in cuts {
                XCTAssertThrowsError(try Inflate.zlibDecompress(Array(compressed.prefix(cut)), maxOutput: 1 << 20)) { error in
                    XCTAssertTrue(error is CodecError, "cut \(cut): \(error)")
                }
            }
        }
    }

    func testRandomBitFlipsNeverTrap() throws {
        let data = sampleData(count: 50000, seed: 21)
        var rng = SeededGenerator(seed: 2024)
        let jobs = [(6, 0), (6, 4), (1, 0)].map { Job(data: data, level: $0.0, strategy: $0.1, wbits: -15) }
        for compressed in try pythonCompress(jobs) {
            for _ in 0..<300 {
                var damaged = compressed
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let bit = Int(rng.next() % UInt64(damaged.count * 8))
                    damaged[bit / 8] ^= 1 << UInt8(bit % 8)
                }
                do {
                    let out = try Inflate.rawDecompress(damaged, maxOutput: 1 << 20)
                    XCTAssertLessThanOrEqual(out.count, 1 << 20)
                } catch {
                    XCTAssertTrue(error is CodecError, "\(error)")
                }
            }
        }
    }
}
