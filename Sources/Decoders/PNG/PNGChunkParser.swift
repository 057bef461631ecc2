import Raster

/// IHDR facts (PNG spec §11.2.2).
struct PNGImageHeader: Equatable {
    var width: Int
    var height: Int
    var bitDepth: Int
    var colorType: Int
    var interlaced: Bool

    /// Samples per pixel as stored: gray 1, RGB 3, palette index 1, gray+alpha 2, RGBA 4.
    var samplesPerPixel: Int {
        switch colorType {
        case 2: return 3
        case 4: return 2
        case 6: return 4
        default: return 1
        }
    }
    var bitsPerPixel: Int { samplesPerPixel * bitDepth }
    /// Bytes per complete pixel, at least 1: the distance the filters look back (PNG spec §9.2).
    var filterStride: Int { max(1, bitsPerPixel / 8) }
    /// Bytes of one filtered row of `pixels` pixels, without the filter-type byte.
    func rowBytes(pixels: Int) -> Int { (pixels * bitsPerPixel + 7) / 8 }
}

/// Everything the chunk walk collects; pixels stay compressed in the IDAT ranges of the file.
struct PNGChunks {
    var header: PNGImageHeader
    /// PLTE entries as RGB triplets.
    var palette: [UInt8] = []
    /// tRNS payload as stored.
    var transparency: [UInt8]?
    /// Where each IDAT chunk's data lies in the file, in order.
    var imageData: [Range<Int>] = []
    var metadata = ImageMetadata()
}

/// Walks the chunk sequence (PNG spec §5.3, §5.6), checking CRCs and ordering, and collects what decoding needs.
enum PNGChunkParser {
    static let codec = "PNG decoder"
    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    static func fail(_ kind: CodecError.Kind, _ offset: Int?, _ message: String) -> CodecError {
        CodecError(codec: codec, kind: kind, offset: offset, message: message)
    }

    /// `verifyImageData: false` skips the CRC of IDAT chunks (used by `readHeader`, which never inflates them).
    static func parse(_ bytes: [UInt8], limits: ImageLimits, verifyImageData: Bool) throws -> PNGChunks {
        try bytes.withUnsafeBufferPointer { try parse($0, limits: limits, verifyImageData: verifyImageData) }
    }

    private static func parse(_ p: UnsafeBufferPointer<UInt8>, limits: ImageLimits, verifyImageData: Bool) throws -> PNGChunks {
        guard p.count >= 8 else { throw fail(.truncated, 0, "file shorter than the PNG signature") }
        for i in 0..<8 where p[i] != signature[i] {
            throw fail(.malformed, i, "bad PNG signature byte \(p[i]) (expected \(signature[i]))")
        }
        var pos = 8
        var chunks: PNGChunks?
        var sawEnd = false
        var imageDataClosed = false
        var previousType: UInt32 = 0
        let IHDR: UInt32 = 0x4948_4452, PLTE: UInt32 = 0x504C_5445, IDAT: UInt32 = 0x4944_4154, IEND: UInt32 = 0x4945_4E44
        while !sawEnd {
            guard pos + 8 <= p.count else {
                throw fail(.truncated, pos, chunks == nil ? "IHDR chunk missing" : "file ends before the IEND chunk")
            }
            let length = Int(readUInt32(p, pos))
            let type = readUInt32(p, pos + 4)
            let typeName = fourCC(type)
            guard length <= 0x7FFF_FFFF else { throw fail(.malformed, pos, "chunk length \(length) exceeds 2^31-1") }
            for k in 4..<8 {
                let c = p[pos + k] | 0x20
                guard c >= 0x61, c <= 0x7A else { throw fail(.malformed, pos + 4, "invalid chunk type bytes") }
            }
            let dataStart = pos + 8
            guard length <= p.count - dataStart, p.count - dataStart - length >= 4 else {
                throw fail(.truncated, pos, "\(typeName) chunk of \(length) bytes runs past the end of the file")
            }
            let data = dataStart..<(dataStart + length)
            let isCritical = p[pos + 4] & 0x20 == 0
            let storedCRC = readUInt32(p, data.upperBound)
            let wanted = isCritical || isKnownAncillary(type)
            var crcOK = true
            if wanted && (type != IDAT || verifyImageData) {
                crcOK = CRC32.update(0, UnsafeBufferPointer(rebasing: p[(pos + 4)..<data.upperBound])) == storedCRC
                if !crcOK && isCritical {
                    throw fail(.malformed, data.upperBound, "\(typeName) chunk CRC mismatch")
                }
            }
            if chunks == nil && type != IHDR { throw fail(.malformed, pos, "first chunk is \(typeName), not IHDR") }
            if type == IDAT {
                if imageDataClosed { throw fail(.malformed, pos, "IDAT chunks are not consecutive") }
            } else if previousType == IDAT {
                imageDataClosed = true
            }
            switch type {
            case IHDR:
                guard chunks == nil else { throw fail(.malformed, pos, "second IHDR chunk") }
                chunks = PNGChunks(header: try parseHeader(p, data, limits: limits))
            case PLTE:
                guard !imageDataClosed, chunks?.imageData.isEmpty ?? false else { throw fail(.malformed, pos, "PLTE after IDAT") }
                try chunks?.readPalette(p, data)
            case IDAT:
                chunks?.imageData.append(data)
            case IEND:
                sawEnd = true
            default:
                if isCritical { throw fail(.unsupported, pos, "unknown critical chunk \(typeName)") }
                if crcOK { chunks?.readAncillary(type, p, data, limits: limits) }
            }
            previousType = type
            pos = data.upperBound + 4
        }
        guard var result = chunks else { throw fail(.malformed, 8, "IHDR chunk missing") }
        guard !result.imageData.isEmpty else { throw fail(.malformed, pos, "no IDAT chunk") }
        if result.header.colorType == 3 && result.palette.isEmpty {
            throw fail(.malformed, nil, "palette image without a PLTE chunk")
        }
        if result.header.colorType != 3 { result.palette = [] }
        fillSourceInfo(&result)
        return result
    }

    static func readUInt32(_ p: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        UInt32(p[at]) << 24 | UInt32(p[at + 1]) << 16 | UInt32(p[at + 2]) << 8 | UInt32(p[at + 3])
    }

    static func fourCC(_ type: UInt32) -> String {
        String(decoding: [UInt8(type >> 24), UInt8((type >> 16) & 0xFF), UInt8((type >> 8) & 0xFF), UInt8(type & 0xFF)],
               as: UTF8.self)
    }

    private static func isKnownAncillary(_ type: UInt32) -> Bool {
        PNGAncillary.known.contains(type)
    }

    /// PNG spec §11.2.2: allowed colour type / bit depth combinations, compression and filter method 0.
    private static func parseHeader(_ p: UnsafeBufferPointer<UInt8>, _ data: Range<Int>, limits: ImageLimits) throws -> PNGImageHeader {
        guard data.count == 13 else { throw fail(.malformed, data.lowerBound, "IHDR length \(data.count) is not 13") }
        let at = data.lowerBound
        let width = Int(readUInt32(p, at)), height = Int(readUInt32(p, at + 4))
        let depth = Int(p[at + 8]), colorType = Int(p[at + 9])
        guard width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw fail(.malformed, at, "image size \(width)x\(height) exceeds 2^31-1")
        }
        let allowed: [Int]
        switch colorType {
        case 0: allowed = [1, 2, 4, 8, 16]
        case 3: allowed = [1, 2, 4, 8]
        case 2, 4, 6: allowed = [8, 16]
        default: throw fail(.malformed, at + 9, "invalid colour type \(colorType)")
        }
        guard allowed.contains(depth) else {
            throw fail(.malformed, at + 8, "bit depth \(depth) is not allowed for colour type \(colorType)")
        }
        guard p[at + 10] == 0 else { throw fail(.malformed, at + 10, "unknown compression method \(p[at + 10])") }
        guard p[at + 11] == 0 else { throw fail(.malformed, at + 11, "unknown filter method \(p[at + 11])") }
        guard p[at + 12] <= 1 else { throw fail(.malformed, at + 12, "unknown interlace method \(p[at + 12])") }
        do {
            try limits.checkDimensions(width: width, height: height, codec: codec)
        } catch let e as CodecError {
            throw CodecError(codec: codec, kind: e.kind, offset: at, message: e.message)
        }
        return PNGImageHeader(width: width, height: height, bitDepth: depth, colorType: colorType, interlaced: p[at + 12] == 1)
    }

    private static func fillSourceInfo(_ chunks: inout PNGChunks) {
        let h = chunks.header
        chunks.metadata.source.format = .png
        chunks.metadata.source.bitDepth = h.bitDepth
        chunks.metadata.source.components = h.samplesPerPixel
        chunks.metadata.source.progressive = h.interlaced
        chunks.metadata.source.pngColorType = h.colorType
    }
}

extension PNGChunks {
    /// PNG spec §11.2.3: 1...256 RGB entries; only a suggestion (ignored) for truecolour images.
    mutating func readPalette(_ p: UnsafeBufferPointer<UInt8>, _ data: Range<Int>) throws {
        let fail = PNGChunkParser.fail
        guard palette.isEmpty else { throw fail(.malformed, data.lowerBound, "second PLTE chunk") }
        if header.colorType == 0 || header.colorType == 4 {
            throw fail(.malformed, data.lowerBound, "PLTE chunk in a grayscale image")
        }
        guard data.count % 3 == 0, data.count >= 3, data.count <= 768 else {
            if header.colorType == 3 { throw fail(.malformed, data.lowerBound, "invalid PLTE length \(data.count)") }
            return
        }
        if header.colorType == 3 && data.count / 3 > 1 << header.bitDepth {
            throw fail(.malformed, data.lowerBound, "PLTE has \(data.count / 3) entries, more than bit depth \(header.bitDepth) allows")
        }
        palette = Array(p[data])
    }
}
