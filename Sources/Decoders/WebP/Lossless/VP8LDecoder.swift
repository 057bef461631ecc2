import Raster

/// VP8L lossless bitstream (WebP Lossless Bitstream specification): header, transforms, entropy-coded image.
/// Produces ARGB words (alpha in bits 24-31, blue in bits 0-7) in bands of rows.
enum VP8LDecoder {
    struct Header {
        var width: Int
        var height: Int
        /// The alpha_is_used hint (section 3): a hint only, decoding does not depend on it.
        var alphaHint: Bool
    }

    /// Signature byte of a VP8L stream (section 3).
    static let signature: UInt8 = 0x2F
    /// Rows decoded between two inverse-transform passes and job checkpoints.
    static let bandRows = 16

    /// Reads the 5-byte header at `range.lowerBound` (section 3: signature, 14-bit width-1 and height-1, alpha hint,
    /// 3-bit version that must be 0).
    static func readHeader(_ bytes: [UInt8], range: Range<Int>) throws -> Header {
        let p = range.lowerBound
        guard range.count >= 5 else { throw webpError(.truncated, p, "VP8L chunk shorter than its 5-byte header") }
        guard bytes[p] == signature else {
            throw webpError(.malformed, p, "VP8L signature is 0x\(String(bytes[p], radix: 16)), expected 0x2f")
        }
        let bits = UInt32(bytes[p + 1]) | UInt32(bytes[p + 2]) << 8 | UInt32(bytes[p + 3]) << 16 | UInt32(bytes[p + 4]) << 24
        let version = bits >> 29
        guard version == 0 else { throw webpError(.malformed, p + 4, "VP8L version \(version), expected 0") }
        return Header(width: Int(bits & 0x3FFF) + 1, height: Int((bits >> 14) & 0x3FFF) + 1,
                      alphaHint: (bits >> 28) & 1 != 0)
    }

    /// Decodes an image stream of `width × height` (transforms, then the spatially coded image, section 7) and hands
    /// every band of final ARGB rows to `emit(firstRow, rows, pixels, rowStride)`.
    static func decodeImageStream(_ reader: inout VP8LBitReader, width: Int, height: Int,
                                  emit: (Int, Int, UnsafePointer<UInt32>, Int) throws -> Void) throws {
        let (transforms, codedWidth) = try VP8LTransform.readAll(&reader, width: width, height: height,
                                                                  decodeSubImage: decodeSubImage)
        let coding = try VP8LEntropyCoding.read(&reader, width: codedWidth, height: height, allowMeta: true,
                                                decodeSubImage: decodeSubImage)
        try Job.checkpoint()
        var inverse = VP8LInverseTransforms(transforms: transforms, width: width, maxRows: bandRows)
        let count = codedWidth * height
        // Every pixel is written by the decoding loop before anything reads it.
        var coded = [UInt32](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        try coded.withUnsafeMutableBufferPointer { buffer in
            let pixels = buffer.baseAddress!
            var done = 0
            try VP8LPixelDecoder.decode(&reader, coding: coding, width: codedWidth, height: height, into: pixels,
                                        batchRows: bandRows) { completed in
                while done < completed {
                    let rows = min(bandRows, completed - done)
                    try inverse.apply(coded: pixels, codedWidth: codedWidth, firstRow: done, rows: rows) { out, stride in
                        try emit(done, rows, out, stride)
                    }
                    done += rows
                }
                try Job.checkpoint()
            }
        }
    }

    /// A sub-resolution image (entropy image, predictor modes, colour transform elements, colour table): colour
    /// cache allowed, no transforms and no meta prefix codes (sections 4 and 6.2.2).
    static func decodeSubImage(_ reader: inout VP8LBitReader, _ width: Int, _ height: Int) throws -> [UInt32] {
        let coding = try VP8LEntropyCoding.read(&reader, width: width, height: height, allowMeta: false,
                                                decodeSubImage: decodeSubImage)
        let count = width * height
        var pixels = [UInt32](repeating: 0, count: count)
        try pixels.withUnsafeMutableBufferPointer { buffer in
            try VP8LPixelDecoder.decode(&reader, coding: coding, width: width, height: height,
                                        into: buffer.baseAddress!, batchRows: height) { _ in }
        }
        return pixels
    }

    /// Decodes a whole VP8L chunk payload (header included) into 8-bit RGBA or RGB samples. Returns whether any
    /// pixel has an alpha value other than 255.
    static func decodeRGBA(_ bytes: [UInt8], range: Range<Int>, header: Header, withAlpha: Bool,
                           into samples: UnsafeMutablePointer<UInt8>) throws -> Bool {
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = VP8LBitReader(base: buffer.baseAddress!, start: range.lowerBound + 5, end: range.upperBound,
                                       fileOffset: 0)
            let width = header.width
            let channels = withAlpha ? 4 : 3
            var alphaAnd: UInt32 = 0xFF
            try decodeImageStream(&reader, width: width, height: header.height) { firstRow, rows, pixels, stride in
                for r in 0..<rows {
                    alphaAnd &= ARGBRows.store(pixels + r * stride, count: width, channels: channels,
                                               into: samples + (firstRow + r) * width * channels)
                }
            }
            return alphaAnd != 0xFF
        }
    }
}

/// Writing ARGB words out as interleaved 8-bit samples.
enum ARGBRows {
    /// Stores `count` pixels as RGBA (channels 4) or RGB (3); returns the AND of their alpha values.
    @inline(__always)
    static func store(_ argb: UnsafePointer<UInt32>, count: Int, channels: Int, into out: UnsafeMutablePointer<UInt8>) -> UInt32 {
        var alphaAnd: UInt32 = 0xFF
        if channels == 4 {
            for x in 0..<count {
                let p = argb[x]
                let o = out + 4 &* x
                o[0] = UInt8(truncatingIfNeeded: p &>> 16)
                o[1] = UInt8(truncatingIfNeeded: p &>> 8)
                o[2] = UInt8(truncatingIfNeeded: p)
                o[3] = UInt8(truncatingIfNeeded: p &>> 24)
            }
        } else {
            for x in 0..<count {
                let p = argb[x]
                let o = out + 3 &* x
                o[0] = UInt8(truncatingIfNeeded: p &>> 16)
                o[1] = UInt8(truncatingIfNeeded: p &>> 8)
                o[2] = UInt8(truncatingIfNeeded: p)
                alphaAnd &= p &>> 24
            }
        }
        return alphaAnd
    }
}
