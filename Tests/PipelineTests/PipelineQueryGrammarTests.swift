import XCTest
@testable import Pipeline

/// Table-driven tests of the query grammar (SPEC §2): every parameter form, every parse-time skip string (§6),
/// and the deliberate choices (repeats, empties, signs, overflow, percent-encoding, huge numbers).
final class PipelineQueryGrammarTests: XCTestCase {
    private func parse(_ query: String) -> Result<ImageRequest, SkipReason> {
        QueryGrammar.parse(ImageProcessor.splitQuery(query).imageParameters)
    }

    private func request(_ build: (inout ImageRequest) -> Void) -> ImageRequest {
        var r = ImageRequest()
        build(&r)
        return r
    }

    func testValidQueries() {
        let cases: [(String, ImageRequest)] = [
            ("", ImageRequest()),
            ("width=300", request { $0.width = 300 }),
            ("height=300", request { $0.height = 300 }),
            ("width=0300", request { $0.width = 300 }),
            ("width=200&height=100", request { $0.width = 200; $0.height = 100 }),
            ("width=500&height=300&fit=bounds", request { $0.width = 500; $0.height = 300; $0.fit = .bounds }),
            ("width=500&height=300&fit=cover", request { $0.width = 500; $0.height = 300; $0.fit = .cover }),
            ("width=500&height=300&fit=force", request { $0.width = 500; $0.height = 300; $0.fit = .force }),
            ("width=500&height=300&fit=fit", request { $0.width = 500; $0.height = 300 }),
            ("crop=4:5", request { $0.crop = .aspect(4, 5) }),
            ("crop=300,600", request { $0.crop = .centred(width: 300, height: 600) }),
            ("crop=300,200,x10,y20", request { $0.crop = .positioned(width: 300, height: 200, x: .pixels(10), y: .pixels(20)) }),
            ("crop=300,200,x10p,y20p", request { $0.crop = .positioned(width: 300, height: 200, x: .percent(10), y: .percent(20)) }),
            ("crop=300,200,offset-x30,offset-y100",
             request { $0.crop = .positioned(width: 300, height: 200, x: .offset(30), y: .offset(100)) }),
            // The axes may use different forms; the positions are recognised by prefix, in either order.
            ("crop=300,200,x10,offset-y50", request { $0.crop = .positioned(width: 300, height: 200, x: .pixels(10), y: .offset(50)) }),
            ("crop=300,200,y5p,x7", request { $0.crop = .positioned(width: 300, height: 200, x: .pixels(7), y: .percent(5)) }),
            ("crop=300,200,x0p,y100p", request { $0.crop = .positioned(width: 300, height: 200, x: .percent(0), y: .percent(100)) }),
            ("quality=76", request { $0.quality = 76 }),
            ("quality=0", request { $0.quality = 0 }),
            ("quality=100", request { $0.quality = 100 }),
            ("fmt=webp", request { $0.formats = [.webp] }),
            ("fmt=avif", request { $0.formats = [.avif] }),
            ("fmt=webp,avif", request { $0.formats = [.avif, .webp] }),
            ("fmt=avif,webp", request { $0.formats = [.avif, .webp] }),
            ("fmt=WebP", request { $0.formats = [.webp] }),
            // Seeds' examples.
            ("quality=76&fmt=avif&crop=200,200", request { $0.quality = 76; $0.formats = [.avif]; $0.crop = .centred(width: 200, height: 200) }),
            ("quality=10&crop=300,600", request { $0.quality = 10; $0.crop = .centred(width: 300, height: 600) }),
            ("quality=95&fmt=webp", request { $0.quality = 95; $0.formats = [.webp] }),
            ("fmt=avif&quality=50", request { $0.quality = 50; $0.formats = [.avif] }),
            // Percent-encoding of keys and values.
            ("crop=300%2C200", request { $0.crop = .centred(width: 300, height: 200) }),
            ("crop=4%3a5", request { $0.crop = .aspect(4, 5) }),
            ("%77idth=300", request { $0.width = 300 }),
            ("fmt=webp%2Cavif", request { $0.formats = [.avif, .webp] }),
            // Repeated key: the first occurrence counts.
            ("width=300&width=abc", request { $0.width = 300 }),
            ("width=300&width=200", request { $0.width = 300 }),
            // Unknown keys are the origin's; keys are case-sensitive.
            ("Width=abc&v=3&w=10", ImageRequest()),
            // Huge numbers saturate: syntactically valid, judged against the image by the plan.
            ("width=99999999999999999999999999", request { $0.width = QueryGrammar.hugeNumber }),
            ("crop=99999999999999999999,1", request { $0.crop = .centred(width: QueryGrammar.hugeNumber, height: 1) }),
            // fit without both sides is accepted and ignored by the plan.
            ("width=300&fit=cover", request { $0.width = 300; $0.fit = .cover }),
        ]
        for (query, expected) in cases {
            XCTAssertEqual(parse(query), .success(expected), "query: \(query)")
        }
    }

    func testEveryParseTimeSkipString() {
        let cases: [(String, String)] = [
            ("width=", "resizing: bad width parameter"),
            ("width", "resizing: bad width parameter"),
            ("width=0", "resizing: bad width parameter"),
            ("width=-300", "resizing: bad width parameter"),
            ("width=+300", "resizing: bad width parameter"),
            ("width=%2B300", "resizing: bad width parameter"),
            ("width=30.5", "resizing: bad width parameter"),
            ("width=3e2", "resizing: bad width parameter"),
            ("width=%20300", "resizing: bad width parameter"),
            ("width=abc", "resizing: bad width parameter"),
            ("width=300px", "resizing: bad width parameter"),
            ("height=", "resizing: bad height parameter"),
            ("height=0", "resizing: bad height parameter"),
            ("height=-1", "resizing: bad height parameter"),
            ("height=x", "resizing: bad height parameter"),
            ("width=200&height=100&fit=stretch", "resizing: bad fit parameter"),
            ("width=200&height=100&fit=", "resizing: bad fit parameter"),
            ("crop=4:", "cropping: bad width-ratio or height-ratio parameter"),
            ("crop=:5", "cropping: bad width-ratio or height-ratio parameter"),
            ("crop=0:5", "cropping: bad width-ratio or height-ratio parameter"),
            ("crop=4:5:6", "cropping: bad width-ratio or height-ratio parameter"),
            ("crop=a:b", "cropping: bad width-ratio or height-ratio parameter"),
            ("crop=4:-5", "cropping: bad width-ratio or height-ratio parameter"),
            ("crop=", "cropping: bad width-ratio or height-ratio parameter"),
            ("crop=300", "cropping: bad width-ratio or height-ratio parameter"),
            ("crop=1,2,x3,y4,5", "cropping: bad width-ratio or height-ratio parameter"),
            ("crop=abc,200", "cropping: bad width ratio parameter"),
            ("crop=0,200", "cropping: bad width ratio parameter"),
            ("crop=,200", "cropping: bad width ratio parameter"),
            ("crop=300,", "cropping: bad height ratio parameter"),
            ("crop=300,0", "cropping: bad height ratio parameter"),
            ("crop=300,-2", "cropping: bad height ratio parameter"),
            ("crop=300,200,x10", "cropping: x or y parameter is not specified"),
            ("crop=300,200,10,20", "cropping: x or y parameter is not specified"),
            ("crop=300,200,x10,x20", "cropping: x or y parameter is not specified"),
            ("crop=300,200,x10p,x20p", "cropping: x or y parameter is not specified"),
            ("crop=300,200,x10p,yp", "cropping: bad x/y percentage parameter"),
            ("crop=300,200,x-1p,y2p", "cropping: bad x/y percentage parameter"),
            ("crop=300,200,x10,y", "cropping: bad x/y pixels parameter"),
            ("crop=300,200,x1.5,y2", "cropping: bad x/y pixels parameter"),
            ("crop=300,200,x-3,y2", "cropping: bad x/y pixels parameter"),
            ("crop=300,200,x10,x20p", "cropping: x/y pixel and percentage values cannot be specified simultaneously"),
            ("crop=300,200,y10p,y20", "cropping: x/y pixel and percentage values cannot be specified simultaneously"),
            ("crop=300,200,x10,offset-x20", "cropping: x/y pixel and percentage values cannot be specified simultaneously"),
            ("crop=300,200,offset-x,y1", "cropping: bad offset-x/y parameter"),
            ("crop=300,200,offset-xq,y1", "cropping: bad offset-x/y parameter"),
            ("crop=300,200,offset-z5,y1", "cropping: bad offset-x/y parameter"),
            ("crop=300,200,x101p,y1p", "cropping: x/y percentage parameter cannot be more than 100"),
            ("crop=300,200,x1p,y99999999999999999999p", "cropping: x/y percentage parameter cannot be more than 100"),
            ("crop=300,200,offset-x101,y1", "cropping: offset-x/y parameter cannot be more than 100"),
            ("quality=", "compression: bad quality parameter"),
            ("quality=101", "compression: bad quality parameter"),
            ("quality=-1", "compression: bad quality parameter"),
            ("quality=high", "compression: bad quality parameter"),
            ("quality=99999999999999999999", "compression: bad quality parameter"),
            ("fmt=", "compression: unsupported format of the fmt query parameter"),
            ("fmt=gif", "compression: unsupported format of the fmt query parameter"),
            ("fmt=jpeg", "compression: unsupported format of the fmt query parameter"),
            ("fmt=webp,", "compression: unsupported format of the fmt query parameter"),
            ("fmt=webp;avif", "compression: unsupported format of the fmt query parameter"),
            // Errors are reported in operation order: resize, crop, compression.
            ("fmt=gif&quality=500&crop=a&width=0", "resizing: bad width parameter"),
            ("fmt=gif&quality=500&crop=a", "cropping: bad width-ratio or height-ratio parameter"),
            ("fmt=gif&quality=500", "compression: bad quality parameter"),
        ]
        for (query, reason) in cases {
            XCTAssertEqual(parse(query), .failure(SkipReason(reason)), "query: \(query)")
        }
    }

    func testSplitKeepsOriginParametersInTheirEncodingAndOrder() {
        let split = ImageProcessor.splitQuery("v=1&width=300&a%20b=c+d&fmt=webp&empty=&flag&x=%zz")
        XCTAssertEqual(split.originQuery, "v=1&a%20b=c+d&empty=&flag&x=%zz")
        XCTAssertEqual(split.imageParameters.map(\.key), ["width", "fmt"])
        XCTAssertEqual(split.imageParameters.map(\.value), ["300", "webp"])
        XCTAssertEqual(ImageProcessor.splitQuery("?width=3").imageParameters.map(\.value), ["3"])
        XCTAssertEqual(ImageProcessor.splitQuery("").originQuery, "")
        XCTAssertEqual(ImageProcessor.splitQuery("&&width=3&&").originQuery, "")
    }

    func testNormalizedParametersIgnoreOrderAndSpelling() {
        let a = ImageProcessor.splitQuery("width=300&fmt=webp,avif&crop=4:5&other=1")
        let b = ImageProcessor.splitQuery("crop=4%3A5&fmt=avif,webp&width=0300")
        XCTAssertEqual(a.normalizedImageParameters, b.normalizedImageParameters)
        XCTAssertEqual(a.normalizedImageParameters, "crop=4:5&fmt=avif,webp&width=300")
        XCTAssertNotEqual(a.normalizedImageParameters, ImageProcessor.splitQuery("width=301").normalizedImageParameters)
        XCTAssertEqual(ImageProcessor.splitQuery("width=-1").normalizedImageParameters, "invalid:resizing: bad width parameter")
    }
}
