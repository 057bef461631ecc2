import XCTest
import Foundation
import Formats
import Pipeline
@testable import Server

/// The server with a directory origin holding WebP originals (Conformance/corpus/webp) and the default config: the
/// default rule covers `.webp`, still files are resized and converted (AVIF when accepted), animated ones relayed
/// untouched with the skip reason.
final class ServerWebPOriginTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Conformance/corpus/webp").path

    private func handler() throws -> ImageHandler {
        var config = ServerConfig()
        config.origin = .directory(Self.folder)
        config.accessLog = false
        let origin = try XCTUnwrap(FileOrigin(directory: Self.folder, maxBodyBytes: config.maxOriginBodyBytes))
        return ImageHandler(config: config, origin: origin)
    }

    private func get(_ handler: ImageHandler, _ target: String, accept: String? = nil) -> HTTPResponse {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        var headers: [(String, String)] = [("Host", "localhost")]
        if let accept { headers.append(("Accept", accept)) }
        let request = HTTPRequest(method: "GET", target: target, path: parts[0], query: parts.count > 1 ? parts[1] : "",
                                  version: "HTTP/1.1", headers: HTTPHeaders(headers), body: [])
        return handler.handle(request, peer: "127.0.0.1")
    }

    private func original(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/" + name)))
    }

    func testDefaultRuleCoversWebP() {
        XCTAssertTrue(ServerConfig().rules.contains { $0.extensions.contains("webp") })
    }

    func testStillWebPOriginsAreResizedAndConverted() throws {
        let h = try handler()
        for name in ["chelsea-lossless.webp", "coffee-alpha.webp", "adobergb-icc.webp"] {
            let source = try original(name)
            let asWebP = get(h, "/\(name)?width=80", accept: "image/webp")
            XCTAssertEqual(asWebP.status, 200, name)
            XCTAssertNil(asWebP.headers["Img-Skip-Reason"], name)
            XCTAssertEqual(asWebP.headers["Content-Type"], "image/webp", name)
            XCTAssertLessThan(asWebP.body.count, source.count, name)
            XCTAssertEqual(try ImageDecoder.readHeader(asWebP.body).width, 80, name)

            let asAVIF = get(h, "/\(name)?width=80&fmt=avif", accept: "image/avif,image/webp,*/*")
            XCTAssertEqual(asAVIF.status, 200, name)
            XCTAssertNil(asAVIF.headers["Img-Skip-Reason"], name)
            XCTAssertEqual(asAVIF.headers["Content-Type"], "image/avif", name)
            XCTAssertTrue(asAVIF.headers["Vary"]?.contains("Accept") ?? false, name)
            XCTAssertLessThan(asAVIF.body.count, source.count, name)
        }
    }

    func testAnimatedWebPOriginIsRelayedUntouched() throws {
        let h = try handler()
        let source = try original("animated.webp")
        let response = get(h, "/animated.webp?width=10", accept: "image/avif,image/webp")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, source)
        XCTAssertEqual(response.headers["Content-Type"], "image/webp")
        XCTAssertEqual(response.headers["Img-Skip-Reason"], "detected content type image/webp (animated) is not supported")
    }
}
