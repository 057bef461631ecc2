import Raster

/// Ancillary chunks the decoder uses. Like libpng, a damaged or misplaced ancillary chunk is ignored rather than
/// failing the image: it only ever adds information.
enum PNGAncillary {
    static let tRNS: UInt32 = 0x7452_4E53
    static let gAMA: UInt32 = 0x6741_4D41
    static let iCCP: UInt32 = 0x6943_4350
    static let eXIf: UInt32 = 0x6558_4966
    /// Chunks whose CRC is checked (unknown ancillary chunks are skipped unchecked).
    static let known: Set<UInt32> = [tRNS, gAMA, iCCP, eXIf]
    /// The largest ICC profile accepted when decompressing iCCP.
    static let maxProfileBytes = 16 << 20
}

extension PNGChunks {
    mutating func readAncillary(_ type: UInt32, _ p: UnsafeBufferPointer<UInt8>, _ data: Range<Int>, limits: ImageLimits) {
        let beforeImageData = imageData.isEmpty
        switch type {
        case PNGAncillary.tRNS where beforeImageData && transparency == nil:
            readTransparency(p, data)
        case PNGAncillary.gAMA where beforeImageData && data.count == 4 && metadata.gamma == nil:
            // PNG spec §11.3.3.2: gamma times 100000.
            let value = PNGChunkParser.readUInt32(p, data.lowerBound)
            if value > 0 { metadata.gamma = Double(value) / 100_000 }
        case PNGAncillary.iCCP where beforeImageData && metadata.iccProfile == nil:
            metadata.iccProfile = readProfile(p, data, limits: limits)
        case PNGAncillary.eXIf where metadata.exif == nil:
            let payload = Array(p[data])
            metadata.exif = payload
            if let orientation = EXIFOrientation.read(payload) { metadata.orientation = orientation }
        default:
            break
        }
    }

    /// PNG spec §11.3.2.1: gray key (2 bytes), RGB key (6 bytes), or one alpha per palette entry (at most PLTE's count).
    private mutating func readTransparency(_ p: UnsafeBufferPointer<UInt8>, _ data: Range<Int>) {
        switch header.colorType {
        case 0 where data.count == 2, 2 where data.count == 6:
            transparency = Array(p[data])
        case 3 where !palette.isEmpty && data.count <= palette.count / 3:
            transparency = Array(p[data])
        default:
            break
        }
    }

    /// PNG spec §11.3.3.3: profile name (1-79 bytes), NUL, compression method 0, zlib stream.
    private func readProfile(_ p: UnsafeBufferPointer<UInt8>, _ data: Range<Int>, limits: ImageLimits) -> [UInt8]? {
        var i = data.lowerBound
        while i < data.upperBound && p[i] != 0 { i += 1 }
        let nameLength = i - data.lowerBound
        guard nameLength >= 1, nameLength <= 79, i + 2 <= data.upperBound, p[i + 1] == 0 else { return nil }
        let compressed = Array(p[(i + 2)..<data.upperBound])
        return try? Inflate.zlibDecompress(compressed, maxOutput: min(PNGAncillary.maxProfileBytes, limits.maxSourceBytes))
    }
}

/// Reads the orientation tag (0x0112) from IFD0 of a TIFF-structured EXIF payload (EXIF 2.3 §4.6.4).
enum EXIFOrientation {
    static func read(_ payload: [UInt8]) -> Int? {
        var start = 0
        // Some writers keep JPEG's "Exif\0\0" prefix in eXIf; accept it.
        if payload.count >= 6 && payload[0] == 0x45 && payload[1] == 0x78 && payload[2] == 0x69 && payload[3] == 0x66
            && payload[4] == 0 && payload[5] == 0 { start = 6 }
        let b = payload
        guard b.count - start >= 8 else { return nil }
        let little: Bool
        if b[start] == 0x49 && b[start + 1] == 0x49 { little = true }
        else if b[start] == 0x4D && b[start + 1] == 0x4D { little = false }
        else { return nil }
        func u16(_ at: Int) -> Int? {
            guard at >= start, at + 2 <= b.count else { return nil }
            return little ? Int(b[at]) | Int(b[at + 1]) << 8 : Int(b[at]) << 8 | Int(b[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let lo = u16(little ? at : at + 2), let hi = u16(little ? at + 2 : at) else { return nil }
            return hi << 16 | lo
        }
        guard u16(start + 2) == 42, let ifd = u32(start + 4) else { return nil }
        let ifdAt = start + ifd
        guard ifd >= 8, let count = u16(ifdAt) else { return nil }
        for k in 0..<count {
            let entry = ifdAt + 2 + 12 * k
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112 {
                // Type 3 (SHORT), count 1: the value sits in the first two bytes of the value field.
                guard u16(entry + 2) == 3, let value = u16(entry + 8), (1...8).contains(value) else { return nil }
                return value
            }
        }
        return nil
    }
}
