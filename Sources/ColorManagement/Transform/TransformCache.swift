import Synchronization

/// Built transforms by profile bytes and bit depth. Building a LUT profile's grid evaluates its whole chain at
/// 17⁴ or 33³ nodes (tens of milliseconds); a server sees the same few profiles over and over, so the last few
/// transforms are kept (least recently used out).
final class TransformCache: Sendable {
    static let shared = TransformCache(capacity: 8)

    private struct Entry {
        let profile: [UInt8]
        let bitDepth: Int
        let transform: SRGBTransform
    }

    private let capacity: Int
    private let entries = Mutex<[Entry]>([])

    init(capacity: Int) { self.capacity = capacity }

    func transform(for bytes: [UInt8], profile: ICCProfile, bitDepth: Int,
                   build: () throws -> SRGBTransform) rethrows -> SRGBTransform {
        let hit = entries.withLock { list -> SRGBTransform? in
            guard let i = list.firstIndex(where: { $0.bitDepth == bitDepth && $0.profile == bytes }) else { return nil }
            let e = list.remove(at: i)
            list.append(e)
            return e.transform
        }
        if let hit { return hit }
        let made = try build()
        entries.withLock { list in
            if !list.contains(where: { $0.bitDepth == bitDepth && $0.profile == bytes }) {
                list.append(Entry(profile: bytes, bitDepth: bitDepth, transform: made))
                if list.count > capacity { list.removeFirst() }
            }
        }
        return made
    }
}
