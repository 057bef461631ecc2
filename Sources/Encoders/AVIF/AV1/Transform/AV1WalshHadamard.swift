/// The 4x4 Walsh-Hadamard transform of AV1's lossless mode (Lossless = 1: base_q_idx 0 and no delta q, §5.9.2).
///
/// Every transform block is then 4x4 and the decoder reconstructs it with the inverse WHT of §7.13.2.10: rows
/// first on Dequant (= level * 4, since Dc_Qlookup[0] = Ac_Qlookup[0] = 4) with a pre-shift of 2, then columns
/// with no pre-shift; rowShift and colShift are 0 (§7.13.3). The inverse is a chain of integer lifting steps, so
/// the forward transform here undoes those steps in reverse order: the spec's inverse of its output is the
/// residual exactly, for any residual a lossless encoder can meet.
enum AV1WalshHadamard {
    /// Dequantisation factor at qindex 0 (Dc_Qlookup[0][0] = Ac_Qlookup[0][0] = 4, §7.12.2).
    static let losslessQuantizer: Int32 = 4

    /// Inverse WHT of §7.13.2.10 on t[0], t[s], t[2s], t[3s] in place, with the given pre-shift.
    @inline(__always)
    static func inverse1D(_ t: UnsafeMutablePointer<Int32>, stride s: Int, shift: Int32) {
        var a = t[0] >> shift
        var c = t[s] >> shift
        var d = t[2 * s] >> shift
        var b = t[3 * s] >> shift
        a += c
        d -= b
        let e = (a - d) >> 1
        b = e - b
        c = e - c
        a -= b
        d += c
        t[0] = a; t[s] = b; t[2 * s] = c; t[3 * s] = d
    }

    /// The lifting steps of `inverse1D` (shift 0) undone in reverse order: returns the input whose inverse is
    /// t[0], t[s], t[2s], t[3s].
    @inline(__always)
    static func forward1D(_ t: UnsafeMutablePointer<Int32>, stride s: Int) {
        let x0 = t[0], x1 = t[s], x2 = t[2 * s], x3 = t[3 * s]
        let a = x0 + x1           // `a` before `a -= b`
        let d = x3 - x2           // `d` before `d += c`
        let e = (a - d) >> 1
        let b = e - x1            // from b' = e - b
        let c = e - x2            // from c' = e - c
        t[0] = a - c              // from a += c
        t[s] = c
        t[2 * s] = d + b          // from d -= b
        t[3 * s] = b
    }

    /// Levels (Quant, row-major 4x4, row = vertical frequency) whose lossless reconstruction is `residual`.
    /// The decoder's row pass consumes Dequant >> 2 = level, so levels are the row-inverse of the intermediate.
    static func forward4x4(_ residual: UnsafePointer<Int32>, levels: UnsafeMutablePointer<Int32>) {
        for k in 0..<16 { levels[k] = residual[k] }
        for j in 0..<4 { forward1D(levels + j, stride: 4) }     // undo the column pass
        for i in 0..<4 { forward1D(levels + 4 * i, stride: 1) } // undo the row pass
    }

    /// The decoder's reconstruction (§7.12.3 steps 1–2 with Lossless = 1): dequantise at qindex 0, rows with
    /// shift 2, clamp to colClampRange (16 bits at 8-bit depth), columns with shift 0.
    static func inverse4x4(_ levels: UnsafePointer<Int32>, residual: UnsafeMutablePointer<Int32>) {
        let limit = Int32(1) << 15
        for k in 0..<16 {
            let dq = Int(levels[k]) * Int(losslessQuantizer)
            let dq2 = dq < 0 ? -((-dq) & 0xFFFFFF) : dq & 0xFFFFFF
            residual[k] = Int32(min(max(dq2, -Int(limit)), Int(limit) - 1))
        }
        for i in 0..<4 { inverse1D(residual + 4 * i, stride: 1, shift: 2) }
        for k in 0..<16 { residual[k] = min(max(residual[k], -limit), limit - 1) }
        for j in 0..<4 { inverse1D(residual + j, stride: 4, shift: 0) }
    }
}
