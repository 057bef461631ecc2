/// The boolean entropy encoder of RFC 6386 section 7: each bool is coded against an 8-bit probability of being
/// zero by splitting the current range; bytes leave from the top of `low`, and a carry out of the pending bits is
/// propagated into bytes already written (which is why the whole output is kept in memory).
struct VP8BoolEncoder {
    private(set) var bytes: [UInt8] = []
    /// Width of the current interval, kept in 128...255 between calls (section 7.3).
    private var range: UInt32 = 255
    /// Low end of the interval: 8 bits aligned with `range`, above them `pending` bits not yet written.
    private var low: UInt64 = 0
    private var pending: Int = 0

    init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    /// Written without a branch on `bit` (selects instead), and the renormalising shift applied unconditionally
    /// (it is zero while the range is at least 128): coded bits are unpredictable, and a mispredicted branch per bit
    /// was the bulk of token writing. The rare carry and byte flush keep their branches.
    @inline(__always)
    mutating func put(_ bit: Bool, _ probability: Int) {
        let split = 1 &+ (((range &- 1) &* UInt32(truncatingIfNeeded: probability)) >> 8)
        low &+= bit ? UInt64(split) : 0
        range = bit ? range &- split : split
        if low >> UInt64(8 &+ pending) != 0 { carry() }
        let shift = range.leadingZeroBitCount &- 24
        range <<= UInt32(shift)
        low <<= UInt64(shift)
        pending &+= shift
        if pending >= 8 { flushByte() }
    }

    /// An unsigned `count`-bit literal, most significant bit first, each at probability 128 (section 7.3, L(n)).
    mutating func putLiteral(_ value: Int, _ count: Int) {
        var i = count - 1
        while i >= 0 { put((value >> i) & 1 == 1, 128); i -= 1 }
    }

    /// A magnitude of `count` bits followed by a sign bit (the header's signed deltas, section 9.3/9.6).
    mutating func putSigned(_ value: Int, _ count: Int) {
        putLiteral(abs(value), count)
        put(value < 0, 128)
    }

    /// A presence flag, then the signed value when non-zero.
    mutating func putOptionalSigned(_ value: Int, _ count: Int) {
        put(value != 0, 128)
        if value != 0 { putSigned(value, count) }
    }

    private mutating func carry() {
        low &= (UInt64(1) << UInt64(8 &+ pending)) &- 1
        var i = bytes.count - 1
        while i >= 0 && bytes[i] == 0xFF { bytes[i] = 0; i -= 1 }
        if i >= 0 { bytes[i] &+= 1 }
    }

    private mutating func flushByte() {
        while pending >= 8 {
            let byte = UInt8(truncatingIfNeeded: low >> UInt64(pending))
            bytes.append(byte)
            low &= (UInt64(1) << UInt64(pending)) &- 1
            pending -= 8
        }
    }

    /// Writes out every pending bit plus padding so a decoder reading ahead never runs off the end.
    mutating func finish() -> [UInt8] {
        for _ in 0..<32 { put(false, 128) }
        return bytes
    }
}
