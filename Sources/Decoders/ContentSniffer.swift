import Raster

/// Identifies what a body is from its first bytes (SPEC §1: magic bytes, never the extension or Content-Type).
public enum ContentSniffer {
    public struct Detection: Equatable, Sendable {
        public let format: SourceFormat
        /// MIME type used in "detected content type <type> is not supported".
        public let mimeType: String
    }

    public static func detect(_ bytes: [UInt8]) -> Detection {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + magic.count && Array(bytes[offset..<offset + magic.count]) == magic
        }
        if starts([0xFF, 0xD8, 0xFF]) { return Detection(format: .jpeg, mimeType: "image/jpeg") }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return Detection(format: .png, mimeType: "image/png") }
        // "PNG" at offset 1 with a damaged rest of the signature (e.g. a CR-LF translated transfer): hand it to the
        // PNG decoder, whose error then says what is wrong with the signature instead of "unsupported content".
        if starts(Array("PNG".utf8), at: 1) && bytes.count >= 8 { return Detection(format: .png, mimeType: "image/png") }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return Detection(format: .gif, mimeType: "image/gif") }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return Detection(format: .webp, mimeType: "image/webp") }
        if starts(Array("ftyp".utf8), at: 4) {
            let brand = bytes.count >= 12 ? String(decoding: bytes[8..<12], as: UTF8.self) : ""
            if brand == "avif" || brand == "avis" { return Detection(format: .avif, mimeType: "image/avif") }
            if brand.hasPrefix("hei") || brand == "mif1" { return Detection(format: .unknown, mimeType: "image/heif") }
            return Detection(format: .unknown, mimeType: "video/mp4")
        }
        if starts([0x42, 0x4D]) { return Detection(format: .unknown, mimeType: "image/bmp") }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return Detection(format: .unknown, mimeType: "image/tiff") }
        if starts([0x00, 0x00, 0x01, 0x00]) { return Detection(format: .unknown, mimeType: "image/x-icon") }
        if bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), (UInt8(ascii: "1")...UInt8(ascii: "7")).contains(bytes[1]) {
            return Detection(format: .pnm, mimeType: "image/x-portable-anymap")
        }
        if starts([0x1F, 0x8B]) { return Detection(format: .unknown, mimeType: "application/gzip") }
        if starts(Array("%PDF".utf8)) { return Detection(format: .unknown, mimeType: "application/pdf") }
        // Text-like content: look at the start without leading whitespace, case-insensitively.
        let head = String(decoding: bytes.prefix(512), as: UTF8.self)
            .drop(while: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\u{FEFF}" }).lowercased()
        if head.hasPrefix("<svg") || (head.hasPrefix("<?xml") && head.contains("<svg")) {
            return Detection(format: .unknown, mimeType: "image/svg+xml")
        }
        if head.hasPrefix("<!doctype html") || head.hasPrefix("<html") || head.hasPrefix("<head") || head.hasPrefix("<body") {
            return Detection(format: .unknown, mimeType: "text/html")
        }
        if head.hasPrefix("<?xml") { return Detection(format: .unknown, mimeType: "text/xml") }
        if head.hasPrefix("{") || head.hasPrefix("[") { return Detection(format: .unknown, mimeType: "application/json") }
        if bytes.isEmpty { return Detection(format: .unknown, mimeType: "application/x-empty") }
        let printable = bytes.prefix(512).allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || ($0 >= 32 && $0 != 127) }
        return Detection(format: .unknown, mimeType: printable ? "text/plain" : "application/octet-stream")
    }
}
