import Glibc
import Raster

/// Forward DCT and quantization of 8×8 blocks (T.81 §A.3.3) in single precision, with the Arai–Agui–Nakajima
/// factorization (Trans. IEICE E-71(11), 1988): 5 multiplications per 8-point pass, its output scaled per
/// frequency by a factor that is folded into the quantizer reciprocals.
///
/// SIMD: a block is eight `SIMD8<Float>` rows. The row pass runs on the transposed block (lane = row) and the
/// column pass on the block transposed back (lane = column), so every coefficient sees exactly the operations, in
/// the order, of a scalar row-then-column transform: the output is the same to the bit as a per-sample one.
struct JPEGForwardDCT {
    typealias Row = SIMD8<Float>
    typealias Block = (Row, Row, Row, Row, Row, Row, Row, Row)
    typealias Half = SIMD4<Float>

    /// AAN output scale of frequency k: 1 for k = 0, √2·cos(kπ/16) otherwise.
    private static let aanScale: [Double] = (0..<8).map { k in k == 0 ? 1 : 2.0.squareRoot() * cos(Double(k) * Double.pi / 16) }

    /// For each natural position: 1 / (quantizer · AAN scale(u) · AAN scale(v) · 8), the 8 making the 2-D AAN
    /// output (8× the T.81 DCT after descaling) equal to the T.81 definition.
    let reciprocals: Block

    init(quantTable: [UInt16]) {
        var r = [Float](repeating: 0, count: 64)
        for natural in 0..<64 {
            let scale = Self.aanScale[natural / 8] * Self.aanScale[natural % 8] * 8
            r[natural] = Float(1 / (Double(quantTable[natural]) * scale))
        }
        func row(_ i: Int) -> Row { Row(r[(i * 8)..<(i * 8 + 8)]) }
        reciprocals = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
    }

    /// For row r of a block and the byte of its non-zero columns (bit c = column c), the zig-zag positions of those
    /// coefficients as a 64-bit mask: `rowMasks[r * 256 + byte]`.
    static let rowMasks: [UInt64] = {
        var zigzagOf = [Int](repeating: 0, count: 64)
        for (k, natural) in JPEGTables.zigzagToNatural.enumerated() { zigzagOf[natural] = k }
        var table = [UInt64](repeating: 0, count: 8 * 256)
        for row in 0..<8 {
            for byte in 0..<256 {
                for column in 0..<8 where byte >> column & 1 != 0 {
                    table[row * 256 + byte] |= 1 << UInt64(zigzagOf[row * 8 + column])
                }
            }
        }
        return table
    }()

    /// Transforms and quantizes the 8×8 samples at `samples` (rows `stride` apart), writing 64 coefficients in
    /// natural order to `out`. Division by the quantizer rounds to nearest, halves away from zero. Returns the
    /// mask of non-zero coefficients by zig-zag position (bit k = zig-zag position k), built with `rowMasks`.
    @inline(__always)
    func quantizeBlock(_ samples: UnsafePointer<UInt8>, stride: Int, into out: UnsafeMutablePointer<Int16>,
                       rowMasks: UnsafePointer<UInt64>) -> UInt64 {
        @inline(__always) func load(_ y: Int) -> Row {
            let bytes = UnsafeRawPointer(samples + y &* stride).loadUnaligned(as: SIMD8<UInt8>.self)
            let z: UInt8 = 0
            let words = unsafeBitCast(SIMD16<UInt8>(bytes[0], z, bytes[1], z, bytes[2], z, bytes[3], z,
                                                    bytes[4], z, bytes[5], z, bytes[6], z, bytes[7], z),
                                      to: SIMD8<UInt16>.self)
            let zw: UInt16 = 0
            let dwords = unsafeBitCast(SIMD16<UInt16>(words[0], zw, words[1], zw, words[2], zw, words[3], zw,
                                                      words[4], zw, words[5], zw, words[6], zw, words[7], zw),
                                       to: SIMD8<UInt32>.self)
            // 2^23 + sample as a float (the sample in the low mantissa bits), minus 2^23 + 128: exactly
            // Float(sample) − 128, without the stdlib's out-of-line lane conversion.
            return unsafeBitCast(dwords | 0x4B00_0000, to: Row.self) - 8_388_736
        }
        let rows: Block = (load(0), load(1), load(2), load(3), load(4), load(5), load(6), load(7))
        // Row pass on columns-as-vectors, column pass on rows-as-vectors, each as two independent 4-lane halves
        // (eight 4-lane vectors fit the sixteen SSE registers; the 8-lane block would not).
        let coefficients = Self.transformHalves(Self.transpose(Self.transformHalves(Self.transpose(rows))))
        var mask: UInt64 = 0
        @inline(__always) func store(_ v: Row, _ reciprocal: Row, _ y: Int) {
            let q = Self.roundHalfAwayFromZero(v * reciprocal)
            let narrow = unsafeBitCast(q, to: SIMD16<Int16>.self).evenHalf
            UnsafeMutableRawPointer(out + y &* 8).storeBytes(of: narrow, as: SIMD8<Int16>.self)
            // Non-zero lanes as 0xFF bytes, then one bit per byte (the multiply gathers byte i's low bit to bit i).
            let nonZero = (narrow | (0 &- narrow)) &>> 15
            let bytes = unsafeBitCast(unsafeBitCast(nonZero, to: SIMD16<UInt8>.self).evenHalf, to: UInt64.self)
            let byte = Int(truncatingIfNeeded: ((bytes & 0x0101_0101_0101_0101) &* 0x0102_0408_1020_4080) >> 56)
            mask |= rowMasks[y &* 256 &+ byte]
        }
        store(coefficients.0, reciprocals.0, 0); store(coefficients.1, reciprocals.1, 1)
        store(coefficients.2, reciprocals.2, 2); store(coefficients.3, reciprocals.3, 3)
        store(coefficients.4, reciprocals.4, 4); store(coefficients.5, reciprocals.5, 5)
        store(coefficients.6, reciprocals.6, 6); store(coefficients.7, reciprocals.7, 7)
        return mask
    }

    /// trunc(q ± ½) for |q| < 2^22, as `Int16(q < 0 ? q - 0.5 : q + 0.5)` does per sample: |q| + ½ (the same
    /// float sum, rounding being symmetric in sign) rounded by the 2^23 trick, stepped down where that rounded up,
    /// then given q's sign. Integer and float lane operations only (the stdlib's float-to-integer lane conversion
    /// is an out-of-line, range-checked loop).
    @inline(__always)
    static func roundHalfAwayFromZero(_ q: Row) -> SIMD8<Int32> {
        let bits = unsafeBitCast(q, to: SIMD8<Int32>.self)
        let magnitude = unsafeBitCast(bits & 0x7FFF_FFFF, to: Row.self) + 0.5
        let shifted = magnitude + 8_388_608
        let rounded = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B00_0000
        let roundedUp = unsafeBitCast(magnitude - (shifted - 8_388_608), to: SIMD8<Int32>.self) &>> 31
        let floor = rounded &+ roundedUp
        let sign = bits &>> 31
        return (floor ^ sign) &- sign
    }

    @inline(__always)
    private static func transpose(_ b: Block) -> Block {
        typealias Q = SIMD4<Float>
        @inline(__always) func t4(_ a: Q, _ b: Q, _ c: Q, _ d: Q) -> (Q, Q, Q, Q) {
            let t0 = Q(a[0], b[0], a[1], b[1]), t1 = Q(a[2], b[2], a[3], b[3])
            let t2 = Q(c[0], d[0], c[1], d[1]), t3 = Q(c[2], d[2], c[3], d[3])
            return (Q(t0[0], t0[1], t2[0], t2[1]), Q(t0[2], t0[3], t2[2], t2[3]),
                    Q(t1[0], t1[1], t3[0], t3[1]), Q(t1[2], t1[3], t3[2], t3[3]))
        }
        let ll = t4(b.0.lowHalf, b.1.lowHalf, b.2.lowHalf, b.3.lowHalf)
        let lh = t4(b.4.lowHalf, b.5.lowHalf, b.6.lowHalf, b.7.lowHalf)
        let hl = t4(b.0.highHalf, b.1.highHalf, b.2.highHalf, b.3.highHalf)
        let hh = t4(b.4.highHalf, b.5.highHalf, b.6.highHalf, b.7.highHalf)
        return (Row(lowHalf: ll.0, highHalf: lh.0), Row(lowHalf: ll.1, highHalf: lh.1),
                Row(lowHalf: ll.2, highHalf: lh.2), Row(lowHalf: ll.3, highHalf: lh.3),
                Row(lowHalf: hl.0, highHalf: hh.0), Row(lowHalf: hl.1, highHalf: hh.1),
                Row(lowHalf: hl.2, highHalf: hh.2), Row(lowHalf: hl.3, highHalf: hh.3))
    }

    /// `transform8` on lanes 0...3 of the eight vectors, then on lanes 4...7.
    @inline(__always)
    private static func transformHalves(_ d: Block) -> Block {
        let low = transform8((d.0.lowHalf, d.1.lowHalf, d.2.lowHalf, d.3.lowHalf,
                              d.4.lowHalf, d.5.lowHalf, d.6.lowHalf, d.7.lowHalf))
        let high = transform8((d.0.highHalf, d.1.highHalf, d.2.highHalf, d.3.highHalf,
                               d.4.highHalf, d.5.highHalf, d.6.highHalf, d.7.highHalf))
        return (Row(lowHalf: low.0, highHalf: high.0), Row(lowHalf: low.1, highHalf: high.1),
                Row(lowHalf: low.2, highHalf: high.2), Row(lowHalf: low.3, highHalf: high.3),
                Row(lowHalf: low.4, highHalf: high.4), Row(lowHalf: low.5, highHalf: high.5),
                Row(lowHalf: low.6, highHalf: high.6), Row(lowHalf: low.7, highHalf: high.7))
    }

    /// One 8-point AAN DCT across the eight vectors (lane-wise); outputs carry the AAN scale factors.
    @inline(__always)
    private static func transform8(_ d: (Half, Half, Half, Half, Half, Half, Half, Half))
        -> (Half, Half, Half, Half, Half, Half, Half, Half) {
        let s07 = d.0 + d.7, a07 = d.0 - d.7
        let s16 = d.1 + d.6, a16 = d.1 - d.6
        let s25 = d.2 + d.5, a25 = d.2 - d.5
        let s34 = d.3 + d.4, a34 = d.3 - d.4

        // Even half: a 4-point DCT of the sums.
        let e0 = s07 + s34, e3 = s07 - s34
        let e1 = s16 + s25, e2 = s16 - s25
        let rotated = (e2 + e3) * 0.707106781

        // Odd half: butterflies of the differences with one shared rotation.
        let o0 = a34 + a25, o1 = a25 + a16, o2 = a16 + a07
        let shared = (o0 - o2) * 0.382683433
        let r0 = 0.541196100 * o0 + shared
        let r2 = 1.306562965 * o2 + shared
        let r1 = o1 * 0.707106781
        let high = a07 + r1, low = a07 - r1
        return (e0 + e1, high + r2, e3 + rotated, low - r0, e0 - e1, low + r0, e3 - rotated, high - r2)
    }
}
