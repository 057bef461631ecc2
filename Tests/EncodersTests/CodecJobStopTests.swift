import XCTest
import Raster
import Formats
import Decoders
@testable import Encoders

/// Every codec stops at its checkpoints with the job's reason (`JobStop`), whether the job was stopped before it
/// started or while it runs (a deadline that passes mid-encode), and never hangs — including the two-thread VP8
/// wavefront, where one worker stopping must not leave the other waiting for its rows.
final class CodecJobStopTests: XCTestCase {
    /// A deterministic textured image (gradients plus hashed noise), so encoders have real work to do.
    private func texture(width: Int, height: Int, alpha: Bool = false) throws -> Raster {
        let channels = alpha ? 4 : 3
        var samples = [UInt8](repeating: 0, count: width * height * channels)
        var state: UInt32 = 0x9E37_79B9
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 1_664_525 &+ 1_013_904_223
                let noise = Int(state >> 27)
                let i = (y * width + x) * channels
                samples[i] = UInt8(truncatingIfNeeded: x * 255 / width + noise)
                samples[i + 1] = UInt8(truncatingIfNeeded: y * 255 / height + noise)
                samples[i + 2] = UInt8(truncatingIfNeeded: (x ^ y) + noise)
                if alpha { samples[i + 3] = UInt8(truncatingIfNeeded: 128 + (x + y) % 128) }
            }
        }
        return try Raster(width: width, height: height, layout: alpha ? .rgba : .rgb, samples8: samples)
    }

    private func stopped(_ reason: JobStop, threads: Int = 2) -> Job {
        let job = Job(threads: threads)
        job.cancel(reason)
        return job
    }

    private func assertStops(_ job: Job, _ reason: JobStop, _ name: String, _ work: () throws -> Void) {
        XCTAssertThrowsError(try Job.run(job) { try work() }, name) { error in
            XCTAssertEqual(error as? JobStop, reason, "\(name): \(error)")
        }
    }

    func testEveryEncoderStopsForAStoppedJob() throws {
        let image = try texture(width: 96, height: 80)
        let translucent = try texture(width: 96, height: 80, alpha: true)
        let encoders: [(String, () throws -> Void)] = [
            ("jpeg", { _ = try JPEGEncoder.encode(image) }),
            ("png", { _ = try PNGEncoder.encode(image) }),
            ("webp lossy", { _ = try WebPEncoder.encode(image, options: WebPEncodeOptions(quality: 75)) }),
            ("webp lossy + alpha", { _ = try WebPEncoder.encode(translucent, options: WebPEncodeOptions(quality: 75)) }),
            ("webp lossless", { _ = try WebPEncoder.encode(image, options: WebPEncodeOptions(lossless: true)) }),
            ("avif", { _ = try AVIFEncoder.encode(image, options: AVIFEncodeOptions(quality: 50)) }),
            ("avif lossless", { _ = try AVIFEncoder.encode(image, options: AVIFEncodeOptions(lossless: true)) }),
        ]
        for (name, encode) in encoders {
            for reason in [JobStop.abandoned, .deadlineExceeded] {
                assertStops(stopped(reason), reason, name, encode)
            }
            // The same call under a running job succeeds: the stop came from the job, not from the input.
            XCTAssertNoThrow(try Job.run(Job(threads: 2)) { try encode() }, name)
        }
    }

    func testDecodersStopForAStoppedJob() throws {
        let image = try texture(width: 64, height: 48)
        let files: [(String, [UInt8])] = [
            ("jpeg", try JPEGEncoder.encode(image)),
            ("png", try PNGEncoder.encode(image)),
        ]
        for (name, bytes) in files {
            assertStops(stopped(.abandoned), .abandoned, name) { _ = try ImageDecoder.decode(bytes) }
            XCTAssertNoThrow(try Job.run(Job(threads: 2)) { _ = try ImageDecoder.decode(bytes) }, name)
        }
    }

    /// A deadline that passes while the encoder runs: the encode ends with `.deadlineExceeded` at a checkpoint
    /// inside its long loops (AV1 superblock rows, the VP8 wavefront on two threads, VP8L passes), never hangs.
    func testDeadlinePassingMidEncodeStopsEachEncoder() throws {
        let image = try texture(width: 1024, height: 768)
        let encoders: [(String, () throws -> Void)] = [
            ("avif", { _ = try AVIFEncoder.encode(image, options: AVIFEncodeOptions(quality: 50)) }),
            ("webp lossy", { _ = try WebPEncoder.encode(image, options: WebPEncodeOptions(quality: 75)) }),
            ("webp lossless", { _ = try WebPEncoder.encode(image, options: WebPEncodeOptions(lossless: true)) }),
        ]
        for (name, encode) in encoders {
            for threads in [1, 2] {
                let job = Job(threads: threads, deadline: ContinuousClock.now + .milliseconds(5))
                assertStops(job, .deadlineExceeded, "\(name), \(threads) threads", encode)
            }
        }
    }

    /// Output never depends on the thread budget (the `Job` contract).
    func testEncodedBytesDoNotDependOnThreads() throws {
        let image = try texture(width: 300, height: 260, alpha: true)
        let encoders: [(String, () throws -> [UInt8])] = [
            ("jpeg", { try JPEGEncoder.encode(image) }),
            ("webp lossy", { try WebPEncoder.encode(image, options: WebPEncodeOptions(quality: 75)) }),
            ("webp lossless", { try WebPEncoder.encode(image, options: WebPEncodeOptions(lossless: true)) }),
            ("avif", { try AVIFEncoder.encode(image, options: AVIFEncodeOptions(quality: 50)) }),
        ]
        for (name, encode) in encoders {
            let one = try Job.run(Job(threads: 1)) { try encode() }
            let two = try Job.run(Job(threads: 2)) { try encode() }
            let four = try Job.run(Job(threads: 4)) { try encode() }
            XCTAssertEqual(one, two, name)
            XCTAssertEqual(one, four, name)
        }
    }
}
