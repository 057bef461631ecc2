import XCTest
@testable import Pipeline

/// RFC 9110 Accept matching for the conversion targets, and the choice between them (SPEC §2.4).
final class PipelineNegotiationTests: XCTestCase {
    func testAcceptMatching() {
        let cases: [(String?, Set<OutputFormat>)] = [
            (nil, []),
            ("", []),
            ("image/webp", [.webp]),
            ("image/avif", [.avif]),
            ("image/avif,image/webp", [.avif, .webp]),
            // Chrome's image Accept.
            ("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", [.avif, .webp]),
            // Wildcards do not grant.
            ("image/*", []),
            ("*/*", []),
            ("image/*;q=1, */*", []),
            // Case-insensitive type, whitespace around separators.
            ("IMAGE/WEBP", [.webp]),
            ("text/html ,  image/webp ; q=0.5", [.webp]),
            // q=0 excludes, in any spelling, even when another listing grants.
            ("image/webp;q=0", []),
            ("image/webp;q=0.000,image/avif", [.avif]),
            ("image/webp, image/webp;q=0", []),
            ("image/avif;Q=0", []),
            ("image/webp;q=0.001", [.webp]),
            ("image/webp;q=1.000", [.webp]),
            // Other parameters before q are fine.
            ("image/webp;foo=bar;q=0.9", [.webp]),
            // Malformed qvalues void the entry.
            ("image/webp;q=2", []),
            ("image/webp;q=0.0001", []),
            ("image/webp;q=abc", []),
            ("image/webp;q=", []),
            // Not the same type.
            ("image/webpx", []),
            ("image/avif-sequence", []),
        ]
        for (accept, expected) in cases {
            XCTAssertEqual(Negotiation.acceptedFormats(accept), expected, "Accept: \(accept ?? "nil")")
        }
    }

    func testChoiceIsAvifBeforeWebpAndRuleDefaultsThenFmt() {
        func format(_ query: String, _ accept: String?, _ rule: RuleSettings = RuleSettings()) -> String {
            ImageProcessor.negotiatedFormat(query: ImageProcessor.splitQuery(query), accept: accept, rule: rule)
        }
        XCTAssertEqual(format("fmt=webp", "image/webp"), "webp")
        XCTAssertEqual(format("fmt=webp", "image/avif"), "original")
        XCTAssertEqual(format("fmt=webp,avif", "image/webp,image/avif"), "avif")
        XCTAssertEqual(format("fmt=avif,webp", "image/webp"), "webp")
        XCTAssertEqual(format("fmt=avif", nil), "original")
        XCTAssertEqual(format("width=300", "image/avif,image/webp"), "original")
        XCTAssertEqual(format("", "image/avif,image/webp", RuleSettings(webp: true)), "webp")
        XCTAssertEqual(format("", "image/avif,image/webp", RuleSettings(webp: true, avif: true)), "avif")
        XCTAssertEqual(format("fmt=avif", "image/avif,image/webp", RuleSettings(webp: true)), "avif")
        XCTAssertEqual(format("fmt=webp", "image/webp", RuleSettings(avif: true)), "webp")
        XCTAssertEqual(format("fmt=bogus", "image/webp", RuleSettings(webp: true)), "original")
        XCTAssertEqual(format("fmt=webp", "image/webp", RuleSettings(enabled: false)), "original")
    }
}
