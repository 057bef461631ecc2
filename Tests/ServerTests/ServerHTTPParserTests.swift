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
        let text = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
        guard case .complete(let first, let consumed) = parse(text) else { return XCTFail("expected complete") }
        XCTAssertEqual(first.path, "/1")
        XCTAssertEqual(consumed, 28)
        guard case .complete(let second, _) = parser.parse(Array(Array(text.utf8)[consumed...])) else { return XCTFail("second") }
        XCTAssertEqual(second.path, "/2")
    }

    func testBodyByContentLength() {
        guard case .incomplete = parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabc") else { return XCTFail("needs the body") }
        guard case .complete(let request, let consumed) = parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcdeX") else {
            return XCTFail("expected complete")
        }
        XCTAssertEqual(request.body, Array("abcde".utf8))
        XCTAssertEqual(consumed, 51)
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
        assertFailure("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 17\r\n\r\n", 413)
    }

    func testMalformedRequests() {
        assertFailure("NOT HTTP\r\n\r\n", 400)
        assertFailure("GET  / HTTP/1.1\r\n\r\n", 400)
        assertFailure("GET http://evil/ HTTP/1.1\r\n\r\n", 400)
        assertFailure("GET * HTTP/1.1\r\n\r\n", 400)
        assertFailure("GET / HTTP/2.0\r\n\r\n", 505)
        assertFailure("GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n", 400)
        assertFailure("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400)
        assertFailure("GET / HTTP/1.1\r\nHost: h\r\nA: b\r\n folded\r\n\r\n", 400)
        assertFailure("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n", 400)
        assertFailure("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400)
        assertFailure("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 501)
        assertFailure("G(T / HTTP/1.1\r\n\r\n", 400)
    }

    func testKeepAliveRules() {
        guard case .complete(let old, _) = parse("GET / HTTP/1.0\r\n\r\n"),
              case .complete(let oldKept, _) = parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
              case .complete(let closing, _) = parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n") else {
            return XCTFail("expected complete requests")
        }
        XCTAssertFalse(old.wantsKeepAlive)
        XCTAssertTrue(oldKept.wantsKeepAlive)
        XCTAssertFalse(closing.wantsKeepAlive)
        // Connection options are case-insensitive tokens in a list (RFC 9110 §7.6.1), not substrings.
        for (value, version, kept) in [("Keep-Alive, Upgrade", "1.0", true), ("upgrade , CLOSE", "1.1", false),
                                       ("closed", "1.1", true), ("not-keep-alive", "1.0", false)] {
            guard case .complete(let r, _) = parse("GET / HTTP/\(version)\r\nHost: h\r\nConnection: \(value)\r\n\r\n") else {
                XCTFail(value); continue
            }
            XCTAssertEqual(r.wantsKeepAlive, kept, value)
        }
    }

    /// Drops the `Date` line, which changes every second.
    private func withoutDate(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("Date: ") }.joined(separator: "\r\n")
    }

    func testSerializedResponseFramesTheBody() {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain")
        headers.add("Content-Length", "999")
        headers.add("Transfer-Encoding", "chunked")
        headers.add("Date", "Thu, 01 Jan 1970 00:00:00 GMT")
        let bytes = serializeResponse(HTTPResponse(status: 200, headers: headers, body: Array("hi".utf8)), keepAlive: true, omitBody: false)
        XCTAssertEqual(withoutDate(bytes),
                       "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nhi")
        let head = serializeResponse(HTTPResponse(status: 200, headers: headers, body: Array("hi".utf8)), keepAlive: false, omitBody: true)
        XCTAssertTrue(withoutDate(head).hasSuffix("Content-Length: 2\r\nConnection: close\r\n\r\n"))
        let notModified = serializeResponse(HTTPResponse(status: 304, headers: HTTPHeaders(), body: Array("x".utf8)), keepAlive: true, omitBody: false)
        XCTAssertEqual(withoutDate(notModified), "HTTP/1.1 304 Not Modified\r\nConnection: keep-alive\r\n\r\n")
        // Exactly one Date line, ours (RFC 9110 §6.6.1), in IMF-fixdate form.
        let dates = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n").filter { $0.hasPrefix("Date: ") }
        XCTAssertEqual(dates.count, 1)
        XCTAssertNotEqual(dates.first, "Date: Thu, 01 Jan 1970 00:00:00 GMT")
    }

    func testIMFFixdate() {
        XCTAssertEqual(httpDate(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT")   // RFC 9110 §5.6.7
        XCTAssertEqual(httpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    /// RFC 9112 §3.2: HTTP/1.1 needs exactly one valid Host; HTTP/1.0 may omit it.
    func testHostRule() {
        assertFailure("GET /x.jpg HTTP/1.1\r\n\r\n", 400)
        assertFailure("GET /x.jpg HTTP/1.1\r\nAccept: */*\r\n\r\n", 400)
        assertFailure("GET /x.jpg HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400)
        assertFailure("GET /x.jpg HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400)
        assertFailure("GET /x.jpg HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400)
        for bad in ["a b", "a/b", "user@host", "a:8o", "[::1", "[]", "a%zz", "h\u{7f}"] {
            assertFailure("GET / HTTP/1.1\r\nHost: \(bad)\r\n\r\n", 400)
        }
        for good in ["example.com", "example.com:8080", "127.0.0.1:18080", "[::1]:80", "[::1]", "", "img_nodes",
                     "xn--bcher-kva.example", "a%20b", "h:"] {
            guard case .complete = parse("GET / HTTP/1.1\r\nHost: \(good)\r\n\r\n") else {
                XCTFail("Host '\(good)' refused"); continue
            }
        }
        guard case .complete(let old, _) = parse("GET /x.jpg HTTP/1.0\r\n\r\n") else { return XCTFail("HTTP/1.0 without Host") }
        XCTAssertEqual(old.version, "HTTP/1.0")
    }

    func testJSONErrorEscapes() {
        let response = HTTPResponse.jsonError(502, "bad \"quote\"\n")
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "{\"error\": \"bad \\\"quote\\\"\\n\"}\n")
        XCTAssertEqual(response.headers["content-type"], "application/json")
    }
}
