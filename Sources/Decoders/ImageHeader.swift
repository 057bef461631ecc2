import Raster

/// What a file's header says, read without decoding pixels, so the pipeline can plan (and refuse) cheaply.
public struct ImageHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// The layout `decode` will produce.
    public var layout: ChannelLayout
    /// The depth `decode` will produce (PNG 16-bit stays 16; everything else is 8).
    public var bitDepth: BitDepth
    public var metadata: ImageMetadata

    public init(width: Int, height: Int, layout: ChannelLayout, bitDepth: BitDepth, metadata: ImageMetadata) {
        self.width = width; self.height = height; self.layout = layout; self.bitDepth = bitDepth; self.metadata = metadata
    }
}
