import Raster

/// The 'ALPH' chunk of lossy WebP files (container specification, "Alpha"): a header byte, then the alpha plane
/// raw or as a headerless VP8L image stream (alpha in green), possibly filtered. The pre-processing bits only say
/// how the encoder reduced levels; decoding ignores them, as the specification allows.
enum WebPAlphaDecoder {
    enum Filter: Int { case none = 0, horizontal, vertical, gradient }

    static func decode(_ bytes: [UInt8], range: Range<Int>, width: Int, height: Int) throws -> [UInt8] {
        guard range.count >= 2 else { throw webpError(.truncated, range.lowerBound, "ALPH chunk without alpha data") }
        let header = bytes[range.lowerBound]
        let method = Int(header & 3)
        let filter = Filter(rawValue: Int((header >> 2) & 3))!
        let count = width * height
        var plane: [UInt8]
        switch method {
        case 0:
            guard range.count - 1 >= count else {
                throw webpError(.truncated, range.upperBound, "raw alpha data holds \(range.count - 1) of \(count) bytes")
            }
            plane = Array(bytes[(range.lowerBound + 1)..<(range.lowerBound + 1 + count)])
        case 1:
            plane = [UInt8](repeating: 0, count: count)
            try plane.withUnsafeMutableBufferPointer { out in
                try bytes.withUnsafeBufferPointer { buffer in
                    var reader = VP8LBitReader(base: buffer.baseAddress!, start: range.lowerBound + 1,
                                               end: range.upperBound, fileOffset: 0)
                    try VP8LDecoder.decodeImageStream(&reader, width: width, height: height) { firstRow, rows, argb, stride in
                        for r in 0..<rows {
                            let row = argb + r * stride
                            let dst = out.baseAddress! + (firstRow + r) * width
                            for x in 0..<width { dst[x] = UInt8(truncatingIfNeeded: row[x] &>> 8) }
                        }
                    }
                }
            }
        default:
            throw webpError(.malformed, range.lowerBound, "alpha compression method \(method) is not defined")
        }
        if filter != .none {
            plane.withUnsafeMutableBufferPointer { unfilter($0.baseAddress!, width: width, height: height, filter) }
        }
        return plane
    }

    /// Adds the predictions back, in place, row by row (container specification, "Filtering method"): the top-left
    /// pixel is predicted from 0, the first row from the left, the first column (horizontal and gradient) from above.
    static func unfilter(_ p: UnsafeMutablePointer<UInt8>, width: Int, height: Int, _ filter: Filter) {
        for x in 1..<max(width, 1) { p[x] = p[x] &+ p[x - 1] }
        for y in 1..<max(height, 1) {
            let row = p + y * width
            let above = row - width
            switch filter {
            case .horizontal:
                row[0] = row[0] &+ above[0]
                for x in 1..<max(width, 1) { row[x] = row[x] &+ row[x - 1] }
            case .vertical:
                for x in 0..<width { row[x] = row[x] &+ above[x] }
            case .gradient:
                row[0] = row[0] &+ above[0]
                for x in 1..<max(width, 1) {
                    let g = Int(row[x - 1]) + Int(above[x]) - Int(above[x - 1])
                    row[x] = row[x] &+ UInt8(g < 0 ? 0 : (g > 255 ? 255 : g))
                }
            case .none:
                break
            }
        }
    }
}
