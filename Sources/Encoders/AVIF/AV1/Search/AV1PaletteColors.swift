/// Palette colours of a block and the colour index maps (the decisions behind palette_mode_info, §5.11.46, and
/// palette_tokens, §5.11.49).
enum AV1PaletteColors {
    /// The distinct values of a w×h area, ascending, when there are 2...maxColors of them; else nil (one colour:
    /// DC prediction codes it as well).
    static func choose(_ p: UnsafePointer<UInt8>, stride: Int, width w: Int, height h: Int, maxColors: Int) -> [UInt8]? {
        var seen = SIMD4<UInt64>(repeating: 0)   // 256-bit set of the values met
        var count = 0
        for y in 0..<h {
            let row = p + y * stride
            for x in 0..<w {
                let v = Int(row[x])
                let bit: UInt64 = 1 << UInt64(v & 63)
                if seen[v >> 6] & bit == 0 {
                    seen[v >> 6] |= bit
                    count += 1
                    if count > maxColors { return nil }
                }
            }
        }
        guard count >= 2 else { return nil }
        var out: [UInt8] = []
        for v in 0..<256 where seen[v >> 6] & (1 << UInt64(v & 63)) != 0 { out.append(UInt8(v)) }
        return out
    }

    /// Index of the nearest colour to `v` (the first on ties).
    @inline(__always) static func nearest(_ v: Int, _ colors: [UInt8]) -> Int {
        var best = 0, bestD = Int.max
        for (i, c) in colors.enumerated() {
            let d = abs(v - Int(c))
            if d < bestD { bestD = d; best = i }
        }
        return best
    }

    /// ColorMapY of a side×side block: the nearest colour of each on-screen sample, the rest replicated from the
    /// last on-screen column and row (palette_tokens, §5.11.49).
    static func indexMap(_ p: UnsafePointer<UInt8>, stride: Int, side: Int, onscreenW: Int, onscreenH: Int, colors: [UInt8]) -> [UInt8] {
        var map = [UInt8](repeating: 0, count: side * side)
        for y in 0..<onscreenH {
            for x in 0..<onscreenW { map[y * side + x] = UInt8(nearest(Int(p[y * stride + x]), colors)) }
        }
        replicate(&map, stride: side, width: side, height: side, onscreenW: onscreenW, onscreenH: onscreenH)
        return map
    }

    static func replicate(_ map: inout [UInt8], stride: Int, width: Int, height: Int, onscreenW: Int, onscreenH: Int) {
        for y in 0..<onscreenH where onscreenW < width {
            for x in onscreenW..<width { map[y * stride + x] = map[y * stride + onscreenW - 1] }
        }
        for y in onscreenH..<height {
            for x in 0..<width { map[y * stride + x] = map[(onscreenH - 1) * stride + x] }
        }
    }

    /// The distinct (U, V) pairs of a w×h chroma area ordered by U then V, when there are 2...maxColors of them.
    static func choosePairs(_ u: UnsafePointer<UInt8>, _ v: UnsafePointer<UInt8>, stride: Int, width w: Int, height h: Int,
                            maxColors: Int) -> (u: [UInt8], v: [UInt8])? {
        var pairs: [UInt16] = []
        for y in 0..<h {
            for x in 0..<w {
                let key = UInt16(u[y * stride + x]) << 8 | UInt16(v[y * stride + x])
                if !pairs.contains(key) {
                    pairs.append(key)
                    if pairs.count > maxColors { return nil }
                }
            }
        }
        guard pairs.count >= 2 else { return nil }
        pairs.sort()
        return (pairs.map { UInt8($0 >> 8) }, pairs.map { UInt8($0 & 0xFF) })
    }

    /// ColorMapUV: the nearest (U, V) entry (squared distance) of each on-screen sample, the rest replicated.
    static func pairIndexMap(_ u: UnsafePointer<UInt8>, _ v: UnsafePointer<UInt8>, stride: Int, width: Int, height: Int,
                             onscreenW: Int, onscreenH: Int, u pu: [UInt8], v pv: [UInt8]) -> [UInt8] {
        var map = [UInt8](repeating: 0, count: width * height)
        for y in 0..<onscreenH {
            for x in 0..<onscreenW {
                let su = Int(u[y * stride + x]), sv = Int(v[y * stride + x])
                var best = 0, bestD = Int.max
                for i in 0..<pu.count {
                    let du = su - Int(pu[i]), dv = sv - Int(pv[i])
                    let d = du * du + dv * dv
                    if d < bestD { bestD = d; best = i }
                }
                map[y * width + x] = UInt8(best)
            }
        }
        replicate(&map, stride: width, width: width, height: height, onscreenW: onscreenW, onscreenH: onscreenH)
        return map
    }
}
