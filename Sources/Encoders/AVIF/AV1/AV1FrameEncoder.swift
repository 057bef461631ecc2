import Raster

/// Writes AV1 OBUs for a still picture: reduced still-picture sequence header (§5.5) and one frame OBU (§5.10)
/// whose tiles are encoded concurrently.
enum AV1FrameEncoder {
    static func leb128(_ value: Int) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        repeat {
            var b = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 { b |= 0x80 }
            out.append(b)
        } while v != 0
        return out
    }

    static func obu(type: Int, payload: [UInt8]) -> [UInt8] {
        // obu_header: forbidden 0, type, extension 0, has_size_field 1, reserved 0 (§5.3.2).
        [UInt8(type << 3 | 0b010)] + leb128(payload.count) + payload
    }

    static func trailingBits(_ w: inout MSBBitWriter) {
        w.write(1, count: 1)
        w.alignToByte()
    }

    static func sequenceHeader(_ cfg: AV1PictureConfig, enableCdef: Bool) -> [UInt8] {
        var w = MSBBitWriter()
        w.write(UInt32(cfg.profile), count: 3)
        w.write(1, count: 1)            // still_picture
        w.write(1, count: 1)            // reduced_still_picture_header
        w.write(UInt32(cfg.levelIndex), count: 5)
        let wb = max(1, Int.bitWidth - (cfg.width - 1).leadingZeroBitCount)
        let hb = max(1, Int.bitWidth - (cfg.height - 1).leadingZeroBitCount)
        w.write(UInt32(wb - 1), count: 4)
        w.write(UInt32(hb - 1), count: 4)
        w.write(UInt32(cfg.width - 1), count: wb)
        w.write(UInt32(cfg.height - 1), count: hb)
        w.write(0, count: 1)            // use_128x128_superblock
        w.write(0, count: 1)            // enable_filter_intra
        w.write(cfg.settings.intraEdgeFilter ? 1 : 0, count: 1)  // enable_intra_edge_filter
        w.write(0, count: 1)            // enable_superres
        w.write(enableCdef ? 1 : 0, count: 1)  // enable_cdef
        w.write(0, count: 1)            // enable_restoration
        // color_config (§5.5.2)
        w.write(0, count: 1)            // high_bitdepth
        if cfg.profile != 1 { w.write(cfg.monochrome ? 1 : 0, count: 1) }
        w.write(1, count: 1)            // color_description_present_flag
        w.write(UInt32(cfg.colorPrimaries), count: 8)
        w.write(UInt32(cfg.transferCharacteristics), count: 8)
        w.write(UInt32(cfg.matrixCoefficients), count: 8)
        if cfg.monochrome {
            w.write(cfg.fullRange ? 1 : 0, count: 1)
        } else {
            if !(cfg.colorPrimaries == 1 && cfg.transferCharacteristics == 13 && cfg.matrixCoefficients == 0) {
                w.write(cfg.fullRange ? 1 : 0, count: 1)
                if cfg.profile == 0 { w.write(0, count: 2) }   // chroma_sample_position: unknown
            }
            w.write(0, count: 1)        // separate_uv_delta_q
        }
        w.write(0, count: 1)            // film_grain_params_present
        trailingBits(&w)
        return w.bytes
    }

    static func tileLog2(_ blk: Int, _ target: Int) -> Int {
        var k = 0
        while (blk << k) < target { k += 1 }
        return k
    }

    static func encode(_ cfg: AV1PictureConfig) throws -> (sequenceHeader: [UInt8], frame: [UInt8]) {
        let r = try encodeWithReconstruction(cfg, needReconstruction: false)
        return (r.sequenceHeader, r.frame)
    }

    /// loop_filter_params (§5.9.11): levels, sharpness, no deltas.
    static func writeLoopFilterParams(_ w: inout MSBBitWriter, _ lf: AV1DeblockParams, monochrome: Bool) {
        w.write(UInt32(lf.levels[0]), count: 6); w.write(UInt32(lf.levels[1]), count: 6)
        if !monochrome && !lf.isOff { w.write(UInt32(lf.levels[2]), count: 6); w.write(UInt32(lf.levels[3]), count: 6) }
        w.write(UInt32(lf.sharpness), count: 3)
        w.write(0, count: 1)                        // loop_filter_delta_enabled
    }

    /// cdef_params (§5.9.19), when the sequence enables CDEF: secondary strengths 0, 1, 2, 4 are coded 0...3.
    static func writeCdefParams(_ w: inout MSBBitWriter, _ cdef: AV1CdefParams, monochrome: Bool) {
        w.write(UInt32(cdef.damping - 3), count: 2)
        w.write(UInt32(cdef.bits), count: 2)
        for i in 0..<(1 << cdef.bits) {
            w.write(UInt32(cdef.y[i].pri), count: 4); w.write(UInt32(min(cdef.y[i].sec, 3)), count: 2)
            if !monochrome { w.write(UInt32(cdef.uv[i].pri), count: 4); w.write(UInt32(min(cdef.uv[i].sec, 3)), count: 2) }
        }
    }

    /// Also returns the encoder's reconstruction of each plane (cropped to the picture), which must equal a
    /// conforming decoder's output.
    static func encodeWithReconstruction(_ cfg: AV1PictureConfig, needReconstruction: Bool = true) throws
        -> (sequenceHeader: [UInt8], frame: [UInt8], recon: [[UInt8]]) {
        let frame = AV1FrameState(width: cfg.width, height: cfg.height, planes: cfg.planes, subX: cfg.subX, subY: cfg.subY,
                                  qIndex: cfg.qIndex, settings: cfg.settings, tune: cfg.tune,
                                  screenContent: cfg.allowScreenContentTools)
        frame.forced = cfg.forced
        // Tile layout (§5.9.15, uniform spacing).
        let sbCols = (frame.miCols + 15) >> 4, sbRows = (frame.miRows + 15) >> 4
        let minLog2TileCols = tileLog2(64, sbCols)
        let maxLog2TileCols = tileLog2(1, min(sbCols, 64))
        let maxLog2TileRows = tileLog2(1, min(sbRows, 64))
        let minLog2Tiles = max(minLog2TileCols, tileLog2(2304, sbRows * sbCols))
        let wantCols = sbCols >= 8 ? 1 : 0
        let colsLog2 = min(max(minLog2TileCols, wantCols), maxLog2TileCols)
        let tileWidthSb = (sbCols + (1 << colsLog2) - 1) >> colsLog2
        var colStarts: [Int] = []
        var s = 0
        while s < sbCols { colStarts.append(s << 4); s += tileWidthSb }
        colStarts.append(frame.miCols)
        let minLog2TileRows = max(minLog2Tiles - colsLog2, 0)
        let wantRows = (sbCols < 8 && sbRows >= 8) ? 1 : 0
        let rowsLog2 = min(max(minLog2TileRows, wantRows), maxLog2TileRows)
        let tileHeightSb = (sbRows + (1 << rowsLog2) - 1) >> rowsLog2
        var rowStarts: [Int] = []
        s = 0
        while s < sbRows { rowStarts.append(s << 4); s += tileHeightSb }
        rowStarts.append(frame.miRows)
        let tileCols = colStarts.count - 1, tileRows = rowStarts.count - 1
        let numTiles = tileCols * tileRows

        // Tiles first (concurrently); their symbols are recorded and written once the filters are chosen.
        let results = UnsafeMutableBufferPointer<AV1SymbolRecorder>.allocate(capacity: numTiles)
        results.initialize(repeating: AV1SymbolRecorder())
        defer { results.deinitialize(); results.deallocate() }
        let box = TileResults(results)
        try Job.parallelFor(numTiles) { t in
            let tr = t / tileCols, tc = t % tileCols
            let enc = AV1TileEncoder(frame: frame, miRowStart: rowStarts[tr], miRowEnd: rowStarts[tr + 1],
                                     miColStart: colStarts[tc], miColEnd: colStarts[tc + 1])
            box.buffer[t] = try enc.encode()
        }

        // In-loop filters: searched and applied to the reconstruction (§7.14 deblocking, §7.15 CDEF).
        var deblock = AV1DeblockParams()
        var cdef = AV1CdefParams()
        try Job.checkpoint()
        if cfg.filters && !cfg.codedLossless {
            (deblock, cdef) = AV1FilterSearch.run(frame: frame, width: cfg.width, height: cfg.height,
                                                  formulaDeblock: cfg.formulaDeblock, formulaCdef: cfg.formulaCdef,
                                                  searchDeblock: cfg.searchDeblock, needReconstruction: needReconstruction)
        }
        let enableCdef = !cdef.isIdentity

        // Frame header (uncompressed_header with reduced_still_picture_header, §5.9.2).
        var w = MSBBitWriter()
        w.write(0, count: 1)            // disable_cdf_update
        // allow_screen_content_tools (seq_force_screen_content_tools is SELECT_SCREEN_CONTENT_TOOLS with
        // reduced_still_picture_header, §5.5.1); then force_integer_mv (SELECT_INTEGER_MV; intra frames use
        // integer vectors anyway), render_and_frame_size_different, and allow_intrabc (§5.9.2).
        w.write(frame.allowScreenContentTools ? 1 : 0, count: 1)
        if frame.allowScreenContentTools { w.write(0, count: 1) }   // force_integer_mv
        w.write(0, count: 1)            // render_and_frame_size_different
        if frame.allowScreenContentTools { w.write(0, count: 1) }   // allow_intrabc
        w.write(1, count: 1)            // uniform_tile_spacing_flag
        for _ in minLog2TileCols..<colsLog2 { w.write(1, count: 1) }
        if colsLog2 < maxLog2TileCols { w.write(0, count: 1) }
        for _ in minLog2TileRows..<rowsLog2 { w.write(1, count: 1) }
        if rowsLog2 < maxLog2TileRows { w.write(0, count: 1) }
        if colsLog2 > 0 || rowsLog2 > 0 {
            w.write(0, count: colsLog2 + rowsLog2)  // context_update_tile_id
            w.write(3, count: 2)                    // tile_size_bytes_minus_1: 4-byte sizes
        }
        w.write(UInt32(cfg.qIndex), count: 8)       // base_q_idx
        w.write(0, count: 1)                        // DeltaQYDc not coded
        if !cfg.monochrome {
            // DeltaQUDc, DeltaQUAc: delta_coded, then su(1+6) (§5.9.13).
            let dq = AV1Tuning.chromaDeltaQ(cfg.qIndex)
            for _ in 0..<2 {
                if dq == 0 { w.write(0, count: 1) } else { w.write(1, count: 1); w.write(UInt32(dq & 0x7F), count: 7) }
            }
        }
        w.write(0, count: 1)                        // using_qmatrix
        w.write(0, count: 1)                        // segmentation_enabled
        if cfg.qIndex > 0 { w.write(0, count: 1) }  // delta_q_present
        // CodedLossless (§5.9.2: qindex 0, no delta q): loop_filter_params, cdef_params and read_tx_mode read
        // nothing (ONLY_4X4).
        if !cfg.codedLossless {
            writeLoopFilterParams(&w, deblock, monochrome: cfg.monochrome)
            if enableCdef { writeCdefParams(&w, cdef, monochrome: cfg.monochrome) }
            w.write(frame.txModeSelect ? 1 : 0, count: 1)  // tx_mode_select: TX_MODE_SELECT or TX_MODE_LARGEST
        }
        w.write(1, count: 1)                        // reduced_tx_set
        w.alignToByte()                             // byte_alignment() of frame_obu
        // tile_group_obu
        if numTiles > 1 { w.write(0, count: 1); w.alignToByte() }  // tile_start_and_end_present_flag
        var payload = w.bytes

        let cdefBits = enableCdef ? cdef.bits : 0
        for t in 0..<numTiles {
            let data = results[t].replay(cdefBits: cdefBits) { sbRow, sbCol in cdef.index[sbRow * sbCols + sbCol] }
            if t != numTiles - 1 {
                let n = data.count - 1
                payload += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8((n >> 24) & 0xFF)]
            }
            payload += data
        }
        var recon: [[UInt8]] = []
        for p in 0..<frame.numPlanes where needReconstruction {
            let sx = p > 0 ? cfg.subX : 0, sy = p > 0 ? cfg.subY : 0
            let pw = (cfg.width + sx) >> sx, ph = (cfg.height + sy) >> sy
            let pl = frame.recon[p]
            var out = [UInt8](repeating: 0, count: pw * ph)
            for y in 0..<ph { for x in 0..<pw { out[y * pw + x] = pl.data[y * pl.stride + x] } }
            recon.append(out)
        }
        return (obu(type: 1, payload: sequenceHeader(cfg, enableCdef: enableCdef)), obu(type: 6, payload: payload), recon)
    }

    final class TileResults: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<AV1SymbolRecorder>
        init(_ b: UnsafeMutableBufferPointer<AV1SymbolRecorder>) { buffer = b }
    }
}
