/// The boolean entropy decoder of RFC 6386 section 7.3, reading 56 bits at a time.
///
/// `value` holds `bits + 8` unread bits; a bit is decoded by comparing its top 8 of them with the split point.
/// The range is kept as `range - 1` (127...254). Past the end of its partition the decoder appends one byte of zero
/// bits and sets `atEnd`; a partition that needs more than its data (plus that byte) is truncated, which the frame
/// decoder checks after every macroblock, as libwebp's dwebp does.
struct VP8BoolDecoder {
    private let base: UnsafePointer<UInt8>
    private var position: Int
    private let end: Int
    /// Offset of the partition in the file, for error messages.
    let fileOffset: Int
    private var value: UInt64 = 0
    private var range: UInt32 = 255 - 1
    private var bits: Int = -8
    private(set) var atEnd = false

    init(base: UnsafePointer<UInt8>, start: Int, end: Int, fileOffset: Int) {
        self.base = base
        self.position = start
        self.end = end
        self.fileOffset = fileOffset
        loadNewBytes()
    }

    @inline(__always)
    private mutating func loadNewBytes() {
        if position &+ 8 <= end {
            let raw = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
            position &+= 7
            value = (UInt64(bigEndian: raw) &>> 8) | (value &<< 56)
            bits &+= 56
        } else {
            loadFinalBytes()
        }
    }

    @inline(never)
    private mutating func loadFinalBytes() {
        if position < end {
            bits &+= 8
            value = UInt64(base[position]) | (value &<< 8)
            position &+= 1
        } else if !atEnd {
            value &<<= 8
            bits &+= 8
            atEnd = true
        } else {
            bits = 0
        }
    }

    /// One bool whose probability of being 0 is `probability / 256` (section 7.3).
    @inline(__always)
    mutating func readBit(_ probability: UInt8) -> Bool {
        var range = self.range
        if bits < 0 { loadNewBytes() }
        let split = (range &* UInt32(probability)) &>> 8
        let top = UInt32(truncatingIfNeeded: value &>> UInt64(bits))
        let bit = top > split
        if bit {
            range &-= split
            value &-= UInt64(split &+ 1) &<< UInt64(bits)
        } else {
            range = split &+ 1
        }
        // Renormalise so the range is back in 128...255: shift = 7 - floor(log2(range)).
        let shift = range.leadingZeroBitCount &- 24
        range &<<= UInt32(shift)
        bits &-= shift
        self.range = range &- 1
        return bit
    }

    /// `count` bits at probability 1/2, most significant first (section 7.3 / 9: L(n)).
    @inline(__always)
    mutating func readLiteral(_ count: Int) -> Int {
        var v = 0
        for _ in 0..<count { v = v << 1 | (readBit(128) ? 1 : 0) }
        return v
    }

    /// A magnitude of `count` bits followed by a sign bit (section 9: the signed fields of the frame header).
    @inline(__always)
    mutating func readSignedLiteral(_ count: Int) -> Int {
        let v = readLiteral(count)
        return readBit(128) ? -v : v
    }

    @inline(__always)
    mutating func readFlag() -> Bool { readBit(128) }

    /// `magnitude` with a sign read at probability 1/2 (the coefficient sign of section 13.2).
    @inline(__always)
    mutating func readSigned(_ magnitude: Int32) -> Int32 {
        readBit(128) ? -magnitude : magnitude
    }
}
