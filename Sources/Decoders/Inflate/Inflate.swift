import Raster

/// Decompression of zlib (RFC 1950) and raw deflate (RFC 1951) streams.
///
/// Output is bounded: a stream that would produce more than `maxOutput` bytes is refused with a `.limit` error,
/// so a small file cannot expand into unbounded memory. All errors are `CodecError` with codec "inflate" and the
/// byte offset in the compressed input.
public enum Inflate {
    static let codec = "inflate"

    /// Decompresses a zlib stream, verifying its header and Adler-32 trailer. `expectedSize` (when known) sizes
    /// the output buffer up front; the result may still be smaller or larger (up to `maxOutput`).
    public static func zlibDecompress(_ bytes: [UInt8], expectedSize: Int? = nil, maxOutput: Int) throws -> [UInt8] {
        try decompressGrowing(bytes, expectedSize: expectedSize, maxOutput: maxOutput, zlib: true)
    }

    /// Decompresses a raw deflate stream (no zlib header or trailer).
    public static func rawDecompress(_ bytes: [UInt8], expectedSize: Int? = nil, maxOutput: Int) throws -> [UInt8] {
        try decompressGrowing(bytes, expectedSize: expectedSize, maxOutput: maxOutput, zlib: false)
    }

    /// Decompresses a zlib stream into `output` and returns the number of bytes written. This is the PNG path,
    /// where the size of the filtered image data is known from IHDR. A stream producing more bytes than `output`
    /// holds throws `.malformed`, unless `acceptingExcess` is set: then decoding stops with `output` full and the
    /// rest of the stream (and its Adler-32) is ignored, as libpng does for "too much image data".
    public static func zlibDecompress(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>,
                                      acceptingExcess: Bool = false) throws -> Int {
        do {
            return try decompress(input, into: output, zlib: true)
        } catch is InflateOutputFull {
            if acceptingExcess { return output.count }
            throw CodecError(codec: codec, kind: .malformed,
                             message: "stream holds more than the expected \(output.count) bytes")
        }
    }

    private static func decompressGrowing(_ bytes: [UInt8], expectedSize: Int?, maxOutput: Int,
                                          zlib: Bool) throws -> [UInt8] {
        var capacity = max(0, min(maxOutput, expectedSize ?? max(1024, bytes.count.multipliedReportingOverflow(by: 4).partialValue)))
        return try bytes.withUnsafeBufferPointer { input in
            while true {
                do {
                    return try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                        count = try decompress(input, into: buffer, zlib: zlib)
                    }
                } catch is InflateOutputFull {
                    guard capacity < maxOutput else {
                        throw CodecError(codec: codec, kind: .limit,
                                         message: "decompressed data exceeds the limit of \(maxOutput) bytes")
                    }
                    capacity = capacity > maxOutput / 2 ? maxOutput : min(maxOutput, max(1024, capacity * 2))
                }
            }
        }
    }

    private static func decompress(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>,
                                   zlib: Bool) throws -> Int {
        // A non-null pointer even for empty buffers, so the decoder never needs optionals in its loops.
        var emptyIn: UInt8 = 0
        var emptyOut: UInt8 = 0
        return try withUnsafeMutablePointer(to: &emptyIn) { emptyInPointer in
            try withUnsafeMutablePointer(to: &emptyOut) { emptyOutPointer in
                let inBase = input.baseAddress.map { UnsafePointer($0) } ?? UnsafePointer(emptyInPointer)
                let outBase = output.baseAddress ?? emptyOutPointer
                var start = 0
                if zlib { start = try zlibHeader(input) }
                var decoder = InflateDecoder(input: inBase, inputCount: input.count, inputStart: start,
                                             output: outBase, outputCapacity: output.count)
                try decoder.decodeStream()
                let produced = decoder.outPos
                if zlib {
                    try decoder.alignToByte()
                    let p = decoder.alignedInputPosition
                    guard p + 4 <= input.count else {
                        throw CodecError(codec: codec, kind: .truncated, offset: p, message: "Adler-32 checksum missing")
                    }
                    let stored = UInt32(input[p]) << 24 | UInt32(input[p + 1]) << 16 | UInt32(input[p + 2]) << 8 | UInt32(input[p + 3])
                    let computed = Adler32.update(1, UnsafeBufferPointer(start: outBase, count: produced))
                    guard stored == computed else {
                        throw CodecError(codec: codec, kind: .malformed, offset: p,
                                         message: "Adler-32 mismatch (stored \(hex(stored)), computed \(hex(computed)))")
                    }
                }
                return produced
            }
        }
    }

    /// RFC 1950 §2.2: CMF (method 8 = deflate, window ≤ 32 KiB), FLG (check bits, no preset dictionary).
    private static func zlibHeader(_ input: UnsafeBufferPointer<UInt8>) throws -> Int {
        guard input.count >= 2 else { throw CodecError(codec: codec, kind: .truncated, offset: 0, message: "zlib header missing") }
        let cmf = Int(input[0]), flg = Int(input[1])
        guard cmf & 0x0F == 8 else {
            throw CodecError(codec: codec, kind: .malformed, offset: 0, message: "zlib compression method \(cmf & 0x0F) is not deflate")
        }
        guard cmf >> 4 <= 7 else {
            throw CodecError(codec: codec, kind: .malformed, offset: 0, message: "zlib window size field \(cmf >> 4) is over 7")
        }
        guard (cmf << 8 | flg) % 31 == 0 else {
            throw CodecError(codec: codec, kind: .malformed, offset: 1, message: "zlib header check bits are wrong")
        }
        guard flg & 0x20 == 0 else {
            throw CodecError(codec: codec, kind: .unsupported, offset: 1, message: "zlib preset dictionaries are not supported")
        }
        return 2
    }

    private static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - s.count) + s
    }
}
