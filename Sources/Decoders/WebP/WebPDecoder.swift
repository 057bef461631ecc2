import Raster

/// WebP decoder: the RIFF container with its VP8X, ICCP, EXIF and ALPH chunks, VP8L lossless images and VP8 lossy
/// key frames (with alpha). Pixels are bit-identical to libwebp's `dwebp` default output: for lossy images its
/// fancy chroma upsampling and fixed-point YUV → RGB (`WebPFancyUpsampler`), for images with alpha straight
/// (not premultiplied) RGBA. Animated files are refused with `.unsupported` ("animated WebP"); `isAnimated` tells
/// them apart without decoding.
///
/// Files: WebPContainerLayout (chunks) → Lossless/ (VP8L: bit reader, prefix codes, entropy image and colour
/// cache, pixel decoding, transforms) or Lossy/ (VP8: boolean decoder, frame header, modes, tokens, inverse
/// transforms, intra prediction, loop filter, the macroblock-row loop) plus WebPAlphaDecoder (ALPH) and
/// WebPFancyUpsampler (YUV → RGB).
public enum WebPDecoder {
    public static func isAnimated(_ bytes: [UInt8]) -> Bool { WebPContainerLayout.isAnimated(bytes) }

    public static func readHeader(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> ImageHeader {
        let layout = try Layout(bytes, limits: limits)
        return ImageHeader(width: layout.width, height: layout.height, layout: layout.hasAlpha ? .rgba : .rgb,
                           bitDepth: .eight, metadata: layout.metadata)
    }

    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> Raster {
        let layout = try Layout(bytes, limits: limits)
        try Job.checkpoint()
        switch layout.container.bitstream {
        case .lossless: return try decodeLossless(bytes, layout)
        case .lossy: return try decodeLossy(bytes, layout, loopFilter: true)
        }
    }

    /// What the headers say, checked against the limits before anything is allocated.
    struct Layout {
        var container: WebPContainerLayout
        var width: Int
        var height: Int
        var hasAlpha: Bool
        var metadata = ImageMetadata()
        var losslessHeader: VP8LDecoder.Header?
        var lossyHeader: VP8FrameHeader?

        init(_ bytes: [UInt8], limits: ImageLimits) throws {
            try limits.checkSourceSize(bytes.count, codec: webpCodecName)
            container = try WebPContainerLayout.parse(bytes)
            switch container.bitstream {
            case .lossless:
                let h = try VP8LDecoder.readHeader(bytes, range: container.bitstreamRange)
                losslessHeader = h
                width = h.width; height = h.height
                hasAlpha = h.alphaHint || container.alphaFlag
            case .lossy:
                let h = try VP8FrameHeader.readFrameTag(bytes, range: container.bitstreamRange)
                lossyHeader = h
                width = h.width; height = h.height
                hasAlpha = container.alphaRange != nil
            }
            if let canvas = container.canvasSize, canvas.width != width || canvas.height != height {
                throw webpError(.malformed, container.bitstreamRange.lowerBound,
                                "frame of \(width)x\(height) in a \(canvas.width)x\(canvas.height) canvas")
            }
            try limits.checkDimensions(width: width, height: height, codec: webpCodecName)
            metadata.source.format = .webp
            metadata.source.bitDepth = 8
            metadata.source.components = hasAlpha ? 4 : 3
            let lossless = container.bitstream == .lossless
            metadata.source.colorTransform = lossless ? "RGB" : "YCbCr"
            metadata.source.subsampling = lossless ? nil : "4:2:0"
            if let r = container.iccRange { metadata.iccProfile = Array(bytes[r]) }
            if let r = container.exifRange {
                let exif = Array(bytes[r])
                metadata.exif = exif
                // The EXIF chunk holds TIFF-structured data like PNG's eXIf (WebP container spec, "Metadata").
                if let orientation = EXIFOrientation.read(exif) { metadata.orientation = orientation }
            }
        }
    }

    static func decodeLossless(_ bytes: [UInt8], _ layout: Layout) throws -> Raster {
        let header = layout.losslessHeader!
        var withAlpha = layout.hasAlpha
        while true {
            let channels = withAlpha ? 4 : 3
            let count = layout.width * layout.height * channels
            var sawAlpha = false
            let samples = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                sawAlpha = try VP8LDecoder.decodeRGBA(bytes, range: layout.container.bitstreamRange, header: header,
                                                      withAlpha: withAlpha, into: buffer.baseAddress!)
                initialized = count
            }
            // The alpha hint said opaque but some pixel is not: decode again keeping alpha (a hint must not lose it).
            if sawAlpha && !withAlpha { withAlpha = true; continue }
            return try Raster(width: layout.width, height: layout.height, layout: withAlpha ? .rgba : .rgb,
                              samples8: samples, metadata: layout.metadata)
        }
    }

    /// The YUV planes of a lossy file, with or without the loop filter (an encoder's reconstruction is compared
    /// with them before filtering): width × height luma, ((width + 1) / 2) × ((height + 1) / 2) chroma.
    static func decodeLossyPlanes(_ bytes: [UInt8], loopFilter: Bool) throws -> (y: [UInt8], u: [UInt8], v: [UInt8]) {
        let layout = try Layout(bytes, limits: .default)
        guard let header = layout.lossyHeader else {
            throw webpError(.unsupported, layout.container.bitstreamRange.lowerBound, "not a lossy WebP")
        }
        let w = layout.width, h = layout.height, cw = (w + 1) / 2, ch = (h + 1) / 2
        var y = [UInt8](repeating: 0, count: w * h), u = [UInt8](repeating: 0, count: cw * ch), v = u
        var lumaDone = 0, chromaDone = 0
        var frame = try VP8FrameDecoder(header: header, limits: .default, loopFilter: loopFilter)
        try bytes.withUnsafeBufferPointer { input in
            try frame.decode(input, chunk: layout.container.bitstreamRange) { planes, lumaRows, chromaRows in
                for r in lumaDone..<min(lumaRows, h) {
                    for x in 0..<w { y[r * w + x] = planes.lumaRow(r)[x] }
                }
                for r in chromaDone..<min(chromaRows, ch) {
                    for x in 0..<cw { u[r * cw + x] = planes.chromaRow(planes.u, r)[x]; v[r * cw + x] = planes.chromaRow(planes.v, r)[x] }
                }
                lumaDone = max(lumaDone, lumaRows); chromaDone = max(chromaDone, chromaRows)
            }
        }
        return (y, u, v)
    }

    static func decodeLossy(_ bytes: [UInt8], _ layout: Layout, loopFilter: Bool) throws -> Raster {
        let width = layout.width, height = layout.height
        // The alpha plane (empty when the image is opaque).
        let alpha = try layout.container.alphaRange.map {
            try WebPAlphaDecoder.decode(bytes, range: $0, width: width, height: height)
        } ?? []
        let channels = alpha.isEmpty ? 3 : 4
        var frame = try VP8FrameDecoder(header: layout.lossyHeader!, limits: .unlimitedForCheckedSize, loopFilter: loopFilter)
        var emitter = WebPFancyRowEmitter(width: width, height: height, channels: channels)
        let count = width * height * channels
        let samples = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = buffer.baseAddress!
            try bytes.withUnsafeBufferPointer { input in
                try frame.decode(input, chunk: layout.container.bitstreamRange) { planes, lumaRows, chromaRows in
                    alpha.withUnsafeBufferPointer { a in
                        emitter.emit(lumaRows: lumaRows, chromaRows: chromaRows, planes: planes,
                                     alpha: alpha.isEmpty ? nil : a.baseAddress, out: out)
                    }
                }
            }
            guard emitter.nextRow == height else {
                throw webpError(.malformed, layout.container.bitstreamRange.lowerBound, "frame ended before its last row")
            }
            initialized = count
        }
        return try Raster(width: width, height: height, layout: channels == 4 ? .rgba : .rgb, samples8: samples,
                          metadata: layout.metadata)
    }
}

extension ImageLimits {
    /// For sizes already checked against the caller's limits.
    static let unlimitedForCheckedSize = ImageLimits(maxPixels: Int.max, maxSide: Int.max, maxSourceBytes: Int.max)
}
