import Raster
import Formats

/// The exact `Img-Skip-Reason` strings (SPEC §6, Gcore's vocabulary, spelling included). A skip always serves the
/// original bytes untouched; this type only names why. Kept in one place so the CLI, the server and the tests agree.
public struct SkipReason: Error, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public init(_ text: String) { self.text = text }
    public var description: String { text }

    // Input.
    public static func unsupportedContentType(_ mimeType: String) -> SkipReason {
        SkipReason("detected content type \(mimeType) is not supported")
    }
    /// An animated file of a format that is otherwise processed (SPEC §1: a still frame would break it).
    public static func animated(_ format: ImageFormat) -> SkipReason {
        unsupportedContentType(format.mimeType + " (animated)")
    }
    /// A JPEG/PNG the decoder refused (corrupt, truncated, unsupported feature, over a limit): names the error.
    public static func decoderError(_ error: Error) -> SkipReason {
        SkipReason("decoding: " + headerSafe(String(describing: error)))
    }
    /// The origin body carries a `Content-Encoding` (gzip...) we do not undo (SPEC §6 "Also").
    public static func contentEncoding(_ encoding: String) -> SkipReason {
        SkipReason("detected content encoding \(headerSafe(encoding)) is not supported")
    }
    public static func originStatus(_ code: Int) -> SkipReason {
        SkipReason("not valid response code from the origin; response code — \(code)")
    }

    // Compression.
    public static func biggerThanOrigin(format: ImageFormat, originQuality: Int, desiredQuality: Int) -> SkipReason {
        SkipReason("\(format.id.rawValue) will be bigger, than origin: OriginQ: \(originQuality), DesiredQ: \(desiredQuality)")
    }
    public static let rateLimit = SkipReason("compression: rate limit is exceeded")
    /// The job ran past `timeouts.processingMs` and was cancelled (SPEC §5; not in Gcore's list, same vocabulary).
    public static let processingTimeLimit = SkipReason("compression: processing time limit exceeded")
    public static let badQuality = SkipReason("compression: bad quality parameter")
    public static let unsupportedFmt = SkipReason("compression: unsupported format of the fmt query parameter")
    public static let clientDoesNotAccept = SkipReason("compression: webp/avif format is not supported by the client")
    public static let notSmaller = SkipReason("compression: output image size is bigger than/equal to the original image size")
    /// "conversation" (sic) is Gcore's spelling.
    public static func encoderFailed(_ format: ImageFormat) -> SkipReason {
        SkipReason("compression: \(format.mimeType) conversation internal error")
    }

    // Resizing.
    public static let badWidth = SkipReason("resizing: bad width parameter")
    public static let badHeight = SkipReason("resizing: bad height parameter")
    /// Not in Gcore's list (it documents no error for `fit`); worded in the same vocabulary.
    public static let badFit = SkipReason("resizing: bad fit parameter")
    public static let wouldEnlarge = SkipReason("resizing: destination image width or height parameter is more than the original image size")
    public static let resizeInternal = SkipReason("resizing: internal error")

    // Cropping.
    public static let badRatio = SkipReason("cropping: bad width-ratio or height-ratio parameter")
    public static let badCropHeight = SkipReason("cropping: bad height ratio parameter")
    public static let badCropWidth = SkipReason("cropping: bad width ratio parameter")
    public static let positionMissing = SkipReason("cropping: x or y parameter is not specified")
    public static let badPercent = SkipReason("cropping: bad x/y percentage parameter")
    public static let badPixels = SkipReason("cropping: bad x/y pixels parameter")
    public static let pixelsAndPercent = SkipReason("cropping: x/y pixel and percentage values cannot be specified simultaneously")
    public static let badOffset = SkipReason("cropping: bad offset-x/y parameter")
    public static let percentOver100 = SkipReason("cropping: x/y percentage parameter cannot be more than 100")
    public static let offsetOver100 = SkipReason("cropping: offset-x/y parameter cannot be more than 100")
    public static let cropTooBig = SkipReason("cropping: output height and width cannot be bigger than the original image size")
    public static let pixelsOutside = SkipReason("cropping: output x/y pixel value cannot be more than the original image pixels")
    public static let percentOutside = SkipReason("cropping: output x/y percentage value cannot be more than the original image size")

    /// Header values must be one line of visible ASCII: anything else becomes '?'.
    static func headerSafe(_ s: String) -> String {
        String(decoding: s.utf8.map { ($0 >= 0x20 && $0 < 0x7F) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }
}
