import Raster

/// The name every WebP decoding error carries.
let webpCodecName = "WebP decoder"

@inline(never)
func webpError(_ kind: CodecError.Kind, _ offset: Int?, _ message: String) -> CodecError {
    CodecError(codec: webpCodecName, kind: kind, offset: offset, message: message)
}

/// Where the parts of a WebP file are, found by walking its RIFF chunks (WebP container specification: "RIFF File
/// Format", "Simple File Format", "Extended File Format"). Ranges are byte ranges of chunk payloads in the file.
struct WebPContainerLayout {
    enum Bitstream { case lossy, lossless }

    var bitstream: Bitstream
    /// Payload of the 'VP8 ' or 'VP8L' chunk.
    var bitstreamRange: Range<Int>
    /// Payload of the 'ALPH' chunk before a 'VP8 ' bitstream (extended format only).
    var alphaRange: Range<Int>?
    /// Canvas size from 'VP8X' (extended format only); it must equal the bitstream's frame size.
    var canvasSize: (width: Int, height: Int)?
    /// VP8X "Alpha" flag (bit 4 of the flags byte).
    var alphaFlag = false
    var iccRange: Range<Int>?
    var exifRange: Range<Int>?

    /// VP8X flag bits (container specification, "Extended File Format").
    static let animationFlag: UInt8 = 0x02
    static let alphaFlagBit: UInt8 = 0x10

    static func fourCC(_ s: String) -> UInt32 {
        var v: UInt32 = 0
        for (i, c) in s.utf8.enumerated() { v |= UInt32(c) << (8 * UInt32(i)) }
        return v
    }
    static let riff = fourCC("RIFF"), webp = fourCC("WEBP"), vp8 = fourCC("VP8 "), vp8l = fourCC("VP8L")
    static let vp8x = fourCC("VP8X"), alph = fourCC("ALPH"), iccp = fourCC("ICCP"), exif = fourCC("EXIF")
    static let anim = fourCC("ANIM"), anmf = fourCC("ANMF")

    /// True when the file is an animated WebP: VP8X carries the animation flag, or an 'ANIM'/'ANMF' chunk appears.
    /// Never throws: anything that does not parse as far as that is "not animated" (the decoder then says why).
    static func isAnimated(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 21, le32(bytes, 0) == riff, le32(bytes, 8) == webp else { return false }
        if le32(bytes, 12) == vp8x && bytes[20] & animationFlag != 0 { return true }
        var pos = 12
        while pos + 8 <= bytes.count {
            let tag = le32(bytes, pos)
            if tag == anim || tag == anmf { return true }
            if tag == vp8 || tag == vp8l { return false }
            let size = Int(le32(bytes, pos + 4))
            pos += 8 + size + (size & 1)
        }
        return false
    }

    @inline(__always)
    static func le32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }

    @inline(__always)
    static func le24(_ b: [UInt8], _ at: Int) -> Int {
        Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16
    }

    /// Walks the chunks. Throws `.unsupported` for animations, `.truncated` when the data ends before the RIFF size
    /// or a chunk says, `.malformed` for anything else out of place.
    static func parse(_ bytes: [UInt8]) throws -> WebPContainerLayout {
        guard bytes.count >= 12 else { throw webpError(.truncated, bytes.count, "file shorter than the 12-byte RIFF header") }
        guard le32(bytes, 0) == riff, le32(bytes, 8) == webp else {
            throw webpError(.malformed, 0, "missing RIFF/WEBP signature")
        }
        let riffSize = Int(le32(bytes, 4))
        // The RIFF payload holds "WEBP" and at least one chunk header.
        guard riffSize >= 12 else { throw webpError(.malformed, 4, "RIFF size \(riffSize) cannot hold a chunk") }
        guard riffSize <= bytes.count - 8 else {
            throw webpError(.truncated, bytes.count, "RIFF size says \(riffSize + 8) bytes, the file has \(bytes.count)")
        }
        // Bytes after the RIFF payload are not part of the file (container specification, "RIFF File Format").
        let end = 8 + riffSize
        var chunks = ChunkWalker(bytes: bytes, end: end, position: 12)
        guard let first = try chunks.next() else { throw webpError(.truncated, 12, "no chunk after the RIFF header") }
        switch first.tag {
        case vp8, vp8l:
            return WebPContainerLayout(bitstream: first.tag == vp8 ? .lossy : .lossless, bitstreamRange: first.payload)
        case vp8x:
            return try parseExtended(vp8x: first, chunks: &chunks, bytes: bytes)
        default:
            throw webpError(.malformed, first.offset,
                            "first chunk is '\(tagName(first.tag))', expected 'VP8 ', 'VP8L' or 'VP8X'")
        }
    }

    private static func parseExtended(vp8x: Chunk, chunks: inout ChunkWalker, bytes: [UInt8]) throws -> WebPContainerLayout {
        guard vp8x.payload.count >= 10 else {
            throw webpError(.malformed, vp8x.offset, "VP8X chunk of \(vp8x.payload.count) bytes, expected 10")
        }
        let p = vp8x.payload.lowerBound
        let flags = bytes[p]
        if flags & animationFlag != 0 { throw animated(vp8x.offset) }
        let canvas = (width: le24(bytes, p + 4) + 1, height: le24(bytes, p + 7) + 1)
        var alpha: Range<Int>?
        var icc: Range<Int>?
        // Chunks before the bitstream: ICCP, ALPH and unknown ones (an ANIM/ANMF means an animation after all).
        while true {
            guard let chunk = try chunks.next() else {
                throw webpError(.truncated, chunks.position, "no 'VP8 ' or 'VP8L' chunk in the file")
            }
            switch chunk.tag {
            case anim, anmf: throw animated(chunk.offset)
            case iccp: if icc == nil { icc = chunk.payload }
            case alph: if alpha == nil { alpha = chunk.payload }
            case vp8, vp8l:
                var container = WebPContainerLayout(bitstream: chunk.tag == vp8 ? .lossy : .lossless, bitstreamRange: chunk.payload)
                container.canvasSize = canvas
                container.alphaFlag = flags & alphaFlagBit != 0
                container.iccRange = icc
                // ALPH belongs to lossy frames; VP8L carries its own alpha (container specification, "Alpha").
                container.alphaRange = chunk.tag == vp8 ? alpha : nil
                // Metadata may follow the image; a damaged tail after the bitstream does not make the image unreadable.
                while let later = try? chunks.next() {
                    if later.tag == exif, container.exifRange == nil { container.exifRange = later.payload }
                }
                return container
            default: break
            }
        }
    }

    private static func animated(_ offset: Int) -> CodecError {
        webpError(.unsupported, offset, "animated WebP")
    }

    static func tagName(_ tag: UInt32) -> String {
        let chars = (0..<4).map { UInt8(truncatingIfNeeded: tag >> (8 * UInt32($0))) }
        return String(decoding: chars.map { (32...126).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }

    struct Chunk {
        var tag: UInt32
        /// Offset of the chunk header.
        var offset: Int
        var payload: Range<Int>
    }

    /// Steps over chunks: 4-byte tag, 4-byte little-endian payload size, payload padded to an even length.
    struct ChunkWalker {
        let bytes: [UInt8]
        let end: Int
        var position: Int

        mutating func next() throws -> Chunk? {
            if position >= end { return nil }
            guard position + 8 <= end else {
                throw webpError(.truncated, position, "chunk header runs past the end of the RIFF data")
            }
            let tag = le32(bytes, position)
            let size = Int(le32(bytes, position + 4))
            let start = position + 8
            guard size <= end - start else {
                throw webpError(.truncated, position,
                                "'\(tagName(tag))' chunk of \(size) bytes runs past the end of the RIFF data")
            }
            let chunk = Chunk(tag: tag, offset: position, payload: start..<(start + size))
            position = min(end, start + size + (size & 1))
            return chunk
        }
    }
}
