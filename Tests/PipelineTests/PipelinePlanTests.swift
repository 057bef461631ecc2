import XCTest
import Raster
import Formats
import Decoders
@testable import Pipeline

/// The plan, decided from query + rule + Accept + header before any pixel is decoded: every geometry example of
/// SPEC §2.1–2.2, the decision rules of §2.4 and every plan-time skip string of §6.
final class PipelinePlanTests: XCTestCase {
    private func header(_ w: Int, _ h: Int, _ format: FormatID = .jpeg, orientation: Int = 1,
                        layout: ChannelLayout = .rgb) -> ImageHeader {
        var m = ImageMetadata()
        m.source.format = format
        m.orientation = orientation
        return ImageHeader(width: w, height: h, layout: layout, bitDepth: .eight, metadata: m)
    }

    private func plan(_ query: String, _ header: ImageHeader, accept: String? = nil, rule: RuleSettings = RuleSettings(),
                      originQuality: Int? = nil) -> PlanDecision {
        guard case .success(let request) = QueryGrammar.parse(ImageProcessor.splitQuery(query).imageParameters) else {
            XCTFail("query does not parse: \(query)"); return .nothingToDo
        }
        return Plan.make(request: request, rule: rule, accepted: Negotiation.acceptedFormats(accept), header: header,
                         estimateQuality: { _ in originQuality })
    }

    private func transform(_ query: String, _ header: ImageHeader, accept: String? = nil, rule: RuleSettings = RuleSettings(),
                           originQuality: Int? = nil, file: StaticString = #filePath, line: UInt = #line) -> Plan? {
        let decision = plan(query, header, accept: accept, rule: rule, originQuality: originQuality)
        guard case .transform(let p) = decision else { XCTFail("\(query): expected a transform, got \(decision)", file: file, line: line); return nil }
        return p
    }

    func testResizeExamplesFromSpec() {
        let cases: [(Int, Int, String, Int, Int)] = [
            (900, 600, "width=300", 300, 200),
            (900, 600, "height=300", 450, 300),
            (500, 333, "width=200&height=100", 200, 100),
            (500, 333, "width=200&height=100&fit=fit", 200, 100),
            (1000, 500, "width=500&height=300&fit=bounds", 500, 250),
            (500, 333, "width=200&height=100&fit=bounds", 200, 133),
            (1000, 500, "width=500&height=300&fit=cover", 600, 300),
            (500, 333, "width=200&height=100&fit=cover", 150, 100),
            (1000, 500, "width=123&height=456&fit=force", 123, 456),
            // Never below 1 px; ties.
            (5000, 10, "width=3", 3, 1),
            (1000, 500, "width=400&height=400&fit=bounds", 400, 200),
            (1000, 500, "width=400&height=400&fit=cover", 800, 400),
            // fit without both sides is ignored.
            (900, 600, "width=300&fit=force", 300, 200),
        ]
        for (w, h, query, ew, eh) in cases {
            guard let p = transform(query, header(w, h)) else { continue }
            XCTAssertEqual(p.resize?.width, ew, "\(w)x\(h) \(query)")
            XCTAssertEqual(p.resize?.height, eh, "\(w)x\(h) \(query)")
            XCTAssertEqual(p.outputWidth, ew)
            XCTAssertEqual(p.outputHeight, eh)
            XCTAssertEqual(p.operations, ["resize"], query)
        }
    }

    func testFitCutsTheExcessEvenlyFromTheOverflowingAxis() {
        guard let p = transform("width=200&height=100", header(500, 333)), let r = p.resize else { return }
        XCTAssertEqual(r.window.width, 500, accuracy: 1e-9)
        XCTAssertEqual(r.window.height, 250, accuracy: 1e-9)
        XCTAssertEqual(r.window.x, 0, accuracy: 1e-9)
        XCTAssertEqual(r.window.y, 41.5, accuracy: 1e-9)
    }

    func testNeverEnlarges() {
        let reason = PlanDecision.skip(SkipReason("resizing: destination image width or height parameter is more than the original image size"))
        for query in ["width=901", "height=601", "width=1000&height=100", "width=100&height=601&fit=force",
                      "width=900&height=700&fit=fit", "width=1000&height=100&fit=bounds", "width=950&height=1000&fit=cover",
                      "width=99999999999999999999"] {
            XCTAssertEqual(plan(query, header(900, 600)), reason, query)
        }
        // Same size is no resize at all.
        XCTAssertEqual(plan("width=900", header(900, 600)), .nothingToDo)
        XCTAssertEqual(plan("width=900&height=600&fit=force", header(900, 600)), .nothingToDo)
    }

    func testCropExamples() {
        let cases: [(Int, Int, String, PixelRect)] = [
            (400, 300, "crop=4:5", PixelRect(x: 80, y: 0, width: 240, height: 300)),
            (400, 300, "crop=2:1", PixelRect(x: 0, y: 50, width: 400, height: 200)),
            (750, 1150, "crop=500,400", PixelRect(x: 125, y: 375, width: 500, height: 400)),
            (1000, 800, "crop=300,200,x10,y20", PixelRect(x: 10, y: 20, width: 300, height: 200)),
            (1000, 800, "crop=300,200,x10p,y25p", PixelRect(x: 100, y: 200, width: 300, height: 200)),
            (1000, 800, "crop=300,200,offset-x50,offset-y50", PixelRect(x: 350, y: 300, width: 300, height: 200)),
            (1000, 800, "crop=300,200,offset-x0,offset-y100", PixelRect(x: 0, y: 600, width: 300, height: 200)),
            (1000, 800, "crop=300,200,x700,y600", PixelRect(x: 700, y: 600, width: 300, height: 200)),
            (1000, 800, "crop=300,200,x70p,y75p", PixelRect(x: 700, y: 600, width: 300, height: 200)),
            (1000, 800, "crop=300,200,offset-x10,y5", PixelRect(x: 70, y: 5, width: 300, height: 200)),
        ]
        for (w, h, query, rect) in cases {
            guard let p = transform(query, header(w, h)) else { continue }
            XCTAssertEqual(p.crop, rect, query)
            XCTAssertNil(p.resize, query)
            XCTAssertEqual(p.operations, ["crop"], query)
        }
        // Crop applies to the resized image: 1000x800 → 500x400, then 4:5 → 320x400.
        if let p = transform("crop=4:5&width=500", header(1000, 800)) {
            XCTAssertEqual(p.crop, PixelRect(x: 90, y: 0, width: 320, height: 400))
            XCTAssertEqual(p.operations, ["resize", "crop"])
        }
        // The whole image is no crop.
        XCTAssertEqual(plan("crop=1000,800", header(1000, 800)), .nothingToDo)
    }

    func testCropSkipStrings() {
        let cases: [(String, String)] = [
            ("crop=1001,10", "cropping: output height and width cannot be bigger than the original image size"),
            ("crop=10,801,x0,y0", "cropping: output height and width cannot be bigger than the original image size"),
            ("crop=99999999999999999999,1", "cropping: output height and width cannot be bigger than the original image size"),
            ("crop=300,200,x701,y0", "cropping: output x/y pixel value cannot be more than the original image pixels"),
            ("crop=300,200,x0,y601", "cropping: output x/y pixel value cannot be more than the original image pixels"),
            ("crop=300,200,x99999999999999999999,y0", "cropping: output x/y pixel value cannot be more than the original image pixels"),
            ("crop=300,200,x71p,y0p", "cropping: output x/y percentage value cannot be more than the original image size"),
            ("crop=300,200,x0,y76p", "cropping: output x/y percentage value cannot be more than the original image size"),
            // After a resize to 500x400 the same crop no longer fits.
            ("width=500&crop=600,100", "cropping: output height and width cannot be bigger than the original image size"),
        ]
        for (query, reason) in cases {
            XCTAssertEqual(plan(query, header(1000, 800)), .skip(SkipReason(reason)), query)
        }
    }

    func testOperationOrderIsAlwaysResizeCropConvert() {
        guard let p = transform("fmt=webp&crop=100,100&quality=50&width=500", header(1000, 800), accept: "image/webp") else { return }
        XCTAssertEqual(p.operations, ["resize", "crop", "convert"])
        XCTAssertEqual(p.output, OutputEncoding(format: .webp, quality: 50, lossless: false))
    }

    func testQualityAloneChangesNothing() {
        XCTAssertEqual(plan("quality=76", header(900, 600)), .nothingToDo)
        XCTAssertEqual(plan("quality=76", header(900, 600, .png)), .nothingToDo)
        XCTAssertEqual(plan("", header(900, 600)), .nothingToDo)
    }

    func testQualityWithCropReencodesTheJPEG() {
        guard let p = transform("quality=10&crop=300,600", header(900, 800)) else { return }
        XCTAssertEqual(p.output, OutputEncoding(format: .jpeg, quality: 10, lossless: false))
        XCTAssertEqual(p.operations, ["crop", "convert"])
        // Same format after a resize only, at the rule's quality: not a conversion.
        guard let q = transform("width=300", header(900, 800), rule: RuleSettings(quality: 65)) else { return }
        XCTAssertEqual(q.output, OutputEncoding(format: .jpeg, quality: 65, lossless: false))
        XCTAssertEqual(q.operations, ["resize"])
    }

    func testPNGStaysLosslessPNG() {
        guard let p = transform("quality=10&width=300", header(900, 600, .png)) else { return }
        XCTAssertEqual(p.output, OutputEncoding(format: .png, quality: 100, lossless: true))
        XCTAssertEqual(p.operations, ["resize"])
    }

    func testPresetsAndFormatConversion() {
        for (rule, q) in [(RuleSettings(), 95), (RuleSettings(quality: 80), 80), (RuleSettings(quality: 65), 65)] {
            guard let p = transform("fmt=webp", header(900, 600), accept: "image/webp", rule: rule) else { continue }
            XCTAssertEqual(p.output, OutputEncoding(format: .webp, quality: q, lossless: false))
            XCTAssertEqual(p.operations, ["convert"])
        }
        // Rule defaults convert without any query; AVIF before WebP.
        if let p = transform("", header(900, 600), accept: "image/webp,image/avif", rule: RuleSettings(formats: .switches([.webp, .avif]))) {
            XCTAssertEqual(p.output.format, .avif)
        }
        if let p = transform("", header(900, 600), accept: "image/webp", rule: RuleSettings(formats: .switches([.webp, .avif]))) {
            XCTAssertEqual(p.output.format, .webp)
        }
    }

    func testPNGLosslessToggle() {
        let rule = RuleSettings(quality: 65, pngLossless: true)
        if let p = transform("fmt=avif&quality=30", header(900, 600, .png), accept: "image/avif", rule: rule) {
            XCTAssertEqual(p.output, OutputEncoding(format: .avif, quality: 100, lossless: true))
        }
        // Without the toggle, PNG → WebP is lossy at the quality asked.
        if let p = transform("fmt=webp&quality=30", header(900, 600, .png), accept: "image/webp") {
            XCTAssertEqual(p.output, OutputEncoding(format: .webp, quality: 30, lossless: false))
        }
        // JPEG sources keep using the quality.
        if let p = transform("fmt=webp&quality=30", header(900, 600), accept: "image/webp", rule: rule) {
            XCTAssertEqual(p.output, OutputEncoding(format: .webp, quality: 30, lossless: false))
        }
    }

    func testClientWithoutWebPOrAVIF() {
        let reason = PlanDecision.skip(SkipReason("compression: webp/avif format is not supported by the client"))
        XCTAssertEqual(plan("fmt=webp", header(900, 600)), reason)
        XCTAssertEqual(plan("fmt=avif&quality=50", header(900, 600), accept: "image/webp,image/*,*/*"), reason)
        XCTAssertEqual(plan("", header(900, 600), accept: "image/*", rule: RuleSettings(formats: .switches([.webp]))), reason)
        // With another operation, the image keeps its format.
        if let p = transform("fmt=webp&width=300", header(900, 600), accept: "image/avif") {
            XCTAssertEqual(p.output.format, .jpeg)
            XCTAssertEqual(p.operations, ["resize"])
        }
    }

    func testOriginQualityLowerThanDesired() {
        XCTAssertEqual(plan("fmt=webp&quality=80", header(900, 600), accept: "image/webp", originQuality: 45),
                       .skip(SkipReason("webp will be bigger, than origin: OriginQ: 45, DesiredQ: 80")))
        XCTAssertEqual(plan("fmt=avif", header(900, 600), accept: "image/avif", originQuality: 75),
                       .skip(SkipReason("avif will be bigger, than origin: OriginQ: 75, DesiredQ: 95")))
        // Equal or lower target: converted at the target.
        if let p = transform("fmt=webp&quality=45", header(900, 600), accept: "image/webp", originQuality: 45) {
            XCTAssertEqual(p.output.quality, 45)
        }
        // With a resize the geometry pays off: encoded at the source's quality instead of serving the original.
        if let p = transform("fmt=webp&quality=80&width=300", header(900, 600), accept: "image/webp", originQuality: 45) {
            XCTAssertEqual(p.output, OutputEncoding(format: .webp, quality: 45, lossless: false))
        }
        // JPEG → JPEG never above the source's own quality.
        if let p = transform("width=300", header(900, 600), originQuality: 70) {
            XCTAssertEqual(p.output, OutputEncoding(format: .jpeg, quality: 70, lossless: false))
        }
        // PNG sources have no OriginQ.
        if let p = transform("fmt=webp", header(900, 600, .png), accept: "image/webp", originQuality: 10) {
            XCTAssertEqual(p.output.quality, 95)
        }
    }

    func testWebPSideLimitFallsBack() {
        let wide = header(16384, 100)
        if let p = transform("fmt=webp,avif", wide, accept: "image/webp,image/avif") { XCTAssertEqual(p.output.format, .avif) }
        if let p = transform("fmt=webp&crop=16384,50", wide, accept: "image/webp") {
            XCTAssertEqual(p.output.format, .jpeg)
            XCTAssertEqual(p.operations, ["crop"])
        }
        XCTAssertEqual(plan("fmt=webp", wide, accept: "image/webp"), .skip(SkipReason("compression: image/webp conversation internal error")))
        if let p = transform("fmt=webp&width=16383", wide, accept: "image/webp") { XCTAssertEqual(p.output.format, .webp) }
    }

    func testOrientationSwapsTheQueriedSides() {
        // Stored 600x900 with orientation 6 is upright 900x600.
        guard let p = transform("width=300", header(600, 900, orientation: 6)) else { return }
        XCTAssertEqual(p.sourceWidth, 900)
        XCTAssertEqual(p.resize?.width, 300)
        XCTAssertEqual(p.resize?.height, 200)
        XCTAssertEqual(plan("width=901", header(600, 900, orientation: 8)),
                       .skip(SkipReason("resizing: destination image width or height parameter is more than the original image size")))
        if let q = transform("width=601", header(600, 900, orientation: 8)) { XCTAssertEqual(q.resize?.height, 401) }
        if let q = transform("width=300", header(600, 900, orientation: 3)) { XCTAssertEqual(q.resize?.height, 450) }
    }

    func testShrinkOnLoadDenominator() {
        let cases: [(String, Int)] = [("width=800", 4), ("width=640", 8), ("width=641", 4), ("width=2560", 2),
                                      ("width=2561", 1), ("width=100", 8), ("crop=100,100", 1)]
        for (query, d) in cases {
            guard let p = transform(query, header(5120, 2880)) else { continue }
            XCTAssertEqual(p.decodeScaleDenominator, d, query)
        }
        if let p = transform("width=100", header(5120, 2880, .png)) { XCTAssertEqual(p.decodeScaleDenominator, 1) }
    }
}
