import Glibc
import Raster

/// One key frame through the whole encoder: segment analysis, per-macroblock decisions, token statistics and
/// the bitstream of RFC 6386 sections 9 and 19 (frame header, modes partition, token partitions).
struct VP8FrameEncoder {
    let picture: VP8Picture
    let options: VP8Encoder.Options
    let mbCount: Int
    var segmentCount = 1
    var quantizers: [VP8SegmentQuantizer] = []
    var segmentOfMB: [UInt8]
    var infos: [VP8MacroblockInfo]
    var levels: [Int16]
    var subModes: [UInt8]
    var reconY: [UInt8], reconU: [UInt8], reconV: [UInt8]
    var probabilities = VP8Tables.defaultCoefficientProbs

    init(picture: VP8Picture, options: VP8Encoder.Options) {
        self.picture = picture
        self.options = options
        mbCount = picture.mbWidth * picture.mbHeight
        segmentOfMB = [UInt8](repeating: 0, count: mbCount)
        infos = [VP8MacroblockInfo](repeating: VP8MacroblockInfo(), count: mbCount)
        levels = [Int16](repeating: 0, count: mbCount * 400)
        subModes = [UInt8](repeating: 0, count: mbCount * 16)
        reconY = [UInt8](repeating: 0, count: picture.y.count)
        reconU = [UInt8](repeating: 0, count: picture.u.count)
        reconV = [UInt8](repeating: 0, count: picture.v.count)
    }

    /// Quality → quantizer per segment; loop filter strength per segment. Macroblocks are grouped by local
    /// activity (texture masks quantization noise): flat areas get finer steps, busy ones coarser (section 9.3
    /// segments carry the per-group quantizer and filter level).
    mutating func analyzeAndQuantize() {
        let compression = VP8SegmentQuantizer.baseCompression(quality: options.quality)
        let wanted = min(max(options.segments, 1), 4)
        var exponents = [1.0]
        if wanted > 1 && mbCount >= 2 * wanted {
            let activity = macroblockActivity()
            let sorted = activity.sorted()
            // Quantile boundaries give groups of equal size; each group's centre decides its exponent.
            var bounds: [Double] = []
            for k in 1..<wanted { bounds.append(sorted[k * sorted.count / wanted]) }
            var sums = [Double](repeating: 0, count: wanted), counts = [Int](repeating: 0, count: wanted)
            let mean = activity.reduce(0, +) / Double(activity.count)
            for i in 0..<mbCount {
                var s = 0
                while s < bounds.count && activity[i] >= bounds[s] { s += 1 }
                segmentOfMB[i] = UInt8(s); sums[s] += activity[i]; counts[s] += 1
            }
            let strength = VP8FrameEncoder.segmentStrength
            exponents = (0..<wanted).map { s in
                let centre = counts[s] > 0 ? sums[s] / Double(counts[s]) : mean
                return min(max(1.0 - strength * (mean - centre), 0.5), 1.5)
            }
        }
        quantizers = exponents.map { e in
            let index = VP8SegmentQuantizer.index(compression: compression, exponent: e * VP8FrameEncoder.calibration)
            var quant = VP8SegmentQuantizer(index: index)
            quant.filterLevel = options.filterLevel ?? VP8FrameEncoder.filterLevel(for: quant)
            return quant
        }
        segmentCount = quantizers.count
        if segmentCount > 1 && Set(quantizers.map { $0.index }).count == 1 && Set(quantizers.map { $0.filterLevel }).count == 1 {
            // All groups ended up identical: a segment map would only cost bits.
            quantizers = [quantizers[0]]; segmentCount = 1
            for i in 0..<mbCount { segmentOfMB[i] = 0 }
        }
    }

    /// Scales every segment's exponent so that quality N gives files about the size of cwebp's at N.
    static let calibration: Double = 0.86

    /// How strongly the exponent of a segment follows its log-activity distance from the frame mean.
    static let segmentStrength: Double = 0.4

    /// Log of each macroblock's mean absolute deviation within its 4x4 luma blocks.
    func macroblockActivity() -> [Double] {
        var result = [Double](repeating: 0, count: mbCount)
        let stride = picture.yStride
        picture.y.withUnsafeBufferPointer { y in
            for mbY in 0..<picture.mbHeight {
                for mbX in 0..<picture.mbWidth {
                    var total = 0
                    for b in 0..<16 {
                        let base = (mbY * 16 + (b >> 2) * 4) * stride + mbX * 16 + (b & 3) * 4
                        var sum = 0
                        for r in 0..<4 { for c in 0..<4 { sum += Int(y[base + r * stride + c]) } }
                        let mean = (sum + 8) >> 4
                        for r in 0..<4 { for c in 0..<4 { total += abs(Int(y[base + r * stride + c]) * 16 - mean * 16) } }
                    }
                    result[mbY * picture.mbWidth + mbX] = log(1.0 + Double(total) / 256.0)
                }
            }
        }
        return result
    }

    /// Loop filter level from the quantizer: stronger smoothing where steps (and so block edges) are coarser.
    static let filterScale: Int = 180
    static func filterLevel(for quant: VP8SegmentQuantizer) -> Int {
        let level = Int(quant.y1.ac) * filterScale / (4 * 256)
        return level < 2 ? 0 : min(level, 63)
    }

    /// Mode decision and reconstruction of every macroblock; rows are shared by two threads in a wavefront
    /// when the frame is big enough to pay for it (each thread has its own scratch and left-hand context).
    mutating func decideAndReconstruct() {
        let costs = VP8CostTables(probabilities: probabilities)
        let mbw = picture.mbWidth, mbh = picture.mbHeight
        let effort = options.effort
        let topNz = UnsafeMutablePointer<UInt8>.allocate(capacity: mbw * 9)
        let topModes = UnsafeMutablePointer<UInt8>.allocate(capacity: mbw * 4)
        let leftState = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * 13)
        topNz.initialize(repeating: 0, count: mbw * 9)
        topModes.initialize(repeating: 0, count: mbw * 4)
        leftState.initialize(repeating: 0, count: 2 * 13)
        defer { topNz.deallocate(); topModes.deallocate(); leftState.deallocate() }
        let quantizers = self.quantizers
        let segmentOfMB = self.segmentOfMB
        let wavefront = VP8Wavefront(mbWidth: mbw)
        let parallel = mbh >= 4 && mbCount >= 64
        picture.y.withUnsafeBufferPointer { sy in picture.u.withUnsafeBufferPointer { su in
        picture.v.withUnsafeBufferPointer { sv in reconY.withUnsafeMutableBufferPointer { ry in
        reconU.withUnsafeMutableBufferPointer { ru in reconV.withUnsafeMutableBufferPointer { rv in
        levels.withUnsafeMutableBufferPointer { lv in subModes.withUnsafeMutableBufferPointer { sm in
        infos.withUnsafeMutableBufferPointer { inf in
            let syp = sy.baseAddress!, sup = su.baseAddress!, svp = sv.baseAddress!
            let ryp = ry.baseAddress!, rup = ru.baseAddress!, rvp = rv.baseAddress!
            let lvp = lv.baseAddress!, smp = sm.baseAddress!, infp = inf.baseAddress!
            let picture = self.picture
            let worker: (Int, Int) -> Void = { index, workers in
                let coder = VP8MacroblockCoder(picture: syp, u: sup, v: svp, reconY: ryp, reconU: rup, reconV: rvp,
                                               yStride: picture.yStride, uvStride: picture.uvStride, mbWidth: mbw,
                                               costs: costs, effort: effort)
                let left = leftState + index * 13
                let context = VP8MacroblockCoder.Context(topNz: topNz, leftNz: left, topModes: topModes,
                                                         leftModes: left + 9)
                var mbY = index
                while mbY < mbh {
                    // A stopped job ends here (the caller's checkpoint throws); the other worker must not wait for it.
                    if Job.current.isStopped { wavefront.publish(worker: index, row: mbh, done: 0); return }
                    left.update(repeating: 0, count: 13)
                    wavefront.publish(worker: index, row: mbY, done: 0)
                    for mbX in 0..<mbw {
                        wavefront.waitForRowAbove(row: mbY, columns: mbX + 2, workers: workers)
                        let mb = mbY * mbw + mbX
                        let segment = Int(segmentOfMB[mb])
                        var info = coder.encode(mbX: mbX, mbY: mbY, quant: quantizers[segment], context: context,
                                                levelsOut: lvp + mb * 400, subModesOut: smp + mb * 16)
                        info.segment = UInt8(segment)
                        infp[mb] = info
                        wavefront.publish(worker: index, row: mbY, done: mbX + 1)
                    }
                    mbY += workers
                }
            }
            if parallel { VP8Wavefront.run(worker) } else { worker(0, 1) }
        } } } } } } } } }
    }

    /// Walks every macroblock's tokens in bitstream order, with the contexts a decoder will use (section 13.3).
    func emitTokens<S: VP8TokenSink>(rows: StrideTo<Int>, skipEnabled: Bool, into sinkForRow: (Int) -> Int,
                                     sinks: inout [S]) {
        let mbw = picture.mbWidth
        var topNz = [UInt8](repeating: 0, count: mbw * 9)
        var leftNz = [UInt8](repeating: 0, count: 9)
        levels.withUnsafeBufferPointer { lv in
            for mbY in rows {
                let s = sinkForRow(mbY)
                leftNz.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                for mbX in 0..<mbw {
                    let index = mbY * mbw + mbX
                    let info = infos[index]
                    let isB = Int(info.yMode) == VP8Modes.bPred
                    let base = lv.baseAddress! + index * 400
                    let t = mbX * 9
                    if skipEnabled && info.skip {
                        for i in 0..<8 { topNz[t + i] = 0; leftNz[i] = 0 }
                        if !isB { topNz[t + 8] = 0; leftNz[8] = 0 }
                        continue
                    }
                    if !isB {
                        let nz = VP8Tokens.emit(base + 384, first: 0, type: VP8Tokens.typeY2,
                                                context: Int(topNz[t + 8] + leftNz[8]), into: &sinks[s])
                        topNz[t + 8] = nz ? 1 : 0; leftNz[8] = nz ? 1 : 0
                    }
                    let yType = isB ? VP8Tokens.typeYWithDC : VP8Tokens.typeYAfterY2
                    for k in 0..<16 {
                        let r = k >> 2, c = k & 3
                        let nz = VP8Tokens.emit(base + k * 16, first: isB ? 0 : 1, type: yType,
                                                context: Int(topNz[t + c] + leftNz[r]), into: &sinks[s])
                        topNz[t + c] = nz ? 1 : 0; leftNz[r] = nz ? 1 : 0
                    }
                    for plane in 0..<2 {
                        for k in 0..<4 {
                            let r = k >> 1, c = k & 1
                            let ti = t + 4 + plane * 2 + c, li = 4 + plane * 2 + r
                            let nz = VP8Tokens.emit(base + 256 + (plane * 4 + k) * 16, first: 0,
                                                    type: VP8Tokens.typeChroma,
                                                    context: Int(topNz[ti] + leftNz[li]), into: &sinks[s])
                            topNz[ti] = nz ? 1 : 0; leftNz[li] = nz ? 1 : 0
                        }
                    }
                }
            }
        }
    }

    /// Chooses adapted coefficient probabilities where signalling them pays (section 13.4); returns the update
    /// flags (true where a new probability is sent).
    mutating func adaptProbabilities(skipEnabled: Bool) -> [Bool] {
        var stats = [VP8TokenStatistics()]
        emitTokens(rows: stride(from: 0, to: picture.mbHeight, by: 1), skipEnabled: skipEnabled,
                   into: { _ in 0 }, sinks: &stats)
        let bc = VP8Tokens.bitCost
        var updates = [Bool](repeating: false, count: 1056)
        for i in 0..<1056 {
            let total = Int(stats[0].totals[i]), zeros = Int(stats[0].zeros[i])
            let old = Int(VP8Tables.defaultCoefficientProbs[i])
            let updateProb = Int(VP8Tables.coefficientUpdateProbs[i])
            guard total > 0 else { continue }
            let proposed = min(max((zeros * 256 + total / 2) / total, 1), 255)
            @inline(__always) func cost(_ p: Int) -> Int {
                zeros * Int(bc[p * 2]) + (total - zeros) * Int(bc[p * 2 + 1])
            }
            let saving = cost(old) - cost(proposed) - (Int(bc[updateProb * 2 + 1]) + 8 * 256) + Int(bc[updateProb * 2])
            if saving > 0 {
                updates[i] = true
                probabilities[i] = UInt8(proposed)
            }
        }
        return updates
    }

    /// Why a frame could not be laid out: the frame tag holds the first partition's size in 19 bits, the
    /// partition table each token partition's size in 24 bits (sections 9.1, 9.5).
    enum LayoutOverflow: Error { case firstPartition, tokenPartition }

    mutating func write() throws -> [UInt8] {
        let mbw = picture.mbWidth, mbh = picture.mbHeight
        let skipped = infos.reduce(0) { $0 + ($1.skip ? 1 : 0) }
        let skipEnabled = skipped > 0
        let skipProb = min(max(((mbCount - skipped) * 256 + mbCount / 2) / mbCount, 1), 255)
        let updates = adaptProbabilities(skipEnabled: skipEnabled)

        var header = VP8BoolEncoder(capacity: mbCount * 4 + 1024)
        header.putLiteral(0, 1)   // color_space: YUV (section 9.2)
        header.putLiteral(0, 1)   // clamping_type: decoder clamps
        // Segmentation (section 9.3).
        let segmented = segmentCount > 1
        header.put(segmented, 128)
        var segmentProbs = [UInt8](repeating: 255, count: 3)
        if segmented {
            header.put(true, 128)  // update_mb_segmentation_map
            header.put(true, 128)  // update_segment_feature_data
            header.put(true, 128)  // segment_feature_mode: absolute values
            for s in 0..<4 {
                let q = s < segmentCount ? quantizers[s].index : 0
                header.put(true, 128); header.putSigned(q, 7)
            }
            for s in 0..<4 {
                let f = s < segmentCount ? quantizers[s].filterLevel : 0
                header.put(true, 128); header.putSigned(f, 6)
            }
            var counts = [Int](repeating: 0, count: 4)
            for s in segmentOfMB { counts[Int(s)] += 1 }
            func prob(_ zeros: Int, _ total: Int) -> UInt8 {
                total == 0 ? 255 : UInt8(min(max((zeros * 256 + total / 2) / total, 1), 255))
            }
            segmentProbs = [prob(counts[0] + counts[1], mbCount), prob(counts[0], counts[0] + counts[1]),
                            prob(counts[2], counts[2] + counts[3])]
            for p in segmentProbs {
                header.put(p != 255, 128)
                if p != 255 { header.putLiteral(Int(p), 8) }
            }
        }
        // Loop filter (section 9.6 / 15): normal filter, base level of segment 0, sharpness 0, no deltas.
        header.putLiteral(0, 1)
        header.putLiteral(quantizers[0].filterLevel, 6)
        header.putLiteral(0, 3)
        header.putLiteral(0, 1)
        // Token partitions (section 9.5).
        let partitionCount = partitionCountFor(mbh: mbh)
        header.putLiteral(partitionCount.trailingZeroBitCount, 2)
        // Quantizer indices (section 9.6): base index, only the chroma DC delta is used.
        header.putLiteral(quantizers[0].index, 7)
        header.put(false, 128)                                 // y_dc
        header.put(false, 128)                                 // y2_dc
        header.put(false, 128)                                 // y2_ac
        header.putOptionalSigned(VP8SegmentQuantizer.uvDCDelta, 4) // uv_dc
        header.put(false, 128)                                 // uv_ac
        header.putLiteral(0, 1)   // refresh_entropy_probs: irrelevant for a single frame
        // Coefficient probability updates (section 13.4).
        for i in 0..<1056 {
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

        // Token partitions: macroblock row r goes to partition r mod count (section 9.5).
        var writers = (0..<partitionCount).map { _ in
            VP8TokenWriter(encoder: VP8BoolEncoder(capacity: levels.count / partitionCount + 64),
                           probabilities: probabilities)
        }
        emitTokens(rows: stride(from: 0, to: mbh, by: 1), skipEnabled: skipEnabled,
                   into: { $0 % partitionCount }, sinks: &writers)
        let parts = writers.indices.map { writers[$0].encoder.finish() }
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
