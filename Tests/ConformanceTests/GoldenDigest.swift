import Raster

/// A hashed buffer as the manifests record it: `SHA256/SLICES` — the SHA-256 of the bytes, then 16 checksums
/// (CRC-32 & 0xFFFF, 4 hex digits each) of the slices [k·n/16, (k+1)·n/16). The SHA-256 decides pass or fail;
/// the slice checksums only say where a difference starts, since the manifest does not hold the bytes.
struct GoldenDigest: Equatable {
    static let sliceCount = 16
    var sha256: String
    var slices: [UInt16]

    init?(_ text: Substring) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 64, parts[1].count == 4 * Self.sliceCount else { return nil }
        sha256 = String(parts[0])
        var slices: [UInt16] = []
        var rest = parts[1]
        while !rest.isEmpty {
            guard let value = UInt16(rest.prefix(4), radix: 16) else { return nil }
            slices.append(value)
            rest = rest.dropFirst(4)
        }
        self.slices = slices
    }

    init(of bytes: [UInt8]) {
        sha256 = SHA256.hex(bytes)
        slices = (0..<Self.sliceCount).map { k in
            let range = Self.slice(k, of: bytes.count)
            return UInt16(truncatingIfNeeded: CRC32.checksum(bytes[range]))
        }
    }

    static func slice(_ k: Int, of count: Int) -> Range<Int> {
        (k * count / sliceCount)..<((k + 1) * count / sliceCount)
    }

    /// nil when `bytes` hash to this digest; else the byte range of the first slice that differs (nil range when
    /// every slice checksum agrees and only the SHA-256 tells them apart).
    func firstDifference(in bytes: [UInt8]) -> Range<Int>?? {
        let actual = GoldenDigest(of: bytes)
        if actual.sha256 == sha256 { return .none }
        guard let k = (0..<Self.sliceCount).first(where: { actual.slices[$0] != slices[$0] }) else { return .some(nil) }
        return .some(Self.slice(k, of: bytes.count))
    }
}
