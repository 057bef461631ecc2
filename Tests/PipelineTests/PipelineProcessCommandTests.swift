import XCTest
import Foundation
import Raster
import Formats
import Decoders
@testable import Pipeline
import TestSupport

/// `imagestack process`: exit codes, body on OUT, headers on stderr, --accept and --config.
final class PipelineProcessCommandTests: XCTestCase {
    /// The `imagestack` built next to this test executable (same configuration).
    private var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("imagestack").path
    }

    private func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("process-\(UUID().uuidString)-\(name)").path
    }

    /// Runs `imagestack process ARGS`; returns (status, stderr lines).
    private func process(_ args: [String]) throws -> (Int32, [String]) {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary), "no imagestack binary at \(binary)")
        let result = try ExternalTool.execute(binary, ["process"] + args)
        return (result.status, result.stderr.split(separator: "\n").map(String.init))
    }

    private func headers(_ lines: [String]) -> [String: String] {
        var h: [String: String] = [:]
        for line in lines {
            guard let r = line.range(of: ": ") else { continue }
            h[String(line[..<r.lowerBound])] = String(line[r.upperBound...])
        }
        return h
    }

    func testUsageAndInputErrors() throws {
        XCTAssertEqual(try process([]).0, 2)
        XCTAssertEqual(try process([TestCorpus.path("photos/rocket.jpg")]).0, 2)
        XCTAssertEqual(try process(["--bogus", "x", "-o", "/dev/null"]).0, 2)
        XCTAssertEqual(try process(["/nonexistent/file.jpg", "-o", temporary("out")]).0, 1)
        let badConfig = temporary("rule.json")
        try FileIO.write(Array("{\"quality\": \"ultra\"}".utf8), to: badConfig)
        defer { try? FileManager.default.removeItem(atPath: badConfig) }
        XCTAssertEqual(try process([TestCorpus.path("photos/rocket.jpg"), "--config", badConfig, "-o", temporary("out")]).0, 2)
    }

    func testSkipWritesTheOriginalAndTheReason() throws {
        let out = temporary("out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (status, lines) = try process([TestCorpus.path("edge/tiny.gif"), "--query", "width=10", "-o", out])
        XCTAssertEqual(status, 0)
        let h = headers(lines)
        XCTAssertEqual(h["Img-Skip-Reason"], "detected content type image/gif is not supported")
        XCTAssertEqual(h["Content-Type"], "image/gif")
        XCTAssertNil(h["X-Img-Operations"])
        XCTAssertEqual(try FileIO.read(out), try FileIO.read(TestCorpus.path("edge/tiny.gif")))
    }

    func testTransformPrintsTheResponseHeaders() throws {
        let out = temporary("out.webp")
        let rule = temporary("rule.json")
        defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: rule) }
        let input = TestCorpus.path("photos/rocket.jpg")
        let (status, lines) = try process([input, "--query", "width=200&fmt=webp&quality=70", "--accept", "image/webp", "-o", out])
        XCTAssertEqual(status, 0)
        let h = headers(lines)
        XCTAssertNil(h["Img-Skip-Reason"])
        XCTAssertEqual(h["Content-Type"], "image/webp")
        XCTAssertEqual(h["X-Img-Operations"], "resize,convert")
        XCTAssertEqual(h["Vary"], "Accept")
        let original = try FileIO.read(input).count, produced = try FileIO.read(out).count
        XCTAssertEqual(h["X-Img-Origin-Size"], String(original))
        XCTAssertEqual(h["X-Img-Saved-Bytes"], String(original - produced))
        XCTAssertEqual(h["Content-Length"], String(produced))
        XCTAssertNotNil(h["X-Img-Processing-Time"].flatMap { Int($0) })

        // Without --accept the client takes neither WebP nor AVIF.
        let (_, plain) = try process([input, "--query", "fmt=webp", "-o", out])
        XCTAssertEqual(headers(plain)["Img-Skip-Reason"], "compression: webp/avif format is not supported by the client")

        // A rule file turns conversion on without any query.
        try FileIO.write(Array("{\"quality\": \"low\", \"webp\": true, \"avif\": false, \"pngLossless\": true}".utf8), to: rule)
        let (ruled, ruledLines) = try process([input, "--accept", "image/webp", "--config", rule, "-o", out])
        XCTAssertEqual(ruled, 0)
        XCTAssertEqual(headers(ruledLines)["Content-Type"], "image/webp")
        XCTAssertEqual(headers(ruledLines)["X-Img-Operations"], "convert")
    }
}
