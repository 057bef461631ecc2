/// The bit writer of JPEG entropy-coded segments (T.81 §F.1.2.3): codes are packed most significant bit first into
/// a 64-bit buffer, which goes out eight bytes at a time; only a word that holds a 0xFF byte takes the byte-by-byte
/// path that stuffs a zero after it. The output grows in chunks checked once per block (`reserve`), not per byte.
///
/// Without `stuffing` it writes the plain bit string instead: a band of MCU rows coded on another thread, which
/// `append(_:)` later splices into the stuffed segment at any bit position.
struct JPEGEntropyWriter: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0
    /// Pending bits, right-aligned; `free` = 64 − their number.
    private var buffer: UInt64 = 0
    private var free = 64
    private let stuffing: Bool

    /// A coded band without stuffing: whole bytes, then `bitCount` (< 8) more bits, right-aligned in `bits`.
    struct Piece {
        var bytes: [UInt8]
        var bits: UInt64
        var bitCount: Int
    }

    init(capacity: Int, stuffing: Bool = true) {
        self.capacity = max(capacity, 4096)
        self.stuffing = stuffing
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// Makes room for at least `bytes` more output bytes (callers ask once per block: 64 symbols of at most 32
    /// bits, doubled by stuffing, fit in 520).
    @inline(__always)
    mutating func reserve(_ bytes: Int) {
        if count + bytes + 16 > capacity { grow(count + bytes + 16) }
    }

    private mutating func grow(_ needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity = newCapacity
    }

    /// Appends the low `n` bits of `value` (1 ≤ n ≤ 32; no bits set above them).
    @inline(__always)
    mutating func put(_ value: UInt64, _ n: Int) {
        if n <= free {
            buffer = buffer << UInt64(n) | value
            free &-= n
        } else {
            putAcrossWord(value, n)
        }
    }

    /// `put` when the bits do not fit the word: once per 64 bits, kept out of line.
    @inline(never)
    private mutating func putAcrossWord(_ value: UInt64, _ n: Int) {
        // Fill the word with the high part, send it, keep the rest (bits above it leave the word before the next
        // flush, as the buffer shifts left by the 64 − rest bits that fill it).
        let rest = n &- free
        let word = free == 0 ? buffer : buffer << UInt64(free) | value >> UInt64(rest)
        flushWord(word)
        buffer = value
        free = 64 &- rest
    }

    @inline(__always)
    private mutating func flushWord(_ word: UInt64) {
        // A byte is 0xFF where its complement is 0 (the classic zero-byte test on ~word).
        let inverted = ~word
        if !stuffing || (inverted &- 0x0101_0101_0101_0101) & ~inverted & 0x8080_8080_8080_8080 == 0 {
            UnsafeMutableRawPointer(storage + count).storeBytes(of: word.bigEndian, as: UInt64.self)
            count &+= 8
            return
        }
        for shift in stride(from: 56, through: 0, by: -8) {
            let byte = UInt8(truncatingIfNeeded: word >> UInt64(shift))
            storage[count] = byte
            count &+= 1
            if byte == 0xFF { storage[count] = 0; count &+= 1 }
        }
    }

    /// Appends a piece coded without stuffing: its bytes as 32-bit groups, then its last bits.
    mutating func append(_ piece: Piece) {
        piece.bytes.withUnsafeBufferPointer { bytes in
            let raw = UnsafeRawPointer(bytes.baseAddress!)
            var i = 0
            while i + 4 <= bytes.count {
                reserve(16)
                put(UInt64(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self))), 32)
                i += 4
            }
            reserve(16)
            while i < bytes.count { put(UInt64(bytes[i]), 8); i += 1 }
        }
        if piece.bitCount > 0 { put(piece.bits, piece.bitCount) }
    }

    /// The bits written so far, not padded (for a writer without stuffing).
    consuming func finishPiece() -> Piece {
        reserve(16)
        var pending = 64 - free
        while pending >= 8 {
            pending -= 8
            storage[count] = UInt8(truncatingIfNeeded: buffer >> UInt64(pending))
            count += 1
        }
        return Piece(bytes: Array(UnsafeBufferPointer(start: storage, count: count)),
                     bits: buffer & ((1 << UInt64(pending)) - 1), bitCount: pending)
    }

    /// Sends the pending bits, padded with 1 bits to a byte boundary (T.81 §F.1.2.3), and returns the bytes.
    consuming func finish() -> [UInt8] {
        reserve(32)
        var pending = 64 - free
        var bits = buffer
        if pending % 8 != 0 {
            let pad = 8 - pending % 8
            bits = bits << UInt64(pad) | ((1 << UInt64(pad)) - 1)
            pending += pad
        }
        while pending > 0 {
            pending -= 8
            let byte = UInt8(truncatingIfNeeded: bits >> UInt64(pending))
            storage[count] = byte
            count += 1
            if byte == 0xFF { storage[count] = 0; count += 1 }
        }
        return Array(UnsafeBufferPointer(start: storage, count: count))
    }
}
