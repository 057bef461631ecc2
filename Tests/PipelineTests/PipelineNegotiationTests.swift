import XCTest
import Formats
@testable import Pipeline

/// RFC 9110 Accept matching for the conversion targets, and the choice between them (SPEC §2.4).
final class PipelineNegotiationTests: XCTestCase {
    func testAcceptMatching() {
        let cases: [(String?, Set<ImageFormat>)] = [
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
        XCTAssertEqual(format("", "image/avif,image/webp", RuleSettings(formats: .switches([.webp]))), "webp")
        XCTAssertEqual(format("", "image/avif,image/webp", RuleSettings(formats: .switches([.webp, .avif]))), "avif")
        XCTAssertEqual(format("fmt=avif", "image/avif,image/webp", RuleSettings(formats: .switches([.webp]))), "avif")
        XCTAssertEqual(format("fmt=webp", "image/webp", RuleSettings(formats: .switches([.avif]))), "webp")
        XCTAssertEqual(format("fmt=bogus", "image/webp", RuleSettings(formats: .switches([.webp]))), "original")
        XCTAssertEqual(format("fmt=webp", "image/webp", RuleSettings(enabled: false)), "original")
    }

    /// An ordered `formats` list (SPEC §5): its order decides, WebP first included; a target only `fmt` asks for
    /// ranks after the list; an empty list converts nothing by default.
    func testOrderedPreferenceList() {
        func format(_ query: String, _ accept: String?, _ formats: FormatPreference) -> String {
            ImageProcessor.negotiatedFormat(query: ImageProcessor.splitQuery(query), accept: accept,
                                            rule: RuleSettings(formats: formats))
        }
        let both = "image/avif,image/webp"
        XCTAssertEqual(format("", both, [.webp, .avif]), "webp")
        XCTAssertEqual(format("", both, [.avif, .webp]), "avif")
        XCTAssertEqual(format("", "image/avif", [.webp, .avif]), "avif")
        XCTAssertEqual(format("", "image/webp", [.avif]), "original")
        XCTAssertEqual(format("fmt=avif", both, [.webp]), "webp")
        XCTAssertEqual(format("fmt=avif", "image/avif", [.webp]), "avif")
        XCTAssertEqual(format("fmt=avif,webp", both, [.webp]), "webp")
        XCTAssertEqual(format("", both, []), "original")
        XCTAssertEqual(format("fmt=webp,avif", both, []), "avif")
        // Gcore's switches rank AVIF first whatever is switched on.
        XCTAssertEqual(format("fmt=avif", both, .switches([.webp])), "avif")
        XCTAssertEqual(format("fmt=webp", both, .switches([.avif])), "avif")
    }

    func testPreferenceValues() {
        XCTAssertEqual(FormatPreference.none.defaults, [])
        XCTAssertEqual(FormatPreference.none.ranking, [.avif, .webp])
        XCTAssertEqual(FormatPreference([.webp]).ranking, [.webp, .avif])
        XCTAssertEqual(FormatPreference([.webp, .webp, .avif]).defaults, [.webp, .avif])
        XCTAssertEqual(FormatPreference.switches([.webp, .avif]).defaults, [.avif, .webp])
        XCTAssertEqual(FormatPreference.switches([.webp]).ranking, [.avif, .webp])
        XCTAssertEqual(FormatPreference([.webp]).ranked(adding: [.avif]), [.webp, .avif])
        XCTAssertEqual(FormatPreference.switches([.webp]).ranked(adding: [.avif]), [.avif, .webp])
        XCTAssertEqual(Negotiation.choose(requested: [.webp, .avif], accepted: [.avif, .webp]), [.webp, .avif])
    }
}
