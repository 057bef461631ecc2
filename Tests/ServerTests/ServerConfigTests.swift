import XCTest
import FoundationEssentials
import Raster
import Formats
import Pipeline
@testable import Server

final class ServerConfigTests: XCTestCase {
    func parse(_ json: String) throws(ConfigError) -> ServerConfig {
        try ServerConfig.parse(json: Data(json.utf8))
    }

    func assertError(_ json: String, field: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try parse(json)
            XCTFail("expected an error for \(json)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.field, field, "\(error)", file: file, line: line)
        }
    }

    func testFullConfig() throws {
        let config = try parse("""
        { "origin": "http://origin.test:8081/base/", "serverName": "edge-1", "listen": "0.0.0.0:9000",
          "limits": { "maxPixels": 1000, "maxSide": 500, "maxSourceBytes": 2048, "maxConnections": 10,
                      "maxRequestLineBytes": 100, "maxHeaderBytes": 200, "maxRequestBodyBytes": 0 },
          "timeouts": { "originConnectMs": 250, "originReadMs": 1500, "clientHeaderMs": 2000, "keepAliveMs": 5000, "clientWriteMs": 700,
                        "processingMs": 1234 },
          "cacheBytes": 1048576, "cacheTTLSeconds": 60, "workers": 3, "queueSize": 7, "handlerThreads": 16, "accessLog": false,
          "rules": [
            { "path": "/static/**", "enabled": false },
            { "path": "/img/*", "extensions": [".JPG", "png"], "quality": "low", "webp": true, "avif": true, "pngLossless": true },
            { "quality": 42 }
          ] }
        """)
        XCTAssertEqual(config.origin, .http(host: "origin.test", port: 8081, basePath: "/base"))
        XCTAssertEqual(config.serverName, "edge-1")
        XCTAssertEqual(config.listenHost, "0.0.0.0")
        XCTAssertEqual(config.listenPort, 9000)
        XCTAssertEqual(config.imageLimits.maxPixels, 1000)
        XCTAssertEqual(config.imageLimits.maxSide, 500)
        XCTAssertEqual(config.maxOriginBodyBytes, 2048)
        XCTAssertEqual(config.maxConnections, 10)
        XCTAssertEqual(config.requestLimits.maxRequestLineBytes, 100)
        XCTAssertEqual(config.originConnectTimeout, 0.25)
        XCTAssertEqual(config.keepAliveTimeout, 5)
        XCTAssertEqual(config.processingTimeout, 1.234)
        XCTAssertEqual(config.cacheBytes, 1 << 20)
        XCTAssertEqual(config.workerCount, 3)
        XCTAssertEqual(config.queueSize, 7)
        XCTAssertFalse(config.accessLog)
        XCTAssertEqual(config.rules.count, 3)
        XCTAssertFalse(config.rules[0].settings.enabled)
        XCTAssertEqual(config.rules[1].extensions, ["jpg", "png"])
        XCTAssertEqual(config.rules[1].settings.quality, 65)
        XCTAssertEqual(config.rules[1].settings.formats, .switches([.webp, .avif]))
        XCTAssertTrue(config.rules[1].settings.pngLossless)
        XCTAssertEqual(config.rules[2].settings.quality, 42)
        XCTAssertEqual(config.rules[2].pathPattern, "/**")
    }

    func testQualityPresets() throws {
        let config = try parse(#"{"rules":[{"quality":"High"},{"quality":"medium"},{"quality":"LOW"},{"quality":"70"},{}]}"#)
        XCTAssertEqual(config.rules.map(\.settings.quality), [95, 80, 65, 70, 95])
    }

    func testColorProfilePolicy() throws {
        let config = try parse(#"{"rules":[{"colorProfile":"keep"},{"colorProfile":"srgb"},{}]}"#)
        XCTAssertEqual(config.rules.map(\.settings.colorProfile), [.keep, .srgb, .srgb])
        assertError(#"{"rules":[{"colorProfile":"adobe"}]}"#, field: "rules[0].colorProfile")
    }

    func testDefaults() throws {
        let config = try parse("{}")
        XCTAssertEqual(config.listenPort, 8080)
        XCTAssertEqual(config.imageLimits, .default)
        XCTAssertEqual(config.rules.count, 1)
        XCTAssertGreaterThanOrEqual(config.workerCount, 1)
        XCTAssertEqual(config.processingTimeout, 20)
        XCTAssertEqual(config.workerCount, Job.machineCores)
    }

    func testErrorsNameTheField() {
        assertError(#"{"rules":[{"quality":"ultra"}]}"#, field: "rules[0].quality")
        assertError(#"{"rules":[{},{"quality":101}]}"#, field: "rules[1].quality")
        assertError(#"{"rules":[{"webp":"yes"}]}"#, field: "rules[0].webp")
        assertError(#"{"rules":[{"path":"img/*"}]}"#, field: "rules[0].path")
        assertError(#"{"rules":[{"extensions":["jpg",""]}]}"#, field: "rules[0].extensions[1]")
        assertError(#"{"rules":[{"pattern":"/x"}]}"#, field: "rules[0].pattern")
        assertError(#"{"cacheSize": 1}"#, field: "cacheSize")
        assertError(#"{"origin": "https://x"}"#, field: "origin")
        assertError(#"{"origin": "ftp://x"}"#, field: "origin")
        assertError(#"{"origin": "http://x:99999"}"#, field: "origin")
        assertError(#"{"listen": "here"}"#, field: "listen")
        assertError(#"{"listen": 80}"#, field: "listen")
        assertError(#"{"limits": {"maxSide": 0}}"#, field: "limits.maxSide")
        assertError(#"{"timeouts": {"originReadMs": -1}}"#, field: "timeouts.originReadMs")
        assertError(#"{"timeouts": {"processingMs": 0}}"#, field: "timeouts.processingMs")
        assertError(#"{"workers": -2}"#, field: "workers")
        assertError(#"{"handlerThreads": 0}"#, field: "handlerThreads")
        assertError(#"{"rules": "#, field: "(file)")
    }

    func testOriginAndListenParsing() {
        XCTAssertEqual(try? OriginLocation.parse("http://h").get(), .http(host: "h", port: 80, basePath: ""))
        XCTAssertEqual(try? OriginLocation.parse("http://[::1]:81/x").get(), .http(host: "::1", port: 81, basePath: "/x"))
        XCTAssertEqual(try? OriginLocation.parse("/srv/images").get(), .directory("/srv/images"))
        XCTAssertNil(try? OriginLocation.parse("http://user@h/").get())
        XCTAssertEqual(ServerConfig.parseListen("127.0.0.1:18080")?.port, 18080)
        XCTAssertEqual(ServerConfig.parseListen(":9")?.host, "0.0.0.0")
        XCTAssertNil(ServerConfig.parseListen("x:y"))
    }

    /// `formats` is an ordered list; Gcore's switches map onto the default order; both together must agree.
    func testOutputPreference() throws {
        let config = try parse("""
        { "rules": [
            { "path": "/a/**", "formats": ["webp", "avif"] },
            { "path": "/b/**", "formats": ["AVIF"] },
            { "path": "/c/**", "formats": [] },
            { "path": "/d/**", "webp": true, "avif": true },
            { "path": "/e/**", "webp": true },
            { "path": "/f/**", "webp": true, "avif": false, "formats": ["webp"] },
            { "path": "/g/**" }
        ] }
        """)
        let preferences = config.rules.map(\.settings.formats)
        XCTAssertEqual(preferences[0].defaults, [.webp, .avif])
        XCTAssertEqual(preferences[0].ranking, [.webp, .avif])
        XCTAssertEqual(preferences[1].defaults, [.avif])
        XCTAssertEqual(preferences[2], .none)
        XCTAssertEqual(preferences[3], .switches([.avif, .webp]))
        XCTAssertEqual(preferences[3].defaults, [.avif, .webp])
        XCTAssertEqual(preferences[4].defaults, [.webp])
        XCTAssertEqual(preferences[4].ranking, [.avif, .webp], "Gcore's switches keep AVIF first")
        XCTAssertEqual(preferences[5], FormatPreference([.webp]))
        XCTAssertEqual(preferences[6], .none)
        // The same parser reads `process --config` rules.
        let rule = try RuleSettings.parse(ruleJSON: Data(#"{"formats": ["webp", "avif"], "quality": 70}"#.utf8))
        XCTAssertEqual(rule.formats.defaults, [.webp, .avif])
    }

    func testOutputPreferenceErrors() {
        assertError(#"{"rules":[{"formats":["webp","jpeg"]}]}"#, field: "rules[0].formats[1]")
        assertError(#"{"rules":[{"formats":["webp","webp"]}]}"#, field: "rules[0].formats[1]")
        assertError(#"{"rules":[{"formats":"webp"}]}"#, field: "rules[0].formats")
        assertError(#"{"rules":[{"formats":["webp"],"avif":true}]}"#, field: "rules[0].avif")
        assertError(#"{"rules":[{},{"formats":["avif"],"avif":false}]}"#, field: "rules[1].avif")
        assertError(#"{"rules":[{"gif":true}]}"#, field: "rules[0].gif")
    }

    /// The default rule covers every format the server transforms, from the registry.
    func testDefaultRuleExtensionsComeFromTheRegistry() throws {
        let rule = try parse("{}").rules[0]
        XCTAssertEqual(rule.pathPattern, "/**")
        XCTAssertEqual(rule.extensions, FormatRegistry.defaultRuleExtensions)
        XCTAssertTrue(Set(rule.extensions).isSuperset(of: ["jpg", "jpeg", "png"]))
        XCTAssertEqual(rule.extensions.contains("webp"), ImageFormat.webp.canDecode)
        XCTAssertFalse(rule.extensions.contains("gif") || rule.extensions.contains("avif") || rule.extensions.contains("ppm"))
    }

    func testFileOriginTypesComeFromTheRegistry() {
        for format in FormatRegistry.all {
            for ext in format.extensions { XCTAssertEqual(FileOrigin.contentType(forPath: "/x/a." + ext.uppercased()), format.mimeType) }
        }
        XCTAssertEqual(FileOrigin.contentType(forPath: "/a.css"), "text/css")
        XCTAssertEqual(FileOrigin.contentType(forPath: "/a.svg"), "image/svg+xml")
        XCTAssertEqual(FileOrigin.contentType(forPath: "/a.bin"), "application/octet-stream")
    }
}
