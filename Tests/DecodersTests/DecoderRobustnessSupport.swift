import Foundation
import XCTest
import Raster

/// Shared by the decoders' robustness tests: one damaged input's outcome (an image, a typed error, or a problem),
/// and parallel runs over files that collect every problem before failing.
enum DecoderRobustness {
    /// Generous per-decode bound: a hang detector, not a speed assertion.
    static let secondsPerDecode = 20.0

    enum Outcome { case image, typedError }

    struct ProblemReport: Error { let text: String }

    /// Runs `decode`; a `CodecError` or a consistent raster is fine, anything else (or a decode slower than the
    /// bound) is a problem.
    static func check(_ label: String, _ decode: () throws -> Raster) -> Result<Outcome, ProblemReport> {
        let start = Date()
        var outcome = Outcome.typedError
        do {
            let r = try decode()
            guard r.samples8.count == r.width * r.height * r.channels else {
                return .failure(ProblemReport(text: "\(label): inconsistent raster"))
            }
            outcome = .image
        } catch is CodecError {
            // A typed error is the expected outcome for most damaged files.
        } catch {
            return .failure(ProblemReport(text: "\(label): untyped error \(error)"))
        }
        let elapsed = Date().timeIntervalSince(start)
        if elapsed > secondsPerDecode { return .failure(ProblemReport(text: "\(label): took \(elapsed) s")) }
        return .success(outcome)
    }

    /// Runs `work` for every index in parallel and fails the test with every problem found.
    static func runParallel(_ count: Int, file: StaticString = #filePath, line: UInt = #line,
                            _ work: @escaping @Sendable (Int) -> [String]) {
        let lock = NSLock()
        nonisolated(unsafe) var problems: [String] = []
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let p = work(i)
            lock.lock(); problems += p; lock.unlock()
        }
        XCTAssertEqual(problems, [], "\(problems.count) problems", file: file, line: line)
    }
}
