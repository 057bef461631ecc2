import Raster
#if canImport(Glibc)
import Glibc
#endif

/// JPEG decoder (ITU-T T.81): baseline and extended sequential Huffman (8-bit) and progressive JPEG, with restart
/// intervals, 1, 3 or 4 components and any integer sampling ratios. Pixels are bit-identical to libjpeg-turbo's
/// `djpeg` default output (accurate integer IDCT, fancy upsampling, fixed-point YCbCr → RGB).
///
/// The decoder reads top to bottom like T.81: markers and application segments (JPEGMarkers) → frame and scan
/// headers, quantization tables (JPEGHeaders) → Huffman tables (JPEGHuffman) → entropy decoding (JPEGBitReader,
/// JPEGEntropy) → dequantisation and IDCT (JPEGIDCT) → upsampling (JPEGUpsample) → colour conversion (JPEGColor),
/// with JPEGOutput running the last three over the image.
public enum JPEGDecoder {
    public static func readHeader(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> ImageHeader {
        var stream = JPEGStream(limits: limits)
        try stream.parse(bytes, headerOnly: true, output: nil)
        guard let frame = stream.frame else { throw jpegError(.truncated, bytes.count, "no frame header (SOF) found") }
        let transform = stream.colorTransform
        return ImageHeader(width: frame.width, height: frame.height, layout: transform == .gray ? .gray : .rgb,
                           bitDepth: .eight, metadata: stream.metadata)
    }

    /// `scaleDenominator` 1, 2, 4 or 8: decode at 1/N size with a scaled IDCT (as djpeg -scale 1/N).
    /// `keepCMYK`: a CMYK or YCCK file comes out as four CMYK samples per pixel (libjpeg's CMYK output; in the
    /// `.rgba` slot, marked by `metadata.cmyk`) for conversion through its ICC profile, instead of the naive RGB.
    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default, scaleDenominator: Int = 1,
                              keepCMYK: Bool = false) throws -> Raster {
        guard [1, 2, 4, 8].contains(scaleDenominator) else {
            throw jpegError(.unsupported, nil, "scale 1/\(scaleDenominator) is not supported (1, 2, 4 or 8)")
        }
        // The header pass fixes the output size; the decoding pass then draws into that buffer.
        var header = JPEGStream(limits: limits, scale: scaleDenominator)
        try header.parse(bytes, headerOnly: true, output: nil)
        guard let frame = header.frame else { throw jpegError(.truncated, bytes.count, "no frame header (SOF) found") }
        let transform = header.colorTransform
        let inks = keepCMYK && transform.hasInks
        let width = (frame.width + scaleDenominator - 1) / scaleDenominator
        let height = (frame.height + scaleDenominator - 1) / scaleDenominator
        let count = width * height * (transform == .gray ? 1 : inks ? 4 : 3)
        var stream = JPEGStream(limits: limits, scale: scaleDenominator)
        stream.keepCMYK = inks
        stream.outputBytes = count
        let samples = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            HugePages.advise(UnsafeMutableRawPointer(base), count)
            try stream.parse(bytes, headerOnly: false, output: base)
            initialized = count
        }
        var metadata = stream.metadata
        if inks { metadata.cmyk = CMYKSamples(adobeInverted: stream.app.adobeTransform != nil) }
        return try Raster(width: width, height: height, layout: transform == .gray ? .gray : inks ? .rgba : .rgb,
                          samples8: samples, metadata: metadata)
    }
}

/// The marker-level walk over a JPEG file (T.81 B.2, B.3): collects tables and metadata, decodes each scan as it
/// comes, and keeps the coefficients for the output stage.
struct JPEGStream {
    let limits: ImageLimits
    var frame: JPEGFrame?
    var planes: [JPEGComponentPlane] = []
    var quantTables: [[UInt16]?] = [nil, nil, nil, nil]
    var dcTables: [JPEGHuffmanTable?] = [nil, nil, nil, nil]
    var acTables: [JPEGHuffmanTable?] = [nil, nil, nil, nil]
    var restartInterval = 0
    var app = JPEGAppInfo()
    var scanCount = 0
    var mcusX = 0, mcusY = 0

    let scale: Int
    static let maxScans = 500
    /// Draw CMYK/YCCK as four CMYK samples (`JPEGDecoder.decode(keepCMYK:)`).
    var keepCMYK = false
    /// Set while a single-scan sequential image is drawn as its MCU rows are decoded.
    var streamed = false
    /// Size of the output buffer given to `parse` (for populating it ahead of drawing).
    var outputBytes = 0
    private var prefault: JPEGPrefault?
    var finished = false

    init(limits: ImageLimits, scale: Int = 1) { self.limits = limits; self.scale = scale }

    /// How the components are to be read (libjpeg's rules: JFIF → YCbCr; Adobe transform flag; else component ids).
    var colorTransform: JPEGColorTransform {
        guard let frame else { return .ycbcr }
        switch frame.components.count {
        case 1: return .gray
        case 3:
            if app.sawJFIF { return .ycbcr }
            if let t = app.adobeTransform { return t == 0 ? .rgb : .ycbcr }
            let ids = frame.components.map(\.id)
            if ids == [0x52, 0x47, 0x42] { return .rgb } // 'R', 'G', 'B'
            return .ycbcr
        default:
            if let t = app.adobeTransform { return t == 0 ? .cmyk : .ycck }
            return .cmyk
        }
    }

    var metadata: ImageMetadata {
        var m = ImageMetadata()
        m.iccProfile = app.iccProfile
        m.exif = app.exif
        m.orientation = app.orientation
        m.source.format = .jpeg
        m.source.bitDepth = 8
        if let frame {
            m.source.components = frame.components.count
            m.source.progressive = frame.progressive
            m.source.subsampling = frame.subsamplingLabel
            m.source.colorTransform = colorTransform.rawValue
            let tables = frame.components.map { quantTables[$0.quantTable] }
            if tables.allSatisfy({ $0 != nil }) { m.source.jpegQuantTables = tables.compactMap { $0 } }
        }
        return m
    }

    /// Walks the file. With `headerOnly` it stops at the first scan; otherwise it decodes every scan and draws the
    /// pixels into `output` (width × height × channels at the stream's scale).
    mutating func parse(_ bytes: [UInt8], headerOnly: Bool, output: UnsafeMutablePointer<UInt8>?) throws {
        try limits.checkSourceSize(bytes.count, codec: jpegCodecName)
        guard bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == JPEGMarker.soi else {
            throw jpegError(.malformed, 0, "missing start-of-image marker")
        }
        try bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            try walk(base: base, count: buffer.count, headerOnly: headerOnly, output: output)
        }
        if !headerOnly, let output {
            guard let frame, scanCount > 0 else { throw jpegError(.truncated, bytes.count, "no scan (SOS) found") }
            if !streamed {
                let g = try JPEGOutputGeometry(frame: frame, planes: planes, transform: colorTransform, scale: scale,
                                               mcuRows: mcusY, keepCMYK: keepCMYK)
                try Job.checkpoint()
                JPEGRender.drawStored(g, into: output)
            }
        }
    }

    private mutating func walk(base: UnsafePointer<UInt8>, count: Int, headerOnly: Bool,
                               output: UnsafeMutablePointer<UInt8>?) throws {
        let bytes = UnsafeBufferPointer(start: base, count: count)
        var pos = 2
        while true {
            // Find the next marker: skip anything that is not 0xFF (tolerated garbage), then fill bytes.
            while pos < count && bytes[pos] != 0xFF { pos += 1 }
            while pos < count && bytes[pos] == 0xFF { pos += 1 }
            guard pos < count else {
                throw jpegError(.truncated, count, frame == nil ? "no frame header (SOF) found" : "end-of-image marker missing")
            }
            let marker = bytes[pos]
            let markerOffset = pos - 1
            pos += 1
            if marker == JPEGMarker.eoi { return }
            if marker == 0x00 || marker == 0x01 || (marker >= JPEGMarker.rst0 && marker <= JPEGMarker.rst7) || marker == JPEGMarker.soi {
                continue // stuffed zero, TEM, stray RSTn or SOI: no segment follows
            }
            guard pos + 2 <= count else { throw jpegError(.truncated, markerOffset, "segment length missing") }
            let length = Int(bytes[pos]) << 8 | Int(bytes[pos + 1])
            guard length >= 2 else { throw jpegError(.malformed, markerOffset, "segment length \(length) is invalid") }
            guard pos + length <= count else { throw jpegError(.truncated, markerOffset, "segment runs past the end of the data") }
            let payload = bytes[(pos + 2)..<(pos + length)]
            let payloadArray = ArraySlice(payload)
            pos += length

            switch marker {
            case JPEGMarker.dqt:
                try jpegParseQuantTables(payloadArray, into: &quantTables, offset: markerOffset)
            case JPEGMarker.dht:
                for t in try jpegParseHuffmanTables(payloadArray, offset: markerOffset) {
                    if t.tc == 0 { dcTables[t.th] = t.table } else { acTables[t.th] = t.table }
                }
            case JPEGMarker.dri:
                guard payload.count >= 2 else { throw jpegError(.malformed, markerOffset, "restart interval segment too short") }
                restartInterval = Int(payload[payload.startIndex]) << 8 | Int(payload[payload.startIndex + 1])
            case JPEGMarker.app0...JPEGMarker.app15:
                app.readSegment(marker: marker, payload: payloadArray)
            case JPEGMarker.dac:
                throw jpegError(.unsupported, markerOffset, "arithmetic coding is not supported")
            case _ where JPEGMarker.isStartOfFrame(marker):
                guard frame == nil else { throw jpegError(.malformed, markerOffset, "second frame header") }
                let f = try JPEGFrame.parse(marker: marker, payloadArray, offset: markerOffset)
                try limits.checkDimensions(width: f.width, height: f.height, codec: jpegCodecName)
                frame = f
            case JPEGMarker.sos:
                guard let f = frame else { throw jpegError(.malformed, markerOffset, "scan before frame header") }
                if headerOnly { return }
                guard !streamed else { throw jpegError(.malformed, markerOffset, "scan after a complete sequential scan") }
                // Each scan may visit every block, and end-of-band runs let a few bytes do so: cap the number of scans
                // so a small file cannot demand unbounded work (real progressive files use about 10).
                guard scanCount < JPEGStream.maxScans else {
                    throw jpegError(.limit, markerOffset, "more than \(JPEGStream.maxScans) scans")
                }
                let scan = try JPEGScan.parse(payloadArray, frame: f, offset: markerOffset)
                // A sequential image whose first scan holds every component is drawn as it is decoded.
                let stream = planes.isEmpty && !f.progressive && scan.components.count == f.components.count
                if planes.isEmpty { try allocatePlanes(f, ringMCURows: stream ? JPEGRender.ringMCURows : nil) }
                try latchQuantTables(scan, offset: markerOffset)
                let decoder = JPEGScanDecoder(scan: scan, planes: planes, progressive: f.progressive, mcusX: mcusX,
                                              mcusY: mcusY, restartInterval: restartInterval, dcTables: dcTables,
                                              acTables: acTables, natural: JPEGScanDecoder.naturalOrder)
                if stream, let output {
                    streamed = true
                    let g = try JPEGOutputGeometry(frame: f, planes: planes, transform: colorTransform, scale: scale,
                                                   mcuRows: mcusY, keepCMYK: keepCMYK)
                    pos = try JPEGRender.drawWhileDecoding(g, decoder: decoder, base: base, end: count, position: pos,
                                                           output: output)
                } else if let output, JPEGParallel.workers > 1 {
                    // Nothing is drawn until the last scan: the other thread meanwhile faults in the coefficient
                    // planes and the output buffer, which this thread would otherwise do page by page.
                    let prefault = self.prefault
                        ?? JPEGPrefault(planes.map { (UnsafeMutableRawPointer($0.coefficients), $0.byteCount) }
                                        + [(UnsafeMutableRawPointer(output), outputBytes)])
                    self.prefault = prefault
                    var next = pos
                    try prefault.overlapping { next = try decoder.run(base: base, end: count, position: next) }
                    pos = next
                } else {
                    pos = try decoder.run(base: base, end: count, position: pos)
                }
                scanCount += 1
            default:
                break // COM, DNL, JPGn and other segments carry nothing we use
            }
        }
    }

    private mutating func allocatePlanes(_ f: JPEGFrame, ringMCURows: Int?) throws {
        mcusX = (f.width + 8 * f.maxH - 1) / (8 * f.maxH)
        mcusY = (f.height + 8 * f.maxV - 1) / (8 * f.maxV)
        planes = try f.components.map { try JPEGComponentPlane($0, frame: f, mcusX: mcusX, mcusY: mcusY, ringMCURows: ringMCURows) }
    }

    /// A component keeps the quantization table that was current when its first scan started.
    private mutating func latchQuantTables(_ scan: JPEGScan, offset: Int) throws {
        for c in scan.components where planes[c.componentIndex].quant == nil {
            let slot = planes[c.componentIndex].quantSlot
            guard let table = quantTables[slot] else {
                throw jpegError(.malformed, offset, "scan uses undefined quantization table \(slot)")
            }
            planes[c.componentIndex].quant = table.map { Int16(truncatingIfNeeded: $0) }
        }
    }
}
