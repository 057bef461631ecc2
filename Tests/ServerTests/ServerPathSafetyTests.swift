import XCTest
import Foundation
@testable import Server

final class ServerPathSafetyTests: XCTestCase {
    var root = ""
    var outside = ""

    override func setUpWithError() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("imagestack-paths-\(UUID().uuidString)").path
        root = base + "/root"
        outside = base + "/outside"
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/img", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("inside".utf8).write(to: URL(fileURLWithPath: root + "/img/a.jpg"))
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside + "/secret.txt"))
        try fm.createSymbolicLink(atPath: root + "/img/escape.jpg", withDestinationPath: outside + "/secret.txt")
        try fm.createSymbolicLink(atPath: root + "/img/out", withDestinationPath: outside)
        try fm.createSymbolicLink(atPath: root + "/img/link.jpg", withDestinationPath: root + "/img/a.jpg")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent)
    }

    func testResolveStaysInsideTheRoot() throws {
        let origin = try XCTUnwrap(FileOrigin(directory: root, maxBodyBytes: 1 << 20))
        XCTAssertNotNil(origin.resolve("/img/a.jpg"))
        XCTAssertNotNil(origin.resolve("/img/link.jpg"))
        XCTAssertNotNil(origin.resolve("//img///a.jpg"))
        for path in ["/../outside/secret.txt", "/img/../../outside/secret.txt", "/%2e%2e/outside/secret.txt",
                     "/img/%2E%2E/%2e%2e/outside/secret.txt", "/img/escape.jpg", "/img/out/secret.txt",
                     "/img/a.jpg%00.png", "/img/..%5c..%5csecret", "/img/%", "/img/%g0", "/", "/img/./a.jpg",
                     "/img/%ff%fe.jpg"] {
            XCTAssertNil(origin.resolve(path), path)
        }
    }

    func testFetchAnswers404ForRefusedAndMissingPaths() throws {
        let origin = try XCTUnwrap(FileOrigin(directory: root, maxBodyBytes: 1 << 20))
        let good = try origin.fetch(path: "/img/a.jpg", query: "", headers: HTTPHeaders()).get()
        XCTAssertEqual(good.status, 200)
        XCTAssertEqual(good.body, Array("inside".utf8))
        XCTAssertNotNil(good.headers["Last-Modified"])
        for path in ["/img/escape.jpg", "/img/missing.jpg", "/img", "/%2e%2e/outside/secret.txt"] {
            XCTAssertEqual(try origin.fetch(path: path, query: "", headers: HTTPHeaders()).get().status, 404, path)
        }
        let etag = try XCTUnwrap(good.headers["ETag"])
        var conditional = HTTPHeaders()
        conditional.add("If-None-Match", etag)
        XCTAssertEqual(try origin.fetch(path: "/img/a.jpg", query: "", headers: conditional).get().status, 304)
        let small = try XCTUnwrap(FileOrigin(directory: root, maxBodyBytes: 3))
        XCTAssertEqual(small.fetch(path: "/img/a.jpg", query: "", headers: HTTPHeaders()).map(\.status), .failure(.tooLarge(3)))
        XCTAssertNil(FileOrigin(directory: root + "/img/a.jpg", maxBodyBytes: 10))
    }

    func testUnsafeSegmentsAndDecoding() {
        XCTAssertEqual(percentDecode("/a%20b%2F"), Array("/a b/".utf8))
        XCTAssertNil(percentDecode("/a%2"))
        XCTAssertNil(percentDecode("/a%zz"))
        XCTAssertTrue(ImageHandler.hasUnsafeSegments(Array("/a/../b".utf8)))
        XCTAssertTrue(ImageHandler.hasUnsafeSegments(Array("/a/./b".utf8)))
        XCTAssertTrue(ImageHandler.hasUnsafeSegments(Array("/..".utf8)))
        XCTAssertTrue(ImageHandler.hasUnsafeSegments([47, 97, 0]))
        XCTAssertTrue(ImageHandler.hasUnsafeSegments(Array("/a\\b".utf8)))
        XCTAssertFalse(ImageHandler.hasUnsafeSegments(Array("/a/..b/c...d/.e".utf8)))
    }

    func testETagComparison() {
        XCTAssertTrue(ImageHandler.etag("\"abc\"", matchesAnyOf: "\"abc\""))
        XCTAssertTrue(ImageHandler.etag("\"abc\"", matchesAnyOf: "\"x\", W/\"abc\""))
        XCTAssertTrue(ImageHandler.etag("\"abc\"", matchesAnyOf: "*"))
        XCTAssertFalse(ImageHandler.etag("\"abc\"", matchesAnyOf: "\"abcd\""))
        XCTAssertEqual(ImageHandler.strongETag([1, 2, 3]), ImageHandler.strongETag([1, 2, 3]))
        XCTAssertNotEqual(ImageHandler.strongETag([1, 2, 3]), ImageHandler.strongETag([1, 2, 4]))
        XCTAssertEqual(ImageHandler.varyAddingAccept(nil), "Accept")
        XCTAssertEqual(ImageHandler.varyAddingAccept("Origin"), "Origin, Accept")
        XCTAssertEqual(ImageHandler.varyAddingAccept("accept"), "accept")
    }
}
