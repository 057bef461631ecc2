/// Bit writer that packs codes least-significant bit first, as Deflate (RFC 1951 §3.1.1) and VP8L
/// (RFC 9649 §3.1) require. Shared by every encoder that writes LSB-first.
public struct LSBBitWriter {
    public private(set) var bytes: [UInt8] = []
    private var accumulator: UInt64 = 0
    private var bitCount: Int = 0

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends the low `count` bits of `value` (0 <= count <= 32), first bit = least significant.
    @inline(__always)
    public mutating func write(_ value: UInt32, count: Int) {
        accumulator |= UInt64(value & (count == 32 ? 0xFFFF_FFFF : (UInt32(1) << count) &- 1)) << UInt64(bitCount)
        bitCount += count
        if bitCount >= 32 {
            let word = UInt32(truncatingIfNeeded: accumulator)
            bytes.append(UInt8(truncatingIfNeeded: word))
            bytes.append(UInt8(truncatingIfNeeded: word >> 8))
            bytes.append(UInt8(truncatingIfNeeded: word >> 16))
            bytes.append(UInt8(truncatingIfNeeded: word >> 24))
            accumulator >>= 32
            bitCount -= 32
        }
    }

    /// Number of bits written so far.
    public var bitPosition: Int { bytes.count * 8 + bitCount }

    /// Pads with zero bits to the next byte boundary.
    public mutating func alignToByte() {
        let pad = (8 - bitCount % 8) % 8
        if pad > 0 { write(0, count: pad) }
        flushWholeBytes()
    }

    /// Appends raw bytes; the writer must be byte aligned.
    public mutating func appendAlignedBytes<C: Collection>(_ data: C) where C.Element == UInt8 {
        alignToByte()
        bytes.append(contentsOf: data)
    }

    private mutating func flushWholeBytes() {
        while bitCount >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: accumulator))
            accumulator >>= 8
            bitCount -= 8
        }
    }

    /// Flushes the remaining bits (zero-padded to a byte) and returns the bytes.
    public mutating func finish() -> [UInt8] {
        alignToByte()
        return bytes
    }
}

/// Bit writer that packs codes most-significant bit first, as JPEG entropy-coded segments (T.81 §F.1.2.3, with
/// 0xFF byte stuffing when `stuffsZeroAfterFF`) and AV1 OBU headers (AV1 §4.10 f(n)) require.
public struct MSBBitWriter {
    public private(set) var bytes: [UInt8] = []
    private var accumulator: UInt64 = 0
    private var bitCount: Int = 0
    public let stuffsZeroAfterFF: Bool

    public init(stuffsZeroAfterFF: Bool = false, reservingCapacity capacity: Int = 0) {
        self.stuffsZeroAfterFF = stuffsZeroAfterFF
        bytes.reserveCapacity(capacity)
    }

    /// Appends the low `count` bits of `value` (0 <= count <= 32), most significant first.
    @inline(__always)
    public mutating func write(_ value: UInt32, count: Int) {
        guard count > 0 else { return }
        accumulator = (accumulator << UInt64(count)) | UInt64(value & (count == 32 ? 0xFFFF_FFFF : (UInt32(1) << count) &- 1))
        bitCount += count
        while bitCount >= 8 {
            bitCount -= 8
            let byte = UInt8(truncatingIfNeeded: accumulator >> UInt64(bitCount))
            bytes.append(byte)
            if stuffsZeroAfterFF && byte == 0xFF { bytes.append(0) }
        }
    }

    public var bitPosition: Int { bytes.count * 8 + bitCount }
    public var isByteAligned: Bool { bitCount == 0 }

    /// Pads to a byte boundary with `padBit` (JPEG pads with 1s, T.81 §F.1.2.3; AV1 trailing bits are handled by the caller).
    public mutating func alignToByte(padBit: UInt32 = 0) {
        let pad = (8 - bitCount % 8) % 8
        if pad > 0 { write(padBit == 0 ? 0 : (UInt32(1) << pad) - 1, count: pad) }
    }

    /// Appends raw bytes without stuffing (markers); the writer must be byte aligned.
    public mutating func appendAlignedBytes<C: Collection>(_ data: C) where C.Element == UInt8 {
        alignToByte()
        bytes.append(contentsOf: data)
    }

    public mutating func finish(padBit: UInt32 = 0) -> [UInt8] {
        alignToByte(padBit: padBit)
        return bytes
    }
}
