import Raster

/// Reads a VP8L bitstream least significant bit first (VP8L specification section 3, "ReadBits(n)").
///
/// Past the end of the data it feeds zero bits and counts them, so decoding stays finite on truncated input and the
/// decoder can tell afterwards (`overran`) that it used bits the stream did not contain.
struct VP8LBitReader {
    let base: UnsafePointer<UInt8>
    let end: Int
    /// Offset of `base[0]` in the file, for error messages.
    let fileOffset: Int
    /// Next byte to load.
    private(set) var position: Int
    /// Unread bits, the next one in bit 0. Bits above `count` are either zero or the following bytes' own bits, so
    /// OR-ing those bytes in again on the next refill leaves them unchanged.
    private(set) var buffer: UInt64 = 0
    private(set) var count: Int = 0
    /// Zero bits appended after the end of the data (they sit at the top of the valid bits).
    private var padding: Int = 0

    init(base: UnsafePointer<UInt8>, start: Int, end: Int, fileOffset: Int) {
        self.base = base
        self.position = start
        self.end = end
        self.fileOffset = fileOffset
        refill()
    }

    /// True once the decoder has consumed bits beyond the end of the data.
    var overran: Bool { count < padding }

    /// File offset of the byte holding the next unread bit.
    var byteOffset: Int { fileOffset + position - (count - padding + 7) / 8 }

    /// Makes at least 56 bits available.
    @inline(__always)
    mutating func refill() {
        if position &+ 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            buffer |= word &<< UInt64(count)
            let take = (63 &- count) &>> 3
            position &+= take
            count &+= take &* 8
        } else {
            refillTail()
        }
    }

    @inline(never)
    private mutating func refillTail() {
        while count <= 56 {
            if position < end {
                buffer |= UInt64(base[position]) &<< UInt64(count)
                position &+= 1
            } else {
                padding &+= 8
            }
            count &+= 8
        }
    }

    /// The next `n` (≤ 32) bits as an unsigned value.
    @inline(__always)
    mutating func read(_ n: Int) -> UInt32 {
        if count < n { refill() }
        let v = UInt32(truncatingIfNeeded: buffer & ((1 &<< UInt64(n)) &- 1))
        buffer &>>= UInt64(n)
        count &-= n
        return v
    }

    @inline(__always)
    mutating func readInt(_ n: Int) -> Int { Int(read(n)) }

    @inline(__always)
    mutating func readFlag() -> Bool { read(1) != 0 }

    /// Drops `n` bits that the caller has looked at in `buffer` (after making sure `count >= n`).
    @inline(__always)
    mutating func skip(_ n: Int) {
        buffer &>>= UInt64(n)
        count &-= n
    }
}
