#if canImport(Glibc)
import Glibc
#endif

/// epoll(7) for Swift without a C target. The Glibc module map does not export <sys/epoll.h>, so the three calls
/// are looked up once with dlsym in the already-loaded C library and called through typed C function pointers.
/// Constants are the Linux ABI values (include/uapi/linux/eventpoll.h). On x86_64 `struct epoll_event` is packed:
/// a UInt32 event mask followed directly by the 64-bit data field, 12 bytes per event.
struct EPoll {
    static let inEvent: UInt32 = 0x001
    static let error: UInt32 = 0x008
    static let hangUp: UInt32 = 0x010
    static let readHangUp: UInt32 = 0x2000
    static let oneShot: UInt32 = 1 << 30
    static let add: Int32 = 1, delete: Int32 = 2, modify: Int32 = 3
    #if arch(x86_64)
    static let eventSize = 12
    #else
    static let eventSize = 16
    #endif
    static let dataOffset = eventSize - 8

    private typealias CreateFunction = @convention(c) (Int32) -> Int32
    private typealias ControlFunction = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias WaitFunction = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32

    private struct Functions: @unchecked Sendable {
        let create: CreateFunction
        let control: ControlFunction
        let wait: WaitFunction
    }

    private static let functions: Functions? = {
        guard let library = dlopen(nil, RTLD_NOW),
              let create = dlsym(library, "epoll_create1"),
              let control = dlsym(library, "epoll_ctl"),
              let wait = dlsym(library, "epoll_wait") else { return nil }
        return Functions(create: unsafeBitCast(create, to: CreateFunction.self),
                         control: unsafeBitCast(control, to: ControlFunction.self),
                         wait: unsafeBitCast(wait, to: WaitFunction.self))
    }()

    let fd: Int32

    /// Nil when epoll is unavailable.
    init?() {
        guard let functions = EPoll.functions else { return nil }
        let fd = functions.create(Int32(O_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    @discardableResult
    func control(_ operation: Int32, _ target: Int32, events: UInt32) -> Int32 {
        guard let functions = EPoll.functions else { return -1 }
        var raw = [UInt8](repeating: 0, count: EPoll.eventSize)
        return raw.withUnsafeMutableBytes { buffer in
            buffer.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            buffer.storeBytes(of: UInt64(UInt32(bitPattern: target)), toByteOffset: EPoll.dataOffset, as: UInt64.self)
            return functions.control(fd, operation, target, buffer.baseAddress)
        }
    }

    /// Waits up to `timeoutMilliseconds`; returns the ready file descriptors with their event masks.
    func wait(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int32) -> [(fd: Int32, events: UInt32)] {
        guard let functions = EPoll.functions else { return [] }
        let capacity = Int32(buffer.count / EPoll.eventSize)
        let n = functions.wait(fd, buffer.baseAddress, capacity, timeoutMilliseconds)
        guard n > 0 else { return [] }
        return (0..<Int(n)).map { i in
            (Int32(truncatingIfNeeded: buffer.loadUnaligned(fromByteOffset: i * EPoll.eventSize + EPoll.dataOffset, as: UInt64.self)),
             buffer.loadUnaligned(fromByteOffset: i * EPoll.eventSize, as: UInt32.self))
        }
    }

    func close() { _ = Glibc.close(fd) }
}
