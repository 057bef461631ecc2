import Raster

/// What the frame tag and the key-frame header of a VP8 frame say (RFC 6386 sections 9.1-9.11, 19.1-19.2).
struct VP8FrameHeader {
    var width = 0
    var height = 0
    /// Size of the first partition (frame header + per-macroblock modes).
    var firstPartitionSize = 0

    // Section 9.3: segment-based adjustments.
    var segmentationEnabled = false
    var updateSegmentMap = false
    /// Segment values replace the frame values (true) or are added to them. A key frame that enables segments
    /// without sending their values gets absolute zeros (what libwebp's dwebp does).
    var segmentValuesAbsolute = true
    var segmentQuantizer = [Int](repeating: 0, count: 4)
    var segmentFilterLevel = [Int](repeating: 0, count: 4)
    var segmentTreeProbs: [UInt8] = [255, 255, 255]

    // Section 9.4: loop filter.
    var simpleFilter = false
    var filterLevel = 0
    var sharpness = 0
    var filterDeltasEnabled = false
    /// Reference-frame deltas (only [0], intra, applies to key frames) and mode deltas ([0] applies to B_PRED).
    var referenceFilterDelta = [Int](repeating: 0, count: 4)
    var modeFilterDelta = [Int](repeating: 0, count: 4)

    // Section 9.5: token partitions, as byte ranges in the file.
    var tokenPartitions: [Range<Int>] = []

    // Section 9.6: dequantization indices.
    var baseQuantizer = 0
    var yDCDelta = 0, y2DCDelta = 0, y2ACDelta = 0, uvDCDelta = 0, uvACDelta = 0

    /// Section 13.4: coefficient probabilities [4 types][8 bands][3 contexts][11], defaults with this frame's updates.
    var coefficientProbs: [UInt8] = []
    /// Section 9.10/9.11: probability that a macroblock is not skipped, when skipping is signalled.
    var skipProbability: UInt8?

    /// Frame tag and key-frame start code are 10 bytes (section 9.1).
    static let uncompressedSize = 10

    /// Reads the uncompressed data chunk (section 9.1) at the start of `range`: frame size and first partition size.
    static func readFrameTag(_ bytes: [UInt8], range: Range<Int>) throws -> VP8FrameHeader {
        let p = range.lowerBound
        guard range.count >= uncompressedSize else {
            throw webpError(.truncated, p, "VP8 chunk shorter than its 10-byte frame header")
        }
        let tag = Int(bytes[p]) | Int(bytes[p + 1]) << 8 | Int(bytes[p + 2]) << 16
        guard tag & 1 == 0 else { throw webpError(.malformed, p, "VP8 frame is not a key frame") }
        guard (tag >> 1) & 7 <= 3 else { throw webpError(.malformed, p, "VP8 version \((tag >> 1) & 7) is not defined") }
        guard (tag >> 4) & 1 == 1 else { throw webpError(.unsupported, p, "VP8 frame is marked invisible") }
        guard bytes[p + 3] == 0x9D, bytes[p + 4] == 0x01, bytes[p + 5] == 0x2A else {
            throw webpError(.malformed, p + 3, "VP8 start code missing")
        }
        var header = VP8FrameHeader()
        header.firstPartitionSize = tag >> 5
        // 14-bit sizes; the top two bits ask for upscaling, which decoders output without (section 9.1).
        header.width = (Int(bytes[p + 6]) | Int(bytes[p + 7]) << 8) & 0x3FFF
        header.height = (Int(bytes[p + 8]) | Int(bytes[p + 9]) << 8) & 0x3FFF
        guard header.width > 0, header.height > 0 else {
            throw webpError(.malformed, p + 6, "VP8 frame of \(header.width)x\(header.height) pixels")
        }
        guard header.firstPartitionSize < range.count else {
            throw webpError(.malformed, p, "first partition size \(header.firstPartitionSize) exceeds the chunk")
        }
        return header
    }

    /// Reads the rest of the key-frame header from the first partition (section 19.2) and locates the token
    /// partitions that follow it in `range`.
    mutating func readCompressedHeader(_ d: inout VP8BoolDecoder, bytes: UnsafeBufferPointer<UInt8>,
                                       range: Range<Int>) throws {
        _ = d.readFlag()  // colour space: only 0 (YUV) is defined; decoders treat both alike
        _ = d.readFlag()  // clamping type: pixel values are always clamped by this decoder
        segmentationEnabled = d.readFlag()
        if segmentationEnabled {
            updateSegmentMap = d.readFlag()
            if d.readFlag() {  // update segment feature data
                segmentValuesAbsolute = d.readFlag()
                for s in 0..<4 { segmentQuantizer[s] = d.readFlag() ? d.readSignedLiteral(7) : 0 }
                for s in 0..<4 { segmentFilterLevel[s] = d.readFlag() ? d.readSignedLiteral(6) : 0 }
            }
            if updateSegmentMap {
                for i in 0..<3 { segmentTreeProbs[i] = d.readFlag() ? UInt8(d.readLiteral(8)) : 255 }
            }
        }
        simpleFilter = d.readFlag()
        filterLevel = d.readLiteral(6)
        sharpness = d.readLiteral(3)
        filterDeltasEnabled = d.readFlag()
        if filterDeltasEnabled && d.readFlag() {  // mode_ref_lf_delta_update
            for i in 0..<4 where d.readFlag() { referenceFilterDelta[i] = d.readSignedLiteral(6) }
            for i in 0..<4 where d.readFlag() { modeFilterDelta[i] = d.readSignedLiteral(6) }
        }
        let partitionCount = 1 << d.readLiteral(2)
        try locatePartitions(count: partitionCount, bytes: bytes, range: range)

        baseQuantizer = d.readLiteral(7)
        yDCDelta = d.readFlag() ? d.readSignedLiteral(4) : 0
        y2DCDelta = d.readFlag() ? d.readSignedLiteral(4) : 0
        y2ACDelta = d.readFlag() ? d.readSignedLiteral(4) : 0
        uvDCDelta = d.readFlag() ? d.readSignedLiteral(4) : 0
        uvACDelta = d.readFlag() ? d.readSignedLiteral(4) : 0

        _ = d.readFlag()  // refresh_entropy_probs: meaningless for a single key frame
        // Section 13.4: each probability may be replaced by an 8-bit value.
        coefficientProbs = VP8Tables.defaultCoefficientProbs
        VP8Tables.coefficientUpdateProbs.withUnsafeBufferPointer { update in
            for i in 0..<coefficientProbs.count where d.readBit(update[i]) {
                coefficientProbs[i] = UInt8(d.readLiteral(8))
            }
        }
        skipProbability = d.readFlag() ? UInt8(d.readLiteral(8)) : nil
        if d.atEnd { throw webpError(.truncated, d.fileOffset, "first partition ends inside the frame header") }
    }

    /// Section 9.5: after the first partition come 3-byte little-endian sizes of all token partitions but the last,
    /// then the partitions; the last one takes the rest of the chunk. Sizes running past the chunk are cut to it
    /// (as dwebp does); the last partition must not be empty.
    private mutating func locatePartitions(count: Int, bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) throws {
        let sizesStart = range.lowerBound + Self.uncompressedSize + firstPartitionSize
        let sizesLength = 3 * (count - 1)
        guard sizesStart + sizesLength <= range.upperBound else {
            throw webpError(.truncated, sizesStart, "token partition sizes run past the end of the chunk")
        }
        var start = sizesStart + sizesLength
        tokenPartitions = []
        for i in 0..<(count - 1) {
            let s = sizesStart + 3 * i
            let size = Int(bytes[s]) | Int(bytes[s + 1]) << 8 | Int(bytes[s + 2]) << 16
            let end = min(start + size, range.upperBound)
            tokenPartitions.append(start..<end)
            start = end
        }
        guard start < range.upperBound else {
            throw webpError(.truncated, start, "the last token partition is empty")
        }
        tokenPartitions.append(start..<range.upperBound)
    }
}
