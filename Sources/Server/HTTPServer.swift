#if canImport(Glibc)
import Glibc
#endif

/// The HTTP/1.1 front: one epoll event-loop thread owns the listening socket and every connection that is idle or
/// still sending its request; a fixed pool of handler threads runs complete requests.
///
/// Why this split: an idle keep-alive connection then costs a file descriptor, an epoll registration and a small
/// object — no thread, no stack — so hundreds (up to `maxConnections`) wait cheaply, and a slow or idle client
/// never holds a handler thread: only a complete, parsed request reaches one. Handler threads may block (origin
/// I/O with its own timeouts, waiting for a CPU worker, writing the response with a deadline), which keeps request
/// code straight-line; CPU-heavy work goes on to the separate `WorkerPool` sized to the cores.
///
/// Ownership: a connection is either `busy` (one handler thread owns it) or registered with epoll in one-shot
/// mode (the loop owns it). State changes and closes happen under `lock`, so an fd is never re-armed after it
/// was closed and reused. While busy, the loop still watches the connection for the client hanging up
/// (EPOLLRDHUP / EPOLLHUP, no EPOLLIN: the handler owns the bytes) and marks its `ClientPresence` gone, so work
/// done only for that client can stop (SPEC §5).
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (HTTPRequest, HTTPRequestContext) -> HTTPResponse

    final class Connection {
        let fd: Int32
        let peer: String
        var buffer: [UInt8] = []
        /// When the first byte of the request being received arrived (nil between requests).
        var requestStartedAt: Double?
        var lastActive: Double
        var busy = false
        let presence = ClientPresence()
        init(fd: Int32, peer: String, now: Double) { self.fd = fd; self.peer = peer; lastActive = now }
    }

    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        public var maxConnections = 1024
        public var handlerThreads = 64
        public var requestLimits = HTTPRequestParser.Limits.default
        public var headerTimeout = 10.0
        public var keepAliveTimeout = 30.0
        public var writeTimeout = 30.0
        /// How long shutdown waits for in-flight requests.
        public var drainTimeout = 30.0
        public init() {}
    }

    let options: Options
    let handler: Handler
    let metrics: Metrics?
    private let parser: HTTPRequestParser
    private let lock = ConditionLock()
    private var connections: [Int32: Connection] = [:]
    private var listenFD: Int32 = -1
    private var epoll: EPoll?
    /// Self-pipe: the shutdown request (also from a signal handler) writes to [1], the loop watches [0].
    private var wakePipe: [Int32] = [-1, -1]
    private var stopping = false
    private var jobs: [() -> Void] = []
    private var jobsHead = 0
    /// The port actually bound (useful with port 0).
    public private(set) var boundPort = 0

    /// Answers that need no waiting — a cached result, `/health` — asked on the event-loop thread before a
    /// request is handed to a handler thread; nil sends the request on to one. Must not block. A cache hit then
    /// costs no thread hand-off: parse, look up, one gathered send, re-arm.
    public var quickHandler: (@Sendable (HTTPRequest, HTTPRequestContext) -> HTTPResponse?)?

    public init(options: Options, metrics: Metrics? = nil, handler: @escaping Handler) {
        self.options = options
        self.handler = handler
        self.metrics = metrics
        self.parser = HTTPRequestParser(limits: options.requestLimits)
    }

    public enum StartError: Error, CustomStringConvertible {
        case cannotListen(String)
        public var description: String { if case .cannotListen(let why) = self { return why }; return "" }
    }

    /// Binds and listens; call `run()` afterwards.
    public func bind() throws(StartError) {
        let candidates = SocketIO.resolve(host: options.host, port: options.port)
        guard let address = candidates.first else { throw .cannotListen("cannot resolve listen address \(options.host)") }
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .cannotListen("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.address.withUnsafeBytes {
            Glibc.bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        guard bound == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw .cannotListen("cannot listen on \(options.host):\(options.port): \(why)")
        }
        guard listen(fd, 1024) == 0 else { close(fd); throw .cannotListen("listen: \(String(cString: strerror(errno)))") }
        SocketIO.setNonBlocking(fd)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let family = storage.ss_family
        boundPort = withUnsafePointer(to: &storage) { pointer -> Int in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
        listenFD = fd
        guard let poller = EPoll() else { close(fd); throw .cannotListen("epoll is not available") }
        epoll = poller
        guard pipe(&wakePipe) == 0 else { throw .cannotListen("pipe: \(String(cString: strerror(errno)))") }
        for end in wakePipe { SocketIO.setNonBlocking(end); _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        poller.control(EPoll.add, listenFD, events: EPoll.inEvent)
        poller.control(EPoll.add, wakePipe[0], events: EPoll.inEvent)
        for _ in 0..<max(1, options.handlerThreads) { spawnThread { [self] in handlerLoop() } }
    }

    /// Asks the loop to stop: no new connections, in-flight requests finish, then `run()` returns.
    /// Async-signal-safe (a write to an eventfd).
    public func requestShutdown() {
        var one: UInt8 = 1
        _ = Glibc.write(wakePipe[1], &one, 1)
    }

    /// The descriptor `requestShutdown()` writes one byte to, for signal handlers.
    public var shutdownFD: Int32 { wakePipe[1] }

    public var openConnections: Int { lock.withLock { connections.count } }

    /// Runs the event loop until shutdown has drained.
    public func run() {
        guard let epoll else { return }
        let events = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * EPoll.eventSize, alignment: 8)
        defer { events.deallocate() }
        var readBuffer = [UInt8](repeating: 0, count: 65536)
        var drainDeadline = Double.infinity
        var lastSweep = monotonicSeconds()
        while true {
            let ready = epoll.wait(into: events, timeoutMilliseconds: 250)
            let now = monotonicSeconds()
            for (fd, mask) in ready {
                if fd == listenFD { acceptAll(now: now) }
                else if fd == wakePipe[0] { beginShutdown(now: now, deadline: &drainDeadline) }
                else { event(fd, mask: mask, now: now, scratch: &readBuffer) }
            }
            if now - lastSweep >= 0.25 {
                sweep(now: now)
                lastSweep = now
            }
            if drainDeadline.isFinite {
                let remaining = lock.withLock { connections.count }
                if remaining == 0 || now > drainDeadline { break }
            }
        }
        lock.withLock {
            for (fd, _) in connections { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
            connections.removeAll()
            stopping = true
            lock.broadcast()
        }
        epoll.close()
        close(wakePipe[0])
        close(wakePipe[1])
    }

    private func beginShutdown(now: Double, deadline: inout Double) {
        var drained = [UInt8](repeating: 0, count: 16)
        _ = read(wakePipe[0], &drained, drained.count)
        guard !deadline.isFinite else { return }
        deadline = now + options.drainTimeout
        epoll?.control(EPoll.delete, listenFD, events: 0)
        close(listenFD)
        lock.withLock {
            stopping = true
            // Idle connections go now; busy ones close after their response (written with Connection: close).
            for (fd, connection) in connections where !connection.busy {
                closeLocked(fd)
            }
        }
    }

    private func armForRead(_ fd: Int32, modify: Bool) {
        epoll?.control(modify ? EPoll.modify : EPoll.add, fd, events: EPoll.inEvent | EPoll.readHangUp | EPoll.oneShot)
    }

    /// While a handler owns the connection: report only the peer hanging up (EPOLLHUP and EPOLLERR are always
    /// reported), not readable bytes, which belong to the handler.
    private func watchForHangUp(_ fd: Int32) {
        epoll?.control(EPoll.modify, fd, events: EPoll.readHangUp | EPoll.oneShot)
    }

    /// An epoll event on a client connection: bytes to read when the loop owns it, a hang-up when a handler does.
    private func event(_ fd: Int32, mask: UInt32, now: Double, scratch: inout [UInt8]) {
        guard let connection = lock.withLock({ connections[fd] }) else { return }
        if lock.withLock({ connection.busy }) {
            if HTTPServer.peerHasGone(fd, mask: mask) { connection.presence.markGone() }
            return
        }
        readable(connection, now: now, scratch: &scratch)
    }

    /// True when the peer reset or closed the connection: EPOLLHUP / EPOLLERR, or EPOLLRDHUP (it sent FIN) with
    /// no unread bytes left. A client that half-closes after its request is treated as gone, as nginx does
    /// (`proxy_ignore_client_abort off`); one that pipelined more requests before its FIN is not.
    static func peerHasGone(_ fd: Int32, mask: UInt32) -> Bool {
        if mask & (EPoll.hangUp | EPoll.error) != 0 { return true }
        guard mask & EPoll.readHangUp != 0 else { return false }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    }

    private func acceptAll(now: Double) {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 { return }   // EAGAIN: all accepted; EMFILE etc.: try again on the next event
            SocketIO.setNonBlocking(fd)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let full = lock.withLock { connections.count >= options.maxConnections || stopping }
            if full {
                // Over the limit: answer at once without reading, never queue unbounded.
                let bytes = serializeResponse(HTTPResponse.jsonError(503, "too many connections"), keepAlive: false, omitBody: false)
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                close(fd)
                metrics?.connectionRefused()
                continue
            }
            SocketIO.setNoDelay(fd)
            let connection = Connection(fd: fd, peer: SocketIO.peerName(fd), now: now)
            lock.withLock { connections[fd] = connection }
            metrics?.connectionOpened()
            armForRead(fd, modify: false)
        }
    }

    private func readable(_ connection: Connection, now: Double, scratch: inout [UInt8]) {
        let fd = connection.fd
        var closed = false
        let cap = options.requestLimits.maxRequestLineBytes + options.requestLimits.maxHeaderBytes
            + options.requestLimits.maxBodyBytes + 65536
        while connection.buffer.count < cap {
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                if connection.requestStartedAt == nil { connection.requestStartedAt = now }
                connection.buffer.append(contentsOf: scratch[0..<n])
                connection.lastActive = now
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            closed = true   // EOF or error
            break
        }
        if closed && connection.buffer.isEmpty {
            lock.withLock { closeLocked(fd) }
            return
        }
        dispatch(connection, peerClosed: closed)
    }

    /// Parses what the connection has buffered: answers quick requests on the loop (then looks for a pipelined
    /// one), hands a complete request to a handler thread, answers a bad one, or waits for more bytes.
    private func dispatch(_ connection: Connection, peerClosed: Bool) {
        while true {
            switch parser.parse(connection.buffer) {
            case .incomplete:
                if peerClosed {
                    lock.withLock { closeLocked(connection.fd) }
                    return
                }
                armForRead(connection.fd, modify: true)
                return
            case .failure(let status, let message):
                lock.withLock { connection.busy = true }
                enqueue { [self] in
                    let response = HTTPResponse.jsonError(status, message)
                    write(response, to: connection, keepAlive: false, omitBody: false)
                    handlerLogHook?(connection.peer, "-", "(unparsable request)", response, 0)
                    lock.withLock { closeLocked(connection.fd) }
                }
                return
            case .complete(let request, let consumed):
                connection.buffer.removeFirst(consumed)
                if let quickHandler, let response = quickHandler(request, context(of: connection)) {
                    if answerOnLoop(response, to: request, on: connection) { continue }
                    return
                }
                lock.withLock {
                    connection.busy = true
                    watchForHangUp(connection.fd)
                }
                enqueue { [self] in serve(request, on: connection) }
                return
            }
        }
    }

    private func context(of connection: Connection) -> HTTPRequestContext {
        HTTPRequestContext(peer: connection.peer, client: connection.presence)
    }

    /// Sends a quick answer from the loop thread with non-blocking gathered writes; true when the connection is
    /// the loop's again (look for a pipelined request). What the socket does not take at once goes on from a
    /// handler thread (with the write timeout).
    private func answerOnLoop(_ response: HTTPResponse, to request: HTTPRequest, on connection: Connection) -> Bool {
        let keepAlive = request.wantsKeepAlive && !lock.withLock({ stopping })
        let parts = responseParts(response, keepAlive: keepAlive, omitBody: request.method == "HEAD")
        let total = parts.reduce(0) { $0 + $1.count }
        let sent = SocketIO.sendAvailable(connection.fd, parts: parts)
        if sent < 0 { lock.withLock { closeLocked(connection.fd) }; return false }
        if sent < total {
            lock.withLock {
                connection.busy = true
                watchForHangUp(connection.fd)
            }
            enqueue { [self] in
                let done = (try? SocketIO.writeAll(connection.fd, parts: parts, skipping: sent,
                                                  deadline: monotonicSeconds() + options.writeTimeout)) != nil
                if done && keepAlive, let next = nextPipelined(connection) { serve(next, on: connection) }
                else if done && keepAlive { release(connection) }
                else { lock.withLock { closeLocked(connection.fd) } }
            }
            return false
        }
        guard keepAlive else { lock.withLock { closeLocked(connection.fd) }; return false }
        let now = monotonicSeconds()
        connection.requestStartedAt = connection.buffer.isEmpty ? nil : now
        connection.lastActive = now
        return true
    }

    /// A complete request already buffered behind the one just answered, taken off the buffer.
    private func nextPipelined(_ connection: Connection) -> HTTPRequest? {
        guard case .complete(let next, let consumed) = parser.parse(connection.buffer) else { return nil }
        connection.buffer.removeFirst(consumed)
        return next
    }

    /// Gives an idle keep-alive connection back to the loop.
    private func release(_ connection: Connection) {
        lock.withLock {
            guard connections[connection.fd] === connection else { return }
            connection.busy = false
            armForRead(connection.fd, modify: true)
        }
    }

    /// Called for requests answered by the server itself before reaching the handler (parse errors), so the
    /// access log and metrics see them too: (peer, method, target, response, milliseconds).
    public var handlerLogHook: (@Sendable (String, String, String, HTTPResponse, Double) -> Void)?

    private func serve(_ first: HTTPRequest, on connection: Connection) {
        var request = first
        let context = context(of: connection)
        while true {
            let response = handler(request, context)
            if response.status == HTTPResponse.clientClosedStatus {
                // Nobody waits for this answer: the client hung up while it was being made.
                lock.withLock { closeLocked(connection.fd) }
                return
            }
            let stoppingNow = lock.withLock { stopping }
            let keepAlive = request.wantsKeepAlive && !stoppingNow && !connection.presence.isGone
            guard write(response, to: connection, keepAlive: keepAlive, omitBody: request.method == "HEAD"),
                  keepAlive else {
                lock.withLock { closeLocked(connection.fd) }
                return
            }
            connection.requestStartedAt = connection.buffer.isEmpty ? nil : monotonicSeconds()
            connection.lastActive = monotonicSeconds()
            // A pipelined request may already be buffered.
            if let next = nextPipelined(connection) {
                request = next
                continue
            }
            release(connection)
            return
        }
    }

    /// Sends the response as its parts — head (kept by cached responses), date and connection lines, body —
    /// with one gathered write each time the socket takes more, never concatenating them.
    @discardableResult
    private func write(_ response: HTTPResponse, to connection: Connection, keepAlive: Bool, omitBody: Bool) -> Bool {
        let parts = responseParts(response, keepAlive: keepAlive, omitBody: omitBody)
        do {
            try SocketIO.writeAll(connection.fd, parts: parts, deadline: monotonicSeconds() + options.writeTimeout)
            return true
        } catch {
            return false
        }
    }

    /// The buffers of a response in sending order; the body is the response's own storage, never copied.
    private func responseParts(_ response: HTTPResponse, keepAlive: Bool, omitBody: Bool) -> [[UInt8]] {
        var parts = [response.headForSending, ResponseLines.date(), keepAlive ? ResponseLines.keepAlive : ResponseLines.close]
        if !omitBody && response.allowsBody && !response.body.isEmpty { parts.append(response.body) }
        return parts
    }

    /// Closes connections whose request is overdue (408) or that idled past the keep-alive timeout.
    private func sweep(now: Double) {
        var overdue: [Connection] = []
        lock.withLock {
            for (fd, connection) in connections where !connection.busy {
                if let started = connection.requestStartedAt, now - started > options.headerTimeout {
                    connection.busy = true
                    epoll?.control(EPoll.delete, fd, events: 0)
                    overdue.append(connection)
                } else if connection.requestStartedAt == nil && now - connection.lastActive > options.keepAliveTimeout {
                    closeLocked(fd)
                }
            }
        }
        for connection in overdue {
            let response = HTTPResponse.jsonError(408, "request not received in time")
            let bytes = serializeResponse(response, keepAlive: false, omitBody: false)
            _ = bytes.withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            handlerLogHook?(connection.peer, "-", "(request timeout)", response, (now - (connection.requestStartedAt ?? now)) * 1000)
            lock.withLock { closeLocked(connection.fd) }
        }
    }

    /// Must be called with `lock` held.
    private func closeLocked(_ fd: Int32) {
        guard connections.removeValue(forKey: fd) != nil else { return }
        epoll?.control(EPoll.delete, fd, events: 0)
        close(fd)
        metrics?.connectionClosed()
        if stopping { lock.broadcast() }
    }

    private func enqueue(_ job: @escaping () -> Void) {
        lock.withLock {
            jobs.append(job)
            lock.signal()
        }
    }

    private func handlerLoop() {
        while true {
            let job: (() -> Void)? = lock.withLock {
                while jobsHead == jobs.count {
                    if stopping && connections.isEmpty { return nil }
                    lock.wait(until: monotonicSeconds() + 1)
                }
                let job = jobs[jobsHead]
                jobsHead += 1
                if jobsHead > 256 && jobsHead * 2 > jobs.count { jobs.removeFirst(jobsHead); jobsHead = 0 }
                return job
            }
            guard let job else { return }
            job()
        }
    }
}
