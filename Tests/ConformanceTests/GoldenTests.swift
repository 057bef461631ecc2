import Foundation
import XCTest
import TestSupport

/// The golden conformance suite: every case of Conformance/goldens/*.txt run in this process with our decoders,
/// encoders and pipeline — no reference tool, no external program (see testGoldenSuiteRunsNoExternalProgram).
/// `swift test --filter Golden`; the goldens are made by `bash Conformance/regenerate-goldens.sh`.
final class GoldenTests: XCTestCase {
    func testGoldenConformance() throws {
        let cases = try GoldenManifest.load()
        let clock = ContinuousClock(), start = clock.now
        // The expensive cases first, so the two cores finish together.
        let cost = ["encode-avif": 3, "process": 2, "encode-webp": 1, "encode-jpeg": 1, "encode-png": 1]
        let order = cases.indices.sorted { (cost[cases[$0].manifest] ?? 0, $1) > (cost[cases[$1].manifest] ?? 0, $0) }
        var checks = [GoldenCheck?](repeating: nil, count: cases.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: order.count) { k in
            let index = order[k]
            let check = Self.run(cases[index])
            lock.withLock { checks[index] = check }
        }
        let results = checks.compactMap { $0 }
        let failed = results.filter { !$0.failures.isEmpty }
        print("golden conformance: \(results.count - failed.count) passed, \(failed.count) failed")
        for name in GoldenManifest.names {
            let mine = results.filter { $0.golden.manifest == name }
            let bad = mine.filter { !$0.failures.isEmpty }.count
            print("golden \(name): \(mine.count - bad) passed, \(bad) failed")
        }
        let notCompared = Dictionary(grouping: results.flatMap(\.notCompared), by: { $0 }).mapValues(\.count)
        for (what, count) in notCompared.sorted(by: { $0.key < $1.key }) {
            print("golden not compared in-process (no ImageStack decoder for it): \(what) in \(count) cases; "
                  + "their bytes and reconstructions are compared")
        }
        print("golden run time: \(clock.now - start)")
        if !failed.isEmpty {
            let rows = failed.flatMap(\.failures).sorted { ($0.definition, $0.check) < ($1.definition, $1.check) }
            let width = min(90, rows.map(\.definition.count).max() ?? 4)
            print("case".padding(toLength: width, withPad: " ", startingAt: 0) + " | check    | first difference")
            for row in rows {
                print(row.definition.padding(toLength: max(width, row.definition.count), withPad: " ", startingAt: 0)
                      + " | " + row.check.padding(toLength: 8, withPad: " ", startingAt: 0) + " | " + row.difference)
            }
        }
        XCTAssertEqual(failed.count, 0, "golden cases failed: see the table above")
        XCTAssertGreaterThanOrEqual(cases.count, 600, "the goldens must keep at least 600 cases")
    }

    static func run(_ golden: GoldenCase) -> GoldenCheck {
        if let error = golden.results["error"] {
            var check = GoldenCheck(golden)
            check.fail("error", "regeneration failed for this case: \(error)")
            return check
        }
        switch golden.operation {
        case "decode": return DecodeGolden.run(golden)
        case "encode": return EncodeGolden.run(golden)
        case "process": return ProcessGolden.run(golden)
        default:
            var check = GoldenCheck(golden)
            check.fail("operation", "unknown operation \(golden.operation)")
            return check
        }
    }

    /// Every corpus input is decoded by a case (JPEGs our decoder accepts also at 1/2, 1/4 and 1/8): a file added
    /// to the corpus without regenerating fails here.
    func testGoldenCoverageOfTheCorpus() throws {
        let cases = try GoldenManifest.load().filter { $0.operation == "decode" }
        var decoded: [String: Set<String>] = [:]
        for c in cases { decoded[c.input, default: []].insert(c.setting("scale") ?? "1/1") }
        let refused = Set(cases.filter { $0.results["refused"] != nil }.map(\.input))
        let root = URL(fileURLWithPath: TestCorpus.root)
        let files = (FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL } ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .map { String($0.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)) }
            .filter { !$0.lowercased().hasSuffix(".txt") && !$0.lowercased().hasSuffix(".md") }
        XCTAssertGreaterThan(files.count, 250, "corpus not found at \(TestCorpus.root)")
        for file in files {
            let lower = file.lowercased()
            let wanted: Set<String> = (lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg")) && !refused.contains(file)
                ? ["1/1", "1/2", "1/4", "1/8"] : ["1/1"]
            XCTAssertEqual(decoded[file] ?? [], wanted, "\(file): decode cases missing; run bash Conformance/regenerate-goldens.sh")
        }
    }

    /// The suite executes no external program: none of its sources uses a process-spawning API (the regeneration
    /// script is the only place the reference tools run).
    func testGoldenSuiteRunsNoExternalProgram() throws {
        let directory = TestCorpus.packageRoot + "/Tests/ConformanceTests"
        let sources = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".swift") }
        XCTAssertGreaterThanOrEqual(sources.count, 5)
        let spawning = ["Process(", "posix_spawn", "execv", "execl", "system(", "popen(", "fork("]
        for name in sources where name != "GoldenTests.swift" {
            let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            for api in spawning { XCTAssertFalse(text.contains(api), "\(name) uses \(api)") }
        }
        let me = try String(contentsOfFile: directory + "/GoldenTests.swift", encoding: .utf8)
        let body = me.components(separatedBy: "let spawning = ")[0]   // this file, minus the list above
        for api in spawning { XCTAssertFalse(body.contains(api), "GoldenTests.swift uses \(api)") }
    }
}
