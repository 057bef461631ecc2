import XCTest
import Raster
import Formats
import Decoders
import Encoders
@testable import Pipeline

/// The pipeline turns a stopped job into the right outcome: a deadline serves the original with the SPEC §6
/// processing-time skip reason; an abandoned job is marked so that nobody sends it; a running job is untouched.
final class PipelineJobStopTests: XCTestCase {
    private func photo(width: Int, height: Int) throws -> [UInt8] {
        var samples = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                samples[i] = UInt8(truncatingIfNeeded: x &* 7 &+ y)
                samples[i + 1] = UInt8(truncatingIfNeeded: y &* 5 &+ (x >> 2))
                samples[i + 2] = UInt8(truncatingIfNeeded: (x ^ y) &* 3)
            }
        }
        let raster = try Raster(width: width, height: height, layout: .rgb, samples8: samples)
        return try JPEGEncoder.encode(raster, options: JPEGEncodeOptions(quality: 90))
    }

    private func process(_ original: [UInt8], _ query: String, under job: Job) -> ProcessingOutcome {
        Job.run(job) {
            ImageProcessor.process(original: original, query: ImageProcessor.splitQuery(query),
                                   accept: "image/avif,image/webp", rule: RuleSettings())
        }
    }

    func testDeadlineServesTheOriginalWithTheProcessingTimeReason() throws {
        let original = try photo(width: 640, height: 480)
        // Already past (a job that waited in the queue beyond its deadline) and passing mid-encode.
        for deadline in [ContinuousClock.now - .milliseconds(1), ContinuousClock.now + .milliseconds(3)] {
            let outcome = process(original, "width=600&fmt=avif", under: Job(threads: 2, deadline: deadline))
            XCTAssertEqual(outcome.stoppedBy, .deadlineExceeded)
            XCTAssertEqual(outcome.skipReason, "compression: processing time limit exceeded")
            XCTAssertEqual(outcome.body, original)
            XCTAssertEqual(outcome.contentType, "image/jpeg")
            XCTAssertTrue(outcome.operations.isEmpty)
        }
    }

    func testAbandonedJobIsMarkedAndServesNothingNew() throws {
        let original = try photo(width: 320, height: 240)
        let job = Job(threads: 1)
        job.cancel(.abandoned)
        let outcome = process(original, "width=100&fmt=webp", under: job)
        XCTAssertEqual(outcome.stoppedBy, .abandoned)
        XCTAssertNil(outcome.skipReason)
        XCTAssertEqual(outcome.body, original)
    }

    func testRunningJobTransforms() throws {
        let original = try photo(width: 320, height: 240)
        let outcome = process(original, "width=100&fmt=webp",
                              under: Job(threads: 2, deadline: ContinuousClock.now + .seconds(600)))
        XCTAssertNil(outcome.stoppedBy)
        XCTAssertNil(outcome.skipReason)
        XCTAssertEqual(outcome.contentType, "image/webp")
        XCTAssertEqual(outcome.operations, ["resize", "convert"])
    }

    func testResamplerStopsBetweenStrips() throws {
        let raster = try ImageDecoder.decode(try photo(width: 400, height: 300))
        let job = Job(threads: 2)
        job.cancel(.deadlineExceeded)
        XCTAssertThrowsError(try Job.run(job) { try Resampler.resize(raster, width: 200, height: 150) }) {
            XCTAssertEqual($0 as? JobStop, .deadlineExceeded)
        }
        XCTAssertNoThrow(try Job.run(Job(threads: 2)) { try Resampler.resize(raster, width: 200, height: 150) })
    }
}
