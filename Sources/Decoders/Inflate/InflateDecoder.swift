import Raster

/// Thrown internally when a stream produces more bytes than the output buffer holds; the public API either grows
/// the buffer and retries, or reports it as a limit / malformed-size error.
struct InflateOutputFull: Error {}

/// The deflate block decoder (RFC 1951). Works on raw pointers handed in by `Inflate`, which validates the
/// buffers once; the inner loops then run without bounds checks on the output or tables. Input reads past the
/// end feed zero bits and are counted, so a truncated stream is reported instead of read out of bounds.
struct InflateDecoder {
    private let input: UnsafePointer<UInt8>
    private let inputCount: Int
    private var inPos = 0
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    /// Zero bytes fed after the end of the input.
    private var overrun = 0
    private let out: UnsafeMutablePointer<UInt8>
    private let outCapacity: Int
    private(set) var outPos = 0
    private var literalTable = HuffmanDecodeTable(primaryBits: 10, maxSymbols: 288)
    private var distanceTable = HuffmanDecodeTable(primaryBits: 8, maxSymbols: 32)
    private var fixedTablesLoaded = false

    static let literalPrimaryBits = 10
    static let distancePrimaryBits = 8

    init(input: UnsafePointer<UInt8>, inputCount: Int, inputStart: Int,
         output: UnsafeMutablePointer<UInt8>, outputCapacity: Int) {
        self.input = input
        self.inputCount = inputCount
        self.inPos = inputStart
        self.out = output
        self.outCapacity = outputCapacity
    }

    /// Byte offset in the input of the next unread bit (for error messages).
    var position: Int { inPos - bitCount / 8 }

    private func error(_ kind: CodecError.Kind, _ message: String) -> CodecError {
        CodecError(codec: "inflate", kind: kind, offset: max(0, min(position, inputCount)), message: message)
    }

    // MARK: bit input

    /// Tops the bit buffer up to at least 56 bits.
    @inline(__always)
    private mutating func refill() throws {
        if inPos + 8 <= inputCount {
            let word = UInt64(littleEndian: UnsafeRawPointer(input + inPos).loadUnaligned(as: UInt64.self))
            bitBuffer |= word << UInt64(bitCount)
            inPos += (63 - bitCount) >> 3
            bitCount |= 56
        } else {
            try refillNearEnd()
        }
    }

    private mutating func refillNearEnd() throws {
        bitBuffer &= bitCount == 0 ? 0 : (UInt64.max >> UInt64(64 - bitCount))
        while bitCount <= 56 {
            if inPos < inputCount {
                bitBuffer |= UInt64(input[inPos]) << UInt64(bitCount)
                inPos += 1
            } else {
                overrun += 1
                // Each refill adds at most 8 padding bytes and every decode step consumes bits, so a stream that
                // keeps reading past its end is stopped here.
                if overrun > 16 { throw error(.truncated, "deflate stream ends prematurely") }
            }
            bitCount += 8
        }
    }

    @inline(__always)
    private mutating func bits(_ n: Int) throws -> Int {
        if bitCount < n { try refill() }
        let v = Int(truncatingIfNeeded: bitBuffer & ((1 << UInt64(n)) - 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return v
    }

    /// Drops the bits up to the next byte boundary and hands the whole bytes still buffered back to the input,
    /// so stored blocks and the zlib trailer can be read directly. Fails when padding past the end was consumed.
    mutating func alignToByte() throws {
        let drop = bitCount & 7
        bitBuffer >>= UInt64(drop)
        bitCount -= drop
        let buffered = bitCount / 8
        guard buffered >= overrun else { throw error(.truncated, "deflate stream ends prematurely") }
        inPos -= buffered - overrun
        overrun = 0
        bitBuffer = 0
        bitCount = 0
    }

    /// Byte offset after `alignToByte()`.
    var alignedInputPosition: Int { inPos }

    // MARK: blocks

    /// Decodes blocks until the one marked final has been decoded (RFC 1951 §3.2.3).
    mutating func decodeStream() throws {
        var final = false
        while !final {
            try Job.checkpoint()
            final = try bits(1) == 1
            switch try bits(2) {
            case 0: try storedBlock()
            case 1:
                try loadFixedTables()
                try huffmanBlock()
            case 2:
                try loadDynamicTables()
                fixedTablesLoaded = false
                try huffmanBlock()
            default:
                throw error(.malformed, "invalid deflate block type 3")
            }
        }
    }

    /// RFC 1951 §3.2.4: LEN and its one's complement NLEN, then LEN raw bytes.
    private mutating func storedBlock() throws {
        try alignToByte()
        guard inPos + 4 <= inputCount else { throw error(.truncated, "stored block header cut off") }
        let len = Int(input[inPos]) | Int(input[inPos + 1]) << 8
        let nlen = Int(input[inPos + 2]) | Int(input[inPos + 3]) << 8
        guard len == nlen ^ 0xFFFF else { throw error(.malformed, "stored block length \(len) does not match its complement") }
        inPos += 4
        guard inPos + len <= inputCount else { throw error(.truncated, "stored block of \(len) bytes cut off") }
        guard outPos + len <= outCapacity else {
            // Fill the output completely before reporting that it is full (callers may accept excess data).
            (out + outPos).update(from: input + inPos, count: outCapacity - outPos)
            outPos = outCapacity
            throw InflateOutputFull()
        }
        (out + outPos).update(from: input + inPos, count: len)
        inPos += len
        outPos += len
    }

    private mutating func loadFixedTables() throws {
        if fixedTablesLoaded { return }
        let offset = position
        try InflateTables.fixedLiteralLengths.withUnsafeBufferPointer { l in
            try InflateTables.literalLengthInfo.withUnsafeBufferPointer { i in
                try literalTable.build(lengths: l.baseAddress!, count: 288, info: i.baseAddress!, offset: offset,
                                       pairLiterals: true)
            }
        }
        try InflateTables.fixedDistanceLengths.withUnsafeBufferPointer { l in
            try InflateTables.distanceInfo.withUnsafeBufferPointer { i in
                try distanceTable.build(lengths: l.baseAddress!, count: 32, info: i.baseAddress!, offset: offset)
            }
        }
        fixedTablesLoaded = true
    }

    /// RFC 1951 §3.2.7: the code lengths of both codes, themselves Huffman-coded with the code-length code.
    private mutating func loadDynamicTables() throws {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw error(.malformed, "dynamic block declares \(literalCount) literal/length and \(distanceCount) distance codes")
        }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount {
            codeLengthLengths[InflateTables.codeLengthOrder[i]] = UInt8(try bits(3))
        }
        var codeLengthTable = HuffmanDecodeTable(primaryBits: 7, maxSymbols: 19)
        let offset = position
        try codeLengthLengths.withUnsafeBufferPointer { l in
            try InflateTables.codeLengthInfo.withUnsafeBufferPointer { i in
                try codeLengthTable.build(lengths: l.baseAddress!, count: 19, info: i.baseAddress!, offset: offset)
            }
        }
        let total = literalCount + distanceCount
        var lengths = [UInt8](repeating: 0, count: total)
        var i = 0
        while i < total {
            if bitCount < 16 { try refill() }
            let e = codeLengthTable.entries[Int(bitBuffer & 0x7F)]
            if e & HuffmanEntry.invalid != 0 { throw error(.malformed, "invalid code-length code") }
            let n = Int(e & HuffmanEntry.lengthMask)
            bitBuffer >>= UInt64(n)
            bitCount -= n
            let symbol = HuffmanEntry.value(e)
            if symbol < 16 {
                lengths[i] = UInt8(symbol)
                i += 1
                continue
            }
            var value: UInt8 = 0
            let repeatCount: Int
            switch symbol {
            case 16:
                guard i > 0 else { throw error(.malformed, "code length repeat with no previous length") }
                value = lengths[i - 1]
                repeatCount = 3 + (try bits(2))
            case 17: repeatCount = 3 + (try bits(3))
            default: repeatCount = 11 + (try bits(7))
            }
            guard i + repeatCount <= total else { throw error(.malformed, "code length repeat runs past the end") }
            for k in 0..<repeatCount { lengths[i + k] = value }
            i += repeatCount
        }
        guard lengths[256] != 0 else { throw error(.malformed, "dynamic block has no end-of-block code") }
        let offset2 = position
        try lengths.withUnsafeBufferPointer { l in
            try InflateTables.literalLengthInfo.withUnsafeBufferPointer { info in
                try literalTable.build(lengths: l.baseAddress!, count: literalCount, info: info.baseAddress!,
                                       offset: offset2, pairLiterals: true)
            }
            try InflateTables.distanceInfo.withUnsafeBufferPointer { info in
                try distanceTable.build(lengths: l.baseAddress! + literalCount, count: distanceCount,
                                        info: info.baseAddress!, offset: offset2)
            }
        }
    }

    /// Decodes one Huffman-coded block with the current tables: the hot loop of PNG decoding.
    private mutating func huffmanBlock() throws {
        let literalEntries = literalTable.entries
        let distanceEntries = distanceTable.entries
        try literalEntries.withUnsafeBufferPointer { lp in
            try distanceEntries.withUnsafeBufferPointer { dp in
                try huffmanBlock(literals: lp.baseAddress!, distances: dp.baseAddress!)
            }
        }
    }

    private mutating func huffmanBlock(literals: UnsafePointer<UInt32>, distances: UnsafePointer<UInt32>) throws {
        let literalMask: UInt64 = (1 << UInt64(Self.literalPrimaryBits)) - 1
        let distanceMask: UInt64 = (1 << UInt64(Self.distancePrimaryBits)) - 1
        // Matches starting before this point may copy in 8-byte steps and overshoot by up to 7 bytes.
        let fastOutputEnd = outCapacity - 258 - 8
        let fastInputEnd = inputCount - 8
        let out = self.out, input = self.input
        // The bit buffer lives in locals (registers) in this loop and is written back on every exit.
        var op = outPos
        var bits = bitBuffer
        var count = bitCount
        var ip = inPos
        defer { outPos = op; bitBuffer = bits; bitCount = count; inPos = ip }
        @inline(__always) func consume(_ n: Int) {
            bits &>>= UInt64(truncatingIfNeeded: n)
            count &-= n
        }
        @inline(__always) func literal(_ e: UInt32) throws {
            consume(Int(truncatingIfNeeded: e & HuffmanEntry.lengthMask))
            guard op < outCapacity else { throw InflateOutputFull() }
            out[op] = UInt8(truncatingIfNeeded: e >> 16)
            op &+= 1
            if e & HuffmanEntry.literalPair != 0 {
                guard op < outCapacity else { throw InflateOutputFull() }
                out[op] = UInt8(truncatingIfNeeded: e >> 24)
                op &+= 1
            }
        }
        while true {
            // 48 bits cover the longest length code with extras plus the longest distance code with extras.
            if count < 48 {
                if ip <= fastInputEnd {
                    let word = UInt64(littleEndian: UnsafeRawPointer(input + ip).loadUnaligned(as: UInt64.self))
                    bits |= word &<< UInt64(truncatingIfNeeded: count)
                    ip &+= (63 &- count) &>> 3
                    count |= 56
                } else {
                    bitBuffer = bits; bitCount = count; inPos = ip
                    try refillNearEnd()
                    bits = bitBuffer; count = bitCount; ip = inPos
                }
            }
            var e = literals[Int(truncatingIfNeeded: bits & literalMask)]
            if e & HuffmanEntry.literal != 0 {
                // Up to two literals per refill: 48 bits hold two 15-bit codes.
                try literal(e)
                e = literals[Int(truncatingIfNeeded: bits & literalMask)]
                if e & HuffmanEntry.literal != 0 {
                    try literal(e)
                    continue
                }
                if count < 48 { continue }
            }
            if e & HuffmanEntry.special != 0 {
                if e & HuffmanEntry.pointer != 0 {
                    consume(Self.literalPrimaryBits)
                    e = literals[HuffmanEntry.value(e) &+ Int(truncatingIfNeeded: bits & ((1 &<< UInt64(HuffmanEntry.extraBits(e))) &- 1))]
                }
                if e & HuffmanEntry.invalid != 0 { throw error(.malformed, "invalid literal/length code") }
                if e & HuffmanEntry.endOfBlock != 0 {
                    consume(Int(truncatingIfNeeded: e & HuffmanEntry.lengthMask))
                    return
                }
                if e & HuffmanEntry.literal != 0 {
                    try literal(e)
                    continue
                }
            }
            consume(Int(truncatingIfNeeded: e & HuffmanEntry.lengthMask))
            let lengthExtra = UInt64(HuffmanEntry.extraBits(e))
            let length = HuffmanEntry.value(e) &+ Int(truncatingIfNeeded: bits & ((1 &<< lengthExtra) &- 1))
            consume(Int(truncatingIfNeeded: lengthExtra))

            var d = distances[Int(truncatingIfNeeded: bits & distanceMask)]
            if d & HuffmanEntry.pointer != 0 {
                consume(Self.distancePrimaryBits)
                d = distances[HuffmanEntry.value(d) &+ Int(truncatingIfNeeded: bits & ((1 &<< UInt64(HuffmanEntry.extraBits(d))) &- 1))]
            }
            if d & HuffmanEntry.invalid != 0 { throw error(.malformed, "invalid distance code") }
            consume(Int(truncatingIfNeeded: d & HuffmanEntry.lengthMask))
            let distanceExtra = UInt64(HuffmanEntry.extraBits(d))
            let distance = HuffmanEntry.value(d) &+ Int(truncatingIfNeeded: bits & ((1 &<< distanceExtra) &- 1))
            consume(Int(truncatingIfNeeded: distanceExtra))
            guard distance <= op else { throw error(.malformed, "distance \(distance) reaches before the start of the output") }

            let dst = out + op
            let src = dst - distance
            if op <= fastOutputEnd {
                if distance >= 8 {
                    var s = UnsafeRawPointer(src)
                    var t = UnsafeMutableRawPointer(dst)
                    let end = t + length
                    repeat {
                        t.storeBytes(of: s.loadUnaligned(as: UInt64.self), as: UInt64.self)
                        s += 8
                        t += 8
                    } while t < end
                } else if distance == 1 {
                    dst.update(repeating: src.pointee, count: length)
                } else {
                    for k in 0..<length { dst[k] = src[k] }
                }
            } else {
                let fits = min(length, outCapacity - op)
                for k in 0..<fits { dst[k] = src[k] }
                guard fits == length else {
                    op = outCapacity
                    throw InflateOutputFull()
                }
            }
            op &+= length
        }
    }
}
