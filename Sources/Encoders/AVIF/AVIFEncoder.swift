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
        // AVIF stores straight alpha (auxC alpha without premultiplication, AVIF §4).
        let img = Alpha.unpremultiplied(raster.bitDepth == .eight ? raster : raster.to8Bit())
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
        img.samples8.withUnsafeBufferPointer { s in
            if isColor && options.lossless {
                // Identity matrix (H.273 MatrixCoefficients 0): Y = G, Cb = B, Cr = R, 4:4:4, full range.
                matrix = 0
                planes = IdentityPlanes.gbr(s, channels: ch, count: n)
            } else if isColor {
                // BT.601 matrix, full range (MatrixCoefficients 6); chroma averaged over each 2x2 (4:2:0) or
                // taken per pixel (4:4:4).
                subX = options.subsampling == .s420 ? 1 : 0
                subY = subX
                let (y, cb, cr) = FloatRGBToYCbCr.bt601Full.planes(s, channels: ch, count: n)
                planes = [y, ChromaDownsampling.averageFloat(cb, width: width, height: height, subX: subX, subY: subY),
                          ChromaDownsampling.averageFloat(cr, width: width, height: height, subX: subX, subY: subY)]
            } else {
                planes.append(IdentityPlanes.first(s, channels: ch, count: n))
                subX = 1; subY = 1
            }
        }
        let alpha = Alpha.translucentPlane(img)
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
        // A colour space the colour stage recognised is named by its code points (AVIF §4: nclx), with no
        // profile bytes; otherwise sRGB's code points (BT.709 primaries, sRGB transfer), plus the profile if any.
        let nclx = img.metadata.codePoints.map { ($0.primaries, $0.transfer, matrix, true) } ?? (1, 13, matrix, true)
        let icc = img.metadata.codePoints == nil ? EmbeddedProfile.bytes(of: img, colorData: !colorItem.monochrome) : nil
        let bytes = AVIFContainer.build(color: colorItem, alpha: alphaItem, width: width, height: height,
                                        nclx: nclx, icc: icc)
        return AVIFEncoding(bytes: bytes, colorPlanes: coded.recon, alphaPlane: alphaReconstruction)
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
