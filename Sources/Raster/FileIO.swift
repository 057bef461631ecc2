#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and writes on POSIX calls, shared by the CLI, the file origin and tests.
public enum FileIO {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Reads a regular file completely; refuses files larger than `maxBytes` before reading them.
    public static func read(_ path: String, maxBytes: Int = Int.max) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, reason: errnoText()) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Failure(path: path, reason: errnoText()) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw Failure(path: path, reason: "not a regular file") }
        let size = Int(st.st_size)
        guard size <= maxBytes else { throw Failure(path: path, reason: "file of \(size) bytes exceeds the limit of \(maxBytes) bytes") }
        // read(2) fills the array directly: zero-filling it first would touch every page twice (about 400 page
        // faults and a memset pass for a 1.6 MB JPEG, in every CLI command).
        var failure: Failure? = nil
        let out = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let n = Glibc.read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = Failure(path: path, reason: errnoText()); break
                }
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
        if let failure { throw failure }
        return out
    }

    /// Reads all of standard input.
    public static func readStandardInput(maxBytes: Int = Int.max) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw Failure(path: "-", reason: errnoText()) }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
            if out.count > maxBytes { throw Failure(path: "-", reason: "input exceeds the limit of \(maxBytes) bytes") }
        }
    }

    /// Writes `bytes` to `path` (created or truncated), or to standard output when `path` is "-".
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(parts: [bytes], to: path)
    }

    /// Writes the parts one after the other into one file, without joining them first.
    public static func write(parts: [[UInt8]], to path: String) throws {
        let fd = path == "-" ? 1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(path: path, reason: errnoText()) }
        defer { if path != "-" { close(fd) } }
        for bytes in parts where !bytes.isEmpty {
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
                if n < 0 { if errno == EINTR { continue }; throw Failure(path: path, reason: errnoText()) }
                done += n
            }
        }
    }
}
