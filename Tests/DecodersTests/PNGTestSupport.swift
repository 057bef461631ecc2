import Foundation
import Raster
import TestSupport
import XCTest

/// Shared helpers for the Inflate and PNG tests: corpus location, oracle processes, netpbm parsing, chunk building.
enum PNGTestSupport {
    /// The committed test corpus (Conformance/corpus).
    static let corpus = TestCorpus.root

    /// Files of a corpus folder ending in `suffix`, sorted ("large": the fetched wallpapers in Benchmarks/large).
    static func corpusFiles(_ folder: String, suffix: String = ".png") throws -> [String] {
        let dir = folder == "large" ? TestCorpus.large : corpus + "/" + folder
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(suffix) }.sorted()
            .map { dir + "/" + $0 }
    }

    static func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Runs a tool and returns its standard output; fails the test when it cannot start or exits non-zero.
    static func run(_ tool: String, _ arguments: [String], stdin: [UInt8]? = nil) throws -> [UInt8] {
        try ExternalTool.run(tool, arguments, stdin: stdin)
    }

    /// A decoded netpbm image: samples as Ints, with their maxval.
    struct PNM {
        var width = 0, height = 0, depth = 0, maxval = 0
        var samples: [Int] = []

        /// Drops the last (alpha) channel; returns nil when some alpha sample is not opaque.
        func droppingOpaqueAlpha() -> PNM? {
            var out = self
            out.depth = depth - 1
            out.samples = []
            out.samples.reserveCapacity(width * height * out.depth)
            for i in Swift.stride(from: 0, to: samples.count, by: depth) {
                guard samples[i + depth - 1] == maxval else { return nil }
                out.samples.append(contentsOf: samples[i..<(i + depth - 1)])
            }
            return out
        }
    }

    /// Parses P5, P6 and P7 (any maxval).
    static func parsePNM(_ b: [UInt8]) throws -> PNM {
        var pos = 2
        func token() -> String {
            while pos < b.count {
                if b[pos] == 0x23 { while pos < b.count && b[pos] != 0x0A { pos += 1 } }
                else if b[pos] == 0x20 || b[pos] == 0x0A || b[pos] == 0x09 || b[pos] == 0x0D { pos += 1 }
                else { break }
            }
            let start = pos
            while pos < b.count && !(b[pos] == 0x20 || b[pos] == 0x0A || b[pos] == 0x09 || b[pos] == 0x0D) { pos += 1 }
            return String(decoding: b[start..<pos], as: UTF8.self)
        }
        var pnm = PNM()
        let magic = String(decoding: b.prefix(2), as: UTF8.self)
        switch magic {
        case "P5", "P6":
            pnm.width = Int(token()) ?? 0; pnm.height = Int(token()) ?? 0; pnm.maxval = Int(token()) ?? 0
            pnm.depth = magic == "P5" ? 1 : 3
        case "P7":
            while true {
                let t = token()
                if t == "ENDHDR" || t.isEmpty { break }
                let v = Int(token()) ?? 0
                switch t {
                case "WIDTH": pnm.width = v
                case "HEIGHT": pnm.height = v
                case "DEPTH": pnm.depth = v
                case "MAXVAL": pnm.maxval = v
                default: break
                }
            }
        default:
            throw NSError(domain: "PNGTestSupport", code: 1, userInfo: [NSLocalizedDescriptionKey: "not netpbm"])
        }
        pos += 1
        let n = pnm.width * pnm.height * pnm.depth
        let wide = pnm.maxval > 255
        guard b.count - pos >= n * (wide ? 2 : 1) else {
            throw NSError(domain: "PNGTestSupport", code: 2, userInfo: [NSLocalizedDescriptionKey: "short netpbm"])
        }
        pnm.samples = (0..<n).map { i in wide ? Int(b[pos + 2 * i]) << 8 | Int(b[pos + 2 * i + 1]) : Int(b[pos + i]) }
        return pnm
    }

    /// Compares a raster with a reference netpbm image, scaling the reference's maxval (1, 3, 15: bit replication
    /// makes it exact) to the raster's. A fully opaque reference alpha channel is dropped when the raster has none.
    static func assertSame(_ raster: Raster, _ reference: PNM, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        var ref = reference
        if ref.depth == raster.channels + 1 {
            guard let stripped = ref.droppingOpaqueAlpha() else {
                XCTFail("\(name): reference has transparency, decoded raster has no alpha", file: file, line: line); return
            }
            ref = stripped
        }
        guard ref.width == raster.width, ref.height == raster.height, ref.depth == raster.channels else {
            XCTFail("\(name): shape \(raster.width)x\(raster.height)x\(raster.channels) vs reference \(ref.width)x\(ref.height)x\(ref.depth)",
                    file: file, line: line)
            return
        }
        let ours: [Int] = raster.bitDepth == .eight ? raster.samples8.map(Int.init) : raster.samples16.map(Int.init)
        let top = raster.bitDepth.maxValue
        var worst = 0
        for i in 0..<ours.count {
            let r = ref.maxval == top ? ref.samples[i] : ref.samples[i] * top / ref.maxval
            worst = max(worst, abs(ours[i] - r))
        }
        XCTAssertEqual(worst, 0, "\(name): max sample difference", file: file, line: line)
    }

    /// Big-endian 32-bit value.
    static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// One chunk: length, type, data, CRC.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return be32(data.count) + typeBytes + data + be32(Int(CRC32.checksum(typeBytes + data)))
    }

    struct Chunk { var type: String; var data: [UInt8] }

    /// Splits a PNG into its chunks (the file must be well-formed).
    static func chunks(_ png: [UInt8]) -> [Chunk] {
        var out: [Chunk] = []
        var pos = 8
        while pos + 12 <= png.count {
            let n = Int(png[pos]) << 24 | Int(png[pos + 1]) << 16 | Int(png[pos + 2]) << 8 | Int(png[pos + 3])
            guard pos + 12 + n <= png.count else { break }
            out.append(Chunk(type: String(decoding: png[(pos + 4)..<(pos + 8)], as: UTF8.self),
                             data: Array(png[(pos + 8)..<(pos + 8 + n)])))
            pos += 12 + n
        }
        return out
    }

    static func assemble(_ chunks: [Chunk]) -> [UInt8] {
        var out: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        for c in chunks { out += chunk(c.type, c.data) }
        return out
    }

    /// Rewrites every chunk's CRC so a damaged payload reaches the decoder's inner layers.
    static func recomputingCRCs(_ png: [UInt8]) -> [UInt8] {
        var out = png
        var pos = 8
        while pos + 12 <= out.count {
            let n = Int(out[pos]) << 24 | Int(out[pos + 1]) << 16 | Int(out[pos + 2]) << 8 | Int(out[pos + 3])
            guard n <= out.count - pos - 12 else { break }
            let crc = CRC32.checksum(out[(pos + 4)..<(pos + 8 + n)])
            out.replaceSubrange((pos + 8 + n)..<(pos + 12 + n), with: be32(Int(crc)))
            pos += 12 + n
        }
        return out
    }
}

/// SplitMix64: a small seeded generator so robustness tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A value in 0..<n (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
