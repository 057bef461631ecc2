/// The inverse transforms of RFC 6386 section 14: the Walsh-Hadamard transform of the luma DC values (14.3) and
/// the 4x4 inverse DCT (14.4), in the exact integer arithmetic of the reference decoder (vertical pass first,
/// 20091/65536 and 35468/65536 as sqrt(2)·cos(π/8) - 1 and sqrt(2)·sin(π/8), rounding by 4 then >> 3 at the end).
/// Results are added to the prediction in the work buffer (row stride `VP8WorkBuffer.stride`) and saturated.
enum VP8InverseTransform {
    @inline(__always) static func mul1(_ a: Int32) -> Int32 { ((a &* 20091) &>> 16) &+ a }
    @inline(__always) static func mul2(_ a: Int32) -> Int32 { (a &* 35468) &>> 16 }

    @inline(__always)
    static func clampAdd(_ pixel: UInt8, _ v: Int32) -> UInt8 {
        let s = Int32(pixel) &+ v
        return UInt8(truncatingIfNeeded: s < 0 ? 0 : (s > 255 ? 255 : s))
    }

    /// Full inverse DCT of `input` (natural order) added to the 4x4 block at `dst`.
    @inline(__always)
    static func addIDCT(_ input: UnsafePointer<Int16>, _ dst: UnsafeMutablePointer<UInt8>) {
        let stride = VP8WorkBuffer.stride
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 16) { tmpBuffer in
            let tmp = tmpBuffer.baseAddress!
            for i in 0..<4 {
                let i0 = Int32(input[i]), i4 = Int32(input[4 + i]), i8 = Int32(input[8 + i]), i12 = Int32(input[12 + i])
                let a = i0 &+ i8, b = i0 &- i8
                let c = mul2(i4) &- mul1(i12), d = mul1(i4) &+ mul2(i12)
                tmp[4 * i] = a &+ d
                tmp[4 * i + 1] = b &+ c
                tmp[4 * i + 2] = b &- c
                tmp[4 * i + 3] = a &- d
            }
            for i in 0..<4 {
                let dc = tmp[i] &+ 4
                let a = dc &+ tmp[8 + i], b = dc &- tmp[8 + i]
                let c = mul2(tmp[4 + i]) &- mul1(tmp[12 + i]), d = mul1(tmp[4 + i]) &+ mul2(tmp[12 + i])
                let row = dst + i * stride
                row[0] = clampAdd(row[0], (a &+ d) &>> 3)
                row[1] = clampAdd(row[1], (b &+ c) &>> 3)
                row[2] = clampAdd(row[2], (b &- c) &>> 3)
                row[3] = clampAdd(row[3], (a &- d) &>> 3)
            }
        }
    }

    /// The inverse DCT of a block whose only non-zero coefficient is the DC: every pixel gets (DC + 4) >> 3.
    @inline(__always)
    static func addDC(_ input: UnsafePointer<Int16>, _ dst: UnsafeMutablePointer<UInt8>) {
        let v = (Int32(input[0]) &+ 4) &>> 3
        for r in 0..<4 {
            let row = dst + r * VP8WorkBuffer.stride
            row[0] = clampAdd(row[0], v); row[1] = clampAdd(row[1], v)
            row[2] = clampAdd(row[2], v); row[3] = clampAdd(row[3], v)
        }
    }

    /// Section 14.3: the inverse WHT of the Y2 block; output i goes to the DC position of luma block i
    /// (`out[16 * i]`).
    static func inverseWHT(_ input: UnsafePointer<Int16>, _ out: UnsafeMutablePointer<Int16>) {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 16) { tmpBuffer in
            let tmp = tmpBuffer.baseAddress!
            for i in 0..<4 {
                let a0 = Int32(input[i]) &+ Int32(input[12 + i]), a1 = Int32(input[4 + i]) &+ Int32(input[8 + i])
                let a2 = Int32(input[4 + i]) &- Int32(input[8 + i]), a3 = Int32(input[i]) &- Int32(input[12 + i])
                tmp[i] = a0 &+ a1
                tmp[8 + i] = a0 &- a1
                tmp[4 + i] = a3 &+ a2
                tmp[12 + i] = a3 &- a2
            }
            for i in 0..<4 {
                let dc = tmp[4 * i] &+ 3
                let a0 = dc &+ tmp[4 * i + 3], a1 = tmp[4 * i + 1] &+ tmp[4 * i + 2]
                let a2 = tmp[4 * i + 1] &- tmp[4 * i + 2], a3 = dc &- tmp[4 * i + 3]
                out[64 * i] = Int16(truncatingIfNeeded: (a0 &+ a1) &>> 3)
                out[64 * i + 16] = Int16(truncatingIfNeeded: (a3 &+ a2) &>> 3)
                out[64 * i + 32] = Int16(truncatingIfNeeded: (a0 &- a1) &>> 3)
                out[64 * i + 48] = Int16(truncatingIfNeeded: (a3 &- a2) &>> 3)
            }
        }
    }
}
