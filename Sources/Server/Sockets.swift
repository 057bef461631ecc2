#if canImport(Glibc)
import Glibc
#endif

/// Thin helpers over POSIX sockets shared by the listener and the origin client. All sockets are non-blocking;
/// blocking-style calls here wait with poll(2) against a deadline, so no call can hang past its timeout.
enum SocketIO {
    enum Failure: Error, Equatable {
        case timedOut
        case closed
        case failed(Int32)
    }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Resolves host:port to socket addresses (IPv4 and IPv6) with getaddrinfo.
    static func resolve(host: String, port: Int) -> [(family: Int32, address: [UInt8])] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var out: [(Int32, [UInt8])] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr {
                let bytes = UnsafeRawBufferPointer(start: address, count: Int(info.pointee.ai_addrlen))
                out.append((info.pointee.ai_family, Array(bytes)))
            }
            cursor = info.pointee.ai_next
        }
        return out
    }

    /// Waits until `fd` is ready for `events` or the deadline passes.
    static func waitReady(_ fd: Int32, events: Int16, deadline: Double) throws(Failure) {
        while true {
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 { throw .timedOut }
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&pfd, 1, Int32(min(remaining * 1000 + 1, 60_000)))
            if n > 0 { return }
            if n == 0 { continue }
            if errno == EINTR { continue }
            throw .failed(errno)
        }
    }

    /// Connects with a deadline; returns the connected non-blocking socket.
    static func connect(family: Int32, address: [UInt8], deadline: Double) throws(Failure) -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .failed(errno) }
        setNonBlocking(fd)
        setNoDelay(fd)
        let status = address.withUnsafeBytes { raw -> Int32 in
            Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if status != 0 {
            guard errno == EINPROGRESS else { let e = errno; close(fd); throw .failed(e) }
            do { try waitReady(fd, events: Int16(POLLOUT), deadline: deadline) } catch { close(fd); throw error }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError != 0 { close(fd); throw .failed(soError) }
        }
        return fd
    }

    /// Writes all of `bytes` before the deadline.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], deadline: Double) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { offset += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                try waitReady(fd, events: Int16(POLLOUT), deadline: deadline)
                continue
            }
            if n < 0 && errno == EINTR { continue }
            throw n == 0 ? .closed : .failed(errno)
        }
    }

    /// Writes `parts` in order, as one stream, before the deadline: sendmsg(2) with one iovec per part (writev
    /// with MSG_NOSIGNAL), so a response's head and body go out without being copied into one array first.
    /// The first `skipping` bytes are taken as already sent.
    static func writeAll(_ fd: Int32, parts: [[UInt8]], skipping: Int = 0, deadline: Double) throws(Failure) {
        var pointers: [UnsafeRawBufferPointer] = []
        pointers.reserveCapacity(parts.count)
        let failure = withBuffers(parts, 0, &pointers) { buffers -> Failure? in
            var vectors = Vectors(buffers)
            vectors.drop(skipping)
            while !vectors.isEmpty {
                let n = vectors.send(fd)
                if n > 0 { vectors.drop(n); continue }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    do throws(Failure) { try waitReady(fd, events: Int16(POLLOUT), deadline: deadline) } catch { return error }
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                return n == 0 ? .closed : .failed(errno)
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Sends what the socket takes now without waiting; returns the bytes sent (all of them when the socket had
    /// room), or -1 on an error.
    static func sendAvailable(_ fd: Int32, parts: [[UInt8]]) -> Int {
        var pointers: [UnsafeRawBufferPointer] = []
        pointers.reserveCapacity(parts.count)
        return withBuffers(parts, 0, &pointers) { buffers -> Int in
            var vectors = Vectors(buffers)
            var sent = 0
            while !vectors.isEmpty {
                let n = vectors.send(fd, flags: Int32(MSG_DONTWAIT))
                if n > 0 { vectors.drop(n); sent += n; continue }
                if n < 0 && errno == EINTR { continue }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
                return -1
            }
            return sent
        }
    }

    /// Calls `body` with every part's bytes pinned (nested `withUnsafeBytes`, one per part).
    private static func withBuffers<R>(_ parts: [[UInt8]], _ index: Int, _ collected: inout [UnsafeRawBufferPointer],
                                       _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
        if index == parts.count { return body(collected) }
        return parts[index].withUnsafeBytes { raw in
            collected.append(raw)
            defer { collected.removeLast() }
            return withBuffers(parts, index + 1, &collected, body)
        }
    }

    /// The iovecs of a gathered write still to send.
    private struct Vectors {
        var vectors: [iovec]
        var first = 0

        init(_ buffers: [UnsafeRawBufferPointer]) {
            vectors = buffers.filter { $0.count > 0 }.map {
                iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count)
            }
        }

        var isEmpty: Bool { first >= vectors.count }

        /// One sendmsg(2) of the remaining vectors, never raising SIGPIPE.
        mutating func send(_ fd: Int32, flags: Int32 = 0) -> Int {
            vectors[first...].withUnsafeMutableBufferPointer { v -> Int in
                var message = msghdr()
                message.msg_iov = v.baseAddress
                message.msg_iovlen = v.count
                return sendmsg(fd, &message, Int32(MSG_NOSIGNAL) | flags)
            }
        }

        /// Drops `count` sent bytes: whole vectors, then the start of a partly sent one.
        mutating func drop(_ count: Int) {
            var rest = count
            while first < vectors.count && rest >= vectors[first].iov_len { rest -= vectors[first].iov_len; first += 1 }
            if rest > 0 && first < vectors.count {
                vectors[first].iov_base = vectors[first].iov_base.map { $0 + rest }
                vectors[first].iov_len -= rest
            }
        }
    }

    /// Reads what is available (at least one byte) before the deadline into `buffer`; returns 0 at end of stream.
    static func readSome(_ fd: Int32, into buffer: inout [UInt8], max: Int = 65536, deadline: Double) throws(Failure) -> Int {
        var chunk = [UInt8](repeating: 0, count: max)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { buffer.append(contentsOf: chunk[0..<n]); return n }
            if n == 0 { return 0 }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                try waitReady(fd, events: Int16(POLLIN), deadline: deadline)
                continue
            }
            throw .failed(errno)
        }
    }

    /// The peer address as text, for the access log.
    static func peerName(_ fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard ok == 0 else { return "-" }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
            }
        }
        guard status == 0 else { return "-" }
        return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
