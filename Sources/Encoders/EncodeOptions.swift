import Raster

/// Chroma subsampling for the lossy encoders that support a choice.
public enum ChromaSubsampling: String, Sendable, Equatable {
    case s444 = "4:4:4"
    case s422 = "4:2:2"
    case s420 = "4:2:0"
}

public struct PNGEncodeOptions: Sendable, Equatable {
    /// Deflate effort, 0 (store) ... 9 (thorough); 6 matches libpng's default trade-off.
    public var compressionLevel: Int = 6
    public init(compressionLevel: Int = 6) { self.compressionLevel = compressionLevel }
}

public struct JPEGEncodeOptions: Sendable, Equatable {
    /// libjpeg quality 1...100 (IJG scaling of the Annex K tables).
    public var quality: Int = 80
    public var subsampling: ChromaSubsampling = .s420
    public var progressive: Bool = false
    public init(quality: Int = 80, subsampling: ChromaSubsampling = .s420, progressive: Bool = false) {
        self.quality = quality; self.subsampling = subsampling; self.progressive = progressive
    }
}

public struct WebPEncodeOptions: Sendable, Equatable {
    /// 0...100, as in `cwebp -q`.
    public var quality: Int = 75
    public var lossless: Bool = false
    /// 0 (fastest) ... 6 (most thorough), as in `cwebp -m`.
    public var effort: Int = 4
    public init(quality: Int = 75, lossless: Bool = false, effort: Int = 4) {
        self.quality = quality; self.lossless = lossless; self.effort = effort
    }
}

public struct AVIFEncodeOptions: Sendable, Equatable {
    /// 0...100, meaning about what it means in libavif (`avifenc -q`).
    public var quality: Int = 60
    /// 0 (slowest) ... 10 (fastest), as in avifenc.
    public var speed: Int = 6
    public var subsampling: ChromaSubsampling = .s420
    /// Truly lossless: RGB with the identity matrix (G, B, R planes), 4:4:4, AV1 lossless mode (qindex 0, 4x4
    /// Walsh-Hadamard transforms); gray stays monochrome. Every sample decodes exactly. `quality` and
    /// `subsampling` are ignored.
    public var lossless: Bool = false
    /// Quality of the alpha plane, 0...100; nil (the default) codes alpha losslessly, as libavif does.
    public var alphaQuality: Int? = nil
    public init(quality: Int = 60, speed: Int = 6, subsampling: ChromaSubsampling = .s420, lossless: Bool = false,
                alphaQuality: Int? = nil) {
        self.quality = quality; self.speed = speed; self.subsampling = subsampling; self.lossless = lossless
        self.alphaQuality = alphaQuality
    }
}
