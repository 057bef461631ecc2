import Foundation
import XCTest
import Raster
import Decoders
@testable import Encoders

/// Test-only entry point for Benchmarks/bench-webp-lossy.sh while the WebP facade is not merged: with
/// `VP8_BENCH_MANIFEST` set, each manifest line "input.pnm quality output.webp" is encoded through the public
/// contract and "output.webp seconds bytes cpu-seconds" appended to `VP8_BENCH_RESULTS`. Without the variable it encodes a
/// small synthetic image the same way and checks the result decodes, so the path stays exercised.
final class VP8BenchmarkHook: XCTestCase {
    func testBenchmarkManifest() throws {
        let env = ProcessInfo.processInfo.environment
        guard let manifest = env["VP8_BENCH_MANIFEST"], let resultsPath = env["VP8_BENCH_RESULTS"] else {
            let image = VP8Synthetic.gradient(width: 48, height: 40)
            let payload = try VP8Encoder.encodeKeyFrame(image, quality: 75, effort: 4)
            let decoded = try VP8Oracle.decode(VP8Oracle.riff(payload))
            XCTAssertEqual(decoded?.width, 48)
            return
        }
        let effort = Int(env["VP8_BENCH_EFFORT"] ?? "4") ?? 4
        var report = ""
        var cache: [String: Raster] = [:]
        for line in try String(contentsOfFile: manifest, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 3, let quality = Int(fields[1]) else { continue }
            let raster: Raster
            if let cached = cache[fields[0]] { raster = cached } else {
                raster = try PNMDecoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: fields[0]))))
                cache = [fields[0]: raster]
            }
            let cpuStart = Self.processCPUSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            let payload = try VP8Encoder.encodeKeyFrame(raster, quality: quality, effort: effort)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let cpu = Self.processCPUSeconds() - cpuStart
            let file = VP8Oracle.riff(payload)
            try Data(file).write(to: URL(fileURLWithPath: fields[2]))
            report += "\(fields[2]) \(seconds) \(file.count) \(cpu)\n"
        }
        try report.write(toFile: resultsPath, atomically: true, encoding: .utf8)
    }

    /// CPU time of the whole process (all threads), seconds.
    static func processCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
