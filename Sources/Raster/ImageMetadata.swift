/// Everything a decoder learns besides the pixels.
public struct ImageMetadata: Sendable, Equatable {
    /// The embedded ICC profile (PNG iCCP decompressed, JPEG APP2 chunks reassembled), if any.
    public var iccProfile: [UInt8]?
    /// EXIF orientation 1...8 (1 = upright). Decoders report it; the pipeline applies it and resets it to 1.
    public var orientation: Int = 1
    /// PNG gAMA as a real number (e.g. 0.45455), if present.
    public var gamma: Double?
    /// Raw EXIF payload (PNG eXIf, JPEG APP1 after "Exif\0\0"), kept for information only.
    public var exif: [UInt8]?
    /// Facts about the encoded source that `imagestack info` and the pipeline report or use.
    public var source: SourceInfo = SourceInfo()
    /// Set when the raster's four samples per pixel are CMYK inks, not RGBA (only a JPEG decoded with `keepCMYK`):
    /// the colour stage converts them to RGB before any other stage sees the pixels.
    public var cmyk: CMYKSamples?
    /// The pixels' colour space as ITU-T H.273 code points, when the colour stage kept a profile it recognised
    /// (Display P3, BT.2020, BT.709...): AVIF signals it with an nclx `colr` box instead of profile bytes.
    public var codePoints: ColourCodePoints?

    public init() {}
}

/// ITU-T H.273 ColourPrimaries (Table 2) and TransferCharacteristics (Table 3).
public struct ColourCodePoints: Sendable, Equatable {
    public var primaries: Int
    public var transfer: Int
    public init(primaries: Int, transfer: Int) { self.primaries = primaries; self.transfer = transfer }
}

/// How CMYK samples are stored: libjpeg's CMYK output, which for Adobe (APP14) files is 255 − ink.
public struct CMYKSamples: Sendable, Equatable {
    /// True for files with an Adobe APP14 marker (Photoshop stores inverted inks); LittleCMS's jpgicc reads the same
    /// marker to decide.
    public var adobeInverted: Bool
    public init(adobeInverted: Bool) { self.adobeInverted = adobeInverted }
}

public struct SourceInfo: Sendable, Equatable {
    public var format: FormatID = .unknown
    /// Bits per sample in the file (PNG 1/2/4/8/16, JPEG 8).
    public var bitDepth: Int = 8
    /// Channels as stored (JPEG components; PNG samples per pixel of its colour type).
    public var components: Int = 0
    /// JPEG: progressive (SOF2). PNG: Adam7 interlaced.
    public var progressive: Bool = false
    /// JPEG chroma subsampling label like "4:2:0", "4:4:4"; nil for gray or PNG.
    public var subsampling: String?
    /// JPEG quantization tables in natural (row-major, not zig-zag) order, indexed by table slot 0...3,
    /// listed for the tables the frame's components use: [component 0's table, component 1's table, ...].
    public var jpegQuantTables: [[UInt16]] = []
    /// JPEG: the libjpeg quality that best explains `jpegQuantTables` (filled by the pipeline / CLI).
    public var estimatedQuality: Int?
    /// PNG colour type (0, 2, 3, 4, 6) as stored.
    public var pngColorType: Int?
    /// JPEG colour transform understood from JFIF/Adobe markers: "YCbCr", "RGB", "CMYK", "YCCK", "Gray".
    public var colorTransform: String?

    public init() {}
}
