import Glibc
import Raster

/// Forward DCT and quantization of 8×8 blocks (T.81 §A.3.3) in single precision, with the Arai–Agui–Nakajima
/// factorization (Trans. IEICE E-71(11), 1988): 5 multiplications per 8-point pass, its output scaled per
/// frequency by a factor that is folded into the quantizer reciprocals.
///
/// SIMD: a block is sixteen 4-lane vectors (each row's columns 0–3 and 4–7). The row pass runs on the transposed
/// block (lane = row) and the column pass on the block transposed back (lane = column), so every coefficient sees
/// exactly the operations, in the order, of a scalar row-then-column transform: the output is the same to the bit
/// as a per-sample one (`JPEGEncoderTests.testForwardDCTMatchesScalarReference`).
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
    ///
    /// In four phases of at most sixteen live 4-lane vectors (the SSE register file), with `scratch` (16 vectors)
    /// between them: the row pass of rows 0–3, then of rows 4–7 (each: load, transpose, transform, transpose back),
    /// then the column pass and quantization of columns 0–3, then of columns 4–7.
    @inline(__always)
    func quantizeBlock(_ samples: UnsafePointer<UInt8>, stride: Int, into out: UnsafeMutablePointer<Int16>,
                       rowMasks: UnsafePointer<UInt64>, scratch: UnsafeMutablePointer<Half>) -> UInt64 {
        /// Row y as two 4-lane halves of Float(sample) − 128.
        @inline(__always) func load(_ y: Int) -> (Half, Half) {
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
            let row = unsafeBitCast(dwords | 0x4B00_0000, to: Row.self) - 8_388_736
            return (row.lowHalf, row.highHalf)
        }
        /// Row pass of rows r...r+3: columns as vectors (lane = row), transformed, transposed back to rows (lane =
        /// frequency) and stored as scratch[2y] (frequencies 0–3) and scratch[2y + 1] (4–7).
        @inline(__always) func rowPass(_ r: Int) {
            let (a0, b0) = load(r), (a1, b1) = load(r &+ 1), (a2, b2) = load(r &+ 2), (a3, b3) = load(r &+ 3)
            let low = Self.transpose4(a0, a1, a2, a3), high = Self.transpose4(b0, b1, b2, b3)
            let u = Self.transform8((low.0, low.1, low.2, low.3, high.0, high.1, high.2, high.3))
            let v0 = Self.transpose4(u.0, u.1, u.2, u.3), v1 = Self.transpose4(u.4, u.5, u.6, u.7)
            let base = scratch + 2 &* r
            base[0] = v0.0; base[1] = v1.0; base[2] = v0.1; base[3] = v1.1
            base[4] = v0.2; base[5] = v1.2; base[6] = v0.3; base[7] = v1.3
        }
        rowPass(0)
        rowPass(4)
        /// Column pass of columns 4h...4h+3 (lane = column), quantized and stored.
        @inline(__always) func columnPass(_ h: Int, _ r: (Half, Half, Half, Half, Half, Half, Half, Half)) {
            let s = scratch + h
            let w = Self.transform8((s[0], s[2], s[4], s[6], s[8], s[10], s[12], s[14]))
            @inline(__always) func put(_ v: Half, _ reciprocal: Half, _ y: Int) {
                let q = Self.roundHalfAwayFromZero(v * reciprocal)
                UnsafeMutableRawPointer(out + (y &* 8 &+ 4 &* h))
                    .storeBytes(of: unsafeBitCast(q, to: SIMD8<Int16>.self).evenHalf, as: SIMD4<Int16>.self)
            }
            put(w.0, r.0, 0); put(w.1, r.1, 1); put(w.2, r.2, 2); put(w.3, r.3, 3)
            put(w.4, r.4, 4); put(w.5, r.5, 5); put(w.6, r.6, 6); put(w.7, r.7, 7)
        }
        let q = reciprocals
        columnPass(0, (q.0.lowHalf, q.1.lowHalf, q.2.lowHalf, q.3.lowHalf, q.4.lowHalf, q.5.lowHalf, q.6.lowHalf, q.7.lowHalf))
        columnPass(1, (q.0.highHalf, q.1.highHalf, q.2.highHalf, q.3.highHalf,
                       q.4.highHalf, q.5.highHalf, q.6.highHalf, q.7.highHalf))
        var mask: UInt64 = 0
        for y in 0..<8 {
            let row = UnsafeRawPointer(out + y &* 8).loadUnaligned(as: SIMD8<Int16>.self)
            // Non-zero lanes as 0xFF bytes, then one bit per byte (the multiply gathers byte i's low bit to bit i).
            let nonZero = (row | (0 &- row)) &>> 15
            let bytes = unsafeBitCast(unsafeBitCast(nonZero, to: SIMD16<UInt8>.self).evenHalf, to: UInt64.self)
            let byte = Int(truncatingIfNeeded: ((bytes & 0x0101_0101_0101_0101) &* 0x0102_0408_1020_4080) >> 56)
            mask |= rowMasks[y &* 256 &+ byte]
        }
        return mask
    }

    /// trunc(q ± ½) for |q| < 2^22, as `Int16(q < 0 ? q - 0.5 : q + 0.5)` does per sample: |q| + ½ (the same
    /// float sum, rounding being symmetric in sign) rounded by the 2^23 trick, stepped down where that rounded up,
    /// then given q's sign. Integer and float lane operations only (the stdlib's float-to-integer lane conversion
    /// is an out-of-line, range-checked loop).
    @inline(__always)
    static func roundHalfAwayFromZero(_ q: Half) -> SIMD4<Int32> {
        let bits = unsafeBitCast(q, to: SIMD4<Int32>.self)
        let magnitude = unsafeBitCast(bits & 0x7FFF_FFFF, to: Half.self) + 0.5
        let shifted = magnitude + 8_388_608
        let rounded = unsafeBitCast(shifted, to: SIMD4<Int32>.self) &- 0x4B00_0000
        let roundedUp = unsafeBitCast(magnitude - (shifted - 8_388_608), to: SIMD4<Int32>.self) &>> 31
        let floor = rounded &+ roundedUp
        let sign = bits &>> 31
        return (floor ^ sign) &- sign
    }

    /// 4×4 transpose (`unpcklps`/`unpckhps`, `movlhps`/`movhlps`).
    @inline(__always)
    private static func transpose4(_ a: Half, _ b: Half, _ c: Half, _ d: Half) -> (Half, Half, Half, Half) {
        let t0 = Half(a[0], b[0], a[1], b[1]), t1 = Half(a[2], b[2], a[3], b[3])
        let t2 = Half(c[0], d[0], c[1], d[1]), t3 = Half(c[2], d[2], c[3], d[3])
        return (Half(t0[0], t0[1], t2[0], t2[1]), Half(t0[2], t0[3], t2[2], t2[3]),
                Half(t1[0], t1[1], t3[0], t3[1]), Half(t1[2], t1[3], t3[2], t3[3]))
    }

    /// One 8-point AAN DCT across the eight vectors (lane-wise); outputs carry the AAN scale factors.
    /// Not inlined: inlined after the transposes, the optimiser turned the butterflies into scalar single-lane
    /// arithmetic on shuffled-out lanes (`addss`/`mulss`, ~60 % more instructions per block); as a call it stays
    /// eight 4-lane vectors in, eight out.
    @inline(never)
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
