/// The token bools of a frame, row by row: the macroblock loop records them while it counts the statistics, and
/// the partition writer replays them once the frame's probabilities are chosen (so the token tree and its
/// contexts, RFC 6386 section 13, are walked once per frame, not twice). A bool is 16 bits: bit 15 its value,
/// bits 0–14 an index into the replay table, coefficient probabilities at 0..<1056 and fixed probability p at
/// 1056 + p. Each row's buffer belongs to the thread coding that row; rows grow independently.
final class VP8TokenRows: @unchecked Sendable {
    /// Most bools one macroblock can record: 25 blocks of 16 coefficients, each at most 7 tree bools, 11 extra
    /// bits and a sign, plus one end-of-block bool per block.
    static let maxPerMacroblock = 25 * (16 * 19 + 1)
    static let fixedBase = VP8Tokens.probabilityCount

    let rows: Int
    let columns: Int
    private let buffers: UnsafeMutablePointer<UnsafeMutablePointer<UInt16>?>
    private let capacities: UnsafeMutablePointer<Int>
    /// Per macroblock, where its bools end in its row's buffer (they start where the previous one's end).
    let ends: UnsafeMutablePointer<Int32>

    init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        buffers = .allocate(capacity: rows)
        buffers.initialize(repeating: nil, count: rows)
        capacities = .allocate(capacity: rows)
        capacities.initialize(repeating: 0, count: rows)
        ends = .allocate(capacity: rows * columns)
        ends.initialize(repeating: 0, count: rows * columns)
    }

    deinit {
        for r in 0..<rows { buffers[r]?.deallocate() }
        buffers.deallocate(); capacities.deallocate(); ends.deallocate()
    }

    /// Row `row`'s buffer with room for one more macroblock after its first `used` bools (grown when needed).
    func reserveMacroblock(row: Int, used: Int) -> UnsafeMutablePointer<UInt16> {
        if let b = buffers[row], capacities[row] - used >= VP8TokenRows.maxPerMacroblock { return b }
        let capacity = max(2 * capacities[row], used + VP8TokenRows.maxPerMacroblock, columns * 256)
        let grown = UnsafeMutablePointer<UInt16>.allocate(capacity: capacity)
        if let old = buffers[row] {
            grown.update(from: old, count: used)
            old.deallocate()
        }
        buffers[row] = grown
        capacities[row] = capacity
        return grown
    }

    func buffer(row: Int) -> UnsafePointer<UInt16>? { buffers[row].map { UnsafePointer($0) } }

    /// The replay table for `probabilities` (the frame's 1056 coefficient probabilities).
    static func replayTable(_ probabilities: [UInt8]) -> [UInt8] {
        probabilities + (0..<256).map { UInt8(truncatingIfNeeded: $0) }
    }
}

/// Counts, per coefficient probability, how often each branch was taken (`counts[2·index + bit]`), and records
/// every bool for the writer.
struct VP8TokenRecorder: VP8TokenSink {
    var counts: UnsafeMutablePointer<UInt32>
    var cursor: UnsafeMutablePointer<UInt16>
    @inline(__always) mutating func putCoefficientBit(_ bit: Bool, index: Int) {
        counts[2 &* index &+ (bit ? 1 : 0)] &+= 1
        cursor.pointee = UInt16(truncatingIfNeeded: index) | (bit ? 0x8000 : 0)
        cursor += 1
    }
    @inline(__always) mutating func putFixed(_ bit: Bool, _ probability: Int) {
        cursor.pointee = UInt16(truncatingIfNeeded: VP8TokenRows.fixedBase &+ probability) | (bit ? 0x8000 : 0)
        cursor += 1
    }
}

extension VP8BoolEncoder {
    /// Codes recorded bools with `table` (see `VP8TokenRows`).
    @inline(__always)
    mutating func replay(_ bools: UnsafePointer<UInt16>, count: Int, table: UnsafePointer<UInt8>) {
        for i in 0..<count {
            let t = bools[i]
            put(t & 0x8000 != 0, Int(table[Int(t & 0x7fff)]))
        }
    }
}
