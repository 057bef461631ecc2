/// A format's stable name: what `imagestack info` prints as "format", what the query's `fmt` and a rule's `formats`
/// say, what a decoder stamps on `ImageMetadata.source.format`. Only a name: what a format is and can do (magic
/// bytes, MIME type, capabilities, codecs) is its descriptor in `Sources/Formats`, whose registry is the one list
/// of formats. The names live here, below the codecs, so that a decoder can stamp its output with one.
public struct FormatID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let jpeg = FormatID(rawValue: "jpeg")
    public static let png = FormatID(rawValue: "png")
    public static let webp = FormatID(rawValue: "webp")
    public static let avif = FormatID(rawValue: "avif")
    public static let pnm = FormatID(rawValue: "pnm")
    public static let gif = FormatID(rawValue: "gif")
    /// Content that is no format we know.
    public static let unknown = FormatID(rawValue: "unknown")
}
