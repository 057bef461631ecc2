/// Applies the inverse transforms of a VP8L image (specification section 4, last read first) to a band of rows.
///
/// The entropy-coded pixels stay untouched (backward references point into them), so the first inverse reads them
/// and writes the band to `scratch`; the others work in place there. The predictor needs the row above the band
/// as it was right after its own inverse, before later transforms changed it: `predictorAbove` keeps that row.
struct VP8LInverseTransforms {
    let transforms: [VP8LTransform]
    /// Width of the final image.
    let width: Int
    let maxRows: Int
    private var scratch: [UInt32]
    private var predictorAbove: [UInt32]

    init(transforms: [VP8LTransform], width: Int, maxRows: Int) {
        self.transforms = transforms
        self.width = width
        self.maxRows = maxRows
        scratch = [UInt32](repeating: 0, count: transforms.isEmpty ? 0 : width * maxRows)
        predictorAbove = [UInt32](repeating: 0, count: width + 1)
    }

    /// Inverts rows `firstRow..<firstRow + rows` (rows ≤ maxRows) of the entropy-coded image `coded` (row stride
    /// `codedWidth`) and hands the result to `body` as (pixels, row stride).
    mutating func apply<R>(coded: UnsafePointer<UInt32>, codedWidth: Int, firstRow: Int, rows: Int,
                           _ body: (UnsafePointer<UInt32>, Int) throws -> R) rethrows -> R {
        let source = coded + firstRow * codedWidth
        if transforms.isEmpty { return try body(source, codedWidth) }
        let width = self.width
        return try scratch.withUnsafeMutableBufferPointer { scratchBuffer in
            try predictorAbove.withUnsafeMutableBufferPointer { aboveBuffer in
                let out = scratchBuffer.baseAddress!
                let above = aboveBuffer.baseAddress!
                var input = source
                var inputStride = codedWidth
                for t in transforms.reversed() {
                    for r in 0..<rows {
                        let y = firstRow + r
                        let src = input + r * inputStride
                        let dst = out + r * width
                        switch t.kind {
                        case .subtractGreen:
                            Self.addGreen(src, dst, t.width)
                        case .crossColor:
                            t.data.withUnsafeBufferPointer { Self.crossColor(src, dst, t, y: y, elements: $0.baseAddress!) }
                        case .predictor:
                            let upper: UnsafePointer<UInt32> = r == 0 ? UnsafePointer(above) : UnsafePointer(dst - width)
                            t.data.withUnsafeBufferPointer {
                                Self.predict(src, dst, upper: upper, t, y: y, modes: $0.baseAddress!)
                            }
                        case .colorIndexing:
                            t.data.withUnsafeBufferPointer { Self.colorIndex(src, dst, t, table: $0.baseAddress!) }
                        }
                    }
                    if t.kind == .predictor {
                        (above).update(from: out + (rows - 1) * width, count: t.width)
                    }
                    input = UnsafePointer(out)
                    inputStride = width
                }
                return try body(UnsafePointer(out), width)
            }
        }
    }

    // MARK: Kernels (one row each; `src` and `dst` may be the same row)

    /// Section 4.3: green is added back to red and blue.
    @inline(__always)
    static func addGreen(_ src: UnsafePointer<UInt32>, _ dst: UnsafeMutablePointer<UInt32>, _ count: Int) {
        for x in 0..<count {
            let p = src[x]
            let green = (p &>> 8) & 0xFF
            let rb = ((p & 0x00FF_00FF) &+ (green &<< 16 | green)) & 0x00FF_00FF
            dst[x] = (p & 0xFF00_FF00) | rb
        }
    }

    /// Section 4.2: red += g2r·green, blue += g2b·green + r2b·red (new red), each product of signed 8-bit values
    /// shifted right by 5; one transform element per tile.
    static func crossColor(_ src: UnsafePointer<UInt32>, _ dst: UnsafeMutablePointer<UInt32>, _ t: VP8LTransform,
                           y: Int, elements: UnsafePointer<UInt32>) {
        let tileWidth = 1 << t.bits
        let row = elements + (y >> t.bits) * VP8LTransform.subsampled(t.width, t.bits)
        var x = 0
        while x < t.width {
            let e = row[x >> t.bits]
            let greenToRed = Int32(Int8(truncatingIfNeeded: e))
            let greenToBlue = Int32(Int8(truncatingIfNeeded: e &>> 8))
            let redToBlue = Int32(Int8(truncatingIfNeeded: e &>> 16))
            let end = min(x + tileWidth, t.width)
            while x < end {
                let p = src[x]
                let green = Int32(Int8(truncatingIfNeeded: p &>> 8))
                let red = (Int32((p &>> 16) & 0xFF) &+ ((greenToRed &* green) &>> 5)) & 0xFF
                var blue = Int32(p & 0xFF) &+ ((greenToBlue &* green) &>> 5)
                blue = (blue &+ ((redToBlue &* Int32(Int8(truncatingIfNeeded: red))) &>> 5)) & 0xFF
                dst[x] = (p & 0xFF00_FF00) | UInt32(red) &<< 16 | UInt32(blue)
                x &+= 1
            }
        }
    }

    /// Section 4.4: indices in green (bundled `8 >> bits` bits each when bits > 0) become table colours.
    /// Goes right to left so that unbundling can work in place.
    static func colorIndex(_ src: UnsafePointer<UInt32>, _ dst: UnsafeMutablePointer<UInt32>, _ t: VP8LTransform,
                           table: UnsafePointer<UInt32>) {
        let bits = t.bits
        if bits == 0 {
            for x in 0..<t.width { dst[x] = table[Int((src[x] &>> 8) & 0xFF)] }
            return
        }
        let bitsPerIndex = 8 >> bits
        let indexMask = (1 << bitsPerIndex) - 1
        let perBundle = (1 << bits) - 1
        var x = t.width - 1
        while x >= 0 {
            let bundle = Int((src[x >> bits] &>> 8) & 0xFF)
            dst[x] = table[(bundle >> ((x & perBundle) * bitsPerIndex)) & indexMask]
            x -= 1
        }
    }

    /// Section 4.1: adds the prediction of each pixel from its decoded neighbours. Row 0 predicts from the left
    /// (its first pixel from opaque black), column 0 from above; the rightmost pixel's top-right neighbour is the
    /// first pixel of its own row.
    static func predict(_ src: UnsafePointer<UInt32>, _ dst: UnsafeMutablePointer<UInt32>, upper: UnsafePointer<UInt32>,
                        _ t: VP8LTransform, y: Int, modes: UnsafePointer<UInt32>) {
        let width = t.width
        if y == 0 {
            dst[0] = VP8LPixel.add(src[0], 0xFF00_0000)
            var x = 1
            while x < width { dst[x] = VP8LPixel.add(src[x], dst[x - 1]); x += 1 }
            return
        }
        dst[0] = VP8LPixel.add(src[0], upper[0])
        let bits = t.bits
        let modeRow = modes + (y >> bits) * VP8LTransform.subsampled(width, bits)
        var x = 1
        while x < width {
            let tileEnd = min(((x >> bits) + 1) << bits, width)
            // The last pixel of the row is done apart: its top-right neighbour is dst[0].
            let spanEnd = tileEnd == width ? width - 1 : tileEnd
            let mode = Int((modeRow[x >> bits] &>> 8) & 0xF)
            predictSpan(mode: mode, src, dst, upper, from: x, to: spanEnd)
            x = spanEnd
            if x == width - 1 {
                dst[x] = VP8LPixel.add(src[x], predictor(mode: mode, left: dst[x - 1], top: upper[x],
                                                         topRight: dst[0], topLeft: upper[x - 1]))
                x = width
            }
        }
    }

    /// The prediction of mode 0...13 (14 and 15 predict opaque black, as mode 0).
    @inline(__always)
    static func predictor(mode: Int, left: UInt32, top: UInt32, topRight: UInt32, topLeft: UInt32) -> UInt32 {
        switch mode {
        case 1: return left
        case 2: return top
        case 3: return topRight
        case 4: return topLeft
        case 5: return VP8LPixel.average(VP8LPixel.average(left, topRight), top)
        case 6: return VP8LPixel.average(left, topLeft)
        case 7: return VP8LPixel.average(left, top)
        case 8: return VP8LPixel.average(topLeft, top)
        case 9: return VP8LPixel.average(top, topRight)
        case 10: return VP8LPixel.average(VP8LPixel.average(left, topLeft), VP8LPixel.average(top, topRight))
        case 11: return VP8LPixel.select(left: left, top: top, topLeft: topLeft)
        case 12: return VP8LPixel.clampAddSubtractFull(left, top, topLeft)
        case 13: return VP8LPixel.clampAddSubtractHalf(VP8LPixel.average(left, top), topLeft)
        default: return 0xFF00_0000
        }
    }

    /// Pixels `from..<to` of one tile span with a fixed mode (all have their top-right neighbour above). Each
    /// mode gets its own loop: `span` is inlined with the mode's formula.
    @inline(__always)
    static func predictSpan(mode: Int, _ src: UnsafePointer<UInt32>, _ dst: UnsafeMutablePointer<UInt32>,
                            _ upper: UnsafePointer<UInt32>, from: Int, to: Int) {
        /// Runs `predict(left, top, topRight, topLeft)` over the span.
        @inline(__always)
        func span(_ predict: (UInt32, UInt32, UInt32, UInt32) -> UInt32) {
            var left = dst[from &- 1]
            var x = from
            while x < to {
                left = VP8LPixel.add(src[x], predict(left, upper[x], upper[x &+ 1], upper[x &- 1]))
                dst[x] = left
                x &+= 1
            }
        }
        typealias P = VP8LPixel
        switch mode {
        case 1: span { l, _, _, _ in l }
        case 2: span { _, t, _, _ in t }
        case 3: span { _, _, tr, _ in tr }
        case 4: span { _, _, _, tl in tl }
        case 5: span { l, t, tr, _ in P.average(P.average(l, tr), t) }
        case 6: span { l, _, _, tl in P.average(l, tl) }
        case 7: span { l, t, _, _ in P.average(l, t) }
        case 8: span { _, t, _, tl in P.average(tl, t) }
        case 9: span { _, t, tr, _ in P.average(t, tr) }
        case 10: span { l, t, tr, tl in P.average(P.average(l, tl), P.average(t, tr)) }
        case 11: span { l, t, _, tl in P.select(left: l, top: t, topLeft: tl) }
        case 12: span { l, t, _, tl in P.clampAddSubtractFull(l, t, tl) }
        case 13: span { l, t, _, tl in P.clampAddSubtractHalf(P.average(l, t), tl) }
        default: span { _, _, _, _ in 0xFF00_0000 }
        }
    }
}
