import Raster

/// Encoder-side decisions for the in-loop filters, made after all tiles are coded: CDEF damping, presets
/// (cdef_bits, up to 8) and a preset per 64x64 unit minimising squared error + λ·bits, optionally deblocking levels
/// minimising the squared error. The chosen filters are applied to the frame's reconstruction, which then equals
/// the decoder's output.
enum AV1FilterSearch {
    /// Decides the filters and applies them to `f.recon`. `formulaDeblock`/`formulaCdef` are the quantizer-derived
    /// parameters: the deblocking levels unless `searchDeblock`, and the CDEF strength when the speed settings do not
    /// search CDEF. Without a search nothing needs filtering here unless the caller needs the reconstruction.
    static func run(frame f: AV1FrameState, width: Int, height: Int, formulaDeblock: AV1DeblockParams,
                    formulaCdef: AV1CdefParams, searchDeblock: Bool, needReconstruction: Bool) -> (AV1DeblockParams, AV1CdefParams) {
        let cdefChoice = f.settings.cdef
        let searching = cdefChoice == .searched
        let deblock = searching && searchDeblock
            ? searchDeblockLevels(frame: f, width: width, height: height, start: formulaDeblock) : formulaDeblock
        let chosenCdef = cdefChoice == .off ? AV1CdefParams() : formulaCdef
        if !searching && !needReconstruction { return (deblock, chosenCdef) }   // cdef_bits 0: no index is coded
        AV1Deblock.apply(frame: f, width: width, height: height, planes: f.recon, params: deblock)
        if cdefChoice == .off { return (deblock, chosenCdef) }
        let analysis = AV1CdefAnalysis(frame: f, luma: f.recon[0])
        var cdef = chosenCdef
        if searching {
            cdef = searchCdef(frame: f, analysis: analysis, width: width, height: height)
        } else {
            cdef.index = analysis.unitCoded.map { $0 ? 0 : -1 }
        }
        AV1Cdef.apply(frame: f, analysis: analysis, params: cdef, planes: f.recon)
        return (deblock, cdef)
    }

    /// CdefDamping from the quantizer (coarser quantizers ring more and tolerate larger differences).
    static func damping(qIndex: Int) -> Int { 3 + min(3, qIndex >> 6) }

    // MARK: - Deblocking

    /// Squared error of a plane against the source over the visible picture.
    static func sse(_ a: UnsafeMutablePointer<UInt8>, _ b: AV1Plane, stride: Int, w: Int, h: Int) -> Int {
        var total = 0
        for y in 0..<h {
            let ra = a + y * stride, rb = b.data + y * b.stride
            var s = 0
            for x in 0..<w { let d = Int(ra[x]) - Int(rb[x]); s += d * d }
            total += s
        }
        return total
    }

    /// Squared error of `plane` after deblocking the unfiltered reconstruction with `levels` (both passes).
    static func deblockedError(frame f: AV1FrameState, plane p: Int, grid: AV1PlaneTxGrid, width: Int, height: Int,
                               levels: (Int, Int), sharpness: Int, scratch: UnsafeMutablePointer<UInt8>) -> Int {
        let rec = f.recon[p]
        scratch.update(from: rec.data, count: rec.width * rec.height)
        AV1Deblock.filterPlane(scratch, stride: rec.stride, grid: grid, plane: p, frame: f, width: width, height: height,
                               levels: levels, sharpness: sharpness)
        let sx = p > 0 ? f.subX : 0, sy = p > 0 ? f.subY : 0
        return sse(scratch, f.source[p], stride: rec.stride, w: (width + sx) >> sx, h: (height + sy) >> sy)
    }

    /// Step search on 0...63 from `start`: moves while a neighbour at ±step is better, then halves the step.
    static func search1D(start: Int, firstStep: Int, _ eval: (Int) -> Int) -> Int {
        var cache: [Int: Int] = [:]
        func cost(_ l: Int) -> Int {
            if let c = cache[l] { return c }
            let c = eval(l); cache[l] = c; return c
        }
        var best = min(63, max(0, start)), bestCost = cost(best)
        var step = max(1, firstStep)
        while step > 0 {
            var moved = false
            for cand in [best - step, best + step] where cand >= 0 && cand <= 63 {
                let c = cost(cand)
                if c < bestCost { bestCost = c; best = cand; moved = true }
            }
            if !moved { step >>= 1 }
        }
        return best
    }

    /// Luma: one level for both directions, then (`deblockPerDirection`) each direction on its own; chroma planes each on
    /// their own. Sharpness stays 0.
    static func searchDeblockLevels(frame f: AV1FrameState, width: Int, height: Int, start: AV1DeblockParams) -> AV1DeblockParams {
        var out = start
        let rec = f.recon[0]
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: rec.width * rec.height)
        defer { scratch.deallocate() }
        let grid0 = AV1PlaneTxGrid(frame: f, plane: 0)
        let s0 = max(start.levels[0], start.levels[1])
        let joint = search1D(start: s0, firstStep: max(2, s0 / 4)) { l in
            deblockedError(frame: f, plane: 0, grid: grid0, width: width, height: height, levels: (l, l), sharpness: 0, scratch: scratch)
        }
        var l0 = joint, l1 = joint
        if f.settings.deblockPerDirection {
            l0 = search1D(start: joint, firstStep: 2) { l in
                deblockedError(frame: f, plane: 0, grid: grid0, width: width, height: height, levels: (l, l1), sharpness: 0, scratch: scratch)
            }
            l1 = search1D(start: joint, firstStep: 2) { l in
                deblockedError(frame: f, plane: 0, grid: grid0, width: width, height: height, levels: (l0, l), sharpness: 0, scratch: scratch)
            }
        }
        out.levels[0] = l0; out.levels[1] = l1
        out.sharpness = 0
        if out.isOff || f.numPlanes == 1 { out.levels[2] = 0; out.levels[3] = 0; return out }
        for p in 1...2 {
            let grid = AV1PlaneTxGrid(frame: f, plane: p)
            let s = start.levels[p + 1]
            out.levels[p + 1] = search1D(start: s, firstStep: max(2, s / 4)) { l in
                deblockedError(frame: f, plane: p, grid: grid, width: width, height: height, levels: (l, l), sharpness: 0, scratch: scratch)
            }
        }
        return out
    }

    // MARK: - CDEF

    /// Candidate strengths of the search: no filtering, then primary × secondary (pri > 0; a zero primary changes
    /// the secondary direction, which the search does not model, so (0, sec > 0) is not tried).
    static func candidates(pri: [Int]) -> [AV1CdefStrength] {
        var out = [AV1CdefStrength(pri: 0, sec: 0)]
        for p in pri { for s in [0, 1, 2, 4] { out.append(AV1CdefStrength(pri: p, sec: s)) } }
        return out
    }

    static func searchCdef(frame f: AV1FrameState, analysis a: AV1CdefAnalysis, width: Int, height: Int) -> AV1CdefParams {
        var params = AV1CdefParams()
        params.damping = damping(qIndex: f.qIndex)
        let rho = AV1Tuning.cdefStrengthPenalty
        let yPri = f.settings.cdefWideCandidates ? [1, 2, 3, 4, 6, 8, 10, 13] : [1, 2, 4, 6, 9, 13]
        let uvPri = f.settings.cdefWideCandidates ? [1, 2, 3, 4, 6, 8] : [1, 2, 4, 7]
        let yCand = candidates(pri: yPri)
        let uvCand = f.numPlanes > 1 ? candidates(pri: uvPri) : [AV1CdefStrength(pri: 0, sec: 0)]
        let units = a.sbCols * a.sbRows
        let nY = yCand.count, nUV = uvCand.count
        let sseY = UnsafeMutablePointer<Int64>.allocate(capacity: units * nY)
        let sseUV = UnsafeMutablePointer<Int64>.allocate(capacity: units * nUV)
        sseY.initialize(repeating: 0, count: units * nY); sseUV.initialize(repeating: 0, count: units * nUV)
        defer { sseY.deallocate(); sseUV.deallocate() }
        let tables = AV1Cdef.ConstrainTables(damping: params.damping)
        let geo = (0..<f.numPlanes).map { AV1Cdef.PlaneGeometry(frame: f, plane: $0) }
        // Faster settings estimate the errors on every other row of every other 8x8 block.
        let rowStep = f.settings.cdefSubsampledSearch ? 2 : 1
        let checker = f.settings.cdefSubsampledSearch

        let work = { (sbRow: Int) in
            for sbCol in 0..<a.sbCols where a.unitCoded[sbRow * a.sbCols + sbCol] {
                let u = sbRow * a.sbCols + sbCol
                for by in (sbRow * 8)..<min(a.rows8, sbRow * 8 + 8) {
                    for bx in (sbCol * 8)..<min(a.cols8, sbCol * 8 + 8) where !a.skip[by * a.cols8 + bx] {
                        if checker && (bx + by) & 1 != 0 { continue }
                        let yDir = Int(a.dir[by * a.cols8 + bx])
                        let v = a.variance[by * a.cols8 + bx]
                        for p in 0..<f.numPlanes {
                            let cand = p == 0 ? yCand : uvCand
                            let d = p == 0 ? yDir : Int(cdefUvDir[(f.subX * 2 + f.subY) * 8 + yDir])
                            let pris = cand.map { p == 0 ? AV1Cdef.adjustedPrimary($0.pri, variance: v) : $0.pri }
                            accumulateBlock(frame: f, plane: p, g: geo[p], bx: bx, by: by, dir: d, width: width, height: height,
                                            cand: cand, adjustedPri: pris, rowStep: rowStep,
                                            table: p == 0 ? tables.y : tables.uv,
                                            damping: p == 0 ? params.damping : params.damping - 1,
                                            into: p == 0 ? sseY + u * nY : sseUV + u * nUV)
                        }
                    }
                }
            }
        }
        if units >= 4 { Job.parallelFor(a.sbRows, work) } else { for r in 0..<a.sbRows { work(r) } }

        // Presets: greedy additions of the (luma, chroma) pair that lowers the total error most, then for each
        // cdef_bits a few rounds of reassigning units and re-picking each preset for its units.
        let coded = (0..<units).filter { a.unitCoded[$0] }
        if coded.isEmpty { params.index = [Int](repeating: -1, count: units); return params }
        // Stronger filtering must earn its keep: each candidate's error is raised by rho · (pri + sec) / 16 of the
        // unit's unfiltered error (pure SSE picks strengths that blur texture and cost SSIMULACRA2).
        if rho > 0 {
            for u in 0..<units {
                for k in 0..<nY { sseY[u * nY + k] += Int64(Double(sseY[u * nY]) * rho * Double(yCand[k].pri + yCand[k].sec) / 16) }
                for k in 0..<nUV { sseUV[u * nUV + k] += Int64(Double(sseUV[u * nUV]) * rho * Double(uvCand[k].pri + uvCand[k].sec) / 16) }
            }
        }
        func cost(_ u: Int, _ py: Int, _ puv: Int) -> Int64 { sseY[u * nY + py] + sseUV[u * nUV + puv] }
        var greedy: [(Int, Int)] = []
        var bestPerUnit = [Int64](repeating: Int64.max, count: units)
        for _ in 0..<8 {
            var best: (Int, Int) = (0, 0), bestTotal = Int64.max
            for py in 0..<nY {
                for puv in 0..<nUV where !greedy.contains(where: { $0 == (py, puv) }) {
                    var total: Int64 = 0
                    for u in coded { total += min(bestPerUnit[u], cost(u, py, puv)) }
                    if total < bestTotal { bestTotal = total; best = (py, puv) }
                }
            }
            greedy.append(best)
            for u in coded { bestPerUnit[u] = min(bestPerUnit[u], cost(u, best.0, best.1)) }
        }
        let lambda = f.lambda
        var bestScore = Double.infinity
        var bestPresets: [(Int, Int)] = [greedy[0]]
        var bestBits = 0
        for bits in 0...3 {
            var presets = Array(greedy.prefix(1 << bits))
            for _ in 0..<2 {
                // Reassign, then re-pick each preset as the best pair over its units.
                var groups = [[Int]](repeating: [], count: presets.count)
                for u in coded {
                    var bi = 0, bc = Int64.max
                    for (i, pr) in presets.enumerated() { let c = cost(u, pr.0, pr.1); if c < bc { bc = c; bi = i } }
                    groups[bi].append(u)
                }
                for i in 0..<presets.count where !groups[i].isEmpty {
                    var bp = presets[i], bc = Int64.max
                    for py in 0..<nY {
                        for puv in 0..<nUV {
                            var t: Int64 = 0
                            for u in groups[i] { t += cost(u, py, puv) }
                            if t < bc { bc = t; bp = (py, puv) }
                        }
                    }
                    presets[i] = bp
                }
            }
            var total: Int64 = 0
            for u in coded { total += presets.map { cost(u, $0.0, $0.1) }.min()! }
            let score = Double(total) + lambda * Double(bits * coded.count + 12 * presets.count)
            if score < bestScore { bestScore = score; bestPresets = presets; bestBits = bits }
        }
        params.bits = bestBits
        params.y = bestPresets.map { yCand[$0.0] }
        params.uv = bestPresets.map { uvCand[$0.1] }
        params.index = (0..<units).map { u in
            guard a.unitCoded[u] else { return -1 }
            var bi = 0, bc = Int64.max
            for (i, pr) in bestPresets.enumerated() { let c = cost(u, pr.0, pr.1); if c < bc { bc = c; bi = i } }
            return bi
        }
        return params
    }

    /// Adds the squared error of every candidate strength over the visible samples of one 8x8 block (luma units)
    /// of `plane` into `acc`. The primary and secondary sums are computed once per strength and combined per
    /// candidate; the result is what the CDEF filter process (§7.15.3) would output.
    static func accumulateBlock(frame f: AV1FrameState, plane p: Int, g: AV1Cdef.PlaneGeometry, bx: Int, by: Int, dir: Int,
                                width: Int, height: Int, cand: [AV1CdefStrength], adjustedPri: [Int], rowStep: Int,
                                table: UnsafeMutablePointer<Int16>, damping: Int, into acc: UnsafeMutablePointer<Int64>) {
        let rec = f.recon[p], src = f.source[p]
        let pw = (width + g.sx) >> g.sx, ph = (height + g.sy) >> g.sy
        let x0 = bx * g.bw, y0 = by * g.bh
        if x0 >= pw || y0 >= ph { return }
        let interior = x0 >= 2 && y0 >= 2 && x0 + g.bw + 2 <= g.availW && y0 + g.bh + 2 <= g.availH
        let n = cand.count
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 12 + 2 * n + 8) { buf in
          withUnsafeTemporaryAllocation(of: Int.self, capacity: 24) { ob in
            let t = buf.baseAddress!, local = t + 12 + n
            let secSum = t + 12 + 2 * n   // index by secondary strength 0...4
            let o = ob.baseAddress!
            AV1Cdef.tapOffsets(dir: dir, into: o)
            for k in 0..<n { local[k] = 0 }
            let rows = min(g.bh, ph - y0)
            if interior && x0 + g.bw <= pw && (g.bw == 8 || g.bw == 4) {
                let (r, s) = (UnsafePointer(rec.data), UnsafePointer(src.data))
                if g.bw == 8 {
                    AV1CdefRows.accumulate(SIMD8<Int32>.self, rec: r, recStride: rec.stride, source: s, sourceStride: src.stride,
                                           x0: x0, y0: y0, rows: rows, rowStep: rowStep, offsets: o, cand: cand,
                                           adjustedPri: adjustedPri, damping: damping, local: local)
                } else {
                    AV1CdefRows.accumulate(SIMD4<Int32>.self, rec: r, recStride: rec.stride, source: s, sourceStride: src.stride,
                                           x0: x0, y0: y0, rows: rows, rowStep: rowStep, offsets: o, cand: cand,
                                           adjustedPri: adjustedPri, damping: damping, local: local)
                }
                for k in 0..<n { acc[k] += Int64(local[k]) }
                return
            }
            var i = 0
            while i < min(g.bh, ph - y0) {
                for j in 0..<min(g.bw, pw - x0) {
                    let x = x0 + j, y = y0 + i
                    AV1Cdef.gather(rec.data, rec.stride, x: x, y: y, offsets: o, g: g, interior: interior, into: t)
                    let c = Int32(rec.data[y * rec.stride + x])
                    let s = Int32(src.data[y * src.stride + x])
                    var mn = c, mx = c
                    for k in 0..<12 { mn = min(mn, t[k]); mx = max(mx, t[k]) }
                    let d0 = Int(t[0] - c) + 255, d1 = Int(t[1] - c) + 255, d2 = Int(t[2] - c) + 255, d3 = Int(t[3] - c) + 255
                    var sec = 1
                    while sec <= 4 {
                        let st = table + sec * 511 + 255
                        var sum: Int32 = 0
                        for m in 0..<2 {
                            let b = 4 + m * 4
                            sum += 2 * (Int32(st[Int(t[b] - c)]) + Int32(st[Int(t[b + 1] - c)]))
                            sum += Int32(st[Int(t[b + 2] - c)]) + Int32(st[Int(t[b + 3] - c)])
                        }
                        secSum[sec] = sum
                        sec <<= 1
                    }
                    secSum[0] = 0
                    let e0 = c - s
                    local[0] += e0 * e0
                    for k in 1..<n {
                        let pri = adjustedPri[k]
                        let pt = table + pri * 511
                        let (a0, a1): (Int32, Int32) = (pri & 1) == 0 ? (4, 2) : (3, 3)
                        let ps = a0 * (Int32(pt[d0]) + Int32(pt[d1])) + a1 * (Int32(pt[d2]) + Int32(pt[d3]))
                        let sum = ps + secSum[cand[k].sec]
                        let v = min(max(c + ((8 + sum - (sum < 0 ? 1 : 0)) >> 4), mn), mx)
                        let e = v - s
                        local[k] += e * e
                    }
                }
                i += rowStep
            }
            for k in 0..<n { acc[k] += Int64(local[k]) }
          }
        }
    }
}
