import Raster

/// Modes chosen for one block.
struct AV1BlockModes {
    var yMode = AV1Mode.dc, yAngle = 0
    var uvMode = AV1Mode.dc, uvAngle = 0
    var cflU = 0, cflV = 0
    /// Transform type chosen for the whole-block transform by the mode decision.
    var txType = AV1Tx.dctDct
    /// tx_depth (§5.11.15): the luma transform is the block size halved txDepth times.
    var txDepth = 0
    /// Luma transform type of each transform block in raster order (transform blocks outside the frame included).
    var txTypes: [Int] = []
    /// Luma transform size (the spec's TX_SIZE enumeration, §6.10.19 / Tx_Size tables of §9.3); -1 until the
    /// block coder sets it (Max_Tx_Size_Rect of the block split txDepth times).
    var txSize = -1
    /// Set by the coding pass: every transform block quantised to zero.
    var skip = false
    /// The block's palettes (§5.11.46) when it codes one (luma with yMode DC_PRED, chroma with uvMode DC_PRED).
    var palette: AV1BlockPalette? = nil
}

/// Test-only overrides of the RD search, so that conformance tests cover every coding tool.
struct AV1ForcedTools: Sendable {
    /// Use this tx_depth (clamped to what the block allows) for every block instead of the RD choice.
    var txDepth: Int? = nil
    /// Never code blocks of 8x8 and above whole: every block becomes BLOCK_4X4.
    var split4x4 = false
    /// allow_screen_content_tools on, and every block of 8x8 to 64x64 whose colours fit a palette codes one.
    var palette = false
}

extension AV1FrameState {
    /// TX_MODE_SELECT (§5.9.21, tx_mode_select = 1): the transform size is chosen per block. The fastest settings
    /// keep TX_MODE_LARGEST, which spends no tx_depth symbols; a lossless frame has ONLY_4X4 (§5.9.21, nothing coded).
    var txModeSelect: Bool { !codedLossless && (settings.txModeSelect || forced.txDepth != nil) }
}

/// Partition decision tree of one superblock.
indirect enum AV1PartitionNode {
    case outside
    case leaf(AV1BlockModes)
    case split([AV1PartitionNode])
}

/// BlockDecoded of the three planes in one zeroed allocation, freed with the last copy.
final class AV1DecodedGrid {
    private let base = UnsafeMutablePointer<UInt8>.allocate(capacity: 3 * 18 * 18)
    init() { base.initialize(repeating: 0, count: 3 * 18 * 18) }
    deinit { base.deallocate() }
    @inline(__always) subscript(plane: Int) -> UnsafeMutablePointer<UInt8> { base + plane * 18 * 18 }
}

/// Encodes one tile: RD partition/mode search per 64x64 superblock, then the real coding pass that mirrors the
/// decoder's decode_partition / decode_block / residual (AV1 spec §5.11.4–§5.11.39).
final class AV1TileEncoder {
    let f: AV1FrameState
    let miRowStart: Int, miRowEnd: Int, miColStart: Int, miColEnd: Int
    let cdf: AV1CDFContext
    /// Coefficient symbol rates of `cdf` as it was at the start of the superblock being searched (the search does
    /// not adapt the CDFs), for the RD-optimised quantiser.
    let coefficientCosts = AV1CoefficientCosts()
    var ctx: AV1CoefficientContexts
    /// The coding pass's symbols, written out by the frame encoder once the CDEF indices are chosen.
    var writer = AV1SymbolRecorder()
    /// BlockDecoded[plane][-1...16][-1...16] of §5.11.3, stored with +1 offsets in an 18x18 grid.
    /// `decoded[plane]` points at that plane's grid (unchecked: the hot edge builder reads it per transform block).
    let decoded = AV1DecodedGrid()
    // Scratch.
    let edges = AV1IntraEdges()
    /// filterType (§7.11.2.8) of the block being coded, for luma and for chroma (`setEdgeFilterTypes`).
    var edgeFilterTypes = (luma: false, chroma: false)
    let pred = UnsafeMutablePointer<UInt8>.allocate(capacity: 64 * 64)
    let predAlt = UnsafeMutablePointer<UInt8>.allocate(capacity: 64 * 64)
    let resid = UnsafeMutablePointer<Int32>.allocate(capacity: 64 * 64)
    let coef = UnsafeMutablePointer<Float>.allocate(capacity: 64 * 64)
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 64 * 64)
    /// Quantised levels of the superblock (`AV1LevelStore`): each lossy block keeps its levels at its own place
    /// there, so that the coding pass writes the chosen blocks' symbols without coding them again.
    /// Lossless: 16 levels for each of the 256 4x4 transform blocks of each plane (3 * 4096), at the start.
    let levelStore = UnsafeMutablePointer<Int32>.allocate(capacity: 3 * 4096)
    /// Levels of the block being coded: luma transform block k at `quant + k * levelCount`, chroma plane p at
    /// `chromaQuant + (p - 1) * 4096` (see `chromaLevels(plane:_:txLog2:)`).
    var quant: UnsafeMutablePointer<Int32>
    var chromaQuant: UnsafeMutablePointer<Int32>
    /// Reconstructions saved while other candidates are tried: per block size (64x64 ... 8x8) for the partition
    /// search, then one luma block for the transform search (`reconSlot`, `txSearchReconSlot`).
    let reconSlots = UnsafeMutablePointer<UInt8>.allocate(capacity: 5 * 3 * 4096)
    /// The levels of a block coded whole while its split is tried, per block size (64x64 ... 8x8).
    let noneLevels = UnsafeMutablePointer<Int32>.allocate(capacity: 4 * 3 * 4096)
    /// Luma levels of the best transform-size candidate while another one is tried.
    let quantBest = UnsafeMutablePointer<Int32>.allocate(capacity: AV1TileEncoder.chromaLevels)
    let dequant = UnsafeMutablePointer<Int32>.allocate(capacity: 1024)
    let cflScratch = UnsafeMutablePointer<Int32>.allocate(capacity: 64 * 64)
    /// The luma candidate the RD mode decision chose for the block being coded, with its whole-block levels
    /// (`rdWinnerLevels`), coefficient rate and whether a level is non-zero: the transform search codes it again at
    /// tx_depth 0. Nil until a decision evaluated candidates.
    var rdWinner: (mode: Int, angle: Int, type: Int, rate: Int, nonzero: Bool)? = nil
    let rdWinnerLevels = UnsafeMutablePointer<Int32>.allocate(capacity: 1024)
    /// The block's reconstruction (all planes) and chroma levels while a chroma palette is tried.
    let paletteReconSlot = UnsafeMutablePointer<UInt8>.allocate(capacity: 3 * 4096)
    let paletteLevelsSlot = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * 4096)
    /// DC predictions of both chroma planes (32x32 apart) made by the chroma mode ranking, for chroma-from-luma.
    let chromaDC = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * 32 * 32)
    /// Offset of the chroma levels in `quant`: the luma transform blocks of a 64x64 block take up to 4096 levels.
    static let chromaLevels = 4096
    let forwardCache = AV1ForwardCache()
    /// λ of the block being decided or coded (the frame's λ scaled by the perceptual map; set by the partition
    /// search and the coding pass).
    var lambda: Double

    init(frame: AV1FrameState, miRowStart: Int, miRowEnd: Int, miColStart: Int, miColEnd: Int) {
        f = frame
        self.miRowStart = miRowStart; self.miRowEnd = miRowEnd
        self.miColStart = miColStart; self.miColEnd = miColEnd
        cdf = AV1CDFContext(baseQIndex: frame.qIndex)
        ctx = AV1CoefficientContexts(cols4: frame.miCols, rows4: frame.miRows)
        lambda = frame.lambda
        edges.edgeFilter = frame.intraEdgeFilter
        levelStore.initialize(repeating: 0, count: 3 * 4096)
        quant = levelStore
        chromaQuant = levelStore + AV1TileEncoder.chromaLevels
    }

    deinit {
        pred.deallocate(); predAlt.deallocate(); resid.deallocate(); coef.deallocate(); scratch.deallocate()
        levelStore.deallocate(); noneLevels.deallocate(); reconSlots.deallocate(); quantBest.deallocate(); dequant.deallocate(); cflScratch.deallocate(); chromaDC.deallocate()
        rdWinnerLevels.deallocate(); paletteReconSlot.deallocate(); paletteLevelsSlot.deallocate()
    }

    // MARK: - Tile

    func encode() throws -> AV1SymbolRecorder {
        var r = miRowStart
        while r < miRowEnd {
            try Job.checkpoint()
            // clear_left_context (§5.11.2)
            for p in 0..<3 { for i in 0..<ctx.leftLevel[p].count { ctx.leftLevel[p][i] = 0; ctx.leftDc[p][i] = 0 } }
            var c = miColStart
            while c < miColEnd {
                let saved = snapshotContexts(r, c, AV1Block.b64x64)
                clearDecoded(r, c)
                if f.settings.rdoq && !f.codedLossless { coefficientCosts.refresh(from: cdf) }
                var counter = AV1RateCounter()
                let node = search(r, c, AV1Block.b64x64, &counter).node
                restoreContexts(r, c, AV1Block.b64x64, saved)
                clearDecoded(r, c)
                var w = writer
                writer = AV1SymbolRecorder()   // keep the recording uniquely referenced (no copy on append)
                codePartition(r, c, AV1Block.b64x64, node, &w)
                writer = w
                c += 16
            }
            r += 16
        }
        return writer
    }

    func clearDecoded(_ r: Int, _ c: Int) {
        for p in 0..<f.numPlanes {
            let sx = p > 0 ? f.subX : 0, sy = p > 0 ? f.subY : 0
            let sbW4 = (miColEnd - c) >> sx, sbH4 = (miRowEnd - r) >> sy
            for y in -1...(16 >> sy) {
                for x in -1...(16 >> sx) {
                    let v: UInt8 = (y < 0 && x < sbW4) ? 1 : ((x < 0 && y < sbH4) ? 1 : 0)
                    decoded[p][(y + 1) * 18 + x + 1] = v
                }
            }
            decoded[p][((16 >> sy) + 1) * 18 + 0] = 0
        }
    }

    // MARK: - Partition

    func partitionCdf(_ r: Int, _ c: Int, _ bsize: Int) -> (UnsafeMutablePointer<UInt16>, Int) {
        let bsl = AV1Block.log2Side4(bsize)
        let availU = r - 1 >= miRowStart, availL = c - 1 >= miColStart
        let above = availU && AV1Block.log2Side4(Int(f.miSize[(r - 1) * f.miCols + c])) < bsl
        let left = availL && AV1Block.log2Side4(Int(f.miSize[r * f.miCols + c - 1])) < bsl
        let pctx = (left ? 2 : 0) + (above ? 1 : 0)
        switch bsl {
        case 1: return (cdf.at(cdf.partW8 + pctx * 5), 4)
        case 2: return (cdf.at(cdf.partW16 + pctx * 11), 10)
        case 3: return (cdf.at(cdf.partW32 + pctx * 11), 10)
        default: return (cdf.at(cdf.partW64 + pctx * 11), 10)
        }
    }

    /// Writes the partition symbol for `split` (true) or PARTITION_NONE (false), as decode_partition reads it.
    func writePartition<S: AV1SymbolSink>(_ r: Int, _ c: Int, _ bsize: Int, split: Bool, _ sink: inout S) {
        if bsize == AV1Block.b4x4 { return }   // blocks below 8x8 have no partition symbol
        let half = AV1Block.side4(bsize) >> 1
        let hasRows = r + half < f.miRows, hasCols = c + half < f.miCols
        if hasRows && hasCols {
            let (p, n) = partitionCdf(r, c, bsize)
            sink.symbol(split ? 3 : 0, p, n)
        } else if hasCols || hasRows {
            // split_or_horz / split_or_vert with the derived binary CDF (§8.3.2).
            let (p, _) = partitionCdf(r, c, bsize)
            func pdf(_ k: Int) -> Int { Int(p[k]) - (k > 0 ? Int(p[k - 1]) : 0) }
            let psum = hasCols ? pdf(2) + pdf(3) + pdf(4) + pdf(6) + pdf(7) + pdf(9)
                               : pdf(1) + pdf(3) + pdf(4) + pdf(5) + pdf(6) + pdf(8)
            var tmp: [UInt16] = [UInt16(32768 - psum), 32768, 0]
            tmp.withUnsafeMutableBufferPointer { sink.symbol(1, $0.baseAddress!, 2) }
        }
    }

    func codePartition<S: AV1SymbolSink>(_ r: Int, _ c: Int, _ bsize: Int, _ node: AV1PartitionNode, _ sink: inout S) {
        if r >= f.miRows || c >= f.miCols { return }
        switch node {
        case .outside: return
        case .leaf(let m):
            writePartition(r, c, bsize, split: false, &sink)
            if f.codedLossless {
                lambda = lambdaOf(r, c, bsize)
                var modes: AV1BlockModes? = m
                _ = codeBlock(r, c, bsize, &modes, &sink)
            } else {
                // The search left this block's reconstruction, mode info and levels in place.
                writeSearchedBlock(r, c, bsize, m, &sink)
            }
        case .split(let children):
            writePartition(r, c, bsize, split: true, &sink)
            let half = AV1Block.side4(bsize) >> 1
            let sub = AV1Block.splitSize(bsize)
            let offs = [(0, 0), (0, half), (half, 0), (half, half)]
            for i in 0..<4 {
                let node = i < children.count ? children[i] : AV1PartitionNode.outside
                codePartition(r + offs[i].0, c + offs[i].1, sub, node, &sink)
            }
        }
    }

    // MARK: - State save/restore for the search

    /// The above/left coefficient contexts a block can touch, for all planes.
    func snapshotContexts(_ r: Int, _ c: Int, _ bsize: Int) -> [UInt8] {
        let side4 = AV1Block.side4(bsize)
        var out: [UInt8] = []
        out.reserveCapacity(side4 * 12)
        for p in 0..<f.numPlanes {
            let sx = p > 0 ? f.subX : 0, sy = p > 0 ? f.subY : 0
            for i in (c >> sx)..<((c + side4) >> sx) { out.append(ctx.aboveLevel[p][i]); out.append(ctx.aboveDc[p][i]) }
            for i in (r >> sy)..<((r + side4) >> sy) { out.append(ctx.leftLevel[p][i]); out.append(ctx.leftDc[p][i]) }
        }
        return out
    }

    func restoreContexts(_ r: Int, _ c: Int, _ bsize: Int, _ saved: [UInt8]) {
        let side4 = AV1Block.side4(bsize)
        var k = 0
        for p in 0..<f.numPlanes {
            let sx = p > 0 ? f.subX : 0, sy = p > 0 ? f.subY : 0
            for i in (c >> sx)..<((c + side4) >> sx) { ctx.aboveLevel[p][i] = saved[k]; ctx.aboveDc[p][i] = saved[k + 1]; k += 2 }
            for i in (r >> sy)..<((r + side4) >> sy) { ctx.leftLevel[p][i] = saved[k]; ctx.leftDc[p][i] = saved[k + 1]; k += 2 }
        }
    }

    /// Copies the reconstruction of the block at mi (r, c) (luma only, or every plane one after the other) to
    /// `slot`, or back from it when `restore`. A slot holds 3 * 64 * 64 samples.
    func copyRecon(_ r: Int, _ c: Int, _ bsize: Int, slot: UnsafeMutablePointer<UInt8>, lumaOnly: Bool = false, restore: Bool) {
        let side = AV1Block.side4(bsize) * 4
        var k = 0
        for p in 0..<(lumaOnly ? 1 : f.numPlanes) {
            let sx = p > 0 ? f.subX : 0, sy = p > 0 ? f.subY : 0
            let pl = f.recon[p]
            let x0 = (c * 4) >> sx, y0 = (r * 4) >> sy, w = side >> sx, h = side >> sy
            for y in 0..<h {
                let row = pl.data + (y0 + y) * pl.stride + x0
                if restore { row.update(from: slot + k, count: w) } else { (slot + k).update(from: row, count: w) }
                k += w
            }
        }
    }

    /// The reconstruction save slot of the partition search for a block size (64x64 ... 8x8), and the transform
    /// search's.
    func reconSlot(_ bsize: Int) -> UnsafeMutablePointer<UInt8> {
        reconSlots + (AV1Block.log2Side4(AV1Block.b64x64) - AV1Block.log2Side4(bsize)) * 3 * 4096
    }
    var txSearchReconSlot: UnsafeMutablePointer<UInt8> { reconSlots + 4 * 3 * 4096 }

    func setDecoded(_ r: Int, _ c: Int, _ bsize: Int, _ v: UInt8, lumaOnly: Bool = false) {
        let side4 = AV1Block.side4(bsize)
        for p in 0..<(lumaOnly ? 1 : f.numPlanes) {
            let sx = p > 0 ? f.subX : 0, sy = p > 0 ? f.subY : 0
            let r0 = (r & 15) >> sy, c0 = (c & 15) >> sx
            let n4x = max(1, side4 >> sx), n4y = max(1, side4 >> sy)
            for y in 0..<n4y { for x in 0..<n4x { decoded[p][(r0 + y + 1) * 18 + c0 + x + 1] = v } }
        }
    }

    func storeModeInfo(_ r: Int, _ c: Int, _ bsize: Int, _ m: AV1BlockModes, skip: Bool) {
        let side4 = AV1Block.side4(bsize)
        for y in r..<min(r + side4, f.miRows) {
            for x in c..<min(c + side4, f.miCols) {
                f.miSize[y * f.miCols + x] = UInt8(bsize)
                f.yMode[y * f.miCols + x] = UInt8(m.yMode)
                f.uvMode[y * f.miCols + x] = UInt8(m.uvMode)
                f.skip[y * f.miCols + x] = skip ? 1 : 0
                f.txSize[y * f.miCols + x] = UInt8(m.txSize >= 0 ? m.txSize : AV1Block.maxTx(bsize) - m.txDepth)
            }
        }
        storePaletteInfo(r, c, bsize, m)
    }
}
