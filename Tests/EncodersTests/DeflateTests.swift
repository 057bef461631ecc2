import XCTest
import Foundation
@testable import Encoders
import Decoders
import TestSupport

final class DeflateTests: XCTestCase {
    private func samples() throws -> [(String, [UInt8])] {
        var text = [UInt8]()
        for i in 0..<3000 { text += Array("line \(i % 97): the quick brown fox jumps over the lazy dog \(i * 7919 % 1000)\n".utf8) }
        let real = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestCorpus.path("jpeg/libjpeg-turbo/testorig.ppm"))))
        return [
            ("empty", []),
            ("one byte", [42]),
            ("random", DeflateOracle.randomBytes(150_000, seed: 7)),
            ("zeros", [UInt8](repeating: 0, count: 200_000)),
            ("repetitive", (0..<120_000).map { UInt8(($0 % 251) ^ ($0 / 5000)) }),
            ("text", text),
            ("ppm", real),
        ]
    }

    func testZlibStreamsInflateInPythonAtEveryLevel() throws {
        for (name, data) in try samples() {
            for level in 0...9 {
                let stream = Deflate.zlibCompress(data, level: level)
                let back = try DeflateOracle.pythonInflate(stream)
                XCTAssertEqual(back, data, "\(name) level \(level)")
                XCTAssertEqual(try Inflate.zlibDecompress(stream, maxOutput: data.count + 1), data, "our inflate: \(name) level \(level)")
                if level == 0 { XCTAssertLessThanOrEqual(stream.count, data.count + data.count / 65535 * 5 + 11) }
            }
        }
    }

    func testRawStreamInflates() throws {
        let data = DeflateOracle.randomBytes(5000, seed: 3) + [UInt8](repeating: 9, count: 5000)
        XCTAssertEqual(try DeflateOracle.pythonInflate(Deflate.compress(data, level: 6), raw: true), data)
    }

    func testHigherLevelsCompressRealDataBetter() throws {
        let real = try samples().last!.1
        let fast = Deflate.zlibCompress(real, level: 1).count
        let thorough = Deflate.zlibCompress(real, level: 9).count
        XCTAssertLessThan(thorough, fast)
        // Not larger than zlib's own level 9 on the same bytes.
        let zlibNine = try DeflateOracle.run("/usr/bin/python3", ["-c",
            "import sys,zlib; sys.stdout.write(str(len(zlib.compress(sys.stdin.buffer.read(), 9))))"], input: real)
        XCTAssertLessThanOrEqual(thorough, Int(String(decoding: zlibNine, as: UTF8.self))!)
    }

    func testRandomDataFallsBackToStoredBlocks() {
        let data = DeflateOracle.randomBytes(100_000, seed: 11)
        // Incompressible input must not grow beyond the stored-block overhead.
        XCTAssertLessThanOrEqual(Deflate.zlibCompress(data, level: 6).count, data.count + 100)
    }
}
