import Raster

/// JPEG encoder (ITU-T T.81): baseline sequential or progressive (spectral selection) Huffman coding, with
/// Huffman tables optimized for the image, IJG-scaled Annex K quantization tables and a JFIF header.
/// Gray input gives a one-component JPEG; alpha is dropped; 16-bit input is rounded to 8 bits.
public enum JPEGEncoder {
    private static let codec = "JPEG encoder"

    /// A scan: components (indices into the frame) and the spectral band Ss...Se; no successive approximation.
    private struct Scan {
        var components: [Int]
        var start: Int
        var end: Int
    }

    public static func encode(_ raster: Raster, options: JPEGEncodeOptions = JPEGEncodeOptions()) throws -> [UInt8] {
        guard raster.width > 0, raster.height > 0, raster.width <= 65535, raster.height <= 65535 else {
            throw CodecError(codec: codec, kind: .encoderLimit,
                             message: "JPEG sides are limited to 65535 pixels, got \(raster.width)x\(raster.height)")
        }
        let quality = min(100, max(1, options.quality))
        let quantTables = [JPEGTables.scaledTable(JPEGTables.annexKLuminance, quality: quality),
                           JPEGTables.scaledTable(JPEGTables.annexKChrominance, quality: quality)]
        let planes = try JPEGCoefficientPlanes(raster, subsampling: options.subsampling, quantTables: quantTables)

        var out: [UInt8] = [0xFF, 0xD8]
        // APP0 JFIF 1.01, no units, 1:1 aspect, no thumbnail (JFIF 1.02 §"JFIF APP0 marker").
        appendSegment(0xE0, Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0], to: &out)
        if let profile = EmbeddedProfile.bytes(of: raster, colorData: planes.components.count > 1) {
            try appendICCProfile(profile, to: &out)
        }
        let isColor = planes.components.count > 1
        var dqt: [UInt8] = []
        for t in 0..<(isColor ? 2 : 1) {
            dqt.append(UInt8(t))
            for k in 0..<64 { dqt.append(UInt8(quantTables[t][JPEGTables.zigzagToNatural[k]])) }
        }
        appendSegment(0xDB, dqt, to: &out)
        var frame: [UInt8] = [8, UInt8(raster.height >> 8), UInt8(raster.height & 0xFF),
                              UInt8(raster.width >> 8), UInt8(raster.width & 0xFF), UInt8(planes.components.count)]
        for c in planes.components {
            frame += [c.id, UInt8(c.horizontal << 4 | c.vertical), UInt8(c.quantTable)]
        }
        appendSegment(options.progressive ? 0xC2 : 0xC0, frame, to: &out)

        let allComponents = Array(planes.components.indices)
        let scans: [Scan]
        if !options.progressive {
            scans = [Scan(components: allComponents, start: 0, end: 63)]
        } else if isColor {
            // DC of all components first, then low luma frequencies (the preview), chroma, the rest of luma.
            scans = [Scan(components: allComponents, start: 0, end: 0), Scan(components: [0], start: 1, end: 5),
                     Scan(components: [1], start: 1, end: 63), Scan(components: [2], start: 1, end: 63),
                     Scan(components: [0], start: 6, end: 63)]
        } else {
            scans = [Scan(components: [0], start: 0, end: 0), Scan(components: [0], start: 1, end: 5),
                     Scan(components: [0], start: 6, end: 63)]
        }
        for scan in scans {
            try Job.checkpoint()
            if scan.start == 0 && scan.end == 63 {
                try encodeSequentialScan(scan, planes: planes, to: &out)
            } else {
                try encodeProgressiveScan(scan, planes: planes, to: &out)
            }
        }
        out += [0xFF, 0xD9]
        return out
    }

    /// Sink table numbering: DC tables 0 (luma) and 1 (chroma), AC tables 2 (luma) and 3 (chroma).
    private static func dcTable(_ component: Int) -> Int { component == 0 ? 0 : 1 }
    private static func acTable(_ component: Int) -> Int { component == 0 ? 2 : 3 }

    /// DHT for the four tables (those with symbols) and the SOS header of `scan`.
    private static func appendTablesAndHeader(_ scan: Scan, planes: JPEGCoefficientPlanes, tables: [JPEGHuffmanTable],
                                              used: [Bool], to out: inout [UInt8]) {
        var dht: [UInt8] = []
        for t in 0..<4 where used[t] { dht += tables[t].segmentBody(tableClass: t / 2, slot: t % 2) }
        appendSegment(0xC4, dht, to: &out)
        var sos: [UInt8] = [UInt8(scan.components.count)]
        for c in scan.components {
            sos += [planes.components[c].id, UInt8(dcTable(c) << 4 | (acTable(c) - 2))]
        }
        sos += [UInt8(scan.start), UInt8(scan.end), 0]
        appendSegment(0xDA, sos, to: &out)
    }

    /// A sequential scan of every component (interleaved, or gray's single component, whose MCUs are its blocks):
    /// symbol counts come from the coefficient pass. Bands of MCU rows are coded on the job's threads without
    /// stuffing, each from the DC predictors left by the row above it, and spliced in order into the stuffed
    /// segment: the same bits as one pass over the image.
    private static func encodeSequentialScan(_ scan: Scan, planes: JPEGCoefficientPlanes, to out: inout [UInt8]) throws {
        let counts = planes.sequentialCounts
        let frequencies = (0..<4).map { Array(counts[($0 * 256)..<(($0 + 1) * 256)]) }
        let tables = frequencies.map { JPEGHuffmanTable(frequencies: $0) }
        let used = frequencies.map { $0.contains { $0 > 0 } }
        appendTablesAndHeader(scan, planes: planes, tables: tables, used: used, to: &out)
        try Job.checkpoint()
        let codeTables = tables.map(JPEGSequentialCoder.CodeTable.init)
        let blocks = planes.components.reduce(0) { $0 + $1.blocksWide * $1.blocksHigh }
        // A few bands per thread, so that an uneven image still keeps every thread busy to the end.
        let threads = Job.current.threads
        let bands = blocks >= 4096 && threads > 1 ? min(planes.mcusHigh, threads * 4) : 1
        var pieces = [JPEGEntropyWriter.Piece?](repeating: nil, count: bands)
        var whole: [UInt8] = []
        try planes.withBlocks { store in
        try codeTables[0].codes.withUnsafeBufferPointer { dcCodes0 in
        try codeTables[0].lengths.withUnsafeBufferPointer { dcLengths0 in
        try codeTables[1].codes.withUnsafeBufferPointer { dcCodes1 in
        try codeTables[1].lengths.withUnsafeBufferPointer { dcLengths1 in
        try codeTables[2].codes.withUnsafeBufferPointer { acCodes0 in
        try codeTables[2].lengths.withUnsafeBufferPointer { acLengths0 in
        try codeTables[3].codes.withUnsafeBufferPointer { acCodes1 in
        try codeTables[3].lengths.withUnsafeBufferPointer { acLengths1 in
        try pieces.withUnsafeMutableBufferPointer { pieces in
            try Job.parallelFor(bands) { band in
                try Job.checkpoint()
                let rows = (planes.mcusHigh * band / bands)..<(planes.mcusHigh * (band + 1) / bands)
                var writer = JPEGEntropyWriter(capacity: blocks * 8 / bands, stuffing: bands == 1)
                var predictors = scan.components.map { c in
                    rows.lowerBound == 0 ? 0 : Int(store.dc[planes.lastBlock(of: c, aboveMCURow: rows.lowerBound)])
                }
                forEachBlockInMCUOrder(scan, planes: planes, mcuRows: rows) { c, block in
                    let luma = c == 0
                    JPEGSequentialCoder.encodeBlock(dc: Int(store.dc[block]), acValues: store.acValues + Int(store.acStart[block]),
                                                    nonZero: store.nonZero[block], predictor: &predictors[c],
                                                    dcCodes: (luma ? dcCodes0 : dcCodes1).baseAddress!,
                                                    dcLengths: (luma ? dcLengths0 : dcLengths1).baseAddress!,
                                                    acCodes: (luma ? acCodes0 : acCodes1).baseAddress!,
                                                    acLengths: (luma ? acLengths0 : acLengths1).baseAddress!, into: &writer)
                }
                if bands == 1 { whole = writer.finish() } else { pieces[band] = writer.finishPiece() }
            }
        }}}}}}}}}}
        if bands > 1 {
            var writer = JPEGEntropyWriter(capacity: pieces.reduce(0) { $0 + ($1?.bytes.count ?? 0) } * 9 / 8 + 64)
            for piece in pieces { writer.append(piece!) }
            whole = writer.finish()
        }
        out += whole
    }

    /// Calls `body(component, block index in the store)` for every block of an interleaved scan in MCU order
    /// (T.81 §A.2.3), or of a single-component scan row by row over the data blocks (T.81 §A.2.2); `mcuRows`
    /// (MCU rows, or block rows of a single-component scan) limits the walk to a band.
    @inline(__always)
    private static func forEachBlockInMCUOrder(_ scan: Scan, planes: JPEGCoefficientPlanes, mcuRows: Range<Int>? = nil,
                                               _ body: (Int, Int) -> Void) {
        if scan.components.count > 1 {
            for mcuY in mcuRows ?? 0..<planes.mcusHigh {
                for mcuX in 0..<planes.mcusWide {
                    for c in scan.components {
                        let comp = planes.components[c]
                        for v in 0..<comp.vertical {
                            let rowStart = comp.firstBlock + (mcuY * comp.vertical + v) * comp.blocksWide + mcuX * comp.horizontal
                            for h in 0..<comp.horizontal { body(c, rowStart + h) }
                        }
                    }
                }
            }
        } else {
            let c = scan.components[0]
            let comp = planes.components[c]
            for by in mcuRows ?? 0..<comp.dataBlocksHigh {
                for bx in 0..<comp.dataBlocksWide { body(c, comp.firstBlock + by * comp.blocksWide + bx) }
            }
        }
    }

    /// A progressive first-pass scan (DC only, or one component's AC band) through the generic symbol sinks.
    private static func encodeProgressiveScan(_ scan: Scan, planes: JPEGCoefficientPlanes, to out: inout [UInt8]) throws {
        var counter = JPEGSymbolCounter(tables: 4)
        runScan(scan, planes: planes, into: &counter)
        let frequencies = (0..<4).map { counter.frequencies(table: $0) }
        let tables = frequencies.map { JPEGHuffmanTable(frequencies: $0) }
        appendTablesAndHeader(scan, planes: planes, tables: tables, used: frequencies.map { $0.contains { $0 > 0 } }, to: &out)
        var writer = JPEGSymbolWriter(tables: tables, capacity: 1 << 16)
        runScan(scan, planes: planes, into: &writer)
        out += writer.writer.finish(padBit: 1)
    }

    /// Emits the symbols of one progressive first-pass scan (T.81 §G.1.2.1 DC, §G.1.2.2 AC band).
    private static func runScan<S: JPEGSymbolSink>(_ scan: Scan, planes: JPEGCoefficientPlanes, into sink: inout S) {
        var predictors = [Int](repeating: 0, count: planes.components.count)
        var eobRun = 0
        let coefs = UnsafeMutablePointer<Int16>.allocate(capacity: 64)
        defer { coefs.deallocate() }
        planes.withBlocks { store in
        JPEGTables.zigzagToNatural.withUnsafeBufferPointer { natural in
            forEachBlockInMCUOrder(scan, planes: planes) { c, block in
                store.expand(block, into: coefs, natural: natural.baseAddress!)
                if scan.start == 0 {
                    let dc = Int(coefs[0])
                    let category = JPEGScanEncoder.category(dc - predictors[c])
                    predictors[c] = dc
                    sink.emit(table: dcTable(c), symbol: category.size, extra: category.bits, extraCount: category.size)
                } else {
                    JPEGScanEncoder.encodeACRange(coefs, natural: natural.baseAddress!, start: scan.start, end: scan.end,
                                                  table: acTable(c), eobRun: &eobRun, into: &sink)
                }
            }
        }}
        if scan.start > 0 && eobRun > 0 {
            JPEGScanEncoder.flushEOBRun(&eobRun, table: acTable(scan.components[0]), into: &sink)
        }
    }

    /// ICC profile in APP2 "ICC_PROFILE" chunks of at most 65519 bytes, numbered from 1 (ICC.1 Annex B.4).
    private static func appendICCProfile(_ profile: [UInt8], to out: inout [UInt8]) throws {
        let chunkSize = 65519
        let chunks = (profile.count + chunkSize - 1) / chunkSize
        guard chunks <= 255 else {
            throw CodecError(codec: codec, kind: .encoderLimit, message: "ICC profile of \(profile.count) bytes is too large for APP2")
        }
        for i in 0..<chunks {
            let body = Array("ICC_PROFILE".utf8) + [0, UInt8(i + 1), UInt8(chunks)]
                + profile[(i * chunkSize)..<min(profile.count, (i + 1) * chunkSize)]
            appendSegment(0xE2, body, to: &out)
        }
    }

    /// A marker segment: 0xFF, marker, 2-byte length (including itself), body (T.81 §B.1.1.4).
    private static func appendSegment(_ marker: UInt8, _ body: [UInt8], to out: inout [UInt8]) {
        let length = body.count + 2
        out += [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)]
        out += body
    }
}
