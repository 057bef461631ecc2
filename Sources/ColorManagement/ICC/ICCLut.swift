/// How a LUT's PCS side encodes numbers (ICC.1:2010 §6.3.4, Annex A).
public enum PCSEncoding: Sendable, Equatable {
    /// L* = v·100, a*, b* = v·255 − 128 (v in 0...1): the v4 encoding of `mAB ` and the 8-bit one of `mft1`.
    case lab
    /// The legacy 16-bit Lab of `mft2` (ICC.1:2010 §10.10, Annex A.2): 0xFF00 is L* = 100, a* = 127.
    case labLegacy16
    /// XYZ with 0x8000 = 1.0 (§6.3.4.2): X = v · 65535 / 32768.
    case xyz
}

/// A colour lookup table of `inputs` dimensions (`gridPoints[i]` nodes on axis i, the first input most significant,
/// ICC.1:2010 §10.12.3) giving `outputs` values in 0...1 per node.
public struct ICCCLUT: Sendable, Equatable {
    public let gridPoints: [Int]
    public let outputs: Int
    let values: [Float]

    /// Interpolates at `input` (each 0...1) into `out`: tetrahedral in the last three dimensions (the standard choice
    /// of colour-management engines: four nodes instead of eight, and the neutral diagonal stays exact), linear
    /// along any dimension before them (CMYK: C), linear for one or two dimensions.
    func evaluate(_ input: [Double], _ out: inout [Double]) {
        evaluate(input, dimension: 0, base: 0, weight: 1, &out, reset: true)
    }

    private func stride(after dimension: Int) -> Int {
        var s = outputs
        var d = gridPoints.count - 1
        while d > dimension { s *= gridPoints[d]; d -= 1 }
        return s
    }

    private func cell(_ x: Double, _ n: Int) -> (Int, Double) {
        let p = min(max(x, 0), 1) * Double(n - 1)
        let i = min(Int(p), n - 2)
        return (i, p - Double(i))
    }

    private func evaluate(_ input: [Double], dimension: Int, base: Int, weight: Double, _ out: inout [Double], reset: Bool) {
        if reset { for k in 0..<outputs { out[k] = 0 } }
        let remaining = gridPoints.count - dimension
        if remaining > 3 {
            let (i, f) = cell(input[dimension], gridPoints[dimension])
            let s = stride(after: dimension)
            evaluate(input, dimension: dimension + 1, base: base + i * s, weight: weight * (1 - f), &out, reset: false)
            if f > 0 { evaluate(input, dimension: dimension + 1, base: base + (i + 1) * s, weight: weight * f, &out, reset: false) }
            return
        }
        if remaining == 3 {
            let (ix, rx) = cell(input[dimension], gridPoints[dimension])
            let (iy, ry) = cell(input[dimension + 1], gridPoints[dimension + 1])
            let (iz, rz) = cell(input[dimension + 2], gridPoints[dimension + 2])
            let sx = stride(after: dimension), sy = stride(after: dimension + 1), sz = outputs
            let c000 = base + ix * sx + iy * sy + iz * sz
            let c100 = c000 + sx, c010 = c000 + sy, c001 = c000 + sz
            let c110 = c100 + sy, c101 = c100 + sz, c011 = c010 + sz, c111 = c110 + sz
            // Sakamoto's six tetrahedra: order the three fractions and walk the cube's edges in that order.
            let (a, b, c, wa, wb, wc): (Int, Int, Int, Double, Double, Double)
            if rx >= ry {
                if ry >= rz { (a, b, c, wa, wb, wc) = (c100, c110, c111, rx, ry, rz) }
                else if rx >= rz { (a, b, c, wa, wb, wc) = (c100, c101, c111, rx, rz, ry) }
                else { (a, b, c, wa, wb, wc) = (c001, c101, c111, rz, rx, ry) }
            } else {
                if rx >= rz { (a, b, c, wa, wb, wc) = (c010, c110, c111, ry, rx, rz) }
                else if ry >= rz { (a, b, c, wa, wb, wc) = (c010, c011, c111, ry, rz, rx) }
                else { (a, b, c, wa, wb, wc) = (c001, c011, c111, rz, ry, rx) }
            }
            for k in 0..<outputs {
                let v0 = Double(values[c000 + k]), va = Double(values[a + k])
                let vb = Double(values[b + k]), vc = Double(values[c + k])
                out[k] += weight * (v0 + wa * (va - v0) + wb * (vb - va) + wc * (vc - vb))
            }
            return
        }
        // One or two dimensions: (bi)linear.
        if remaining == 2 {
            let (ix, rx) = cell(input[dimension], gridPoints[dimension])
            let (iy, ry) = cell(input[dimension + 1], gridPoints[dimension + 1])
            let sx = stride(after: dimension), sy = outputs
            let c00 = base + ix * sx + iy * sy
            for k in 0..<outputs {
                let v00 = Double(values[c00 + k]), v01 = Double(values[c00 + sy + k])
                let v10 = Double(values[c00 + sx + k]), v11 = Double(values[c00 + sx + sy + k])
                let top = v00 + (v01 - v00) * ry, bottom = v10 + (v11 - v10) * ry
                out[k] += weight * (top + (bottom - top) * rx)
            }
            return
        }
        let (ix, rx) = cell(input[dimension], gridPoints[dimension])
        let c0 = base + ix * outputs
        for k in 0..<outputs {
            let v0 = Double(values[c0 + k]), v1 = Double(values[c0 + outputs + k])
            out[k] += weight * (v0 + (v1 - v0) * rx)
        }
    }

    /// Reads `outputs` × Π gridPoints samples of `precision` bytes (1 or 2) at `offset`.
    static func read(_ data: ICCData, at offset: Int, gridPoints: [Int], outputs: Int, precision: Int,
                     limits: ICCLimits) throws -> ICCCLUT {
        var count = outputs
        for (axis, g) in gridPoints.enumerated() {
            guard g >= 2 else { throw iccError(.malformed, offset, "CLUT axis \(axis) has \(g) grid points (needs at least 2)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: g)
            guard !overflow, product <= limits.maxCLUTSamples else {
                throw iccError(.limit, offset, "CLUT of \(gridPoints) points × \(outputs) outputs exceeds the limit of \(limits.maxCLUTSamples) samples")
            }
            count = product
        }
        try data.require(offset, count * precision, "CLUT samples")
        var values = [Float](repeating: 0, count: count)
        data.bytes.withUnsafeBufferPointer { b in
            if precision == 1 {
                for i in 0..<count { values[i] = Float(b[offset + i]) / 255 }
            } else {
                for i in 0..<count { values[i] = Float(Int(b[offset + 2 * i]) << 8 | Int(b[offset + 2 * i + 1])) / 65535 }
            }
        }
        return ICCCLUT(gridPoints: gridPoints, outputs: outputs, values: values)
    }
}

/// A device → PCS lookup (an `A2Bx` tag) as a chain of optional elements, in the order ICC.1:2010 §10.12.1 gives
/// for `mAB `: A curves → CLUT → M curves → matrix → B curves. `mft1`/`mft2` (§10.9, §10.10) map onto the same
/// chain: their input tables are the A curves, their output tables the B curves (their 3×3 matrix applies only to
/// XYZ input data, which is not an image colour space here).
public struct ICCLut: Sendable, Equatable {
    public enum Form: String, Sendable, Equatable { case lut8 = "mft1", lut16 = "mft2", lutAToB = "mAB " }
    public let form: Form
    public let inputs: Int
    public let outputs: Int
    var aCurves: [ICCCurve]
    var clut: ICCCLUT?
    var mCurves: [ICCCurve]
    /// 3×3 then the offsets (e00...e22, e03, e13, e23).
    var matrix: [Double]?
    var bCurves: [ICCCurve]
    public let pcsEncoding: PCSEncoding

    /// Runs the chain in place: the first `inputs` values of `v` (each 0...1) in, the encoded PCS values (each
    /// 0...1) out in the first `outputs`; `v` and `scratch` need room for max(inputs, outputs). No allocation.
    func evaluate(_ v: inout [Double], scratch: inout [Double]) {
        if !aCurves.isEmpty { for i in 0..<inputs { v[i] = aCurves[i].evaluate(v[i]) } }
        if let clut {
            clut.evaluate(v, &scratch)
            for k in 0..<outputs { v[k] = scratch[k] }
        }
        if !mCurves.isEmpty { for i in 0..<outputs { v[i] = mCurves[i].evaluate(v[i]) } }
        if let e = matrix {
            let x = v[0], y = v[1], z = v[2]
            v[0] = min(max(e[0] * x + e[1] * y + e[2] * z + e[9], 0), 1)
            v[1] = min(max(e[3] * x + e[4] * y + e[5] * z + e[10], 0), 1)
            v[2] = min(max(e[6] * x + e[7] * y + e[8] * z + e[11], 0), 1)
        }
        if !bCurves.isEmpty { for i in 0..<outputs { v[i] = bCurves[i].evaluate(v[i]) } }
    }

    /// Parses an A2B tag of `size` bytes at `offset`; `pcs` is the header's PCS ("XYZ " or "Lab ").
    static func read(_ data: ICCData, at offset: Int, size: Int, pcs: String, limits: ICCLimits) throws -> ICCLut {
        let type = try data.signature(offset)
        switch type {
        case "mft1", "mft2":
            return try readLegacy(data, at: offset, size: size, sixteenBit: type == "mft2", pcs: pcs, limits: limits)
        case "mAB ":
            return try readAToB(data, at: offset, size: size, pcs: pcs, limits: limits)
        default:
            throw iccError(.unsupported, offset, "A2B tag of type '\(type)' (expected mft1, mft2 or mAB)")
        }
    }

    static func checkChannels(_ i: Int, _ o: Int, at offset: Int) throws {
        guard (1...4).contains(i) else { throw iccError(.unsupported, offset + 8, "LUT with \(i) input channels") }
        guard o == 3 else { throw iccError(.malformed, offset + 9, "device-to-PCS LUT with \(o) output channels (PCS has 3)") }
    }

    /// lut8Type (§10.9) and lut16Type (§10.10).
    private static func readLegacy(_ data: ICCData, at offset: Int, size: Int, sixteenBit: Bool, pcs: String,
                                   limits: ICCLimits) throws -> ICCLut {
        let i = try data.u8(offset + 8), o = try data.u8(offset + 9), g = try data.u8(offset + 10)
        try checkChannels(i, o, at: offset)
        var position = offset + 48
        let n: Int, m: Int, width: Int
        if sixteenBit {
            n = try data.u16(offset + 48); m = try data.u16(offset + 50)
            guard (2...4096).contains(n), (2...4096).contains(m) else {
                throw iccError(.malformed, offset + 48, "lut16 table sizes \(n) and \(m) (each must be 2...4096)")
            }
            position = offset + 52; width = 2
        } else {
            n = 256; m = 256; width = 1
        }
        let end = offset + size
        func tables(_ count: Int, _ entries: Int) throws -> [ICCCurve] {
            try data.require(position, count * entries * width, "LUT tables")
            guard position + count * entries * width <= end else { throw iccError(.truncated, position, "LUT tables run past their tag") }
            var curves: [ICCCurve] = []
            for _ in 0..<count {
                var t = [Float](repeating: 0, count: entries)
                for k in 0..<entries {
                    t[k] = width == 2 ? Float(try data.u16(position + 2 * k)) / 65535 : Float(try data.u8(position + k)) / 255
                }
                curves.append(.table(t))
                position += entries * width
            }
            return curves
        }
        let input = try tables(i, n)
        let clut = try ICCCLUT.read(data, at: position, gridPoints: [Int](repeating: g, count: i), outputs: o,
                                    precision: width, limits: limits)
        position += clut.values.count * width
        let output = try tables(o, m)
        let encoding: PCSEncoding = pcs == "XYZ " ? .xyz : (sixteenBit ? .labLegacy16 : .lab)
        return ICCLut(form: sixteenBit ? .lut16 : .lut8, inputs: i, outputs: o, aCurves: input, clut: clut,
                      mCurves: [], matrix: nil, bCurves: output, pcsEncoding: encoding)
    }

    /// lutAToBType (§10.12): five optional offsets from the start of the tag; curves are 4-byte aligned.
    private static func readAToB(_ data: ICCData, at offset: Int, size: Int, pcs: String, limits: ICCLimits) throws -> ICCLut {
        let i = try data.u8(offset + 8), o = try data.u8(offset + 9)
        try checkChannels(i, o, at: offset)
        let bOffset = try data.u32(offset + 12), matrixOffset = try data.u32(offset + 16)
        let mOffset = try data.u32(offset + 20), clutOffset = try data.u32(offset + 24), aOffset = try data.u32(offset + 28)
        func element(_ relative: Int, _ what: String) throws -> Int? {
            guard relative != 0 else { return nil }
            guard relative >= 32, relative < size else {
                throw iccError(.malformed, offset, "\(what) offset \(relative) is outside its \(size)-byte tag")
            }
            return offset + relative
        }
        func curves(_ start: Int, _ count: Int) throws -> [ICCCurve] {
            var p = start
            var out: [ICCCurve] = []
            for _ in 0..<count {
                let (curve, length) = try ICCCurve.read(data, at: p, limit: offset + size - p, limits: limits)
                out.append(curve)
                p += (length + 3) & ~3
            }
            return out
        }
        guard let b = try element(bOffset, "B curves") else {
            throw iccError(.malformed, offset + 12, "lutAToB without B curves")
        }
        let bCurves = try curves(b, o)
        var mCurves: [ICCCurve] = [], matrix: [Double]? = nil, aCurves: [ICCCurve] = [], clut: ICCCLUT? = nil
        if let mm = try element(matrixOffset, "matrix") {
            guard mm + 48 <= offset + size else { throw iccError(.truncated, mm, "matrix runs past its tag") }
            matrix = try (0..<12).map { try data.s15Fixed16(mm + 4 * $0) }
        }
        if let mc = try element(mOffset, "M curves") { mCurves = try curves(mc, o) }
        if let c = try element(clutOffset, "CLUT") {
            try data.require(c, 20, "CLUT header")
            let grid = try (0..<i).map { try data.u8(c + $0) }
            let precision = try data.u8(c + 16)
            guard precision == 1 || precision == 2 else { throw iccError(.malformed, c + 16, "CLUT precision \(precision)") }
            clut = try ICCCLUT.read(data, at: c + 20, gridPoints: grid, outputs: o, precision: precision, limits: limits)
            guard c + 20 + clut!.values.count * precision <= offset + size else {
                throw iccError(.truncated, c, "CLUT runs past its tag")
            }
        }
        if let a = try element(aOffset, "A curves") { aCurves = try curves(a, i) }
        guard clut != nil || i == o else {
            throw iccError(.malformed, offset, "lutAToB with \(i) inputs and \(o) outputs needs a CLUT")
        }
        if matrix != nil, o != 3 { throw iccError(.malformed, offset, "lutAToB matrix needs 3 outputs") }
        return ICCLut(form: .lutAToB, inputs: i, outputs: o, aCurves: aCurves, clut: clut, mCurves: mCurves,
                      matrix: matrix, bCurves: bCurves, pcsEncoding: pcs == "XYZ " ? .xyz : .lab)
    }
}
