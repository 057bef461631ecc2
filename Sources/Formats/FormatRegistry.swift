import Raster
import Decoders

/// The one list of image formats. Everything that depends on which formats exist — sniffing, decoding, the
/// conversion targets and their default preference, `fmt` and config names, `Accept` tokens, the default rule's
/// extensions, the file origin's types — is derived from `all`.
public enum FormatRegistry {
    /// Every format, in order of preference among the conversion targets (SPEC §2.4: AVIF before WebP when the
    /// rule names no order). Signatures do not overlap, so the order does not matter for sniffing.
    public static let all: [ImageFormat] = [.avif, .webp, .jpeg, .png, .pnm, .gif]

    /// Formats the server converts to when asked and accepted, in default preference.
    public static let conversionTargets: [ImageFormat] = all.filter(\.isConversionTarget)
    /// Formats whose originals the server transforms.
    public static let processedFromOrigin: [ImageFormat] = all.filter(\.isProcessedFromOrigin)
    /// Formats with a decoder (the CLI reads these).
    public static var decodable: [ImageFormat] { all.filter(\.canDecode) }
    /// Formats with an encoder (the CLI writes these).
    public static var encodable: [ImageFormat] { all.filter(\.canEncode) }

    /// The extensions the default rule matches: those of every format the server transforms, so a format that
    /// gains a decoder is covered without another edit.
    public static var defaultRuleExtensions: [String] { processedFromOrigin.flatMap(\.extensions) }

    public static func format(id: FormatID) -> ImageFormat? { all.first { $0.id == id } }

    /// A format by the name a user writes (`fmt=`, a rule's `formats`, `--format`): its id or one of its
    /// extensions, case-insensitively ("jpg" is JPEG).
    public static func format(named name: some StringProtocol) -> ImageFormat? {
        let lower = name.lowercased()
        return all.first { $0.id.rawValue == lower } ?? all.first { $0.extensions.contains(lower) }
    }

    /// A conversion target by its `fmt` / `formats` name (its id only: `fmt=jpg` is not a target).
    public static func conversionTarget(named name: some StringProtocol) -> ImageFormat? {
        let lower = name.lowercased()
        return conversionTargets.first { $0.id.rawValue == lower }
    }

    /// A conversion target by the exact media range of an `Accept` element (already lower-cased).
    public static func conversionTarget(acceptToken token: some StringProtocol) -> ImageFormat? {
        conversionTargets.first { $0.acceptToken.map { $0 == token } ?? false }
    }

    public static func format(forExtension ext: some StringProtocol) -> ImageFormat? {
        let lower = ext.lowercased()
        return all.first { $0.extensions.contains(lower) }
    }

    /// The format whose signature `bytes` carry (magic bytes, never the extension: SPEC §1).
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? { all.first { $0.matches(bytes) } }

    /// Reads the header of any decodable file, found by its magic bytes.
    public static func readHeader(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> ImageHeader {
        try limits.checkSourceSize(bytes.count, codec: "decoder")
        return try readableFormat(bytes).readHeader(bytes, limits: limits)
    }

    /// Decodes any decodable file, found by its magic bytes.
    public static func decode(_ bytes: [UInt8], options: DecodeOptions = DecodeOptions()) throws -> Raster {
        try options.limits.checkSourceSize(bytes.count, codec: "decoder")
        return try readableFormat(bytes).decode(bytes, options: options)
    }

    private static func readableFormat(_ bytes: [UInt8]) throws -> ImageFormat {
        if let format = sniff(bytes), format.canDecode { return format }
        throw CodecError(codec: "decoder", kind: .unsupported,
                         message: "content type \(ContentSniffer.detect(bytes).mimeType) is not a supported input")
    }
}
