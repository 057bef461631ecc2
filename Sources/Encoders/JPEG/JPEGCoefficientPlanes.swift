import Raster

/// The quantized DCT coefficients of every block of a JPEG frame, computed one MCU row at a time: the MCU row's
/// source rows are colour converted (and chroma downsampled in the same pass) into small strips, edge-padded to
/// whole MCUs, and each block of the strips is transformed straight into the coefficient store. No
/// full-resolution plane is ever stored. MCU rows are independent, so bands of them run on the job's threads;
/// every coefficient is the same whatever the thread count.
struct JPEGCoefficientPlanes {
    struct Component {
        let id: UInt8
        let horizontal: Int
        let vertical: Int
        let quantTable: Int
        /// Blocks covering whole MCUs.
        let blocksWide: Int
        let blocksHigh: Int
        /// Blocks that hold image data (T.81 §A.2.2: a non-interleaved scan covers only these).
        let dataBlocksWide: Int
        let dataBlocksHigh: Int
        /// Index of the component's first block in the store; its blocks follow row by row.
        let firstBlock: Int
    }

    var components: [Component] = []
    let mcusWide: Int
    let mcusHigh: Int
    let maxHorizontal: Int
    let maxVertical: Int
    /// Per block (blocks of component 0 first, each component's row by row): its DC coefficient.
    private(set) var dc: [Int16] = []
    /// Per block: its non-zero coefficients by zig-zag position (bit k = zig-zag position k).
    private(set) var nonZero: [UInt64] = []
    /// Per block: where its non-zero AC coefficients start in `acValues`, in zig-zag order (one per set bit of
    /// `nonZero` above bit 0). At quality 85 a block has a few, so the store is about a sixth of 64 coefficients per
    /// block, and fresh memory (cleared by the kernel page by page) is what a large encode spends much time on.
    private(set) var acStart: [UInt32] = []
    /// The non-zero AC coefficients. Each band of MCU rows fills its own region (sized for the worst case; the
    /// untouched rest is never faulted in).
    private(set) var acValues: [Int16] = []
    /// Occurrences of each symbol of a sequential scan, table t's symbol s at t * 256 + s (tables numbered DC luma,
    /// DC chroma, AC luma, AC chroma): the first pass of the optimized Huffman tables, gathered while the blocks are
    /// still in cache.
    private(set) var sequentialCounts: [Int] = []

    init(_ raster: Raster, subsampling: ChromaSubsampling, quantTables: [[UInt16]]) throws {
        let image = raster.bitDepth == .eight ? raster : raster.to8Bit()
        let width = image.width, height = image.height
        let isColor = image.layout.isColor
        let (h, v): (Int, Int) = !isColor ? (1, 1) : subsampling == .s420 ? (2, 2) : subsampling == .s422 ? (2, 1) : (1, 1)
        maxHorizontal = h; maxVertical = v
        mcusWide = (width + 8 * h - 1) / (8 * h)
        mcusHigh = (height + 8 * v - 1) / (8 * v)
        var firstBlock = 0
        for index in 0..<(isColor ? 3 : 1) {
            let ch = index == 0 ? h : 1, cv = index == 0 ? v : 1
            // T.81 §A.1.1: component dimensions are ceil(X * Hi / Hmax), ceil(Y * Vi / Vmax).
            let componentWidth = (width * ch + h - 1) / h, componentHeight = (height * cv + v - 1) / v
            let component = Component(id: UInt8(index + 1), horizontal: ch, vertical: cv, quantTable: index == 0 ? 0 : 1,
                                      blocksWide: mcusWide * ch, blocksHigh: mcusHigh * cv,
                                      dataBlocksWide: (componentWidth + 7) / 8, dataBlocksHigh: (componentHeight + 7) / 8,
                                      firstBlock: firstBlock)
            components.append(component)
            firstBlock += component.blocksWide * component.blocksHigh
        }
        // Every block is written below: no need to clear the per-block arrays first.
        dc = [Int16](unsafeUninitializedCapacity: firstBlock) { _, count in count = firstBlock }
        nonZero = [UInt64](unsafeUninitializedCapacity: firstBlock) { _, count in count = firstBlock }
        acStart = [UInt32](unsafeUninitializedCapacity: firstBlock) { _, count in count = firstBlock }
        let transforms = quantTables.map { JPEGForwardDCT(quantTable: $0) }
        let strips = JPEGStripConverter(image: image, paddedWidth: mcusWide * 8 * h, rowsPerMCU: 8 * v,
                                        horizontal: h, vertical: v)
        let components = self.components, mcusHigh = self.mcusHigh
        // Bands of MCU rows: a few per thread so that uneven progress still balances; one band for small images.
        let bands = firstBlock >= 4096 ? min(mcusHigh, Job.current.threads * 4) : 1
        let mcusWide = self.mcusWide
        // Band b's AC values start at b * bandCapacity: room for 63 per block of its MCU rows.
        let blocksPerMCURow = components.reduce(0) { $0 + $1.blocksWide * $1.vertical }
        let bandCapacity = (mcusHigh + bands - 1) / bands * blocksPerMCURow * 63
        // Written only as far as each band needs; not cleared, so the rest is never touched.
        acValues = [Int16](unsafeUninitializedCapacity: bands * bandCapacity) { _, count in count = bands * bandCapacity }
        var bandCounts = [[Int]](repeating: [], count: bands)
        try dc.withUnsafeMutableBufferPointer { dcs in
        try acStart.withUnsafeMutableBufferPointer { starts in
        try acValues.withUnsafeMutableBufferPointer { values in
        try nonZero.withUnsafeMutableBufferPointer { masks in
        try JPEGForwardDCT.rowMasks.withUnsafeBufferPointer { rowMasks in
        try JPEGTables.zigzagToNatural.withUnsafeBufferPointer { natural in
        try bandCounts.withUnsafeMutableBufferPointer { bandCounts in
            try Job.parallelFor(bands) { band in
                let scratch = strips.makeScratch()
                let dctScratch = UnsafeMutablePointer<JPEGForwardDCT.Half>.allocate(capacity: 16)
                let coefficients = UnsafeMutablePointer<Int16>.allocate(capacity: 64)
                defer { dctScratch.deallocate(); coefficients.deallocate() }
                var cursor = band * bandCapacity
                var counts = [Int](repeating: 0, count: 1024)
                try counts.withUnsafeMutableBufferPointer { counts in
                    for mcuY in (mcusHigh * band / bands)..<(mcusHigh * (band + 1) / bands) {
                        try Job.checkpoint()
                        strips.convert(mcuRow: mcuY, into: scratch)
                        for (index, component) in components.enumerated() {
                            let transform = transforms[component.quantTable]
                            let acCounts = counts.baseAddress! + (index == 0 ? 2 : 3) * 256
                            let plane = scratch.planes[index], stride = scratch.strides[index]
                            do {
                                for by in 0..<component.vertical {
                                    let blockRow = mcuY * component.vertical + by
                                    for bx in 0..<component.blocksWide {
                                        let block = component.firstBlock + blockRow * component.blocksWide + bx
                                        let mask = transform.quantizeBlock(plane + by * 8 * stride + bx * 8, stride: stride,
                                                                           into: coefficients, rowMasks: rowMasks.baseAddress!,
                                                                           scratch: dctScratch)
                                        masks[block] = mask
                                        dcs[block] = coefficients[0]
                                        starts[block] = UInt32(truncatingIfNeeded: cursor)
                                        // The non-zero AC values in zig-zag order, and their symbols counted.
                                        var bits = mask & ~1
                                        while bits != 0 {
                                            values[cursor] = coefficients[natural[bits.trailingZeroBitCount]]
                                            cursor &+= 1
                                            bits &= bits &- 1
                                        }
                                        JPEGSequentialCoder.countAC(values.baseAddress! + Int(starts[block]), nonZero: mask,
                                                                    into: acCounts)
                                    }
                                }
                            }
                            // DC differences whose predecessor (in MCU order) is in this MCU row: all but the first.
                            let dcCounts = counts.baseAddress! + (index == 0 ? 0 : 256)
                            var previous = 0, first = true
                            for mcuX in 0..<mcusWide {
                                for by in 0..<component.vertical {
                                    let rowStart = component.firstBlock + (mcuY * component.vertical + by) * component.blocksWide
                                        + mcuX * component.horizontal
                                    for bx in 0..<component.horizontal {
                                        let dc = Int(dcs[rowStart + bx])
                                        if !first { dcCounts[JPEGSequentialCoder.category(dc - previous).size] &+= 1 }
                                        first = false
                                        previous = dc
                                    }
                                }
                            }
                        }
                    }
                }
                bandCounts[band] = counts
            }
        }}}}}}}
        var total = [Int](repeating: 0, count: 1024)
        for counts in bandCounts { for i in 0..<1024 { total[i] += counts[i] } }
        // The first block of each component in each MCU row, against the last one of the row above (or 0).
        for mcuY in 0..<mcusHigh {
            for (index, component) in components.enumerated() {
                let dc = Int(self.dc[component.firstBlock + mcuY * component.vertical * component.blocksWide])
                let previous = mcuY == 0 ? 0 : Int(self.dc[lastBlock(of: index, aboveMCURow: mcuY)])
                total[(index == 0 ? 0 : 256) + JPEGSequentialCoder.category(dc - previous).size] += 1
            }
        }
        sequentialCounts = total
    }

    /// The block of `component` that comes last, in MCU order, in MCU row `mcuRow` − 1 (mcuRow > 0): the DC
    /// predictor of the component's first block in `mcuRow`.
    func lastBlock(of component: Int, aboveMCURow mcuRow: Int) -> Int {
        let c = components[component]
        return c.firstBlock + (mcuRow * c.vertical - 1) * c.blocksWide + mcusWide * c.horizontal - 1
    }

    /// The store as pointers: DC per block, non-zero mask per block, AC start per block, AC values.
    struct Blocks {
        let dc: UnsafePointer<Int16>
        let nonZero: UnsafePointer<UInt64>
        let acStart: UnsafePointer<UInt32>
        let acValues: UnsafePointer<Int16>

        /// Block `block`'s 64 coefficients in natural order, written to `out` (for the progressive scans).
        func expand(_ block: Int, into out: UnsafeMutablePointer<Int16>, natural: UnsafePointer<Int>) {
            out.update(repeating: 0, count: 64)
            out[0] = dc[block]
            var bits = nonZero[block] & ~1
            var value = acValues + Int(acStart[block])
            while bits != 0 {
                out[natural[bits.trailingZeroBitCount]] = value.pointee
                value += 1
                bits &= bits &- 1
            }
        }
    }

    func withBlocks<R>(_ body: (Blocks) throws -> R) rethrows -> R {
        try dc.withUnsafeBufferPointer { d in
            try nonZero.withUnsafeBufferPointer { m in
                try acStart.withUnsafeBufferPointer { s in
                    try acValues.withUnsafeBufferPointer { v in
                        try body(Blocks(dc: d.baseAddress!, nonZero: m.baseAddress!, acStart: s.baseAddress!, acValues: v.baseAddress!))
                    }
                }
            }
        }
    }
}

/// Colour conversion of one MCU row's source rows into per-component sample strips (Y at full resolution, Cb and
/// Cr downsampled), edge-padded: columns past the image repeat its last column and rows past it its last row,
/// which is what padding whole planes and then downsampling gives.
struct JPEGStripConverter {
    let image: Raster
    let paddedWidth: Int
    let rowsPerMCU: Int
    let horizontal: Int
    let vertical: Int

    /// A worker's strips (Y, Cb, Cr; `strides` samples per row) and two packed source rows. Reused for every MCU
    /// row of a band.
    final class Scratch {
        let planes: [UnsafeMutablePointer<UInt8>]
        let strides: [Int]
        let rows: (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>)

        init(strides: [Int], stripRows: [Int], rowBytes: Int) {
            self.strides = strides
            planes = zip(strides, stripRows).map { .allocate(capacity: $0 * $1) }
            // + 1: `packedRow` drops alpha with 4-byte stores that overlap the next pixel.
            rows = (.allocate(capacity: rowBytes + 1), .allocate(capacity: rowBytes + 1))
        }

        deinit {
            for plane in planes { plane.deallocate() }
            rows.0.deallocate(); rows.1.deallocate()
        }
    }

    func makeScratch() -> Scratch {
        let isColor = image.layout.isColor
        let chromaWidth = paddedWidth / horizontal
        return Scratch(strides: isColor ? [paddedWidth, chromaWidth, chromaWidth] : [paddedWidth],
                       stripRows: isColor ? [rowsPerMCU, 8, 8] : [rowsPerMCU],
                       rowBytes: paddedWidth * (isColor ? 3 : 1))
    }

    /// Fills the strips of MCU row `mcuRow`.
    func convert(mcuRow: Int, into scratch: Scratch) {
        let matrix = FixedPointRGBToYCbCr.jfif
        let firstRow = mcuRow * rowsPerMCU
        let luma = scratch.planes[0]
        image.samples8.withUnsafeBufferPointer { samples in
            let src = samples.baseAddress!
            if !image.layout.isColor {
                for r in 0..<rowsPerMCU {
                    luma.advanced(by: r * paddedWidth).update(from: packedRow(src, firstRow + r, scratch: scratch.rows.0),
                                                              count: paddedWidth)
                }
                return
            }
            let cb = scratch.planes[1], cr = scratch.planes[2], chromaWidth = scratch.strides[1]
            var r = 0
            while r < rowsPerMCU {
                let top = packedRow(src, firstRow + r, scratch: scratch.rows.0)
                if horizontal == 1 {
                    matrix.convertRow(top, count: paddedWidth, y: luma + r * paddedWidth,
                                      cb: cb + r * chromaWidth, cr: cr + r * chromaWidth)
                    r += 1
                    continue
                }
                let bottom = vertical == 2 ? packedRow(src, firstRow + r + 1, scratch: scratch.rows.1) : nil
                let out = r / vertical * chromaWidth
                matrix.convertRowsBoxDownsampled(top, bottom, count: paddedWidth, y: luma + r * paddedWidth,
                                                 bottomY: luma + (r + vertical - 1) * paddedWidth,
                                                 cb: cb + out, cr: cr + out)
                r += vertical
            }
        }
    }

    /// Source row `y` (clamped to the last row) as packed RGB (or gray) samples, `paddedWidth` pixels: the
    /// raster's own row when it already is, else a copy in `scratch` without alpha and with the last pixel repeated.
    private func packedRow(_ src: UnsafePointer<UInt8>, _ y: Int, scratch: UnsafeMutablePointer<UInt8>) -> UnsafePointer<UInt8> {
        let width = image.width, n = image.channels
        let packed = image.layout.isColor ? 3 : 1
        let row = src + min(y, image.height - 1) * width * n
        if n == packed && width == paddedWidth { return row }
        if n == packed {
            scratch.update(from: row, count: width * n)
        } else if n == 4 && packed == 3 {
            // RGBA: each pixel's 4 bytes stored at 3-byte steps, the next store overwriting the alpha byte.
            let from = UnsafeRawPointer(row), to = UnsafeMutableRawPointer(scratch)
            for x in 0..<width {
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: x &* 4, as: UInt32.self), toByteOffset: x &* 3,
                              as: UInt32.self)
            }
        } else {
            for x in 0..<width {
                for c in 0..<packed { scratch[x &* packed &+ c] = row[x &* n &+ c] }
            }
        }
        // Columns past the image repeat its last pixel.
        for x in width..<paddedWidth {
            for c in 0..<packed { scratch[x &* packed &+ c] = scratch[(width &- 1) &* packed &+ c] }
        }
        return UnsafePointer(scratch)
    }
}
