import Raster

/// Reads entropy-coded segment bits MSB first (T.81 F.2.2.5), removing stuffed zero bytes after 0xFF (B.1.1.5).
/// At a marker or the end of the data it feeds zero bits (as T.81 decoders conventionally do) and counts them, so
/// the caller can tell afterwards whether the segment really held the bits it consumed.
struct JPEGBitReader {
    let base: UnsafePointer<UInt8>
    let end: Int
    /// Next unread byte. At a marker it stays on the marker's 0xFF.
    var position: Int
    /// Bits are kept left-aligned: the next bit is bit 63.
    var buffer: UInt64 = 0
    var count: Int = 0
    /// Zero bytes fed after a marker or the end of data; they always sit at the tail of `buffer`.
    var paddingBytes: Int = 0
    var stopped = false

    init(base: UnsafePointer<UInt8>, end: Int, position: Int) {
        self.base = base; self.end = end; self.position = position
    }

    /// True when the decoder has used bits that the segment did not contain.
    var overran: Bool { count < paddingBytes &* 8 }

    /// Fills the buffer to at least 57 bits.
    @inline(__always)
    mutating func refill() {
        // Fast path: eight bytes without any 0xFF can be appended whole.
        if !stopped && position &+ 8 <= end {
            let raw = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
            let word = UInt64(bigEndian: raw)
            let inverted = ~word
            let hasFF = (inverted &- 0x0101_0101_0101_0101) & ~inverted & 0x8080_8080_8080_8080
            if hasFF == 0 {
                // Whole bytes that fit (1...7 since count <= 56), placed just below the bits already buffered.
                let take = (63 &- count) >> 3
                buffer |= (word >> UInt64(64 &- take &* 8)) &<< UInt64(64 &- count &- take &* 8)
                position &+= take
                count &+= take &* 8
                return
            }
        }
        refillSlow()
    }

    /// The slow refill works on copies of the fields and hands them back: were it given this value's address, a
    /// caller's local reader could not stay in registers through its decoding loop (its bit buffer and count would
    /// go through memory for every symbol).
    @inline(__always)
    mutating func refillSlow() {
        let state = JPEGBitReader.refilled(base: base, end: end, position: position, buffer: buffer, count: count,
                                           paddingBytes: paddingBytes, stopped: stopped)
        position = state.position; buffer = state.buffer; count = state.count
        paddingBytes = state.paddingBytes; stopped = state.stopped
    }

    @inline(never)
    static func refilled(base: UnsafePointer<UInt8>, end: Int, position: Int, buffer: UInt64, count: Int,
                         paddingBytes: Int, stopped: Bool)
        -> (position: Int, buffer: UInt64, count: Int, paddingBytes: Int, stopped: Bool) {
        var position = position, buffer = buffer, count = count, paddingBytes = paddingBytes, stopped = stopped
        while count <= 56 {
            var byte: UInt64 = 0
            if stopped || position >= end {
                stopped = true
                paddingBytes &+= 1
            } else {
                let b = base[position]
                if b != 0xFF {
                    byte = UInt64(b)
                    position &+= 1
                } else {
                    // 0xFF then fill 0xFFs then 0x00 is a data 0xFF; anything else is a marker.
                    var next = position &+ 1
                    while next < end && base[next] == 0xFF { next &+= 1 }
                    if next < end && base[next] == 0x00 {
                        byte = 0xFF
                        position = next &+ 1
                    } else {
                        stopped = true
                        paddingBytes &+= 1
                    }
                }
            }
            buffer |= byte &<< UInt64(56 &- count)
            count &+= 8
        }
        return (position, buffer, count, paddingBytes, stopped)
    }

    @inline(__always)
    func peek(_ n: Int) -> Int { Int(truncatingIfNeeded: buffer >> UInt64(64 &- n)) }

    @inline(__always)
    mutating func skip(_ n: Int) { buffer &<<= UInt64(n); count &-= n }

    /// Receives `n` (0...16) bits; the buffer must hold at least n bits.
    @inline(__always)
    mutating func bits(_ n: Int) -> Int {
        if n == 0 { return 0 }
        let v = peek(n)
        skip(n)
        return v
    }

    /// Decodes one Huffman symbol (F.2.2.3 with a lookahead table). Needs ≥ 16 bits in the buffer.
    @inline(__always)
    mutating func decode(_ t: JPEGHuffmanLookup) throws -> Int {
        let e = Int(t.lookahead[peek(JPEGHuffmanTable.lookaheadBits)])
        if e != 0 {
            skip(e >> 8)
            return e & 0xFF
        }
        return try decodeLong(t)
    }

    /// A code longer than the lookahead table (see `refillSlow` for why the search takes the buffer by value).
    @inline(__always)
    mutating func decodeLong(_ t: JPEGHuffmanLookup) throws -> Int {
        let found = JPEGBitReader.longCode(buffer, t)
        guard found >= 0 else { throw jpegError(.malformed, position, "invalid Huffman code") }
        skip(found >> 8)
        return found & 0xFF
    }

    /// The symbol of the code of 10...16 bits at the top of `buffer`, with its length × 256 added, or −1.
    @inline(never)
    static func longCode(_ buffer: UInt64, _ t: JPEGHuffmanLookup) -> Int {
        var length = JPEGHuffmanTable.lookaheadBits + 1
        while length <= 16 {
            let code = Int(truncatingIfNeeded: buffer >> UInt64(64 &- length))
            if Int32(code) <= t.maxCode[length] {
                let index = code &+ Int(t.valueOffset[length])
                guard index >= 0 && index < 256 else { return -1 }
                return Int(t.values[index]) | length << 8
            }
            length += 1
        }
        return -1
    }

    /// Receives and extends a coefficient of magnitude category `size` (F.2.2.1).
    @inline(__always)
    mutating func receiveExtend(_ size: Int) -> Int {
        if size == 0 { return 0 }
        return jpegExtend(bits(size), size)
    }

    /// Drops leftover bits and moves past the expected RSTn marker (F.2.2.3 / B.2.5 restart).
    mutating func restart() throws {
        if overran { throw overrunError() }
        buffer = 0; count = 0; paddingBytes = 0; stopped = false
        // Skip any leftover data bytes up to the marker (a valid stream has none).
        while position < end && base[position] != 0xFF { position += 1 }
        while position + 1 < end && base[position + 1] == 0xFF { position += 1 }
        guard position + 1 < end else { throw jpegError(.truncated, position, "data ends where a restart marker was expected") }
        let m = base[position + 1]
        guard m >= JPEGMarker.rst0 && m <= JPEGMarker.rst7 else {
            throw jpegError(.malformed, position, "expected a restart marker, found 0x" + String(m, radix: 16, uppercase: true))
        }
        position += 2
    }

    func overrunError() -> CodecError {
        if position >= end {
            return jpegError(.truncated, position, "entropy-coded data ends before the last block")
        }
        return jpegError(.malformed, position, "entropy-coded segment ends early (marker inside the scan data)")
    }
}
