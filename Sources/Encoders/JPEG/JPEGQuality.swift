import Raster

/// Contract placeholder: the JPEG encoder issue replaces this file with the IJG quality estimate.
public enum JPEGQuality {
    /// The libjpeg quality (1...100) that best explains quantization tables in natural order
    /// (luma first, then chroma if present); nil when there are no tables.
    public static func estimate(tables: [[UInt16]]) -> Int? { nil }
}
