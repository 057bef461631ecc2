/// The typed error every decoder, encoder and transform throws. Bad input never traps: it becomes one of these,
/// with the codec's name, the byte offset where the problem was found (when known) and what was wrong.
public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The data breaks the format's rules (bad marker, bad CRC, invalid code...).
        case malformed
        /// The data ends before the format says it should.
        case truncated
        /// Valid data using a feature we deliberately do not implement (arithmetic JPEG, 12-bit...).
        case unsupported
        /// A configured limit (pixels, side, bytes) would be exceeded.
        case limit
        /// The encoder cannot represent this image (e.g. WebP's 16383-pixel side limit).
        case encoderLimit
    }

    public let codec: String
    public let kind: Kind
    public let offset: Int?
    public let message: String

    public init(codec: String, kind: Kind, offset: Int? = nil, message: String) {
        self.codec = codec
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    /// One line: "JPEG decoder: malformed data at offset 1234: bad Huffman code".
    public var description: String {
        var s = "\(codec): "
        switch kind {
        case .malformed: s += "malformed data"
        case .truncated: s += "truncated data"
        case .unsupported: s += "unsupported"
        case .limit: s += "limit exceeded"
        case .encoderLimit: s += "cannot encode"
        }
        if let offset { s += " at offset \(offset)" }
        return s + ": " + message
    }
}
