import Raster

/// Lossy WebP: one VP8 key frame (RFC 6386), the payload of a RIFF `VP8 ` chunk.
public enum VP8Encoder {
    /// Encodes the colour of `raster` (8-bit gray/RGB; alpha is ignored here — the container writes ALPH) as one
    /// VP8 key frame: the complete payload of a RIFF `VP8 ` chunk (frame tag, start code, dimensions, partitions).
    public static func encodeKeyFrame(_ raster: Raster, quality: Int, effort: Int) throws -> [UInt8] {
        try encode(raster, options: Options(quality: quality, effort: effort)).payload
    }

    /// Knobs beyond the contract, for tests and tuning.
    struct Options {
        var quality: Int
        var effort: Int
        /// Forces the loop-filter level of every segment (0 disables the filter).
        var filterLevel: Int? = nil
        /// Number of segments (1...4); nil = the effort preset's.
        var segments: Int? = nil
        /// Number of token partitions (1, 2, 4 or 8); nil chooses by size.
        var partitions: Int? = nil
    }

    struct Result {
        var payload: [UInt8]
        /// The encoder's reconstruction before loop filtering, padded planes.
        var picture: VP8Picture
        var reconY: [UInt8], reconU: [UInt8], reconV: [UInt8]

        /// The reconstruction cropped to the picture: Y (width × height), U and V (⌈width/2⌉ × ⌈height/2⌉).
        func visiblePlanes() -> [[UInt8]] {
            let w = picture.width, h = picture.height, cw = (w + 1) / 2, ch = (h + 1) / 2
            func crop(_ plane: [UInt8], _ stride: Int, _ pw: Int, _ ph: Int) -> [UInt8] {
                var out = [UInt8]()
                out.reserveCapacity(pw * ph)
                for y in 0..<ph { out += plane[(y * stride)..<(y * stride + pw)] }
                return out
            }
            return [crop(reconY, picture.yStride, w, h), crop(reconU, picture.uvStride, cw, ch),
                    crop(reconV, picture.uvStride, cw, ch)]
        }
    }

    static let codecName = "WebP encoder"
    /// RFC 6386 section 9.1: 14-bit frame dimensions.
    static let maxDimension = 16383

    static func encode(_ raster: Raster, options: Options) throws -> Result {
        guard raster.width >= 1, raster.height >= 1 else {
            throw CodecError(codec: codecName, kind: .malformed, message: "empty image")
        }
        guard raster.width <= maxDimension, raster.height <= maxDimension else {
            throw CodecError(codec: codecName, kind: .encoderLimit,
                             message: "\(raster.width)x\(raster.height) exceeds VP8's \(maxDimension)-pixel side limit")
        }
        let expected = raster.width * raster.height * raster.channels
        guard (raster.bitDepth == .eight ? raster.samples8.count : raster.samples16.count) == expected else {
            throw CodecError(codec: codecName, kind: .malformed, message: "sample count does not match the size")
        }
        let picture = try VP8Picture(raster: raster)
        var attempt = options
        // Huge frames at high quality can overflow the partition size fields: first retry without subblock
        // modes (they dominate the first partition), then with the most token partitions, then give up.
        for _ in 0..<3 {
            var frame = VP8FrameEncoder(picture: picture, options: attempt)
            try frame.encodeMacroblocks()
            try Job.checkpoint()
            do {
                let payload = try frame.write()
                return Result(payload: payload, picture: picture, reconY: frame.reconY, reconU: frame.reconU,
                              reconV: frame.reconV)
            } catch VP8FrameEncoder.LayoutOverflow.firstPartition {
                attempt.effort = 0
            } catch {
                attempt.partitions = 8
            }
        }
        throw CodecError(codec: codecName, kind: .encoderLimit,
                         message: "\(raster.width)x\(raster.height) at quality \(options.quality) overflows VP8's partition size fields")
    }
}
