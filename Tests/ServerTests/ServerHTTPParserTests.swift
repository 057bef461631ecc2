import XCTest
@testable import Server

final class ServerHTTPParserTests: XCTestCase {
    let parser = HTTPRequestParser(limits: .init(maxRequestLineBytes: 64, maxHeaderBytes: 128, maxBodyBytes: 16))

    func parse(_ text: String) -> HTTPRequestParser.Result { parser.parse(Array(text.utf8)) }

    func testCompleteRequestSplitsPathAndQuery() throws {
        guard case .complete(let request, let consumed) = parse("GET /a/b.jpg?width=3&x=%20 HTTP/1.1\r\nHost: h\r\nAccept: image/webp\r\n\r\n") else {
            return XCTFail("expected a complete request")
        }
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.path, "/a/b.jpg")
        XCTAssertEqual(request.query, "width=3&x=%20")
        XCTAssertEqual(request.headers["accept"], "image/webp")
        XCTAssertEqual(consumed, 68)
        XCTAssertTrue(request.wantsKeepAlive)
    }

    func testIncompleteUntilBlankLine() {
        guard case .incomplete = parse("GET / HTTP/1.1\r\nHost: h\r\n") else { return XCTFail("expected incomplete") }
        guard case .incomplete = parse("GET / HTT") else { return XCTFail("expected incomplete") }
    }

    func testPipelinedRequestsConsumeOnlyTheFirst() {
        let text = "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"
        guard case .complete(let first, let consumed) = parse(text) else { return XCTFail("expected complete") }
        XCTAssertEqual(first.path, "/1")
        XCTAssertEqual(consumed, 19)
        guard case .complete(let second, _) = parser.parse(Array(Array(text.utf8)[consumed...])) else { return XCTFail("second") }
        XCTAssertEqual(second.path, "/2")
    }

    func testBodyByContentLength() {
        guard case .incomplete = parse("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc") else { return XCTFail("needs the body") }
        guard case .complete(let request, let consumed) = parse("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcdeX") else {
            return XCTFail("expected complete")
        }
        XCTAssertEqual(request.body, Array("abcde".utf8))
        XCTAssertEqual(consumed, 42)
    }

    func assertFailure(_ text: String, _ status: Int, file: StaticString = #filePath, line: UInt = #line) {
        guard case .failure(let got, _) = parse(text) else { return XCTFail("expected \(status)", file: file, line: line) }
        XCTAssertEqual(got, status, file: file, line: line)
    }

    func testLimitsAnswerBeforeTheRequestIsWhole() {
        // Too long a request line, even without its end yet.
        assertFailure("GET /" + String(repeating: "a", count: 80), 414)
        assertFailure("GET /" + String(repeating: "a", count: 80) + " HTTP/1.1\r\n\r\n", 414)
        // Header section over 128 bytes, still incomplete.
        assertFailure("GET / HTTP/1.1\r\nX: " + String(repeating: "b", count: 200), 431)
        assertFailure("GET / HTTP/1.1\r\n" + String(repeating: "X-A: 1\r\n", count: 20) + "\r\n", 431)
        assertFailure("GET / HTTP/1.1\r\nContent-Length: 17\r\n\r\n", 413)
    }

    func testMalformedRequests() {
        assertFailure("NOT HTTP\r\n\r\n", 400)
        assertFailure("GET  / HTTP/1.1\r\n\r\n", 400)
        assertFailure("GET http://evil/ HTTP/1.1\r\n\r\n", 400)
        assertFailure("GET * HTTP/1.1\r\n\r\n", 400)
        assertFailure("GET / HTTP/2.0\r\n\r\n", 505)
        assertFailure("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400)
        assertFailure("GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400)
        assertFailure("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400)
        assertFailure("GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400)
        assertFailure("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400)
        assertFailure("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501)
        assertFailure("G(T / HTTP/1.1\r\n\r\n", 400)
    }

    func testKeepAliveRules() {
        guard case .complete(let old, _) = parse("GET / HTTP/1.0\r\n\r\n"),
              case .complete(let oldKept, _) = parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
              case .complete(let closing, _) = parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n") else {
            return XCTFail("expected complete requests")
        }
        XCTAssertFalse(old.wantsKeepAlive)
        XCTAssertTrue(oldKept.wantsKeepAlive)
        XCTAssertFalse(closing.wantsKeepAlive)
    }

    func testSerializedResponseFramesTheBody() {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain")
        headers.add("Content-Length", "999")
        headers.add("Transfer-Encoding", "chunked")
        let bytes = serializeResponse(HTTPResponse(status: 200, headers: headers, body: Array("hi".utf8)), keepAlive: true, omitBody: false)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self),
                       "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nhi")
        let head = serializeResponse(HTTPResponse(status: 200, headers: headers, body: Array("hi".utf8)), keepAlive: false, omitBody: true)
        XCTAssertTrue(String(decoding: head, as: UTF8.self).hasSuffix("Content-Length: 2\r\nConnection: close\r\n\r\n"))
        let notModified = serializeResponse(HTTPResponse(status: 304, headers: HTTPHeaders(), body: Array("x".utf8)), keepAlive: true, omitBody: false)
        XCTAssertEqual(String(decoding: notModified, as: UTF8.self), "HTTP/1.1 304 Not Modified\r\nConnection: keep-alive\r\n\r\n")
    }

    func testJSONErrorEscapes() {
        let response = HTTPResponse.jsonError(502, "bad \"quote\"\n")
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "{\"error\": \"bad \\\"quote\\\"\\n\"}\n")
        XCTAssertEqual(response.headers["content-type"], "application/json")
    }
}
