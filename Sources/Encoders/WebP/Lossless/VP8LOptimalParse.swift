import Glibc

/// Cost-based choice of backward references: a shortest path over the pixel positions in which every position
/// may be coded as a literal (or cache hit), or start a copy of the match finder's match, of the left neighbour's
/// run or of the row above — each with any length up to `exhaustiveLengths` and, beyond, at the lengths where the
/// length code steps up and at its full length. Bits come from the statistics of an earlier parse.
enum VP8LOptimalParse {
    /// Bits of each symbol under the statistics of a parse (cache already applied).
    struct CostModel {
        /// 4 × 256: alpha, red, green, blue.
        var literal: [Float]
        var cache: [Float]
        /// Per length 1...4096: prefix symbol plus extra bits.
        var length: [Float]
        var distanceSymbol: [Float]

        /// `literalScale` and `cacheScale` weigh literals and cache hits against copies: statistics taken from a
        /// parse that had few copies overstate what copies cost, and the ones after this parse will differ.
        init(tokens: [VP8LToken], cacheBits: Int, literalScale: Float, cacheScale: Float) {
            let layout = VP8LHistogramLayout(cacheBits: cacheBits)
            var h = [UInt32](repeating: 0, count: layout.size)
            h.withUnsafeMutableBufferPointer { hb in
                for t in tokens { layout.add(t, to: hb.baseAddress!) }
            }
            func bits(_ counts: ArraySlice<UInt32>, scale: Float) -> [Float] {
                var total: UInt32 = 0
                for c in counts { total &+= c }
                if total == 0 { return [Float](repeating: 0, count: counts.count) }
                let logTotal = log2f(Float(total))
                return counts.map { $0 > 0 ? (logTotal - log2f(Float($0))) * scale : logTotal * scale }
            }
            let green = bits(h[0..<layout.greenSize], scale: literalScale)
            literal = bits(h[layout.alphaOffset..<(layout.alphaOffset + 256)], scale: literalScale)
                + bits(h[layout.redOffset..<(layout.redOffset + 256)], scale: literalScale)
                + Array(green[0..<256])
                + bits(h[layout.blueOffset..<(layout.blueOffset + 256)], scale: literalScale)
            let lengthSymbols = bits(h[0..<layout.greenSize], scale: 1)
            cache = cacheBits > 0 ? bits(h[0..<layout.greenSize], scale: cacheScale)[280...].map { $0 } : [0]
            length = [Float](repeating: 0, count: 4097)
            for l in 1...4096 {
                let code = VP8LPrefixCoding.encode(l)
                length[l] = lengthSymbols[256 + code.symbol] + Float(code.extraBitCount)
            }
            distanceSymbol = bits(h[layout.distanceOffset..<(layout.distanceOffset + 40)], scale: 1)
        }

        @inline(__always) func distanceBits(_ code: Int) -> Float {
            let c = VP8LPrefixCoding.encode(code)
            return distanceSymbol[c.symbol] + Float(c.extraBitCount)
        }
    }

    /// Step kinds stored in the top bits of each position's step (the low 12 bits are the length).
    private static let literalStep: UInt16 = 0, chainStep: UInt16 = 1 << 12, leftStep: UInt16 = 2 << 12,
                       aboveStep: UInt16 = 3 << 12

    /// The cheapest parse of `pixels` under `model`; cache indices applied for `cacheBits`.
    static func parse(_ pixels: [UInt32], width: Int, chain: VP8LHashChain, cacheBits: Int, model: CostModel,
                      exhaustiveLengths: Int) -> [VP8LToken] {
        let count = pixels.count
        let maxLength = VP8LHashChain.maxLength
        // Costs live in a ring: a position is only reached from at most maxLength positions back.
        let ringSize = 8192, ringMask = ringSize - 1
        var ring = [Double](repeating: .infinity, count: ringSize)
        ring[0] = 0
        var steps = [UInt16](repeating: 0, count: count + 1)
        var cache = [UInt64](repeating: UInt64.max, count: cacheBits > 0 ? 1 << cacheBits : 1)
        let leftCode = VP8LBackwardReferences.distanceCode(1, width: width)
        let leftCost = Double(model.distanceBits(leftCode))
        let aboveCost = Double(model.distanceBits(1))
        let ends = VP8LPrefixCoding.symbolEnds
        // The first length-code end past the exhaustively relaxed lengths: the ends below it were relaxed already.
        let firstEnd = ends.firstIndex { $0 > exhaustiveLengths } ?? ends.count
        // Length costs widened once, not at every relaxation (Float -> Double is exact, so sums are unchanged).
        let lengthCosts = model.length.map { Double($0) }
        pixels.withUnsafeBufferPointer { px in
            ring.withUnsafeMutableBufferPointer { ringBuffer in
                steps.withUnsafeMutableBufferPointer { stepBuffer in
                    model.literal.withUnsafeBufferPointer { literalBuffer in
                        lengthCosts.withUnsafeBufferPointer { lengthBuffer in
                            chain.packed.withUnsafeBufferPointer { matchBuffer in
                                cache.withUnsafeMutableBufferPointer { cacheBuffer in
                                    ends.withUnsafeBufferPointer { endBuffer in
                                        let p = px.baseAddress!, c = ringBuffer.baseAddress!, s = stepBuffer.baseAddress!
                                        let lit = literalBuffer.baseAddress!, lb = lengthBuffer.baseAddress!
                                        let m = matchBuffer.baseAddress!, cc = cacheBuffer.baseAddress!
                                        let e = endBuffer.baseAddress!
                                        @inline(__always) func relax(_ target: Int, _ value: Double, _ step: UInt16) {
                                            let slot = target & ringMask
                                            if value < c[slot] { c[slot] = value; s[target] = step }
                                        }
                                        /// Copies of every length up to `exhaustiveLengths`, then at every length where the
                                        /// length code steps up, and at the full length.
                                        @inline(__always) func relaxCopy(_ i: Int, _ start: Double, _ full: Int, _ kind: UInt16) {
                                            let short = min(full, exhaustiveLengths)
                                            var k = 1
                                            while k <= short {
                                                relax(i + k, start + lb[k], kind | UInt16(k)); k += 1
                                            }
                                            if full > short {
                                                var index = firstEnd
                                                while index < 24 {
                                                    let length = e[index]
                                                    if length >= full { break }
                                                    relax(i + length, start + lb[length], kind | UInt16(length))
                                                    index += 1
                                                }
                                                relax(i + full, start + lb[full], kind | UInt16(full))
                                            }
                                        }
                                        @inline(__always) func run(_ i: Int, _ distance: Int, _ previous: Int) -> Int {
                                            let limit = min(maxLength, count - i)
                                            var n: Int
                                            if previous >= 2 {
                                                n = min(previous - 1, limit)
                                                if previous < maxLength || n >= limit { return n }
                                            } else {
                                                n = 0
                                            }
                                            while n < limit && p[i + n] == p[i + n - distance] { n += 1 }
                                            return n
                                        }
                                        var leftRun = 0, aboveRun = 0
                                        for i in 0..<count {
                                            let base = c[i & ringMask]
                                            c[i & ringMask] = .infinity
                                            let v = p[i]
                                            var literalBits = lit[Int(v >> 24)] + lit[256 + Int((v >> 16) & 0xff)]
                                                + lit[512 + Int((v >> 8) & 0xff)] + lit[768 + Int(v & 0xff)]
                                            if cacheBits > 0 {
                                                let slot = VP8LBackwardReferences.cacheSlot(v, bits: cacheBits)
                                                if cc[slot] == UInt64(v) { literalBits = min(literalBits, model.cache[slot]) }
                                                cc[slot] = UInt64(v)
                                            }
                                            relax(i + 1, base + Double(literalBits), literalStep | 1)
                                            var left = 0, above = 0
                                            if i >= 1 {
                                                leftRun = run(i, 1, leftRun)
                                                left = leftRun
                                            }
                                            if i >= width && width > 1 {
                                                aboveRun = run(i, width, aboveRun)
                                                above = aboveRun
                                            }
                                            // A candidate no longer and no cheaper than another adds nothing.
                                            if above <= left && aboveCost >= leftCost { above = 0 }
                                            if left <= above && leftCost >= aboveCost { left = 0 }
                                            if left > 0 { relaxCopy(i, base + leftCost, left, leftStep) }
                                            if above > 0 { relaxCopy(i, base + aboveCost, above, aboveStep) }
                                            let match = m[i]
                                            let length = Int(match & 0xfff), distance = Int(match >> 12)
                                            if length > max(left, above) && distance != 1 && distance != width {
                                                let code = VP8LBackwardReferences.distanceCode(distance, width: width)
                                                relaxCopy(i, base + Double(model.distanceBits(code)), length, chainStep)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Trace back from the end.
        var reversed: [VP8LToken] = []
        reversed.reserveCapacity(count / 2)
        var j = count
        while j > 0 {
            let step = steps[j]
            let length = Int(step & 0xfff)
            let start = j - length
            switch step & 0xf000 {
            case literalStep: reversed.append(.literal(pixels[start]))
            case leftStep: reversed.append(.copy(code: leftCode, length: length))
            case aboveStep: reversed.append(.copy(code: 1, length: length))
            default:
                reversed.append(.copy(code: VP8LBackwardReferences.distanceCode(chain.distance(start), width: width),
                                      length: length))
            }
            j = start
        }
        var tokens = Array(reversed.reversed())
        VP8LBackwardReferences.applyCache(tokens: &tokens, pixels: pixels, bits: cacheBits)
        return tokens
    }
}
