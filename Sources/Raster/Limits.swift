/// Resource limits checked from a file's header before any pixel memory is allocated (SPEC §1).
public struct ImageLimits: Sendable, Equatable {
    public var maxPixels: Int
    public var maxSide: Int
    public var maxSourceBytes: Int

    public static let `default` = ImageLimits(maxPixels: 50_000_000, maxSide: 16384, maxSourceBytes: 50 * 1024 * 1024)

    public init(maxPixels: Int, maxSide: Int, maxSourceBytes: Int) {
        self.maxPixels = maxPixels
        self.maxSide = maxSide
        self.maxSourceBytes = maxSourceBytes
    }

    /// Throws `.limit` when the declared size is empty, has a side over `maxSide`, or more than `maxPixels` pixels.
    public func checkDimensions(width: Int, height: Int, codec: String) throws {
        guard width > 0, height > 0 else {
            throw CodecError(codec: codec, kind: .malformed, message: "image has zero width or height (\(width)x\(height))")
        }
        guard width <= maxSide, height <= maxSide else {
            throw CodecError(codec: codec, kind: .limit,
                             message: "image side \(max(width, height)) px exceeds the limit of \(maxSide) px")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else {
            throw CodecError(codec: codec, kind: .limit,
                             message: "image of \(width)x\(height) px exceeds the limit of \(maxPixels) pixels")
        }
    }

    /// Throws `.limit` when the encoded source is larger than `maxSourceBytes`.
    public func checkSourceSize(_ byteCount: Int, codec: String) throws {
        guard byteCount <= maxSourceBytes else {
            throw CodecError(codec: codec, kind: .limit,
                             message: "source of \(byteCount) bytes exceeds the limit of \(maxSourceBytes) bytes")
        }
    }
}
