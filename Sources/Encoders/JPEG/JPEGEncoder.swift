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
        let planes = JPEGPlanes(raster, subsampling: options.subsampling)
        let dct = JPEGForwardDCT()
        let coefficients = try planes.components.map { c in
            try Job.checkpoint()
            return dct.quantizedBlocks(samples: c.samples, blocksWide: c.blocksWide, blocksHigh: c.blocksHigh,
                                quantTable: quantTables[c.quantTable])
        }

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
            try encodeScan(scan, planes: planes, coefficients: coefficients, progressive: options.progressive, to: &out)
        }
        out += [0xFF, 0xD9]
        return out
    }

    /// Sink table numbering: DC tables 0 (luma) and 1 (chroma), AC tables 2 (luma) and 3 (chroma).
    private static func dcTable(_ component: Int) -> Int { component == 0 ? 0 : 1 }
    private static func acTable(_ component: Int) -> Int { component == 0 ? 2 : 3 }

    private static func encodeScan(_ scan: Scan, planes: JPEGPlanes, coefficients: [[Int16]], progressive: Bool,
                                   to out: inout [UInt8]) throws {
        var counter = JPEGSymbolCounter(tables: 4)
        runScan(scan, planes: planes, coefficients: coefficients, into: &counter)
        var tables: [JPEGHuffmanTable] = []
        var dht: [UInt8] = []
        for t in 0..<4 {
            let frequencies = counter.frequencies(table: t)
            let table = JPEGHuffmanTable(frequencies: frequencies)
            tables.append(table)
            if frequencies.contains(where: { $0 > 0 }) {
                dht += table.segmentBody(tableClass: t / 2, slot: t % 2)
            }
        }
        appendSegment(0xC4, dht, to: &out)
        var sos: [UInt8] = [UInt8(scan.components.count)]
        for c in scan.components {
            sos += [planes.components[c].id, UInt8(dcTable(c) << 4 | (acTable(c) - 2))]
        }
        sos += [UInt8(scan.start), UInt8(scan.end), 0]
        appendSegment(0xDA, sos, to: &out)
        var writer = JPEGSymbolWriter(tables: tables, capacity: 1 << 16)
        runScan(scan, planes: planes, coefficients: coefficients, into: &writer)
        out += writer.writer.finish(padBit: 1)
    }

    /// Emits the symbols of one scan: interleaved scans walk MCUs (T.81 §A.2.3), single-component scans walk the
    /// component's data blocks row by row (T.81 §A.2.2).
    private static func runScan<S: JPEGSymbolSink>(_ scan: Scan, planes: JPEGPlanes, coefficients: [[Int16]],
                                                   into sink: inout S) {
        var predictors = [Int](repeating: 0, count: planes.components.count)
        var eobRun = 0
        func block(_ c: Int, _ index: Int, _ coefs: UnsafeBufferPointer<Int16>) {
            let offset = index * 64
            if scan.start == 0 && scan.end == 63 {
                JPEGScanEncoder.encodeSequentialBlock(coefs, offset: offset, predictor: &predictors[c],
                                                      dcTable: dcTable(c), acTable: acTable(c), into: &sink)
            } else if scan.start == 0 {
                let dc = Int(coefs[offset])
                let category = JPEGScanEncoder.category(dc - predictors[c])
                predictors[c] = dc
                sink.emit(table: dcTable(c), symbol: category.size, extra: category.bits, extraCount: category.size)
            } else {
                withUnsafeMutablePointer(to: &eobRun) { run in
                    JPEGScanEncoder.encodeACRange(coefs, offset: offset, start: scan.start, end: scan.end,
                                                  table: acTable(c), eobRun: run, into: &sink)
                }
            }
        }
        if scan.components.count > 1 {
            let buffers = coefficients
            for mcuY in 0..<planes.mcusHigh {
                for mcuX in 0..<planes.mcusWide {
                    for c in scan.components {
                        let comp = planes.components[c]
                        buffers[c].withUnsafeBufferPointer { coefs in
                            for v in 0..<comp.vertical {
                                for h in 0..<comp.horizontal {
                                    block(c, (mcuY * comp.vertical + v) * comp.blocksWide + mcuX * comp.horizontal + h, coefs)
                                }
                            }
                        }
                    }
                }
            }
        } else {
            let c = scan.components[0]
            let comp = planes.components[c]
            coefficients[c].withUnsafeBufferPointer { coefs in
                for by in 0..<comp.dataBlocksHigh {
                    for bx in 0..<comp.dataBlocksWide { block(c, by * comp.blocksWide + bx, coefs) }
                }
            }
            if eobRun > 0 {
                withUnsafeMutablePointer(to: &eobRun) { run in
                    JPEGScanEncoder.flushEOBRun(run, table: acTable(c), into: &sink)
                }
            }
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
