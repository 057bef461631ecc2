/// CRC-32 as used by PNG chunks and gzip (ISO 3309 / ITU-T V.42 polynomial 0xEDB88320, reflected),
/// computed with slicing-by-8 tables so chunk checks cost little next to inflate.
public enum CRC32 {
    static let tables: [[UInt32]] = {
        var t = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[0][n] = c
        }
        for n in 0..<256 {
            for k in 1..<8 { t[k][n] = (t[k - 1][n] >> 8) ^ t[0][Int(t[k - 1][n] & 0xFF)] }
        }
        return t
    }()

    /// Continues a running CRC (start with 0) over `bytes`.
    public static func update(_ crc: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var c = ~crc
        let t = tables
        t[0].withUnsafeBufferPointer { t0 in t[1].withUnsafeBufferPointer { t1 in
        t[2].withUnsafeBufferPointer { t2 in t[3].withUnsafeBufferPointer { t3 in
        t[4].withUnsafeBufferPointer { t4 in t[5].withUnsafeBufferPointer { t5 in
        t[6].withUnsafeBufferPointer { t6 in t[7].withUnsafeBufferPointer { t7 in
            var i = 0
            let n = bytes.count
            while i + 8 <= n {
                let lo = c ^ (UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
                c = t7[Int(lo & 0xFF)] ^ t6[Int((lo >> 8) & 0xFF)] ^ t5[Int((lo >> 16) & 0xFF)] ^ t4[Int(lo >> 24)]
                    ^ t3[Int(bytes[i + 4])] ^ t2[Int(bytes[i + 5])] ^ t1[Int(bytes[i + 6])] ^ t0[Int(bytes[i + 7])]
                i += 8
            }
            while i < n {
                c = t0[Int((c ^ UInt32(bytes[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }}}}}}}}
        return ~c
    }

    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { update(0, $0) }
    }
}

/// Adler-32 (RFC 1950 §8.2), the zlib stream checksum.
public enum Adler32 {
    /// Continues a running Adler-32 (start with 1) over `bytes`.
    ///
    /// Whole 16-byte chunks go through 32-bit lanes: over a run of chunks, A grows by the sum of the bytes and B by
    /// len·A₀ + Σ over chunks of (16 · the byte sums of the chunks before it + Σ (16 − j)·x_j), the same sums the
    /// byte loop adds up, so the result is identical. The lane sums are exact (per lane at most 1020 per chunk,
    /// prefixes below 2^26 within a block) and the combination is done in 64 bits before the modulo.
    public static func update(_ adler: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var a = adler & 0xFFFF
        var b = adler >> 16
        var i = 0
        let n = bytes.count
        guard let base = bytes.baseAddress else { return adler }
        // 5552 is the largest run for which b cannot overflow 32 bits before the modulo (RFC 1950 §9).
        while i < n {
            let end = min(n, i + 5552)
            let chunks = (end - i) >> 4
            if chunks > 0 {
                let sums = chunkSums(base + i, chunks: chunks)
                let length = UInt64(chunks << 4)
                let newB = UInt64(b) + length * UInt64(a) + 16 * sums.prefix + sums.weighted
                a = UInt32((UInt64(a) + sums.bytes) % 65521)
                b = UInt32(newB % 65521)
                i += chunks << 4
            }
            while i < end {
                a &+= UInt32(bytes[i])
                b &+= a
                i += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }

    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { update(1, $0) }
    }

    /// For `chunks` 16-byte chunks at `p`: the sum of all bytes, Σ over chunks of the byte sums of the chunks
    /// before it, and Σ over chunks of Σ (16 − j)·x_j. Bytes are widened to 16-bit lanes, so each product with a
    /// weight is a `pmaddwd`.
    @inline(__always)
    static func chunkSums(_ p: UnsafePointer<UInt8>, chunks: Int) -> (bytes: UInt64, prefix: UInt64, weighted: UInt64) {
        typealias Lanes = SIMD8<Int32>
        let highWeights = Lanes(16, 15, 14, 13, 12, 11, 10, 9), lowWeights = Lanes(8, 7, 6, 5, 4, 3, 2, 1)
        var byteSums = Lanes(), prefix = Lanes(), weighted = Lanes()
        let raw = UnsafeRawPointer(p)
        for k in 0..<chunks {
            let first = Int16Lanes.widen(Int16Lanes.widenBytes(raw.loadUnaligned(fromByteOffset: k &* 16,
                                                                                 as: SIMD8<UInt8>.self)))
            let second = Int16Lanes.widen(Int16Lanes.widenBytes(raw.loadUnaligned(fromByteOffset: k &* 16 &+ 8,
                                                                                  as: SIMD8<UInt8>.self)))
            prefix &+= byteSums
            byteSums &+= first &+ second
            weighted &+= first &* highWeights &+ second &* lowWeights
        }
        @inline(__always) func total(_ v: Lanes) -> UInt64 { UInt64(UInt32(bitPattern: v.wrappedSum())) }
        return (total(byteSums), total(prefix), total(weighted))
    }
}
