import Raster

/// Step 1 of T.81 decoding: the marker layer (T.81 B.1.1.3, Table B.1) and the application segments that carry
/// metadata (JFIF APP0, EXIF APP1, ICC APP2, Adobe APP14).
enum JPEGMarker {
    static let soi: UInt8 = 0xD8
    static let eoi: UInt8 = 0xD9
    static let sos: UInt8 = 0xDA
    static let dqt: UInt8 = 0xDB
    static let dnl: UInt8 = 0xDC
    static let dri: UInt8 = 0xDD
    static let dht: UInt8 = 0xC4
    static let dac: UInt8 = 0xCC
    static let rst0: UInt8 = 0xD0
    static let rst7: UInt8 = 0xD7
    static let app0: UInt8 = 0xE0
    static let app15: UInt8 = 0xEF

    /// SOFn markers (T.81 Table B.1): 0xC0...0xCF except DHT (C4), JPG (C8) and DAC (CC).
    static func isStartOfFrame(_ m: UInt8) -> Bool {
        m >= 0xC0 && m <= 0xCF && m != dht && m != 0xC8 && m != dac
    }

    /// Why a SOFn we do not implement is refused (nil for the Huffman sequential and progressive ones we decode).
    static func unsupportedFrameReason(_ m: UInt8) -> String? {
        switch m {
        case 0xC0, 0xC1, 0xC2: return nil
        case 0xC3: return "lossless JPEG (SOF3) is not supported"
        case 0xC5, 0xC6, 0xC7: return "hierarchical (differential) JPEG is not supported"
        default: return "arithmetic-coded JPEG (SOF\(m - 0xC0)) is not supported"
        }
    }
}

let jpegCodecName = "JPEG decoder"

@inline(__always)
func jpegError(_ kind: CodecError.Kind, _ offset: Int?, _ message: String) -> CodecError {
    CodecError(codec: jpegCodecName, kind: kind, offset: offset, message: message)
}

/// The colour information found in APP0 (JFIF) and APP14 (Adobe) segments, plus EXIF and ICC payloads.
struct JPEGAppInfo {
    var sawJFIF = false
    var adobeTransform: Int?
    var exif: [UInt8]?
    var orientation = 1
    /// ICC chunks by sequence number (1-based) and the declared chunk count (ICC.1 B.4 "Embedding ICC profiles in JPEG").
    var iccChunks: [Int: ArraySlice<UInt8>] = [:]
    var iccChunkCount = 0

    mutating func readSegment(marker: UInt8, payload: ArraySlice<UInt8>) {
        let p = payload
        func hasPrefix(_ s: [UInt8]) -> Bool {
            p.count >= s.count && p.prefix(s.count).elementsEqual(s)
        }
        switch marker {
        case JPEGMarker.app0:
            if hasPrefix(Array("JFIF\0".utf8)) { sawJFIF = true }
        case JPEGMarker.app0 + 1:
            if exif == nil, hasPrefix(Array("Exif\0\0".utf8)) {
                let tiff = Array(p.dropFirst(6))
                exif = tiff
                orientation = JPEGAppInfo.exifOrientation(tiff) ?? 1
            }
        case JPEGMarker.app0 + 2:
            let tag = Array("ICC_PROFILE\0".utf8)
            if hasPrefix(tag), p.count >= tag.count + 2 {
                let seq = Int(p[p.startIndex + tag.count])
                let count = Int(p[p.startIndex + tag.count + 1])
                if seq >= 1, count >= 1 {
                    if iccChunkCount == 0 { iccChunkCount = count }
                    if count == iccChunkCount, iccChunks[seq] == nil {
                        iccChunks[seq] = p.dropFirst(tag.count + 2)
                    }
                }
            }
        case JPEGMarker.app0 + 14:
            // "Adobe", version (2 bytes), flags0 (2), flags1 (2), transform (1).
            if hasPrefix(Array("Adobe".utf8)), p.count >= 12 {
                adobeTransform = Int(p[p.startIndex + 11])
            }
        default:
            break
        }
    }

    /// The ICC profile when every chunk 1...count is present; nil otherwise (an incomplete profile is useless).
    var iccProfile: [UInt8]? {
        guard iccChunkCount > 0 else { return nil }
        var out: [UInt8] = []
        for seq in 1...iccChunkCount {
            guard let chunk = iccChunks[seq] else { return nil }
            out.append(contentsOf: chunk)
        }
        return out.isEmpty ? nil : out
    }

    /// Orientation tag 0x0112 of IFD0 in a TIFF structure (EXIF 2.3 §4.6.4, TIFF 6.0 §2); nil if absent or invalid.
    static func exifOrientation(_ t: [UInt8]) -> Int? {
        guard t.count >= 8 else { return nil }
        let little: Bool
        if t[0] == 0x49 && t[1] == 0x49 { little = true } else if t[0] == 0x4D && t[1] == 0x4D { little = false } else { return nil }
        func u16(_ o: Int) -> Int? {
            guard o >= 0, o + 2 <= t.count else { return nil }
            return little ? Int(t[o]) | Int(t[o + 1]) << 8 : Int(t[o]) << 8 | Int(t[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard let a = u16(o), let b = u16(o + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for i in 0..<count {
            let entry = ifd + 2 + i * 12
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112 {
                guard let type = u16(entry + 2), type == 3, let value = u16(entry + 8) else { return nil }
                return (1...8).contains(value) ? value : nil
            }
        }
        return nil
    }
}
