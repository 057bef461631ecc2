/// Device values → PCS XYZ (D50, media-relative: the relative colorimetric intent) for one profile, in double
/// precision. This is the exact path; it only fills the transform's tables and grids, never runs per pixel.
struct DeviceToPCS {
    let model: ICCModel
    let pcsIsLab: Bool
    private var scratch = [Double](repeating: 0, count: 16)
    private var work = [Double](repeating: 0, count: 16)

    init(_ profile: ICCProfile) {
        model = profile.model
        pcsIsLab = profile.pcs == "Lab"
    }

    var inputs: Int {
        switch model {
        case .matrixShaper: return 3
        case .grayTRC: return 1
        case .lut(let l, _): return l.inputs
        }
    }

    /// `device`: one value per channel in 0...1 (CMYK as ink amounts, 0 = no ink).
    mutating func xyz(_ device: [Double]) -> XYZ {
        switch model {
        case let .matrixShaper(r, g, b, curves):
            let lr = curves[0].evaluate(device[0]), lg = curves[1].evaluate(device[1]), lb = curves[2].evaluate(device[2])
            return XYZ(r.x * lr + g.x * lg + b.x * lb, r.y * lr + g.y * lg + b.y * lb, r.z * lr + g.z * lg + b.z * lb)
        case .grayTRC(let curve):
            // §F.2: the curve gives Y (XYZ PCS) or L*/100 (Lab PCS) of the achromatic D50 colour.
            let v = curve.evaluate(device[0])
            let y = pcsIsLab ? lightnessToY(v * 100) : v
            return XYZ(XYZ.d50.x * y, y, XYZ.d50.z * y)
        case .lut(let lut, _):
            for i in 0..<lut.inputs { work[i] = device[i] }
            lut.evaluate(&work, scratch: &scratch)
            let v = work
            switch lut.pcsEncoding {
            case .lab:
                return labToXYZ(l: v[0] * 100, a: v[1] * 255 - 128, b: v[2] * 255 - 128)
            case .labLegacy16:
                let s = 65535.0 / 65280.0
                return labToXYZ(l: v[0] * s * 100, a: v[1] * s * 255 - 128, b: v[2] * s * 255 - 128)
            case .xyz:
                let s = 65535.0 / 32768.0
                return XYZ(v[0] * s, v[1] * s, v[2] * s)
            }
        }
    }

    /// The sRGB encoding (each 0...1, clipped) of the device value: relative colorimetric, D50 PCS white → sRGB
    /// white (the sRGB colorants are Bradford-adapted to D50, so the PCS white lands on R = G = B = 1).
    mutating func srgb(_ device: [Double]) -> (Double, Double, Double) {
        let linear = SRGB.fromPCS * xyz(device)
        return (SRGB.encode(linear.x), SRGB.encode(linear.y), SRGB.encode(linear.z))
    }

    /// The sRGB gray level (0...1) of a gray device value: only the luminance Y counts.
    mutating func srgbGray(_ device: Double) -> Double {
        SRGB.encode(xyz([device]).y)
    }
}
