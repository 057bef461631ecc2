/// Choice of the colour-cache size (RFC 9649 §5.2.3): every size from none to `maxBits` is simulated in one pass
/// over a parse without cache, and the size whose literal, cache and length symbols code smallest wins. Distances
/// do not depend on the cache and are left out.
enum VP8LColorCache {
    static func bestBits(tokens: [VP8LToken], pixels: [UInt32], maxBits: Int) -> Int {
        if maxBits <= 0 { return 0 }
        let sizes = maxBits + 1
        // Cache of b bits at offset[b]; per size one histogram: green + lengths + cache (280 + 2^maxBits), then red,
        // blue and alpha (256 each).
        var offset = [Int](repeating: 0, count: sizes + 1)
        for b in 0..<sizes { offset[b + 1] = offset[b] + (b == 0 ? 0 : 1 << b) }
        var caches = [UInt64](repeating: UInt64.max, count: offset[sizes])
        let greenSize = 280 + (1 << maxBits)
        let stride = greenSize + 768
        var histograms = [UInt32](repeating: 0, count: sizes * stride)
        caches.withUnsafeMutableBufferPointer { cacheBuffer in
            histograms.withUnsafeMutableBufferPointer { histogramBuffer in
                pixels.withUnsafeBufferPointer { px in
                    offset.withUnsafeBufferPointer { off in
                        let cache = cacheBuffer.baseAddress!, h = histogramBuffer.baseAddress!
                        var position = 0
                        for t in tokens {
                            if t.kind == VP8LToken.copy {
                                let symbol = 256 + VP8LPrefixCoding.symbol(Int(t.length))
                                for b in 0..<sizes { h[b * stride + symbol] &+= 1 }
                                var previous = UInt64.max
                                for k in position..<(position + Int(t.length)) where UInt64(px[k]) != previous {
                                    previous = UInt64(px[k])
                                    let key = px[k] &* 0x1e35_a7bd
                                    for b in 1..<sizes { cache[off[b] + Int(key >> UInt32(32 - b))] = previous }
                                }
                                position += Int(t.length)
                                continue
                            }
                            let argb = px[position]
                            let key = argb &* 0x1e35_a7bd
                            let g = Int((argb >> 8) & 0xff), r = Int((argb >> 16) & 0xff)
                            let bl = Int(argb & 0xff), a = Int(argb >> 24)
                            for b in 0..<sizes {
                                let histogram = h + b * stride
                                if b > 0 {
                                    let slot = Int(key >> UInt32(32 - b))
                                    if cache[off[b] + slot] == UInt64(argb) {
                                        histogram[280 + slot] &+= 1
                                        continue
                                    }
                                    cache[off[b] + slot] = UInt64(argb)
                                }
                                histogram[g] &+= 1
                                histogram[greenSize + r] &+= 1
                                histogram[greenSize + 256 + bl] &+= 1
                                histogram[greenSize + 512 + a] &+= 1
                            }
                            position += 1
                        }
                    }
                }
            }
        }
        var best = 0
        var bestBits = Double.infinity
        histograms.withUnsafeBufferPointer { h in
            for b in 0..<sizes {
                let base = h.baseAddress! + b * stride
                var bits = VP8LEntropy.populationBits(base, nil, 280 + (b == 0 ? 0 : 1 << b))
                for c in 0..<3 { bits += VP8LEntropy.populationBits(base + greenSize + 256 * c, nil, 256) }
                if bits < bestBits { bestBits = bits; best = b }
            }
        }
        return best
    }
}
