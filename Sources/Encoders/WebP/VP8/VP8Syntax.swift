import Raster
/// The key-frame bitstream of RFC 6386 sections 9 and 19: frame tag, start code and dimensions, the first
/// partition (frame header, probability updates, per-macroblock modes) and the token partitions.
extension VP8FrameEncoder {
    /// Why a frame could not be laid out: the frame tag holds the first partition's size in 19 bits, the
    /// partition table each token partition's size in 24 bits (sections 9.1, 9.5).
    enum LayoutOverflow: Error { case firstPartition, tokenPartition }

    /// Final token statistics (exact, with the skip decision taken), then probabilities and update flags.
    func finalProbabilities(skipEnabled: Bool) -> (probabilities: [UInt8], updated: [Bool]) {
        var counts = [UInt32](repeating: 0, count: 2 * VP8Tokens.probabilityCount)
        var probabilities = [UInt8](repeating: 0, count: VP8Tokens.probabilityCount)
        var updated = [Bool](repeating: false, count: VP8Tokens.probabilityCount)
        // The macroblock loop counted the coded macroblocks and, apart, what the skipped ones would code.
        for i in counts.indices { counts[i] = tokenCounts[i] &+ (skipEnabled ? 0 : skippedTokenCounts[i]) }
        counts.withUnsafeMutableBufferPointer { c in
            _ = probabilities.withUnsafeMutableBufferPointer { p in updated.withUnsafeMutableBufferPointer { u in
                VP8ProbabilityUpdate.choose(counts: c.baseAddress!, probabilities: p.baseAddress!, updated: u.baseAddress!)
            } }
        }
        return (probabilities, updated)
    }

    /// Whether per-macroblock skip flags pay: the flags cost about n·H(p) bits against the end-of-block tokens
    /// that skipped macroblocks would otherwise code (estimated with the default-probability costs).
    func skipDecision() -> (enabled: Bool, probability: Int) {
        let skipped = infos.reduce(0) { $0 + ($1.skip ? 1 : 0) }
        guard skipped > 0 else { return (false, 255) }
        let probability = min(max(((mbCount - skipped) * 256 + mbCount / 2) / mbCount, 1), 255)
        let flagCost = skipped * Int(VP8BitCost.of(true, probability))
            + (mbCount - skipped) * Int(VP8BitCost.of(false, probability)) + 8 * 256
        // An empty macroblock without skip codes 24 or 25 end-of-block tokens, each well under a bit once the
        // probabilities adapt; a quarter bit each is a conservative estimate.
        let tokenCost = skipped * 25 * 64
        return (flagCost < tokenCost, probability)
    }

    mutating func write() throws -> [UInt8] {
        let mbw = picture.mbWidth, mbh = picture.mbHeight
        let (skipEnabled, skipProb) = skipDecision()
        let (probabilities, updates) = finalProbabilities(skipEnabled: skipEnabled)
        let segments = setup.segments

        var header = VP8BoolEncoder(capacity: mbCount * 4 + 1024)
        header.putLiteral(0, 1)   // color_space: YUV (section 9.2)
        header.putLiteral(0, 1)   // clamping_type: decoder clamps
        // Segmentation (section 9.3): absolute quantiser and filter values, the map with fitted tree probabilities.
        let segmented = segments.count > 1
        header.put(segmented, 128)
        var segmentProbs = [UInt8](repeating: 255, count: 3)
        if segmented {
            header.put(true, 128)  // update_mb_segmentation_map
            header.put(true, 128)  // update_segment_feature_data
            header.put(true, 128)  // segment_feature_mode: absolute values
            for s in 0..<4 { header.put(true, 128); header.putSigned(segments[min(s, segments.count - 1)].quantIndex, 7) }
            for s in 0..<4 { header.put(true, 128); header.putSigned(segments[min(s, segments.count - 1)].filterLevel, 6) }
            var counts = [Int](repeating: 0, count: 4)
            for s in segmentOfMB { counts[Int(s)] += 1 }
            func prob(_ zeros: Int, _ total: Int) -> UInt8 {
                total == 0 ? 255 : UInt8(min(max((zeros * 255 + total / 2) / total, 1), 255))
            }
            segmentProbs = [prob(counts[0] + counts[1], mbCount), prob(counts[0], counts[0] + counts[1]),
                            prob(counts[2], counts[2] + counts[3])]
            for p in segmentProbs {
                header.put(p != 255, 128)
                if p != 255 { header.putLiteral(Int(p), 8) }
            }
        }
        // Loop filter (sections 9.6, 15): normal filter, the level of segment 0 (the segments override it),
        // sharpness 0, no mode/reference deltas.
        header.putLiteral(0, 1)
        header.putLiteral(segments.map { $0.filterLevel }.max() ?? 0, 6)
        header.putLiteral(0, 3)
        header.putLiteral(0, 1)
        // Token partitions (section 9.5).
        let partitionCount = partitionCountFor(mbh: mbh)
        header.putLiteral(partitionCount.trailingZeroBitCount, 2)
        // Quantiser indices (section 9.6): base index and the chroma deltas.
        header.putLiteral(segments[0].quantIndex, 7)
        header.put(false, 128)                               // y_dc
        header.put(false, 128)                               // y2_dc
        header.put(false, 128)                               // y2_ac
        header.putOptionalSigned(setup.uvDCDelta, 4)         // uv_dc
        header.putOptionalSigned(setup.uvACDelta, 4)         // uv_ac
        header.putLiteral(0, 1)   // refresh_entropy_probs: irrelevant for a single frame
        // Coefficient probability updates (section 13.4).
        for i in 0..<VP8Tokens.probabilityCount {
            header.put(updates[i], Int(VP8Tables.coefficientUpdateProbs[i]))
            if updates[i] { header.putLiteral(Int(probabilities[i]), 8) }
        }
        header.put(skipEnabled, 128)
        if skipEnabled { header.putLiteral(skipProb, 8) }

        // Per-macroblock modes (section 19.3).
        var aboveModes = [UInt8](repeating: 0, count: mbw * 4)
        var leftModes = [UInt8](repeating: 0, count: 4)
        segmentProbs.withUnsafeBufferPointer { sp in
        VP8Modes.yProbs.withUnsafeBufferPointer { yp in VP8Modes.uvProbs.withUnsafeBufferPointer { up in
        VP8Tables.keyFrameSubblockModeProbs.withUnsafeBufferPointer { bp in
            for mbY in 0..<mbh {
                for i in 0..<4 { leftModes[i] = 0 }
                for mbX in 0..<mbw {
                    let index = mbY * mbw + mbX
                    let info = infos[index]
                    if segmented { VP8Modes.put(VP8Modes.segmentPaths[Int(info.segment)], probs: sp.baseAddress!, into: &header) }
                    if skipEnabled { header.put(info.skip, skipProb) }
                    VP8Modes.put(VP8Modes.yPaths[Int(info.yMode)], probs: yp.baseAddress!, into: &header)
                    if Int(info.yMode) == VP8Modes.bPred {
                        for k in 0..<16 {
                            let above = Int(aboveModes[mbX * 4 + (k & 3)]), left = Int(leftModes[k >> 2])
                            let mode = Int(subModes[index * 16 + k])
                            VP8Modes.put(VP8Modes.bPaths[mode], probs: bp.baseAddress! + (above * 10 + left) * 9,
                                         into: &header)
                            aboveModes[mbX * 4 + (k & 3)] = UInt8(mode)
                            leftModes[k >> 2] = UInt8(mode)
                        }
                    } else {
                        let implied = VP8Modes.impliedSubblockMode[Int(info.yMode)]
                        for i in 0..<4 { aboveModes[mbX * 4 + i] = implied; leftModes[i] = implied }
                    }
                    VP8Modes.put(VP8Modes.uvPaths[Int(info.uvMode)], probs: up.baseAddress!, into: &header)
                }
            }
        } } } }
        let first = header.finish()

        // Token partitions: macroblock row r goes to partition r mod count (section 9.5). The bools were recorded
        // by the macroblock loop; partitions are independent, so they are written in parallel.
        guard let tokenRows else { preconditionFailure("write() before encodeMacroblocks()") }
        let table = VP8TokenRows.replayTable(probabilities)
        var parts = [[UInt8]](repeating: [], count: partitionCount)
        let macroblocks = self.infos, levelCount = levels.count
        parts.withUnsafeMutableBufferPointer { out in
            let slots = out.baseAddress!
            table.withUnsafeBufferPointer { tb in macroblocks.withUnsafeBufferPointer { inf in
                let tablePointer = tb.baseAddress!, infp = inf.baseAddress!
                Job.parallelFor(partitionCount) { p in
                    var encoder = VP8BoolEncoder(capacity: levelCount / partitionCount + 64)
                    for row in stride(from: p, to: mbh, by: partitionCount) {
                        guard let bools = tokenRows.buffer(row: row) else { continue }
                        var start = 0
                        for mbX in 0..<mbw {
                            let mb = row * mbw + mbX
                            let end = Int(tokenRows.ends[mb])
                            if !(skipEnabled && infp[mb].skip) {
                                encoder.replay(bools + start, count: end - start, table: tablePointer)
                            }
                            start = end
                        }
                    }
                    slots[p] = encoder.finish()
                }
            } }
        }
        guard first.count < 1 << 19 else { throw LayoutOverflow.firstPartition }
        guard parts.allSatisfy({ $0.count < 1 << 24 }) else { throw LayoutOverflow.tokenPartition }

        // Frame tag (section 9.1): key frame, version 0, shown, first partition size; start code; dimensions.
        var out: [UInt8] = []
        out.reserveCapacity(10 + first.count + parts.reduce(0) { $0 + $1.count + 3 })
        let tag = (first.count << 5) | (1 << 4)
        out += [UInt8(tag & 0xFF), UInt8((tag >> 8) & 0xFF), UInt8((tag >> 16) & 0xFF)]
        out += [0x9D, 0x01, 0x2A]
        out += [UInt8(picture.width & 0xFF), UInt8(picture.width >> 8), UInt8(picture.height & 0xFF), UInt8(picture.height >> 8)]
        out += first
        for p in parts.dropLast() { out += [UInt8(p.count & 0xFF), UInt8((p.count >> 8) & 0xFF), UInt8((p.count >> 16) & 0xFF)] }
        for p in parts { out += p }
        return out
    }

    func partitionCountFor(mbh: Int) -> Int {
        if let p = options.partitions { return [1, 2, 4, 8].last { $0 <= max(1, min(p, mbh)) } ?? 1 }
        return mbh >= 16 ? 2 : 1
    }
}
