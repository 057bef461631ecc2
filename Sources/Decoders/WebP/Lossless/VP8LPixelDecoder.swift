import Raster

/// Decodes the entropy-coded pixels of one VP8L image level (specification section 6.2.3): prefix-coded literals,
/// LZ77 backward references with the distance plane codes of section 5.2.2, and colour-cache hits (5.2.3).
enum VP8LPixelDecoder {
    /// (dx, dy) of the 120 short distance codes (section 5.2.2, "Distance Mapping"), flattened.
    static let planeOffsets: [Int8] = [
        0, 1, 1, 0, 1, 1, -1, 1, 0, 2, 2, 0, 1, 2, -1, 2, 2, 1, -2, 1, 2, 2, -2, 2, 0, 3, 3, 0, 1, 3, -1, 3,
        3, 1, -3, 1, 2, 3, -2, 3, 3, 2, -3, 2, 0, 4, 4, 0, 1, 4, -1, 4, 4, 1, -4, 1, 3, 3, -3, 3, 2, 4, -2, 4,
        4, 2, -4, 2, 0, 5, 3, 4, -3, 4, 4, 3, -4, 3, 5, 0, 1, 5, -1, 5, 5, 1, -5, 1, 2, 5, -2, 5, 5, 2, -5, 2,
        4, 4, -4, 4, 3, 5, -3, 5, 5, 3, -5, 3, 0, 6, 6, 0, 1, 6, -1, 6, 6, 1, -6, 1, 2, 6, -2, 6, 6, 2, -6, 2,
        4, 5, -4, 5, 5, 4, -5, 4, 3, 6, -3, 6, 6, 3, -6, 3, 0, 7, 7, 0, 1, 7, -1, 7, 5, 5, -5, 5, 7, 1, -7, 1,
        4, 6, -4, 6, 6, 4, -6, 4, 2, 7, -2, 7, 7, 2, -7, 2, 3, 7, -3, 7, 7, 3, -7, 3, 5, 6, -5, 6, 6, 5, -6, 5,
        8, 0, 4, 7, -4, 7, 7, 4, -7, 4, 8, 1, 8, 2, 6, 6, -6, 6, 8, 3, 5, 7, -5, 7, 7, 5, -7, 5, 8, 4, 6, 7,
        -6, 7, 7, 6, -7, 6, 8, 5, 7, 7, -7, 7, 8, 6, 8, 7,
    ]

    /// Decodes `width × height` pixels into `pixels`. After every `batchRows` completed rows, and once at the end,
    /// calls `rowsDone(completedRows)`; it throws `.truncated` as soon as the data has run out.
    static func decode(_ reader: inout VP8LBitReader, coding: VP8LEntropyCoding, width: Int, height: Int,
                       into pixels: UnsafeMutablePointer<UInt32>, batchRows: Int,
                       rowsDone: (Int) throws -> Void) throws {
        let total = width * height
        let cacheSize = 1 << max(coding.cacheBits, 1)
        let cache = UnsafeMutablePointer<UInt32>.allocate(capacity: cacheSize)
        defer { cache.deallocate() }
        cache.initialize(repeating: 0, count: cacheSize)
        let cacheShift = UInt32(32 - max(coding.cacheBits, 1))
        try coding.store.entries.withUnsafeBufferPointer { entriesBuffer in
            try coding.groups.withUnsafeBufferPointer { groups in
                try coding.groupMap.withUnsafeBufferPointer { map in
                    guard let entries = entriesBuffer.baseAddress else { return }
                    let hasMap = !map.isEmpty
                    let groupBits = coding.groupBits, mapWidth = coding.groupMapWidth
                    // A new group is looked up whenever x enters a new tile (only x == 0 without a map).
                    let tileMask = hasMap ? (1 << groupBits) - 1 : Int.max
                    @inline(__always) func groupAt(_ x: Int, _ y: Int) -> VP8LCodeGroup {
                        hasMap ? groups[Int(map[(y >> groupBits) * mapWidth + (x >> groupBits)])] : groups[0]
                    }
                    // The decoding state lives in locals so the inner loop keeps it in registers.
                    var r = reader
                    var group = groups[0]
                    var pos = 0, x = 0, y = 0
                    var lastCached = 0
                    while pos < total {
                        let nextFlush = min(y - y % batchRows + batchRows, height)
                        // Pixels up to the end of the band (a backward reference may run past it).
                        while pos < total && y < nextFlush {
                            if x & tileMask == 0 { group = groupAt(x, y) }
                            let green = r.readSymbol(group.green, entries)
                            let pixel: UInt32
                            if green < 256 {
                                let red = r.readSymbol(group.red, entries)
                                let blue = r.readSymbol(group.blue, entries)
                                let alpha = r.readSymbol(group.alpha, entries)
                                pixel = UInt32(truncatingIfNeeded: alpha << 24 | red << 16 | green << 8 | blue)
                            } else if green < 280 {
                                let length = readPrefixedValue(&r, green &- 256)
                                let distanceCode = readPrefixedValue(&r, r.readSymbol(group.distance, entries))
                                let distance = planeDistance(distanceCode, width: width)
                                guard distance <= pos, length <= total &- pos else {
                                    if r.overran { throw webpError(.truncated, r.byteOffset, "lossless image data ends early") }
                                    throw webpError(.malformed, r.byteOffset,
                                                    "backward reference (distance \(distance), length \(length)) outside the image")
                                }
                                let source = pixels + (pos &- distance)
                                let target = pixels + pos
                                if distance >= length {
                                    target.update(from: source, count: length)
                                } else {
                                    // Overlapping copy: repeats the last `distance` pixels (a run when distance is 1).
                                    for i in 0..<length { target[i] = source[i] }
                                }
                                pos &+= length
                                x &+= length
                                if x >= width {
                                    y &+= x / width
                                    x %= width
                                }
                                if pos < total && x & tileMask != 0 { group = groupAt(x, y) }
                                continue
                            } else {
                                // Colour cache hit: insert what was decoded since the last hit first (section 5.2.3).
                                while lastCached < pos {
                                    let argb = pixels[lastCached]
                                    cache[VP8LColorCache.index(argb, shift: cacheShift)] = argb
                                    lastCached &+= 1
                                }
                                pixel = cache[green &- 280]
                            }
                            pixels[pos] = pixel
                            pos &+= 1
                            x &+= 1
                            if x == width {
                                x = 0
                                y &+= 1
                            }
                        }
                        if r.overran { throw webpError(.truncated, r.byteOffset, "lossless image data ends early") }
                        try rowsDone(y)
                    }
                    reader = r
                }
            }
        }
    }

    /// Length or distance from its prefix symbol and extra bits (section 5.2.2).
    @inline(__always)
    static func readPrefixedValue(_ reader: inout VP8LBitReader, _ prefix: Int) -> Int {
        if prefix < 4 { return prefix &+ 1 }
        let extraBits = (prefix &- 2) &>> 1
        let offset = (2 &+ (prefix & 1)) &<< extraBits
        return offset &+ reader.readInt(extraBits) &+ 1
    }

    /// Scan-line distance of a distance code (section 5.2.2): codes 1...120 are nearby (dx, dy) offsets.
    @inline(__always)
    static func planeDistance(_ code: Int, width: Int) -> Int {
        if code > 120 { return code &- 120 }
        let dx = Int(planeOffsets[2 &* (code &- 1)]), dy = Int(planeOffsets[2 &* (code &- 1) &+ 1])
        return max(1, dx &+ dy &* width)
    }
}
