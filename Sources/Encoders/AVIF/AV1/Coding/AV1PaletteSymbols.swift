/// The palette of one block (AV1 spec §5.11.46 palette_mode_info, §5.11.49 palette_tokens): up to 8 luma colours
/// and up to 8 (U, V) colour pairs, each list in the ascending order the decoder sorts them into, and the colour
/// index maps that palette prediction (§7.11.4) reads.
struct AV1BlockPalette {
    /// PaletteSizeY (0: no luma palette, else 2...8) and palette_colors_y, ascending.
    var yColors: [UInt8] = []
    /// PaletteSizeUV (0 or 2...8): palette_colors_u ascending (repeats allowed) and the V colour of each entry.
    var uColors: [UInt8] = []
    var vColors: [UInt8] = []
    /// ColorMapY: one index per luma sample of the block (row-major, `lumaSide` wide), the off-screen part
    /// replicated from the last on-screen column and row as palette_tokens does.
    var yMap: [UInt8] = []
    /// ColorMapUV, `chromaWidth` × `chromaHeight`.
    var uvMap: [UInt8] = []
    var lumaSide = 0, chromaWidth = 0, chromaHeight = 0

    var ySize: Int { yColors.count }
    var uvSize: Int { uColors.count }
}

/// Palette syntax of a block: palette_mode_info (§5.11.46) with get_palette_cache, palette_tokens (§5.11.49) with
/// get_palette_color_context (§5.11.50), and the per-mi palette state the contexts and the cache read.
extension AV1TileEncoder {
    /// palette_mode_info is present only on 8x8 ... 64x64 blocks of frames with allow_screen_content_tools
    /// (§5.11.7; our largest block is 64x64). The writer and the searches ask this one rule.
    func paletteAllowed(bsize: Int) -> Bool { f.allowScreenContentTools && bsize >= AV1Block.b8x8 }

    /// bsizeCtx of palette_mode_info: Mi_Width_Log2 + Mi_Height_Log2 - 2 (square blocks of 8x8 and up).
    @inline(__always) func paletteSizeContext(_ bsize: Int) -> Int { 2 * AV1Block.log2Side4(bsize) - 2 }

    /// palette_mode_info (§5.11.46), coded at the end of intra_frame_mode_info when allow_screen_content_tools is
    /// set and the block is 8x8 ... 64x64.
    func writePaletteModeInfo<S: AV1SymbolSink>(_ r: Int, _ c: Int, _ bsize: Int, _ m: AV1BlockModes, hasChroma: Bool,
                                                _ sink: inout S) {
        let bsizeCtx = paletteSizeContext(bsize)
        let ySize = m.palette?.ySize ?? 0
        if m.yMode == AV1Mode.dc {
            // has_palette_y context: the above and left blocks' luma palettes (§8.3.2).
            var ctx = 0
            if r - 1 >= miRowStart && f.paletteSizes[((r - 1) * f.miCols + c) * 2] > 0 { ctx += 1 }
            if c - 1 >= miColStart && f.paletteSizes[(r * f.miCols + c - 1) * 2] > 0 { ctx += 1 }
            sink.symbol(ySize > 0 ? 1 : 0, cdf.at(cdf.paletteYMode + (bsizeCtx * 3 + ctx) * 3), 2)
            if let p = m.palette, ySize > 0 {
                sink.symbol(ySize - 2, cdf.at(cdf.paletteYSize + bsizeCtx * 8), 7)
                writePaletteColors(p.yColors, cache: paletteCache(plane: 0, r, c), deltaOffset: 1, &sink)
            }
        }
        if hasChroma { writeChromaPaletteInfo(r, c, bsize, m, &sink) }
    }

    /// The chroma half of palette_mode_info (§5.11.46), after uv_mode: has_palette_uv (its context is whether the
    /// luma has a palette), then the size, the U colours and the V colours.
    func writeChromaPaletteInfo<S: AV1SymbolSink>(_ r: Int, _ c: Int, _ bsize: Int, _ m: AV1BlockModes, _ sink: inout S) {
        guard m.uvMode == AV1Mode.dc else { return }
        let uvSize = m.palette?.uvSize ?? 0
        sink.symbol(uvSize > 0 ? 1 : 0, cdf.at(cdf.paletteUvMode + ((m.palette?.ySize ?? 0) > 0 ? 3 : 0)), 2)
        guard let p = m.palette, uvSize > 0 else { return }
        sink.symbol(uvSize - 2, cdf.at(cdf.paletteUvSize + paletteSizeContext(bsize) * 8), 7)
        writePaletteColors(p.uColors, cache: paletteCache(plane: 1, r, c), deltaOffset: 0, &sink)
        writePaletteVColors(p.vColors, &sink)
    }

    /// Luma or U colours (ascending): use_palette_color_cache flags for the cache entries, then the remaining
    /// colours as one 8-bit literal followed by deltas of `paletteBits` bits. Luma deltas are coded minus 1
    /// (`deltaOffset` 1: its colours are distinct), U deltas as they are (U colours may repeat).
    func writePaletteColors<S: AV1SymbolSink>(_ colors: [UInt8], cache: [UInt8], deltaOffset: Int, _ sink: inout S) {
        let n = colors.count
        var remaining = colors
        var idx = 0
        for entry in cache where idx < n {
            if let k = remaining.firstIndex(of: entry) {
                sink.literal(1, 1)
                remaining.remove(at: k)
                idx += 1
            } else {
                sink.literal(0, 1)
            }
        }
        guard idx < n else { return }
        sink.literal(Int(remaining[0]), 8)
        idx += 1
        guard idx < n else { return }
        // palette_num_extra_bits: enough bits for the largest delta, at least BitDepth - 3.
        var need = 0
        for k in 1..<remaining.count {
            let d = Int(remaining[k]) - Int(remaining[k - 1]) - deltaOffset
            need = max(need, Int.bitWidth - d.leadingZeroBitCount)
        }
        var bits = max(5, need)
        sink.literal(bits - 5, 2)
        for k in 1..<remaining.count {
            sink.literal(Int(remaining[k]) - Int(remaining[k - 1]) - deltaOffset, bits)
            // The decoder narrows the field to what the rest of the range needs.
            bits = min(bits, AV1TileEncoder.ceilLog2(256 - Int(remaining[k]) - deltaOffset))
        }
    }

    /// V colours: delta coded (delta_encode_palette_colors_v, signed deltas modulo 256 of 4...7 bits) when that is
    /// fewer bits than 8-bit literals.
    func writePaletteVColors<S: AV1SymbolSink>(_ v: [UInt8], _ sink: inout S) {
        var deltas: [Int] = []
        var need = 0
        for k in 1..<v.count {
            var d = Int(v[k]) - Int(v[k - 1])
            if d > 128 { d -= 256 } else if d < -128 { d += 256 }
            deltas.append(d)
            need = max(need, Int.bitWidth - abs(d).leadingZeroBitCount)
        }
        let bits = max(4, need)
        let deltaCost = bits <= 7 ? 2 + 8 + deltas.reduce(0) { $0 + bits + ($1 != 0 ? 1 : 0) } : Int.max
        if deltaCost < 8 * v.count {
            sink.literal(1, 1)
            sink.literal(bits - 4, 2)
            sink.literal(Int(v[0]), 8)
            for d in deltas {
                sink.literal(abs(d), bits)
                if d != 0 { sink.literal(d < 0 ? 1 : 0, 1) }
            }
        } else {
            sink.literal(0, 1)
            for value in v { sink.literal(Int(value), 8) }
        }
    }

    /// CeilLog2 of the spec (§4.7): 0 below 2.
    static func ceilLog2(_ x: Int) -> Int {
        if x < 2 { return 0 }
        var i = 1, p = 2
        while p < x { i += 1; p <<= 1 }
        return i
    }

    /// get_palette_cache (§5.11.46): the above (same superblock row only) and left blocks' colours of `plane`
    /// (0 luma, 1 U), merged ascending without repeats.
    func paletteCache(plane: Int, _ r: Int, _ c: Int) -> [UInt8] {
        var out: [UInt8] = []
        func add(_ miIndex: Int) {
            let n = Int(f.paletteSizes[miIndex * 2 + plane])
            let colors = f.paletteColors + (miIndex * 2 + plane) * 8
            for i in 0..<n { out.append(colors[i]) }
        }
        if r & 15 != 0 { add((r - 1) * f.miCols + c) }
        if c - 1 >= miColStart { add(r * f.miCols + c - 1) }
        out.sort()
        var unique: [UInt8] = []
        for v in out where unique.last != v { unique.append(v) }
        return unique
    }

    /// palette_tokens (§5.11.49): each colour map's first index as NS(n), then every on-screen index in wavefront
    /// order (anti-diagonals, each from its top-right end), coded as its rank in the neighbourhood's ColorOrder.
    func writePaletteTokens<S: AV1SymbolSink>(_ r: Int, _ c: Int, _ bsize: Int, _ p: AV1BlockPalette, _ sink: inout S) {
        let side = AV1Block.side4(bsize) * 4
        let onscreenH = min(side, (f.miRows - r) * 4), onscreenW = min(side, (f.miCols - c) * 4)
        if p.ySize > 0 {
            writeColorMap(p.yMap, stride: side, width: onscreenW, height: onscreenH, n: p.ySize,
                          cdfBase: cdf.paletteYColor[p.ySize], &sink)
        }
        if p.uvSize > 0 {
            writeColorMap(p.uvMap, stride: p.chromaWidth, width: onscreenW >> f.subX, height: onscreenH >> f.subY, n: p.uvSize,
                          cdfBase: cdf.paletteUvColor[p.uvSize], &sink)
        }
    }

    func writeColorMap<S: AV1SymbolSink>(_ map: [UInt8], stride: Int, width w: Int, height h: Int, n: Int, cdfBase: Int,
                                         _ sink: inout S) {
        map.withUnsafeBufferPointer { mp in
            let m = mp.baseAddress!
            AV1TileEncoder.writeNonSymmetric(Int(m[0]), n, &sink)
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 8) { order in
                for i in 1..<(h + w - 1) {
                    var j = min(i, w - 1)
                    while j >= max(0, i - h + 1) {
                        let row = i - j
                        let ctx = AV1TileEncoder.colorContext(m, stride: stride, row, j, n: n, order: order.baseAddress!)
                        let color = Int(m[row * stride + j])
                        var rank = 0
                        while order[rank] != color { rank += 1 }
                        sink.symbol(rank, cdf.at(cdfBase + ctx * (n + 1)), n)
                        j -= 1
                    }
                }
            }
        }
    }

    /// NS(n) (§4.10.10) with arithmetic-coded bits: the short codes first, then the long ones.
    static func writeNonSymmetric<S: AV1SymbolSink>(_ v: Int, _ n: Int, _ sink: inout S) {
        let w = Int.bitWidth - n.leadingZeroBitCount   // FloorLog2(n) + 1
        let m = (1 << w) - n
        if v < m {
            sink.literal(v, w - 1)
        } else {
            sink.literal((v + m) >> 1, w - 1)
            sink.literal((v + m) & 1, 1)
        }
    }

    /// get_palette_color_context (§5.11.50): the left, above-left and above indices scored 2, 1, 2; the three best
    /// moved to the front of ColorOrder (stable); returns Palette_Color_Context[ColorContextHash].
    @inline(__always)
    static func colorContext(_ map: UnsafePointer<UInt8>, stride: Int, _ r: Int, _ c: Int, n: Int,
                                    order: UnsafeMutablePointer<Int>) -> Int {
        var scores = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &scores) { raw -> Int in
            let s = raw.baseAddress!.assumingMemoryBound(to: Int.self)
            for i in 0..<8 { order[i] = i }
            if c > 0 { s[Int(map[r * stride + c - 1])] += 2 }
            if r > 0 && c > 0 { s[Int(map[(r - 1) * stride + c - 1])] += 1 }
            if r > 0 { s[Int(map[(r - 1) * stride + c])] += 2 }
            for i in 0..<3 {
                var maxScore = s[i], maxIdx = i
                for j in (i + 1)..<max(i + 1, n) where s[j] > maxScore { maxScore = s[j]; maxIdx = j }
                if maxIdx != i {
                    let movedOrder = order[maxIdx]
                    var k = maxIdx
                    while k > i { s[k] = s[k - 1]; order[k] = order[k - 1]; k -= 1 }
                    s[i] = maxScore
                    order[i] = movedOrder
                }
            }
            var hash = 0
            for i in 0..<3 { hash += s[i] * Int(paletteColorHashMultipliers[i]) }
            return Int(paletteColorContext[hash])
        }
    }

    /// Stores PaletteSizes and PaletteColors (U for the chroma palette) of a block for the contexts and caches of
    /// later blocks (decode_block, §5.11.5).
    func storePaletteInfo(_ r: Int, _ c: Int, _ bsize: Int, _ m: AV1BlockModes) {
        guard f.allowScreenContentTools else { return }
        let side4 = AV1Block.side4(bsize)
        let p = m.palette
        for y in r..<min(r + side4, f.miRows) {
            for x in c..<min(c + side4, f.miCols) {
                let mi = y * f.miCols + x
                f.paletteSizes[mi * 2] = UInt8(p?.ySize ?? 0)
                f.paletteSizes[mi * 2 + 1] = UInt8(p?.uvSize ?? 0)
                if let p {
                    for (i, v) in p.yColors.enumerated() { f.paletteColors[mi * 16 + i] = v }
                    for (i, v) in p.uColors.enumerated() { f.paletteColors[mi * 16 + 8 + i] = v }
                }
            }
        }
    }
}
