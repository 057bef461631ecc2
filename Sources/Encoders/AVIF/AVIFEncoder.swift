import Raster

/// An AVIF file with what a conforming decoder must reconstruct from it (`AVIFEncoder.encodeWithReconstruction`).
public struct AVIFEncoding: Sendable {
    /// The complete file.
    public var bytes: [UInt8]
    /// The colour item's decoded planes, cropped to the picture: Y, Cb, Cr (chroma at the item's subsampling),
    /// G, B, R when lossless RGB, Y alone when monochrome. Empty unless asked for.
    public var colorPlanes: [[UInt8]]
    /// The alpha item's decoded plane, when the file has one.
    public var alphaPlane: [UInt8]?
}

/// AVIF encoder: sRGB → YCbCr (BT.601 matrix, full range), AV1 intra coding of the colour image and of the
/// alpha plane as a monochrome auxiliary image, HEIF/MIAF container. Lossless: RGB as G, B, R planes (identity
/// matrix, 4:4:4) coded at qindex 0, AV1's lossless mode; every sample comes back exactly.
public enum AVIFEncoder {
    static let codec = "AVIF encoder"

    /// quality 0...100 → base_q_idx 255...1, following libavif's mapping of quality to the 0–63 quantizer scale
    /// (quantizer = ((100 − quality) · 63 + 50) / 100) and that scale to qindex (×255/63).
    static func qIndex(quality: Int) -> Int {
        let q = min(max(quality, 0), 100)
        let quantizer = ((100 - q) * 63 + 50) / 100
        return max(1, min(255, (quantizer * 255 + 31) / 63))
    }

    public static func encode(_ raster: Raster, options: AVIFEncodeOptions = AVIFEncodeOptions()) throws -> [UInt8] {
        try encode(raster, options: options, reconstruct: false).bytes
    }

    /// The file `encode` writes (the same bytes) and the samples every conforming AV1 decoder must output for it:
    /// the encoder's own reconstruction. The golden conformance suite compares these with dav1d's output.
    public static func encodeWithReconstruction(_ raster: Raster, options: AVIFEncodeOptions = AVIFEncodeOptions())
        throws -> AVIFEncoding {
        try encode(raster, options: options, reconstruct: true)
    }

    private static func encode(_ raster: Raster, options: AVIFEncodeOptions, reconstruct: Bool) throws -> AVIFEncoding {
        let width = raster.width, height = raster.height
        guard width >= 1, height >= 1 else {
            throw CodecError(codec: codec, kind: .encoderLimit, message: "empty image \(width)x\(height)")
        }
        guard width <= 65536, height <= 65536 else {
            throw CodecError(codec: codec, kind: .encoderLimit, message: "AV1 frame sides are limited to 65536 (got \(width)x\(height))")
        }
        var img = raster.bitDepth == .eight ? raster : raster.to8Bit()
        if img.isPremultiplied && img.layout.hasAlpha {
            // AVIF stores straight alpha (auxC alpha without premultiplication, AVIF §4).
            let c = img.channels
            for i in 0..<(width * height) {
                let a = Int(img.samples8[i * c + c - 1])
                guard a > 0 && a < 255 else { continue }
                for k in 0..<(c - 1) { img.samples8[i * c + k] = UInt8(min(255, (Int(img.samples8[i * c + k]) * 255 + a / 2) / a)) }
            }
            img.isPremultiplied = false
        }
        let ch = img.channels
        let n = width * height
        guard img.samples8.count >= n * ch else {
            throw CodecError(codec: codec, kind: .malformed, message: "raster holds fewer samples than its size")
        }
        let speed = min(max(options.speed, 0), 10)
        let qidx = options.lossless ? 0 : qIndex(quality: options.quality)
        let isColor = img.layout.isColor
        var planes: [[UInt8]] = []
        var subX = 0, subY = 0
        var matrix = 6
        var alpha: [UInt8]? = nil
        img.samples8.withUnsafeBufferPointer { s in
            if isColor && options.lossless {
                // Identity matrix (H.273 MatrixCoefficients 0): Y = G, Cb = B, Cr = R, 4:4:4, full range.
                matrix = 0
                var g = [UInt8](repeating: 0, count: n), b = g, r = g
                for i in 0..<n { r[i] = s[i * ch]; g[i] = s[i * ch + 1]; b[i] = s[i * ch + 2] }
                planes = [g, b, r]
            } else if isColor {
                subX = options.subsampling == .s420 ? 1 : 0
                subY = subX
                planes = bt601Planes(s, channels: ch, width: width, height: height, subX: subX, subY: subY)
            } else {
                var y = [UInt8](repeating: 0, count: n)
                for i in 0..<n { y[i] = s[i * ch] }
                planes.append(y)
                subX = 1; subY = 1
            }
            if img.layout.hasAlpha {
                var a = [UInt8](repeating: 0, count: n)
                for i in 0..<n { a[i] = s[i * ch + ch - 1] }
                if a.contains(where: { $0 != 255 }) { alpha = a }
            }
        }
        var cfg = AV1PictureConfig(width: width, height: height, planes: planes, subX: subX, subY: subY, qIndex: qidx, speed: speed)
        cfg.matrixCoefficients = matrix
        let coded = try AV1FrameEncoder.encodeWithReconstruction(cfg, needReconstruction: reconstruct)
        let (seq, frame) = (coded.sequenceHeader, coded.frame)
        let colorItem = AVIFImageItem(av1Data: seq + frame, sequenceHeaderOBU: seq, profile: cfg.profile, level: cfg.levelIndex,
                                      monochrome: cfg.monochrome, subX: subX, subY: subY, channels: planes.count)
        var alphaItem: AVIFImageItem? = nil
        var alphaReconstruction: [UInt8]? = nil
        if let alpha {
            // Alpha is lossless (qindex 0) unless a quality is asked for it, as libavif does by default.
            let alphaQ = options.alphaQuality.map { qIndex(quality: $0) } ?? 0
            cfg = AV1PictureConfig(width: width, height: height, planes: [alpha], subX: 1, subY: 1, qIndex: alphaQ, speed: speed)
            let codedAlpha = try AV1FrameEncoder.encodeWithReconstruction(cfg, needReconstruction: reconstruct)
            let (aseq, aframe) = (codedAlpha.sequenceHeader, codedAlpha.frame)
            if reconstruct { alphaReconstruction = codedAlpha.recon.first }
            alphaItem = AVIFImageItem(av1Data: aseq + aframe, sequenceHeaderOBU: aseq, profile: 0, level: cfg.levelIndex,
                                      monochrome: true, subX: 1, subY: 1, channels: 1)
        }
        let bytes = AVIFContainer.build(color: colorItem, alpha: alphaItem, width: width, height: height,
                                        nclx: (1, 13, matrix, true), icc: img.metadata.iccProfile)
        return AVIFEncoding(bytes: bytes, colorPlanes: coded.recon, alphaPlane: alphaReconstruction)
    }

    /// sRGB → Y, Cb, Cr with the BT.601 matrix (matrix_coefficients 6), full range; chroma averaged over each
    /// 2x2 (4:2:0) or taken per pixel (4:4:4).
    static func bt601Planes(_ s: UnsafeBufferPointer<UInt8>, channels ch: Int, width: Int, height: Int,
                            subX: Int, subY: Int) -> [[UInt8]] {
        let n = width * height
        var y = [UInt8](repeating: 0, count: n)
        var cb = [Float](repeating: 0, count: n), cr = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let r = Float(s[i * ch]), g = Float(s[i * ch + 1]), b = Float(s[i * ch + 2])
            let yy = 0.299 * r + 0.587 * g + 0.114 * b
            y[i] = UInt8(min(max(yy.rounded(), 0), 255))
            cb[i] = (b - yy) / 1.772 + 128
            cr[i] = (r - yy) / 1.402 + 128
        }
        let cw = (width + subX) >> subX, chh = (height + subY) >> subY
        var u = [UInt8](repeating: 0, count: cw * chh), v = u
        for cy in 0..<chh {
            for cx in 0..<cw {
                var su: Float = 0, sv: Float = 0, cnt: Float = 0
                for dy in 0...subY { for dx in 0...subX {
                    let yy = min(cy << subY | dy, height - 1) , xx = min(cx << subX | dx, width - 1)
                    su += cb[yy * width + xx]; sv += cr[yy * width + xx]; cnt += 1
                } }
                u[cy * cw + cx] = UInt8(min(max((su / cnt).rounded(), 0), 255))
                v[cy * cw + cx] = UInt8(min(max((sv / cnt).rounded(), 0), 255))
            }
        }
        return [y, u, v]
    }

    /// The raw AV1 still picture (sequence header OBU + frame OBU) of already converted planes, and the encoder's
    /// reconstruction, for conformance tests against dav1d.
    /// `lossless` codes at qindex 0 (CodedLossless) instead of the quality's quantizer.
    static func encodeOBUs(planes: [[UInt8]], width: Int, height: Int, subX: Int, subY: Int, quality: Int,
                           speed: Int, filters: Bool = false, lossless: Bool = false) throws -> (obus: [UInt8], recon: [[UInt8]]) {
        var cfg = AV1PictureConfig(width: width, height: height, planes: planes, subX: subX, subY: subY,
                                   qIndex: lossless ? 0 : qIndex(quality: quality), speed: speed)
        cfg.filters = filters
        let r = try AV1FrameEncoder.encodeWithReconstruction(cfg)
        return (r.sequenceHeader + r.frame, r.recon)
    }
}
