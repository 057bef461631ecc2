import Raster

/// PNG decoder (ISO/IEC 15948 / PNG spec, 2nd edition): every colour type and bit depth, PLTE, tRNS, Adam7, the
/// five filters, CRCs, IDAT split anywhere; iCCP, gAMA and eXIf kept as metadata; APNG files give their default
/// image. Output: gray, gray+alpha, RGB or RGBA; 1/2/4-bit samples scaled to 8 bits by bit replication, palettes
/// expanded, tRNS turned into alpha, 16-bit samples kept.
public enum PNGDecoder {
    static let codec = "PNG decoder"

    public static func readHeader(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> ImageHeader {
        let chunks = try PNGChunkParser.parse(bytes, limits: limits, verifyImageData: false)
        let expander = PNGPixelExpander(chunks: chunks)
        return ImageHeader(width: chunks.header.width, height: chunks.header.height, layout: expander.layout,
                           bitDepth: expander.bitDepth, metadata: chunks.metadata)
    }

    public static func decode(_ bytes: [UInt8], limits: ImageLimits = .default) throws -> Raster {
        let chunks = try PNGChunkParser.parse(bytes, limits: limits, verifyImageData: true)
        let header = chunks.header
        let expander = PNGPixelExpander(chunks: chunks)
        let passes = PNGPasses.passes(for: header)
        var filteredSize = 0
        for pass in passes { filteredSize += pass.height * (1 + header.rowBytes(pixels: pass.width)) }

        var filtered = try inflateImageData(bytes, chunks: chunks, size: filteredSize)
        let width = header.width, height = header.height
        if !header.interlaced && expander.rowsAreOutput {
            // Reconstruct rows in place, dropping the filter bytes: the inflated buffer becomes the raster.
            let rowBytes = header.rowBytes(pixels: width)
            try filtered.withUnsafeMutableBufferPointer { buffer in
                try reconstruct(buffer.baseAddress!, rows: height, rowBytes: rowBytes, stride: header.filterStride,
                                compact: true) { _, _ in }
            }
            filtered.removeLast(filteredSize - rowBytes * height)
            return try Raster(width: width, height: height, layout: expander.layout, samples8: filtered,
                              metadata: chunks.metadata)
        }
        if expander.bitDepth == .eight {
            let samples = try expandedSamples(&filtered, passes: passes, header: header, channels: expander.layout.channels,
                                              expand: expander.expand8)
            return try Raster(width: width, height: height, layout: expander.layout, samples8: samples, metadata: chunks.metadata)
        }
        let samples = try expandedSamples(&filtered, passes: passes, header: header, channels: expander.layout.channels,
                                          expand: expander.expand16)
        return try Raster(width: width, height: height, layout: expander.layout, samples16: samples, metadata: chunks.metadata)
    }

    /// Reconstructs every pass and converts its rows into a new sample array at their (Adam7) positions.
    private static func expandedSamples<Sample>(
        _ filtered: inout [UInt8], passes: [PNGPass], header: PNGImageHeader, channels: Int,
        expand: (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<Sample>, Int) -> Void
    ) throws -> [Sample] {
        let width = header.width
        let sampleCount = width * header.height * channels
        return try [Sample](unsafeUninitializedCapacity: sampleCount) { out, count in
            try expandPasses(&filtered, passes: passes, header: header) { row, pass, y in
                let start = ((pass.y0 + y * pass.dy) * width + pass.x0) * channels
                expand(row, pass.width, out.baseAddress! + start, pass.dx)
            }
            count = sampleCount
        }
    }

    /// Inflates the concatenated IDAT payloads into a buffer of exactly the size IHDR implies.
    private static func inflateImageData(_ bytes: [UInt8], chunks: PNGChunks, size: Int) throws -> [UInt8] {
        let ranges = chunks.imageData
        let firstOffset = ranges.first?.lowerBound ?? 0
        func run(_ stream: UnsafeBufferPointer<UInt8>) throws -> [UInt8] {
            try [UInt8](unsafeUninitializedCapacity: size) { out, count in
                let produced: Int
                do {
                    produced = try Inflate.zlibDecompress(stream, into: out, acceptingExcess: true)
                } catch let e as CodecError {
                    throw CodecError(codec: codec, kind: e.kind, offset: firstOffset,
                                     message: "IDAT zlib stream, byte \(e.offset ?? 0): \(e.message)")
                }
                guard produced == size else {
                    throw CodecError(codec: codec, kind: .truncated, offset: firstOffset,
                                     message: "image data holds \(produced) bytes, IHDR implies \(size)")
                }
                count = size
            }
        }
        return try bytes.withUnsafeBufferPointer { file in
            if ranges.count == 1 { return try run(UnsafeBufferPointer(rebasing: file[ranges[0]])) }
            var joined: [UInt8] = []
            joined.reserveCapacity(ranges.reduce(0) { $0 + $1.count })
            for r in ranges { joined.append(contentsOf: UnsafeBufferPointer(rebasing: file[r])) }
            return try joined.withUnsafeBufferPointer { try run($0) }
        }
    }

    /// Reconstructs every pass in place and hands each reconstructed row to `emit(row, pass, rowIndex)`.
    private static func expandPasses(_ filtered: inout [UInt8], passes: [PNGPass], header: PNGImageHeader,
                                     emit: (UnsafePointer<UInt8>, PNGPass, Int) -> Void) throws {
        try filtered.withUnsafeMutableBufferPointer { buffer in
            var base = buffer.baseAddress!
            for pass in passes {
                let rowBytes = header.rowBytes(pixels: pass.width)
                try reconstruct(base, rows: pass.height, rowBytes: rowBytes, stride: header.filterStride, compact: false) { row, y in
                    emit(row, pass, y)
                }
                base += pass.height * (rowBytes + 1)
            }
        }
    }

    /// Reverses the filters of `rows` consecutive filtered rows starting at `data` (each a filter byte plus
    /// `rowBytes` bytes). With `compact`, reconstructed rows are packed to `data + y * rowBytes`; otherwise they
    /// stay after their filter byte. `emit` sees each reconstructed row.
    private static func reconstruct(_ data: UnsafeMutablePointer<UInt8>, rows: Int, rowBytes: Int, stride: Int,
                                    compact: Bool, emit: (UnsafePointer<UInt8>, Int) -> Void) throws {
        let zeros = UnsafeMutablePointer<UInt8>.allocate(capacity: max(rowBytes, 1))
        zeros.initialize(repeating: 0, count: max(rowBytes, 1))
        defer { zeros.deallocate() }
        var previous = UnsafePointer(zeros)
        for y in 0..<rows {
            if y & 63 == 0 { try Job.checkpoint() }
            let filterAt = data + y * (rowBytes + 1)
            let src = filterAt + 1
            let dst = compact ? data + y * rowBytes : src
            let filter = filterAt.pointee
            guard PNGUnfilter.row(filter: filter, src: src, dst: dst, previous: previous, count: rowBytes, stride: stride) else {
                throw CodecError(codec: codec, kind: .malformed, message: "row \(y) has unknown filter type \(filter)")
            }
            emit(dst, y)
            previous = UnsafePointer(dst)
        }
    }
}

/// One Adam7 pass (PNG spec §8.2), or the whole image when not interlaced.
struct PNGPass {
    let x0: Int, y0: Int, dx: Int, dy: Int
    let width: Int, height: Int
}

enum PNGPasses {
    /// Adam7 starting offsets and steps (PNG spec §8.2, figure 8.3).
    static let adam7: [(x0: Int, y0: Int, dx: Int, dy: Int)] = [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ]

    /// The non-empty passes of an image.
    static func passes(for header: PNGImageHeader) -> [PNGPass] {
        guard header.interlaced else {
            return [PNGPass(x0: 0, y0: 0, dx: 1, dy: 1, width: header.width, height: header.height)]
        }
        return adam7.compactMap { p in
            let w = header.width > p.x0 ? (header.width - p.x0 + p.dx - 1) / p.dx : 0
            let h = header.height > p.y0 ? (header.height - p.y0 + p.dy - 1) / p.dy : 0
            return w > 0 && h > 0 ? PNGPass(x0: p.x0, y0: p.y0, dx: p.dx, dy: p.dy, width: w, height: h) : nil
        }
    }
}
