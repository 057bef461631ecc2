import Foundation
import TestSupport

/// Runs the reference tools (python3 zlib, libpng's pngtopam, djpeg, cjpeg) for the Deflate/PNG/JPEG encoder tests.
enum DeflateOracle {
    /// Runs `executable` with `arguments`, feeding `input` on standard input; returns standard output.
    static func run(_ executable: String, _ arguments: [String], input: [UInt8] = []) throws -> [UInt8] {
        try ExternalTool.run(executable, arguments, stdin: input)
    }

    /// Inflates a zlib stream (or a raw Deflate stream when `raw`) with Python's zlib.
    static func pythonInflate(_ stream: [UInt8], raw: Bool = false) throws -> [UInt8] {
        let wbits = raw ? "-15" : "15"
        return try run("/usr/bin/python3", ["-c",
            "import sys,zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read(), \(wbits)))"], input: stream)
    }

    static func temporaryFile(_ bytes: [UInt8], suffix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("imagestack-enc-\(UUID().uuidString)\(suffix)")
        try Data(bytes).write(to: url)
        return url
    }

    /// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }
}
