import Raster

/// The five prefix codes used for one pixel (VP8L specification section 6.2: green + length + cache index, red,
/// blue, alpha, distance).
struct VP8LCodeGroup {
    var green: VP8LPrefixCode
    var red: VP8LPrefixCode
    var blue: VP8LPrefixCode
    var alpha: VP8LPrefixCode
    var distance: VP8LPrefixCode
}

/// How the pixels of one image level are entropy-coded: the colour cache size, the meta prefix codes (entropy
/// image) and the prefix code groups (sections 5.2.3, 6.2.2, 6.2.1).
struct VP8LEntropyCoding {
    var store = VP8LPrefixCodeStore()
    var groups: [VP8LCodeGroup] = []
    /// Group index per entropy-image tile; empty when the whole image uses group 0.
    var groupMap: [UInt32] = []
    var groupBits = 0
    var groupMapWidth = 0
    /// Colour cache bits, 0 when the cache is not used.
    var cacheBits = 0

    /// Section 5.2.3: colour cache bits must be 1...11.
    static let maxCacheBits = 11
    /// Alphabet sizes of the codes in a group, without the colour cache (section 6.2.1).
    static let literalAlphabet = 256, lengthCodes = 24, distanceAlphabet = 40

    /// Reads colour-cache info, the entropy image when `allowMeta` (only the main ARGB image may have one), and
    /// every prefix code group. `decodeSubImage` decodes the entropy image (a sub-resolution image).
    static func read(_ reader: inout VP8LBitReader, width: Int, height: Int, allowMeta: Bool,
                     decodeSubImage: (inout VP8LBitReader, Int, Int) throws -> [UInt32]) throws -> VP8LEntropyCoding {
        var coding = VP8LEntropyCoding()
        if reader.readFlag() {
            let bits = reader.readInt(4)
            guard (1...maxCacheBits).contains(bits) else {
                throw webpError(.malformed, reader.byteOffset, "colour cache of \(bits) bits (allowed 1 to 11)")
            }
            coding.cacheBits = bits
        }
        var groupCount = 1
        // Groups that some tile uses, in order of first use; the others are read but not kept.
        var slotOfGroup: [Int32] = [0]
        if allowMeta && reader.readFlag() {
            let bits = reader.readInt(3) + 2
            let mapWidth = (width + (1 << bits) - 1) >> bits
            let mapHeight = (height + (1 << bits) - 1) >> bits
            var map = try decodeSubImage(&reader, mapWidth, mapHeight)
            var maxGroup = 0
            for i in map.indices {
                let group = Int((map[i] >> 8) & 0xFFFF)
                maxGroup = max(maxGroup, group)
                map[i] = UInt32(group)
            }
            groupCount = maxGroup + 1
            slotOfGroup = [Int32](repeating: -1, count: groupCount)
            var used: Int32 = 0
            for i in map.indices {
                let group = Int(map[i])
                if slotOfGroup[group] < 0 { slotOfGroup[group] = used; used += 1 }
                map[i] = UInt32(slotOfGroup[group])
            }
            coding.groupMap = map
            coding.groupBits = bits
            coding.groupMapWidth = mapWidth
        }
        try coding.readGroups(&reader, count: groupCount, slotOfGroup: slotOfGroup)
        return coding
    }

    private mutating func readGroups(_ reader: inout VP8LBitReader, count: Int, slotOfGroup: [Int32]) throws {
        let greenAlphabet = Self.literalAlphabet + Self.lengthCodes + (cacheBits > 0 ? 1 << cacheBits : 0)
        let alphabets = [greenAlphabet, Self.literalAlphabet, Self.literalAlphabet, Self.literalAlphabet,
                         Self.distanceAlphabet]
        let usedCount = Int(slotOfGroup.max() ?? 0) + 1
        let placeholder = VP8LPrefixCode(offset: 0, rootBits: 0)
        groups = [VP8LCodeGroup](repeating: VP8LCodeGroup(green: placeholder, red: placeholder, blue: placeholder,
                                                          alpha: placeholder, distance: placeholder),
                                 count: usedCount)
        var lengths = [UInt8](repeating: 0, count: greenAlphabet)
        var discard = VP8LPrefixCodeStore()
        for group in 0..<count {
            if group & 255 == 255 { try Job.checkpoint() }
            let slot = Int(slotOfGroup[group])
            var codes = [VP8LPrefixCode]()
            codes.reserveCapacity(5)
            for alphabet in alphabets {
                let offset = reader.byteOffset
                let code: VP8LPrefixCode? = lengths.withUnsafeMutableBufferPointer { buffer in
                    let view = UnsafeMutableBufferPointer(rebasing: buffer[0..<alphabet])
                    guard VP8LPrefixCodeReader.readLengths(&reader, alphabetSize: alphabet, lengths: view) else {
                        return nil
                    }
                    if slot < 0 {
                        // An unused group is still checked, then dropped.
                        discard.entries.removeAll(keepingCapacity: true)
                        return discard.append(lengths: UnsafeBufferPointer(view))
                    }
                    return store.append(lengths: UnsafeBufferPointer(view))
                }
                if reader.overran { throw webpError(.truncated, reader.byteOffset, "data ends inside a prefix code") }
                guard let code else { throw webpError(.malformed, offset, "invalid prefix code") }
                codes.append(code)
            }
            if slot >= 0 {
                groups[slot] = VP8LCodeGroup(green: codes[0], red: codes[1], blue: codes[2], alpha: codes[3],
                                             distance: codes[4])
            }
        }
    }
}
