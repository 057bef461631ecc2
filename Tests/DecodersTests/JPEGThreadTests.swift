import XCTest
@testable import Decoders
import Raster

/// The decoder's two-thread paths (the row pipeline of single-scan sequential files, the scan/prefault overlap and
/// parallel drawing bands of progressive ones) must give the same pixels as one thread.
final class JPEGThreadTests: XCTestCase {
    func testOneAndTwoThreadsGiveIdenticalPixels() throws {
        let large = JPEGTestSupport.files(in: "large")
        XCTAssertGreaterThan(large.count, 0, "no large JPEGs: run bash Benchmarks/fetch-large.sh")
        let files = JPEGTestSupport.files(in: "jpeg") + JPEGTestSupport.files(in: "photos") + large
        var compared = 0
        for url in files where !JPEGTestSupport.unsupportedNames.contains(url.lastPathComponent) {
            let bytes = try JPEGTestSupport.bytes(url)
            for scale in [1, 2] {
                let one = try Job.run(Job(threads: 1)) { try JPEGDecoder.decode(bytes, scaleDenominator: scale) }
                let two = try Job.run(Job(threads: 2)) { try JPEGDecoder.decode(bytes, scaleDenominator: scale) }
                XCTAssertEqual(one.width, two.width, url.lastPathComponent)
                XCTAssertEqual(one.height, two.height, url.lastPathComponent)
                XCTAssertTrue(one.samples8 == two.samples8, "\(url.lastPathComponent) at 1/\(scale)")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 130)
    }
}
