import Raster

/// Decodes one VP8 key frame (RFC 6386) macroblock row by macroblock row: modes from the first partition, tokens
/// from the row's token partition, prediction plus inverse transforms in a small work buffer, then the loop filter
/// on the finished row, and hands the rows that can no longer change to `emitRows`.
///
/// Intra prediction uses unfiltered pixels (section 15: the loop filter applies after the whole frame is
/// reconstructed), so the bottom row of every macroblock is kept unfiltered in `above*` for the row below, and a
/// row is filtered only once all its macroblocks are reconstructed. Only two macroblock rows of pixels are kept
/// (`VP8PlaneRing`): rows are handed on as soon as filtering cannot change them any more.
struct VP8FrameDecoder {
    /// The frame tag's fields at first; the whole header once `decode` has read the first partition.
    private(set) var header: VP8FrameHeader
    let macroblocksWide: Int
    let macroblocksHigh: Int
    /// The rows being reconstructed, filtered and handed on.
    let planes: VP8PlaneRing
    /// False to get the reconstruction before loop filtering (for comparisons with an encoder's reconstruction).
    let loopFilterEnabled: Bool

    init(header: VP8FrameHeader, limits: ImageLimits, loopFilter: Bool = true) throws {
        try limits.checkDimensions(width: header.width, height: header.height, codec: webpCodecName)
        self.header = header
        macroblocksWide = (header.width + 15) >> 4
        macroblocksHigh = (header.height + 15) >> 4
        planes = VP8PlaneRing(macroblocksWide: macroblocksWide)
        loopFilterEnabled = loopFilter
    }

    /// Decodes the frame. `emitRows(planes, lumaRows, chromaRows)` is called after each macroblock row with how many
    /// rows of each plane are final (loop filtering of the next row still changes the 3 rows above it); rows from
    /// the previous call on are still in `planes`, older ones are gone.
    mutating func decode(_ bytes: UnsafeBufferPointer<UInt8>, chunk: Range<Int>,
                         emitRows: (VP8PlaneRing, Int, Int) throws -> Void) throws {
        let base = bytes.baseAddress!
        let firstStart = chunk.lowerBound + VP8FrameHeader.uncompressedSize
        let firstEnd = firstStart + header.firstPartitionSize
        guard firstEnd <= chunk.upperBound else {
            throw webpError(.truncated, chunk.lowerBound, "first partition runs past the end of the chunk")
        }
        var first = VP8BoolDecoder(base: base, start: firstStart, end: firstEnd, fileOffset: firstStart)
        try header.readCompressedHeader(&first, bytes: bytes, range: chunk)
        // Section 15.1: a frame loop filter level of 0 turns the filter off, whatever the segments say.
        let applyLoopFilter = loopFilterEnabled && header.filterLevel > 0
        var partitions = header.tokenPartitions.map {
            VP8BoolDecoder(base: base, start: $0.lowerBound, end: $0.upperBound, fileOffset: $0.lowerBound)
        }
        let quantizers = VP8SegmentQuantizer.forSegments(header)
        let strengths = VP8FilterStrength.table(header)
        var modes = VP8ModeParser(macroblocksWide: macroblocksWide, header: header)
        let tokens = VP8TokenTables(probs: header.coefficientProbs)
        defer { tokens.deallocate() }

        let mbw = macroblocksWide
        var infos = [VP8MacroblockInfo](repeating: VP8MacroblockInfo(), count: mbw)
        var subblockModes = [UInt8](repeating: 0, count: 16 * mbw)
        var filterRow = [VP8FilterStrength](repeating: VP8FilterStrength(), count: mbw)
        var aboveContexts = [VP8NonZeroContext](repeating: VP8NonZeroContext(), count: mbw)
        // Unfiltered bottom rows of the macroblock row above (luma has 4 spare pixels for the above-right edge).
        var aboveY = [UInt8](repeating: 0, count: 16 * mbw + 4)
        var aboveU = [UInt8](repeating: 0, count: 8 * mbw)
        var aboveV = [UInt8](repeating: 0, count: 8 * mbw)
        let work = UnsafeMutablePointer<UInt8>.allocate(capacity: VP8WorkBuffer.size)
        defer { work.deallocate() }
        work.initialize(repeating: 0, count: VP8WorkBuffer.size)
        let coefficients = UnsafeMutablePointer<Int16>.allocate(capacity: 384)
        defer { coefficients.deallocate() }
        coefficients.initialize(repeating: 0, count: 384)

        for mbY in 0..<macroblocksHigh {
            try Job.checkpoint()
            infos.withUnsafeMutableBufferPointer { i in
                subblockModes.withUnsafeMutableBufferPointer { s in
                    modes.readRow(&first, count: mbw, infos: i.baseAddress!, subblockModes: s.baseAddress!)
                }
            }
            if first.atEnd { throw webpError(.truncated, first.fileOffset, "first partition ends inside the modes") }
            let partitionIndex = mbY % partitions.count
            var d = partitions[partitionIndex]
            var left = VP8NonZeroContext()
            for mbX in 0..<mbw {
                let info = infos[mbX]
                var codes = VP8BlockCodes()
                if !info.skip {
                    codes = d.readResiduals(tokens, subblockPredicted: info.isSubblockPredicted,
                                            quantizer: quantizers[Int(info.segment)], above: &aboveContexts[mbX],
                                            left: &left, coefficients: coefficients)
                } else {
                    aboveContexts[mbX].blocks = 0
                    left.blocks = 0
                    if !info.isSubblockPredicted { aboveContexts[mbX].y2 = 0; left.y2 = 0 }
                }
                if d.atEnd {
                    throw webpError(.truncated, d.fileOffset, "token partition \(partitionIndex) ends inside macroblock (\(mbX), \(mbY))")
                }
                var strength = strengths[Int(info.segment)][info.isSubblockPredicted ? 1 : 0]
                // Inner edges are filtered unless the macroblock is 16x16-predicted without any coefficient.
                strength.inner = strength.inner || !codes.isEmpty
                filterRow[mbX] = strength
                subblockModes.withUnsafeBufferPointer { s in
                    aboveY.withUnsafeMutableBufferPointer { ay in
                        aboveU.withUnsafeMutableBufferPointer { au in
                            aboveV.withUnsafeMutableBufferPointer { av in
                                reconstruct(mbX: mbX, mbY: mbY, info: info, subblockModes: s.baseAddress! + 16 * mbX,
                                            codes: codes, coefficients: coefficients, work: work,
                                            aboveY: ay.baseAddress!, aboveU: au.baseAddress!, aboveV: av.baseAddress!)
                            }
                        }
                    }
                }
            }
            partitions[partitionIndex] = d
            if applyLoopFilter { filter(row: mbY, strengths: filterRow) }
            let last = mbY == macroblocksHigh - 1
            try emitRows(planes, last ? header.height : 16 * mbY + 13, last ? (header.height + 1) / 2 : 8 * mbY + 5)
        }
    }

    /// Predicts and reconstructs one macroblock in the work buffer, then stores it in the planes and keeps its
    /// unfiltered bottom row for the row below.
    private mutating func reconstruct(mbX: Int, mbY: Int, info: VP8MacroblockInfo, subblockModes: UnsafePointer<UInt8>,
                                      codes: VP8BlockCodes, coefficients: UnsafeMutablePointer<Int16>,
                                      work: UnsafeMutablePointer<UInt8>, aboveY: UnsafeMutablePointer<UInt8>,
                                      aboveU: UnsafeMutablePointer<UInt8>, aboveV: UnsafeMutablePointer<UInt8>) {
        let s = VP8WorkBuffer.stride
        let wy = work + VP8WorkBuffer.lumaOffset
        let wu = work + VP8WorkBuffer.uOffset
        let wv = work + VP8WorkBuffer.vOffset
        // Left edges: 129 at the frame's left edge (section 12.2), else the previous macroblock's right column,
        // moved over together with the corner above it.
        if mbX == 0 {
            for r in 0..<16 { wy[r * s - 1] = 129 }
            for r in 0..<8 { wu[r * s - 1] = 129; wv[r * s - 1] = 129 }
            if mbY > 0 {
                wy[-s - 1] = 129; wu[-s - 1] = 129; wv[-s - 1] = 129
            } else {
                // Above the frame everything is 127, the corner and above-right included.
                (wy - s - 1).update(repeating: 127, count: 21)
                (wu - s - 1).update(repeating: 127, count: 9)
                (wv - s - 1).update(repeating: 127, count: 9)
            }
        } else {
            for r in -1..<16 { VP8Bytes.copy(wy + r * s - 4, wy + r * s + 12, 4) }
            for r in -1..<8 {
                VP8Bytes.copy(wu + r * s - 4, wu + r * s + 4, 4)
                VP8Bytes.copy(wv + r * s - 4, wv + r * s + 4, 4)
            }
        }
        if mbY > 0 {
            VP8Bytes.copy(wy - s, aboveY + 16 * mbX, 16)
            VP8Bytes.copy(wu - s, aboveU + 8 * mbX, 8)
            VP8Bytes.copy(wv - s, aboveV + 8 * mbX, 8)
        }
        let hasAbove = mbY > 0, hasLeft = mbX > 0
        if info.isSubblockPredicted {
            let aboveRight = wy - s + 16
            if mbY > 0 {
                if mbX < macroblocksWide - 1 {
                    VP8Bytes.copy(aboveRight, aboveY + 16 * mbX + 16, 4)
                } else {
                    VP8Bytes.fill(aboveRight, aboveY[16 * mbX + 15], 4)
                }
            }
            for r in stride(from: 3, to: 12, by: 4) { VP8Bytes.copy(wy + r * s + 16, aboveRight, 4) }
            for n in 0..<16 {
                let dst = wy + (n >> 2) * 4 * s + (n & 3) * 4
                VP8IntraPredictor.predictSubblock(dst, mode: subblockModes[n])
                addResidual(code: (codes.luma >> UInt32(2 * n)) & 3, coefficients + 16 * n, dst)
            }
        } else {
            VP8IntraPredictor.predictBlock(wy, size: 16, mode: info.lumaMode, hasAbove: hasAbove, hasLeft: hasLeft)
            if codes.luma != 0 {
                for n in 0..<16 {
                    addResidual(code: (codes.luma >> UInt32(2 * n)) & 3, coefficients + 16 * n,
                                wy + (n >> 2) * 4 * s + (n & 3) * 4)
                }
            }
        }
        VP8IntraPredictor.predictBlock(wu, size: 8, mode: info.chromaMode, hasAbove: hasAbove, hasLeft: hasLeft)
        VP8IntraPredictor.predictBlock(wv, size: 8, mode: info.chromaMode, hasAbove: hasAbove, hasLeft: hasLeft)
        if codes.chroma != 0 {
            for n in 0..<8 {
                let plane = n < 4 ? wu : wv
                let dst = plane + ((n & 3) >> 1) * 4 * s + (n & 1) * 4
                addResidual(code: (codes.chroma >> UInt32(2 * n)) & 3, coefficients + 256 + 16 * n, dst)
            }
        }
        // The bottom rows, unfiltered, are the next row's top edge.
        if mbY < macroblocksHigh - 1 {
            VP8Bytes.copy(aboveY + 16 * mbX, wy + 15 * s, 16)
            VP8Bytes.copy(aboveU + 8 * mbX, wu + 7 * s, 8)
            VP8Bytes.copy(aboveV + 8 * mbX, wv + 7 * s, 8)
        }
        let py = planes.lumaRow(16 * mbY) + 16 * mbX
        let pu = planes.chromaRow(planes.u, 8 * mbY) + 8 * mbX, pv = planes.chromaRow(planes.v, 8 * mbY) + 8 * mbX
        let ys = planes.yStride, cs = planes.uvStride
        for r in 0..<16 { VP8Bytes.copy(py + r * ys, wy + r * s, 16) }
        for r in 0..<8 {
            VP8Bytes.copy(pu + r * cs, wu + r * s, 8)
            VP8Bytes.copy(pv + r * cs, wv + r * s, 8)
        }
    }

    /// Adds one block's residual (code from `VP8BlockCodes`) and clears the coefficients for the next macroblock.
    @inline(__always)
    private func addResidual(code: UInt32, _ block: UnsafeMutablePointer<Int16>, _ dst: UnsafeMutablePointer<UInt8>) {
        switch code {
        case 2:
            VP8InverseTransform.addIDCT(block, dst)
            UnsafeMutableRawPointer(block).storeBytes(of: SIMD16<Int16>(), as: SIMD16<Int16>.self)
        case 1:
            VP8InverseTransform.addDC(block, dst)
            block[0] = 0
        default:
            break
        }
    }

    private func filter(row mbY: Int, strengths: [VP8FilterStrength]) {
        let simple = header.simpleFilter
        let p = planes
        p.bringRowsAbove(macroblockRow: mbY)
        let y = p.lumaRow(16 * mbY), u = p.chromaRow(p.u, 8 * mbY), v = p.chromaRow(p.v, 8 * mbY)
        for mbX in 0..<macroblocksWide {
            VP8LoopFilter.filterMacroblock(simple: simple, strengths[mbX], y: y + 16 * mbX, yStride: p.yStride,
                                           u: u + 8 * mbX, v: v + 8 * mbX, uvStride: p.uvStride,
                                           left: mbX > 0, top: mbY > 0)
        }
        p.returnRowsAbove(macroblockRow: mbY)
    }
}

/// The pixels of the two latest macroblock rows of each plane, as a ring: absolute row r of luma lives in ring row
/// r mod 32 (chroma r mod 16). Filtering a macroblock row reads 4 rows above it and changes 3: for a row in the
/// ring's first half those are at the ring's end, so they are copied into 4 spare rows in front of the ring for
/// the filter, and back afterwards. Widths are padded to whole macroblocks.
final class VP8PlaneRing {
    let yStride: Int, uvStride: Int
    let y: UnsafeMutablePointer<UInt8>, u: UnsafeMutablePointer<UInt8>, v: UnsafeMutablePointer<UInt8>
    static let spareRows = 4

    init(macroblocksWide: Int) {
        yStride = 16 * macroblocksWide
        uvStride = 8 * macroblocksWide
        // Every byte is written by the reconstruction before anything reads it.
        y = .allocate(capacity: yStride * (Self.spareRows + 32))
        u = .allocate(capacity: uvStride * (Self.spareRows + 16))
        v = .allocate(capacity: uvStride * (Self.spareRows + 16))
    }

    deinit { y.deallocate(); u.deallocate(); v.deallocate() }

    @inline(__always)
    func lumaRow(_ r: Int) -> UnsafeMutablePointer<UInt8> { y + (Self.spareRows + (r & 31)) * yStride }

    /// Row `r` of chroma plane `plane` (`u` or `v`).
    @inline(__always)
    func chromaRow(_ plane: UnsafeMutablePointer<UInt8>, _ r: Int) -> UnsafeMutablePointer<UInt8> {
        plane + (Self.spareRows + (r & 15)) * uvStride
    }

    func bringRowsAbove(macroblockRow mbY: Int) {
        guard mbY > 0, mbY & 1 == 0 else { return }
        for k in 0..<Self.spareRows {
            (y + k * yStride).update(from: lumaRow(16 * mbY - Self.spareRows + k), count: yStride)
            (u + k * uvStride).update(from: chromaRow(u, 8 * mbY - Self.spareRows + k), count: uvStride)
            (v + k * uvStride).update(from: chromaRow(v, 8 * mbY - Self.spareRows + k), count: uvStride)
        }
    }

    func returnRowsAbove(macroblockRow mbY: Int) {
        guard mbY > 0, mbY & 1 == 0 else { return }
        for k in 0..<Self.spareRows {
            lumaRow(16 * mbY - Self.spareRows + k).update(from: y + k * yStride, count: yStride)
            chromaRow(u, 8 * mbY - Self.spareRows + k).update(from: u + k * uvStride, count: uvStride)
            chromaRow(v, 8 * mbY - Self.spareRows + k).update(from: v + k * uvStride, count: uvStride)
        }
    }
}
