import Glibc
import Raster

/// One key frame through the encoder: analysis and segment setup, the macroblock loop (mode decision with token
/// costs refreshed from the frame's own statistics as it goes), the loop-filter levels, then the bitstream.
struct VP8FrameEncoder {
    let picture: VP8Picture
    let options: VP8Encoder.Options
    let preset: VP8EffortPreset
    let mbCount: Int
    var setup: VP8SegmentSetup
    var segmentOfMB: [UInt8]
    var infos: [VP8MacroblockInfo]
    var levels: [Int16]
    var subModes: [UInt8]
    var reconY: [UInt8], reconU: [UInt8], reconV: [UInt8]
    /// Token statistics of the whole frame as coded with skip flags (`counts[2·i + bit]`), from the macroblock loop.
    var tokenCounts: [UInt32] = []
    /// The tokens the skipped macroblocks would code without skip flags (their end-of-block tokens), counted in the
    /// same loop: a skipped macroblock leaves the same contexts as its coded empty blocks would, so the frame's
    /// statistics without skip flags are the sum of the two.
    var skippedTokenCounts: [UInt32] = []
    /// Every macroblock's token bools as the loop coded them, for the writer.
    var tokenRows: VP8TokenRows? = nil

    /// Token costs are re-derived from the statistics of the rows coded so far about this many times per frame,
    /// and never more often than every `minRefreshMacroblocks` macroblocks.
    static let refreshesPerFrame = 8
    static let minRefreshMacroblocks = 96

    init(picture: VP8Picture, options: VP8Encoder.Options) {
        self.picture = picture
        self.options = options
        var preset = VP8EffortPreset.forEffort(options.effort)
        if let segments = options.segments { preset.segments = segments }
        self.preset = preset
        mbCount = picture.mbWidth * picture.mbHeight
        let analysis = VP8Analysis(picture: picture, segments: preset.segments)
        var setup = VP8SegmentSetup(quality: options.quality, segmentAlphas: analysis.segmentAlphas,
                                    segmentBetas: analysis.segmentBetas, uvAlpha: analysis.uvAlpha,
                                    textureDistortion: preset.textureDistortion)
        if let level = options.filterLevel { for s in setup.segments.indices { setup.segments[s].filterLevel = level } }
        let map = setup.mergeEquivalentSegments()
        self.setup = setup
        segmentOfMB = analysis.segmentOfMB.map { map[Int($0)] }
        infos = [VP8MacroblockInfo](repeating: VP8MacroblockInfo(), count: mbCount)
        levels = [Int16](repeating: 0, count: mbCount * 400)
        subModes = [UInt8](repeating: 0, count: mbCount * 16)
        reconY = [UInt8](repeating: 0, count: picture.y.count)
        reconU = [UInt8](repeating: 0, count: picture.u.count)
        reconV = [UInt8](repeating: 0, count: picture.v.count)
    }

    /// Codes every macroblock. Rows run in a wavefront on the job's threads; each row's token statistics are kept
    /// apart, and the costs a row uses come from rows that are complete by construction (all rows at least two
    /// above the refresh point), so the output does not depend on the number of threads.
    mutating func encodeMacroblocks() throws {
        let mbw = picture.mbWidth, mbh = picture.mbHeight
        let refreshRows = max(1, (max(mbCount / VP8FrameEncoder.refreshesPerFrame, VP8FrameEncoder.minRefreshMacroblocks)
                                  + mbw - 1) / mbw)
        let statsSize = 2 * VP8Tokens.probabilityCount
        let rowStats = UnsafeMutablePointer<UInt32>.allocate(capacity: mbh * statsSize)
        rowStats.initialize(repeating: 0, count: mbh * statsSize)
        let skippedStats = UnsafeMutablePointer<UInt32>.allocate(capacity: mbh * statsSize)
        skippedStats.initialize(repeating: 0, count: mbh * statsSize)
        let topNz = UnsafeMutablePointer<UInt8>.allocate(capacity: mbw * 9)
        let topModes = UnsafeMutablePointer<UInt8>.allocate(capacity: mbw * 4)
        let topDiffusion = UnsafeMutablePointer<Int8>.allocate(capacity: mbw * 4)
        topNz.initialize(repeating: 0, count: mbw * 9)
        topModes.initialize(repeating: 0, count: mbw * 4)
        topDiffusion.initialize(repeating: 0, count: mbw * 4)
        let rowEdges = UnsafeMutablePointer<Int>.allocate(capacity: mbh * 4)
        rowEdges.initialize(repeating: 0, count: mbh * 4)
        defer {
            rowStats.deallocate(); skippedStats.deallocate(); topNz.deallocate(); topModes.deallocate(); topDiffusion.deallocate()
            rowEdges.deallocate()
        }
        let schedule = VP8CostSchedule(refreshRows: refreshRows, rowStats: rowStats)
        let wavefront = VP8Wavefront(rows: mbh, columns: mbw)
        let tokenRows = VP8TokenRows(rows: mbh, columns: mbw)
        self.tokenRows = tokenRows
        let segments = setup.segments
        let segmentOfMB = self.segmentOfMB
        let preset = self.preset
        let diffuse = options.quality <= 98
        let picture = self.picture
        try picture.y.withUnsafeBufferPointer { sy in try picture.u.withUnsafeBufferPointer { su in
        try picture.v.withUnsafeBufferPointer { sv in try reconY.withUnsafeMutableBufferPointer { ry in
        try reconU.withUnsafeMutableBufferPointer { ru in try reconV.withUnsafeMutableBufferPointer { rv in
        try levels.withUnsafeMutableBufferPointer { lv in try subModes.withUnsafeMutableBufferPointer { sm in
        try infos.withUnsafeMutableBufferPointer { inf in
            let lvp = lv.baseAddress!, smp = sm.baseAddress!, infp = inf.baseAddress!
            try Job.parallelFor(mbh) { mbY in
                do {
                    try Job.checkpoint()
                    let coder = VP8MacroblockEncoder(
                        srcY: sy.baseAddress!, srcU: su.baseAddress!, srcV: sv.baseAddress!,
                        recY: ry.baseAddress!, recU: ru.baseAddress!, recV: rv.baseAddress!,
                        yStride: picture.yStride, uvStride: picture.uvStride, mbWidth: mbw, preset: preset,
                        diffuseChromaDC: diffuse)
                    guard let costs = schedule.costs(forRow: mbY, wavefront: wavefront) else { throw VP8FrameEncoder.stopReason() }
                    var left = (UInt64(0), UInt64(0), UInt64(0))  // 9 nz + 4 modes + 4 diffusion bytes
                    try withUnsafeMutableBytes(of: &left) { raw in
                        let leftNz = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                        let leftModes = leftNz + 9, leftDiffusion = (leftNz + 13).withMemoryRebound(to: Int8.self, capacity: 4) { $0 }
                        let context = VP8MacroblockEncoder.Context(topNz: topNz, leftNz: leftNz, topModes: topModes,
                                                                   leftModes: leftModes, topDiffusion: topDiffusion,
                                                                   leftDiffusion: leftDiffusion)
                        var statsTop = (UInt64(0), UInt64(0)), statsLeft = (UInt64(0), UInt64(0))
                        var recorder = VP8TokenRecorder(counts: rowStats + mbY * statsSize,
                                                        cursor: tokenRows.reserveMacroblock(row: mbY, used: 0))
                        var used = 0
                        for mbX in 0..<mbw {
                            guard wavefront.waitForRowAbove(row: mbY, count: mbX + 2) else { throw VP8FrameEncoder.stopReason() }
                            let mb = mbY * mbw + mbX
                            let segment = Int(segmentOfMB[mb])
                            // Token contexts as they were before this macroblock, for its statistics.
                            withUnsafeMutableBytes(of: &statsTop) { $0.copyMemory(from: UnsafeRawBufferPointer(start: topNz + mbX * 9, count: 9)) }
                            withUnsafeMutableBytes(of: &statsLeft) { $0.copyMemory(from: UnsafeRawBufferPointer(start: leftNz, count: 9)) }
                            let info = coder.encode(mbX: mbX, mbY: mbY, segment: segment, params: segments[segment],
                                                    costs: costs, context: context, levelsOut: lvp + mb * 400,
                                                    subModesOut: smp + mb * 16)
                            infp[mb] = info
                            withUnsafeMutableBytes(of: &statsTop) { t in withUnsafeMutableBytes(of: &statsLeft) { l in
                                let top = t.baseAddress!.assumingMemoryBound(to: UInt8.self)
                                let left = l.baseAddress!.assumingMemoryBound(to: UInt8.self)
                                let isI4 = Int(info.yMode) == VP8Modes.bPred
                                // Skipped macroblocks count apart: their tokens are coded only without skip flags.
                                recorder.counts = (info.skip ? skippedStats : rowStats) + mbY * statsSize
                                let row = tokenRows.reserveMacroblock(row: mbY, used: used)
                                recorder.cursor = row + used
                                VP8Tokens.emitMacroblock(lvp + mb * 400, isI4: isI4, topNz: top, leftNz: left,
                                                         into: &recorder)
                                used = recorder.cursor - row
                                tokenRows.ends[mb] = Int32(used)
                            } }
                            wavefront.publish(row: mbY, count: mbX + 1)
                        }
                    }
                    for s in 0..<4 { rowEdges[mbY * 4 + s] = coder.maxDCEdge[s] }
                } catch {
                    wavefront.abort()
                    throw error
                }
            }
        } } } } } } } } }
        var total = [UInt32](repeating: 0, count: statsSize), skipped = total
        total.withUnsafeMutableBufferPointer { t in skipped.withUnsafeMutableBufferPointer { s in
            for row in 0..<mbh {
                for i in 0..<statsSize {
                    t[i] &+= rowStats[row * statsSize + i]
                    s[i] &+= skippedStats[row * statsSize + i]
                }
            }
        } }
        tokenCounts = total
        skippedTokenCounts = skipped
        // Loop-filter floor: a segment's level must smooth the largest DC step left in its DC-only macroblocks
        // (sharpness 0: the level equals the step it filters; the ×y2 AC step / 8 undoes the WHT scaling).
        for s in setup.segments.indices where options.filterLevel == nil {
            var edge = 0
            for row in 0..<mbh { edge = max(edge, rowEdges[row * 4 + s]) }
            let level = min((edge * Int(setup.segments[s].y2.step[1])) >> 3, 63)
            if level > setup.segments[s].filterLevel { setup.segments[s].filterLevel = level }
        }
    }

    /// Why the other rows stopped: the job's own reason when it has one.
    static func stopReason() -> JobStop { Job.current.stopReason ?? .abandoned }
}

/// The token costs each row uses: the spec's default probabilities for the first window of rows, then, for
/// window k, probabilities re-estimated from all rows before the window's first row minus one (rows that the
/// wavefront guarantees complete). Each window's table is built once, by the first row that needs it.
final class VP8CostSchedule: @unchecked Sendable {
    let refreshRows: Int
    let rowStats: UnsafePointer<UInt32>
    private var tables: [Int: VP8LevelCosts] = [:]
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(refreshRows: Int, rowStats: UnsafePointer<UInt32>) {
        self.refreshRows = refreshRows
        self.rowStats = rowStats
        pthread_mutex_init(lock, nil)
        tables[0] = VP8Tables.defaultCoefficientProbs.withUnsafeBufferPointer { VP8LevelCosts(probabilities: $0.baseAddress!) }
    }

    deinit { pthread_mutex_destroy(lock); lock.deallocate() }

    /// nil when the frame was abandoned while waiting for the rows the table depends on.
    func costs(forRow row: Int, wavefront: VP8Wavefront) -> VP8LevelCosts? {
        let window = row / refreshRows
        pthread_mutex_lock(lock)
        if let t = tables[window] { pthread_mutex_unlock(lock); return t }
        pthread_mutex_unlock(lock)
        let rows = window * refreshRows - 1
        guard wavefront.waitForRowsBefore(rows) else { return nil }
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if let t = tables[window] { return t }
        let t = VP8CostSchedule.costs(fromRows: rows, rowStats: rowStats)
        tables[window] = t
        return t
    }

    /// Level costs from the summed statistics of rows 0..<rows.
    static func costs(fromRows rows: Int, rowStats: UnsafePointer<UInt32>) -> VP8LevelCosts {
        let size = 2 * VP8Tokens.probabilityCount
        var sum = [UInt32](repeating: 0, count: size)
        var probabilities = [UInt8](repeating: 0, count: VP8Tokens.probabilityCount)
        return sum.withUnsafeMutableBufferPointer { s in
            for row in 0..<rows {
                let r = rowStats + row * size
                for i in 0..<size { s[i] &+= r[i] }
            }
            return probabilities.withUnsafeMutableBufferPointer { p in
                VP8ProbabilityUpdate.choose(counts: s.baseAddress!, probabilities: p.baseAddress!, updated: nil)
                return VP8LevelCosts(probabilities: p.baseAddress!)
            }
        }
    }
}
