import XCTest
import Formats
import Pipeline
@testable import Server

final class ServerRuleMatcherTests: XCTestCase {
    func testGlob() {
        XCTAssertTrue(RuleMatcher.glob("/**", matches: "/a/b/c.jpg"))
        XCTAssertTrue(RuleMatcher.glob("/img/*", matches: "/img/a.jpg"))
        XCTAssertFalse(RuleMatcher.glob("/img/*", matches: "/img/sub/a.jpg"))
        XCTAssertTrue(RuleMatcher.glob("/img/**", matches: "/img/sub/a.jpg"))
        XCTAssertTrue(RuleMatcher.glob("/img/**/*.png", matches: "/img/a.png"))
        XCTAssertTrue(RuleMatcher.glob("/img/**/*.png", matches: "/img/x/y/a.png"))
        XCTAssertFalse(RuleMatcher.glob("/img/**/*.png", matches: "/img/x/y/a.jpg"))
        XCTAssertTrue(RuleMatcher.glob("/a?c.jpg", matches: "/abc.jpg"))
        XCTAssertFalse(RuleMatcher.glob("/a?c.jpg", matches: "/a/c.jpg"))
        XCTAssertTrue(RuleMatcher.glob("*", matches: "/anything/at/all"))
        XCTAssertFalse(RuleMatcher.glob("/img/*.jpg", matches: "/img/a.jpgx"))
        XCTAssertTrue(RuleMatcher.glob("/*/*.jpg", matches: "/x/a.b.jpg"))
        // Pathological patterns finish quickly (backtracking is bounded).
        XCTAssertFalse(RuleMatcher.glob("/**a**a**a**a**a**b", matches: "/" + String(repeating: "a", count: 200)))
    }

    func testFirstMatchingRuleWinsAndDisabledMeansProxy() {
        let matcher = RuleMatcher(rules: [
            Rule(pathPattern: "/static/**", settings: RuleSettings(enabled: false)),
            Rule(pathPattern: "/**", extensions: ["jpg", "png"], settings: RuleSettings(quality: 80, formats: .switches([.webp]))),
            Rule(pathPattern: "/**", settings: RuleSettings(quality: 50)),
        ])
        XCTAssertNil(matcher.match(decodedPath: "/static/a.jpg"))
        XCTAssertEqual(matcher.match(decodedPath: "/photos/A.JPG")?.quality, 80)
        XCTAssertEqual(matcher.match(decodedPath: "/photos/a.gif")?.quality, 50)
        XCTAssertNil(RuleMatcher(rules: []).match(decodedPath: "/a.jpg"))
        XCTAssertNil(RuleMatcher(rules: [Rule(pathPattern: "/img/*", extensions: ["png"])]).match(decodedPath: "/img/a.jpg"))
    }

    func testFileExtension() {
        XCTAssertEqual(RuleMatcher.fileExtension("/a/b.JPEG"), "jpeg")
        XCTAssertEqual(RuleMatcher.fileExtension("/a.b/c"), "")
        XCTAssertEqual(RuleMatcher.fileExtension("/.hidden"), "")
    }
}
