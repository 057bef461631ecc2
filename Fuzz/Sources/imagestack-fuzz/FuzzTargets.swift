#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import Raster
import Formats
@testable import Decoders
@testable import Pipeline
@testable import Server

/// The fuzz targets: each feeds one input to one parser. A target must never trap on any input (typed errors
/// only), never hang and never allocate past the limits; AddressSanitizer and libFuzzer report what does.
enum FuzzTargets {
    typealias Target = (UnsafeBufferPointer<UInt8>) -> Void

    /// Add a target here (one line; a decoder: `"webp": decoder(header: WebPDecoder.readHeader, decode:
    /// WebPDecoder.decode)`) and its name and seeds in Scripts/fuzz.sh.
    static let all: [String: Target] = [
        "jpeg": jpeg,
        "png": png,
        "inflate": inflate,
        "pnm": pnm,
        "webp": decoder(header: WebPDecoder.readHeader, decode: WebPDecoder.decode),
        "http": http,
        "origin": origin,
        "query": query,
        "config": config,
    ]

    nonisolated(unsafe) static var selected: Target = { _ in }

    /// Every input runs as this job: one thread, no deadline.
    static let job = Job(threads: 1)

    /// Picks the target named by FUZZ_TARGET (Scripts/fuzz.sh sets it); stops with a usage line otherwise.
    static func selectFromEnvironment() {
        guard let name = getenv("FUZZ_TARGET").map({ String(cString: $0) }), let target = all[name] else {
            fputs("imagestack-fuzz: set FUZZ_TARGET to one of: \(all.keys.sorted().joined(separator: " "))\n", stderr)
            exit(2)
        }
        selected = target
    }

    /// Far below the server's defaults so that one input stays fast under AddressSanitizer (a fuzzed header
    /// declaring the largest allowed image is decoded in full on every run); a decoder that allocates beyond what
    /// these allow is caught by libFuzzer's -malloc_limit_mb.
    static let limits = ImageLimits(maxPixels: 1 << 18, maxSide: 4096, maxSourceBytes: 1 << 20)

    /// A decoder target: the header reader, then the whole decode (both must only throw on bad input).
    static func decoder(header: @escaping ([UInt8], ImageLimits) throws -> ImageHeader,
                        decode: @escaping ([UInt8], ImageLimits) throws -> Raster) -> Target {
        { data in
            let bytes = Array(data)
            _ = try? header(bytes, limits)
            _ = try? decode(bytes, limits)
        }
    }

    /// Also every scaled output (1/1 … 1/8, libjpeg's IDCT scaling), the scale chosen by the input length.
    static let jpeg = decoder(header: JPEGDecoder.readHeader) { bytes, limits in
        try JPEGDecoder.decode(bytes, limits: limits, scaleDenominator: [1, 2, 4, 8][bytes.count & 3])
    }
    static let png = decoder(header: PNGDecoder.readHeader, decode: PNGDecoder.decode)
    static let pnm = decoder(header: PNMDecoder.readHeader, decode: PNMDecoder.decode)

    static func inflate(_ data: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(data)
        _ = try? Inflate.zlibDecompress(bytes, maxOutput: 1 << 20)
        _ = try? Inflate.rawDecompress(bytes, maxOutput: 1 << 20)
        // Into a buffer of a fixed size, as PNG does with the size IHDR implies.
        var out = [UInt8](repeating: 0, count: 4096)
        out.withUnsafeMutableBufferPointer { output in
            _ = try? Inflate.zlibDecompress(data, into: output, acceptingExcess: bytes.count & 1 == 0)
        }
    }

    /// The request parser with small limits, then what the handler derives from a parsed request.
    static func http(_ data: UnsafeBufferPointer<UInt8>) {
        let parser = HTTPRequestParser(limits: .init(maxRequestLineBytes: 2048, maxHeaderBytes: 4096, maxBodyBytes: 4096))
        guard case .complete(let request, let consumed) = parser.parse(data) else { return }
        precondition(consumed > 0 && consumed <= data.count, "consumed \(consumed) of \(data.count)")
        _ = request.wantsKeepAlive
        if let decoded = percentDecode(request.path) { _ = ImageHandler.hasUnsafeSegments(decoded) }
        let query = ImageProcessor.splitQuery(request.query)
        _ = ImageProcessor.negotiatedFormat(query: query, accept: request.headers["Accept"], rule: RuleSettings(formats: .switches([.webp, .avif])))
        if let condition = request.headers["If-None-Match"] { _ = ImageHandler.etag("\"abc-1\"", matchesAnyOf: condition) }
    }

    /// The origin client's response reader (status line, headers, Content-Length / chunked / close-delimited
    /// bodies) reading the input from a socket whose other end has sent it and shut down.
    static func origin(_ data: UnsafeBufferPointer<UInt8>) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { return }
        defer { close(fds[0]); close(fds[1]) }
        var size = Int32(1 << 20)
        setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var sent = 0
        while sent < data.count {
            let n = send(fds[1], data.baseAddress! + sent, data.count - sent, Int32(MSG_NOSIGNAL))
            if n <= 0 { return }   // more than the socket holds: not an interesting input
            sent += n
        }
        shutdown(fds[1], Int32(SHUT_WR))
        SocketIO.setNonBlocking(fds[0])
        var reader = OriginResponseReader(fd: fds[0], readTimeout: 1, maxBodyBytes: 1 << 16)
        guard let head = try? reader.readHead() else { return }
        _ = try? reader.readBody(status: head.0, headers: head.2)
    }

    /// The query grammar and the plan: first line the query, second line the Accept header.
    static func query(_ data: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let split = ImageProcessor.splitQuery(String(lines[0]))
        let accept = lines.count > 1 ? String(lines[1]) : nil
        let rule = RuleSettings(quality: 80, formats: .switches([.webp, .avif]))
        _ = ImageProcessor.negotiatedFormat(query: split, accept: accept, rule: rule)
        guard case .success(let request) = QueryGrammar.parse(split.imageParameters) else { return }
        _ = QueryGrammar.normalized(request)
        var metadata = ImageMetadata()
        metadata.source.format = data.count & 1 == 0 ? .jpeg : .png
        metadata.orientation = data.count % 9
        let header = ImageHeader(width: 1 + data.count % 5000, height: 1 + (data.count * 7) % 5000, layout: .rgb,
                                 bitDepth: .eight, metadata: metadata)
        _ = Plan.make(request: request, rule: rule, accepted: Negotiation.acceptedFormats(accept), header: header)
    }

    static func config(_ data: UnsafeBufferPointer<UInt8>) {
        _ = try? ServerConfig.parse(json: Data(buffer: data))
    }
}
