/// Identifies what a body is from its first bytes (SPEC §1: magic bytes, never the extension or Content-Type):
/// one of the registry's formats, or else a MIME type for the skip reason ("detected content type <type> is not
/// supported").
public enum ContentSniffer {
    public struct Detection: Equatable, Sendable {
        /// nil for content that is no format in the registry.
        public let format: ImageFormat?
        /// MIME type used in "detected content type <type> is not supported".
        public let mimeType: String
    }

    public static func detect(_ bytes: [UInt8]) -> Detection {
        if let format = FormatRegistry.sniff(bytes) { return Detection(format: format, mimeType: format.mimeType) }
        return Detection(format: nil, mimeType: OtherContent.mimeType(bytes))
    }
}

/// Names content that is no registry format, only so a skip reason can say what it was.
enum OtherContent {
    static func mimeType(_ bytes: [UInt8]) -> String {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + magic.count && bytes[offset..<offset + magic.count].elementsEqual(magic)
        }
        if starts(Array("ftyp".utf8), at: 4) {
            let brand = bytes.count >= 12 ? String(decoding: bytes[8..<12], as: UTF8.self) : ""
            return brand.hasPrefix("hei") || brand == "mif1" ? "image/heif" : "video/mp4"
        }
        if starts([0x42, 0x4D]) { return "image/bmp" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "image/tiff" }
        if starts([0x00, 0x00, 0x01, 0x00]) { return "image/x-icon" }
        if starts([0x1F, 0x8B]) { return "application/gzip" }
        if starts(Array("%PDF".utf8)) { return "application/pdf" }
        // Text-like content: look at the start without leading whitespace, case-insensitively.
        let head = String(decoding: bytes.prefix(512), as: UTF8.self)
            .drop(while: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\u{FEFF}" }).lowercased()
        if head.hasPrefix("<svg") || (head.hasPrefix("<?xml") && head.contains("<svg")) { return "image/svg+xml" }
        if head.hasPrefix("<!doctype html") || head.hasPrefix("<html") || head.hasPrefix("<head") || head.hasPrefix("<body") {
            return "text/html"
        }
        if head.hasPrefix("<?xml") { return "text/xml" }
        if head.hasPrefix("{") || head.hasPrefix("[") { return "application/json" }
        if bytes.isEmpty { return "application/x-empty" }
        let printable = bytes.prefix(512).allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || ($0 >= 32 && $0 != 127) }
        return printable ? "text/plain" : "application/octet-stream"
    }
}
