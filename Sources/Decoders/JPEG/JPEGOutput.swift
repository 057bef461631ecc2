import Raster
#if canImport(Glibc)
import Glibc
#endif

/// The pixel stages after entropy decoding, run MCU row by MCU row: IDCT of each component's blocks into a small
/// ring of sample rows (step 5), then upsampling (step 6) and colour conversion (step 7) straight into the output.
/// Only three MCU rows of samples per component are alive at a time, so the working set stays in cache. Rows can be
/// drawn while a sequential scan is being decoded, or in parallel bands once a progressive image is complete; each
/// row comes out the same either way.
struct JPEGOutputGeometry {
    let frame: JPEGFrame
    let planes: [JPEGComponentPlane]
    let transform: JPEGColorTransform
    let scale: Int
    let outWidth: Int, outHeight: Int
    /// IDCT output size per component (libjpeg's "DCT scaled size").
    let blockSizes: [Int]
    let methods: [JPEGUpsampleMethod]
    /// Valid samples per component (libjpeg's "downsampled" width and height at this scale).
    let sampleWidths: [Int], sampleHeights: [Int]
    let mcuRows: Int
    let channels: Int
    /// CMYK and YCCK images drawn as libjpeg's four CMYK samples instead of reduced to RGB.
    let keepsInks: Bool

    init(frame: JPEGFrame, planes: [JPEGComponentPlane], transform: JPEGColorTransform, scale: Int, mcuRows: Int,
         keepCMYK: Bool = false) throws {
        self.frame = frame; self.planes = planes; self.transform = transform; self.scale = scale
        self.mcuRows = mcuRows
        outWidth = (frame.width + scale - 1) / scale
        outHeight = (frame.height + scale - 1) / scale
        keepsInks = keepCMYK && transform.hasInks
        channels = transform == .gray ? 1 : keepsInks ? 4 : 3
        // 8 / scale for the most sampled component; a component subsampled by a power of two gets a larger IDCT
        // instead of upsampling, as djpeg does when scaling.
        let minSize = 8 / scale
        blockSizes = planes.map { p in
            var size = minSize
            while size < 8 && (frame.maxH * minSize) % (p.h * size * 2) == 0
                    && (frame.maxV * minSize) % (p.v * size * 2) == 0 {
                size *= 2
            }
            return size
        }
        var methods: [JPEGUpsampleMethod] = [], widths: [Int] = [], heights: [Int] = []
        for (i, p) in planes.enumerated() {
            let size = blockSizes[i]
            let hIn = p.h * size / minSize, vIn = p.v * size / minSize
            guard hIn > 0, vIn > 0, frame.maxH % hIn == 0, frame.maxV % vIn == 0 else {
                throw jpegError(.unsupported, nil, "sampling ratio \(p.h)x\(p.v) cannot be upsampled at this scale")
            }
            let hx = frame.maxH / hIn, vx = frame.maxV / vIn
            let width = (frame.width * p.h * size + frame.maxH * 8 - 1) / (frame.maxH * 8)
            let height = (frame.height * p.v * size + frame.maxV * 8 - 1) / (frame.maxV * 8)
            // djpeg's default: triangle ("fancy") filters for 2x ratios unless the scaled block is 1 sample.
            let fancy = minSize > 1
            switch (hx, vx) {
            case (1, 1): methods.append(.none)
            case (2, 1) where fancy && width > 2: methods.append(.fancyH2V1)
            case (1, 2) where fancy: methods.append(.fancyH1V2)
            case (2, 2) where fancy && width > 2: methods.append(.fancyH2V2)
            default: methods.append(.replicate(h: hx, v: vx))
            }
            widths.append(min(width, p.widthInBlocks * size))
            heights.append(min(height, p.heightInBlocks * size))
        }
        self.methods = methods; sampleWidths = widths; sampleHeights = heights
    }

    /// The chroma upsampling of a YCbCr image drawn by the fused row kernels (JPEGColorRows): full-resolution
    /// luma and both chroma components upsampled the same way. Nil for everything else (drawn in two steps).
    var fusedChroma: JPEGUpsampleMethod? {
        guard transform == .ycbcr, !keepsInks, methods.count == 3, methods[0] == .none, methods[1] == methods[2] else {
            return nil
        }
        switch methods[1] {
        case .none, .fancyH2V1, .fancyH2V2, .fancyH1V2: return methods[1]
        case .replicate: return nil
        }
    }
}

/// Draws MCU rows of one band of the image. Not thread-safe: each band (thread) has its own renderer.
final class JPEGRowRenderer {
    let g: JPEGOutputGeometry
    let out: UnsafeMutablePointer<UInt8>
    /// Per component: `ringRows` MCU rows of samples (rows `stride` apart), indexed by MCU row modulo `ringRows`.
    /// Each row has `rowMargin` spare bytes before and after it: the upsampling kernels keep replicated edge
    /// samples there and read a little past the row's end.
    private let rings: [UnsafeMutablePointer<UInt8>]
    private let ringAllocations: [UnsafeMutablePointer<UInt8>]
    static let rowMargin = 32
    private let ringRows: Int
    private let strides: [Int]
    private let rowsPerMCU: [Int]
    /// Quantization tables in natural order as the IDCT's 16-bit multipliers.
    private let quant: [UnsafeMutablePointer<Int16>]
    private let rowBuffers: UnsafeMutablePointer<UInt8>
    private let rowCapacity: Int
    private let rowPointers = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>.allocate(capacity: 4)

    /// `ringRows` ≥ 3: drawing MCU row r reads sample rows of r - 1 ... r + 1.
    init(_ g: JPEGOutputGeometry, output: UnsafeMutablePointer<UInt8>, ringRows: Int = 3) {
        self.g = g
        self.out = output
        self.ringRows = ringRows
        var rings: [UnsafeMutablePointer<UInt8>] = [], allocations: [UnsafeMutablePointer<UInt8>] = []
        var strides: [Int] = [], rows: [Int] = []
        var quant: [UnsafeMutablePointer<Int16>] = []
        let margin = JPEGRowRenderer.rowMargin
        for (i, p) in g.planes.enumerated() {
            let stride = p.widthInBlocks * g.blockSizes[i] + 2 * margin
            let r = p.v * g.blockSizes[i]
            let count = stride * r * ringRows + 2 * margin
            let ring = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
            ring.initialize(repeating: 0, count: count)
            allocations.append(ring); rings.append(ring + margin); strides.append(stride); rows.append(r)
            // A component that never appeared in a scan has no latched table: zeros give mid-grey, as libjpeg.
            let q = UnsafeMutablePointer<Int16>.allocate(capacity: 64)
            q.initialize(from: p.quant ?? [Int16](repeating: 0, count: 64), count: 64)
            quant.append(q)
        }
        self.rings = rings; self.ringAllocations = allocations
        self.strides = strides; self.rowsPerMCU = rows; self.quant = quant
        rowCapacity = max(g.outWidth, 2 * (g.sampleWidths.max() ?? 0)) + 16
        rowBuffers = .allocate(capacity: rowCapacity * g.planes.count)
    }

    deinit {
        for r in ringAllocations { r.deallocate() }
        for q in quant { q.deallocate() }
        rowBuffers.deallocate(); rowPointers.deallocate()
    }

    /// Inverse-transforms the data blocks of MCU row `mcuRow` of the given components into the sample ring.
    func transform(_ mcuRow: Int, components: Range<Int>? = nil) {
        for ci in components ?? 0..<g.planes.count {
            let p = g.planes[ci]
            let size = g.blockSizes[ci]
            let stride = strides[ci]
            let slot = rings[ci] + (mcuRow % ringRows) * rowsPerMCU[ci] * stride
            let q = UnsafePointer(quant[ci])
            let firstBlockRow = mcuRow * p.v
            let lastBlockRow = min(firstBlockRow + p.v, p.heightInBlocks)
            guard firstBlockRow < lastBlockRow else { continue }
            for by in firstBlockRow..<lastBlockRow {
                let dstRow = slot + (by - firstBlockRow) * size * stride
                var coef = UnsafePointer(p.block(0, by))
                var dst = dstRow
                // Ring storage is reused for a later MCU row: each block is cleared right after its transform,
                // while it is in cache (the entropy decoder only writes the non-zero coefficients).
                let clear = p.isRing
                @inline(__always) func cleared(_ block: UnsafePointer<Int16>) {
                    guard clear else { return }
                    let raw = UnsafeMutableRawPointer(mutating: block), zero = SIMD8<Int16>(repeating: 0)
                    for k in 0..<8 { raw.storeBytes(of: zero, toByteOffset: 16 &* k, as: SIMD8<Int16>.self) }
                }
                switch size {
                case 8:
                    for _ in 0..<p.widthInBlocks { JPEGIDCT.idct8x8(coef, q, dst, stride); cleared(coef); coef += 64; dst += 8 }
                case 4:
                    for _ in 0..<p.widthInBlocks { JPEGIDCT.idct4x4(coef, q, dst, stride); cleared(coef); coef += 64; dst += 4 }
                case 2:
                    for _ in 0..<p.widthInBlocks { JPEGIDCT.idct2x2(coef, q, dst, stride); cleared(coef); coef += 64; dst += 2 }
                default:
                    for _ in 0..<p.widthInBlocks { JPEGIDCT.idct1x1(coef, q, dst); cleared(coef); coef += 64; dst += 1 }
                }
            }
        }
    }

    /// Sample row `y` of component `ci` (clamped to the valid rows, which replicates the edges).
    @inline(__always)
    func sampleRow(_ ci: Int, _ y: Int) -> UnsafeMutablePointer<UInt8> {
        let yy = min(max(y, 0), g.sampleHeights[ci] - 1)
        let perMCU = rowsPerMCU[ci]
        return rings[ci] + ((yy / perMCU) % ringRows * perMCU + yy % perMCU) * strides[ci]
    }

    /// Upsamples and colour-converts the output rows of MCU row `mcuRow`. Needs MCU rows mcuRow - 1 ... mcuRow + 1
    /// (those that exist) transformed and still in the ring.
    func draw(_ mcuRow: Int) {
        let rowsPerMCUOut = g.frame.maxV * (8 / g.scale)
        let first = mcuRow * rowsPerMCUOut
        let last = min(first + rowsPerMCUOut, g.outHeight)
        guard first < last else { return }
        let rowBytes = g.outWidth * g.channels
        if let method = g.fusedChroma {
            for y in first..<last { drawFused(y, method, out + y &* rowBytes) }
            return
        }
        for y in first..<last {
            for ci in 0..<g.planes.count {
                let buffer = rowBuffers + ci * rowCapacity
                let w = g.sampleWidths[ci]
                switch g.methods[ci] {
                case .none:
                    rowPointers[ci] = sampleRow(ci, y)
                case .fancyH2V1:
                    ChromaUpsampling.fancyHorizontal(sampleRow(ci, y), w, buffer)
                    rowPointers[ci] = buffer
                case .fancyH1V2:
                    let odd = y & 1 == 1
                    ChromaUpsampling.fancyVertical(sampleRow(ci, y >> 1), sampleRow(ci, odd ? (y >> 1) + 1 : (y >> 1) - 1),
                                    w, odd ? 2 : 1, buffer)
                    rowPointers[ci] = buffer
                case .fancyH2V2:
                    let odd = y & 1 == 1
                    ChromaUpsampling.fancy2D(sampleRow(ci, y >> 1), sampleRow(ci, odd ? (y >> 1) + 1 : (y >> 1) - 1), w, buffer)
                    rowPointers[ci] = buffer
                case .replicate(let h, let v):
                    ChromaUpsampling.replicate(sampleRow(ci, y / v), w, h, buffer, g.outWidth)
                    rowPointers[ci] = buffer
                }
            }
            if g.keepsInks {
                JPEGColor.convertRowToInks(g.transform, rowPointers, out + y * rowBytes, g.outWidth)
            } else {
                JPEGColor.convertRow(g.transform, rowPointers, out + y * rowBytes, g.outWidth)
            }
        }
    }
}

extension JPEGRowRenderer {
    /// Output row `y` of a YCbCr image through the fused upsampling and colour kernels.
    @inline(__always)
    private func drawFused(_ y: Int, _ method: JPEGUpsampleMethod, _ row: UnsafeMutablePointer<UInt8>) {
        let luma = UnsafePointer(sampleRow(0, y))
        let width = g.outWidth
        switch method {
        case .fancyH2V1:
            let cb = sampleRow(1, y), cr = sampleRow(2, y)
            jpegChromaEdges(cb, g.sampleWidths[1]); jpegChromaEdges(cr, g.sampleWidths[2])
            JPEGColorRows.convert(luma: luma, cb: JPEGChromaH2V1(row: cb), cr: JPEGChromaH2V1(row: cr), out: row, width: width)
        case .fancyH2V2:
            let odd = y & 1 == 1
            let nearY = y >> 1, farY = odd ? (y >> 1) + 1 : (y >> 1) - 1
            let cbNear = sampleRow(1, nearY), cbFar = sampleRow(1, farY)
            let crNear = sampleRow(2, nearY), crFar = sampleRow(2, farY)
            jpegChromaEdges(cbNear, g.sampleWidths[1]); jpegChromaEdges(cbFar, g.sampleWidths[1])
            jpegChromaEdges(crNear, g.sampleWidths[2]); jpegChromaEdges(crFar, g.sampleWidths[2])
            JPEGColorRows.convert(luma: luma, cb: JPEGChromaH2V2(near: cbNear, far: cbFar),
                                  cr: JPEGChromaH2V2(near: crNear, far: crFar), out: row, width: width)
        case .fancyH1V2:
            let odd = y & 1 == 1
            let nearY = y >> 1, farY = odd ? (y >> 1) + 1 : (y >> 1) - 1
            let bias: Int16 = odd ? 2 : 1
            JPEGColorRows.convert(luma: luma, cb: JPEGChromaH1V2(near: sampleRow(1, nearY), far: sampleRow(1, farY), bias: bias),
                                  cr: JPEGChromaH1V2(near: sampleRow(2, nearY), far: sampleRow(2, farY), bias: bias),
                                  out: row, width: width)
        default:
            JPEGColorRows.convert(luma: luma, cb: JPEGChromaFull(row: sampleRow(1, y)),
                                  cr: JPEGChromaFull(row: sampleRow(2, y)), out: row, width: width)
        }
    }
}

enum JPEGRender {
    /// MCU rows of coefficients held for a sequential image drawn while decoding: one when a single thread decodes
    /// and draws in turn; with more cores the entropy decoder runs ahead of the drawing thread by up to this many.
    static var ringMCURows: Int { JPEGParallel.workers > 1 ? 8 : 1 }

    /// Decodes a single-scan sequential image and draws each MCU row as soon as it and the next one are decoded.
    /// With several cores a second thread draws a few rows behind the decoder (JPEGRowPipeline): the decoding
    /// thread also runs the IDCT of the first component, the drawing thread that of the others plus upsampling and
    /// colour conversion.
    static func drawWhileDecoding(_ g: JPEGOutputGeometry, decoder: JPEGScanDecoder, base: UnsafePointer<UInt8>,
                                  end: Int, position: Int, output: UnsafeMutablePointer<UInt8>) throws -> Int {
        // The decoder may be `ringMCURows` rows ahead of the drawing thread, which reads rows r - 2 ... r while
        // drawing: a sample ring of ringMCURows + 3 rows is never written where it is being read.
        let renderer = JPEGRowRenderer(g, output: output, ringRows: ringMCURows == 1 ? 3 : ringMCURows + 3)
        if ringMCURows == 1 {
            let next = try decoder.run(base: base, end: end, position: position, rowDone: { row in
                renderer.transform(row)
                if row > 0 { renderer.draw(row - 1) }
            })
            renderer.draw(g.mcuRows - 1)
            return next
        }
        let rows = g.mcuRows
        let all = 0..<g.planes.count, others = 1..<g.planes.count
        let pipeline = JPEGRowPipeline(rows: rows, slots: ringMCURows, output: output,
                                       bytes: g.outWidth * g.outHeight * g.channels)
        // Who runs the first component's IDCT of a row balances the two threads: the decoder does it while the
        // finishing work lags behind, and leaves it to the finishing step when that keeps up (entropy decoding
        // alone is then the longer task). The flag is written before the row is published (`afterRow`, a
        // releasing store) and read by the step that finishes it. Either way the samples are the same.
        let firstLeftToFinisher = UnsafeMutablePointer<Bool>.allocate(capacity: rows)
        firstLeftToFinisher.initialize(repeating: false, count: rows)
        defer { firstLeftToFinisher.deallocate() }
        return try pipeline.run(
            decodeAll: { beforeRow, afterRow in
                try decoder.run(base: base, end: end, position: position, rowWillStart: beforeRow,
                                rowDone: { row in
                                    if pipeline.finishedSteps >= row - 1 {
                                        firstLeftToFinisher[row] = true
                                    } else {
                                        renderer.transform(row, components: 0..<1)
                                    }
                                    afterRow(row)
                                })
            },
            finishStep: { step in
                if step < rows { renderer.transform(step, components: firstLeftToFinisher[step] ? all : others) }
                if step > 0 { renderer.draw(step - 1) }
            })
    }

    /// Draws a whole image whose coefficients are all stored, in parallel bands of MCU rows.
    static func drawStored(_ g: JPEGOutputGeometry, into out: UnsafeMutablePointer<UInt8>) {
        let bands = JPEGParallel.bands(g.mcuRows, minimumRows: 2)
        JPEGParallel.run(bands.count) { b in
            let band = bands[b]
            let r = JPEGRowRenderer(g, output: out)
            if band.lowerBound > 0 { r.transform(band.lowerBound - 1) }
            r.transform(band.lowerBound)
            for row in band {
                if row + 1 < g.mcuRows { r.transform(row + 1) }
                r.draw(row)
            }
        }
    }
}

/// Splitting work over the job's threads (`Job`).
enum JPEGParallel {
    /// Threads to use: the current job's budget, at most 8.
    static var workers: Int { min(8, Job.current.threads) }

    /// Up to two bands per worker, each at least `minimumRows` long.
    static func bands(_ rows: Int, minimumRows: Int) -> [Range<Int>] {
        let wanted = max(1, min(workers * 2, rows / max(1, minimumRows)))
        var out: [Range<Int>] = []
        var start = 0
        for i in 0..<wanted {
            let end = rows * (i + 1) / wanted
            if end > start { out.append(start..<end) }
            start = end
        }
        return out
    }

    static func run(_ count: Int, _ body: (Int) -> Void) {
        Job.parallelFor(count, body)
    }
}

