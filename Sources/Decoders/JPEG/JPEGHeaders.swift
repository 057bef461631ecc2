import Raster

/// Step 2 of T.81 decoding: frame header (B.2.2), scan header (B.2.3), quantization tables (B.2.4.1) and the restart
/// interval (B.2.4.4).

/// T.81 Figure A.6: zig-zag index → natural (row-major) position. 16 extra entries map to 63 so that a corrupt run
/// length can never index outside a block.
let jpegNaturalOrder: [Int] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
    12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
    35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
    58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
]

struct JPEGFrameComponent {
    var id: Int
    var h: Int
    var v: Int
    var quantTable: Int
}

struct JPEGFrame {
    var marker: UInt8
    var width: Int
    var height: Int
    var components: [JPEGFrameComponent]
    var progressive: Bool { marker == 0xC2 }
    var maxH: Int { components.map(\.h).max() ?? 1 }
    var maxV: Int { components.map(\.v).max() ?? 1 }

    /// Parses SOFn (B.2.2). Refuses what we do not decode with `.unsupported` and impossible values with `.malformed`.
    static func parse(marker: UInt8, _ p: ArraySlice<UInt8>, offset: Int) throws -> JPEGFrame {
        if let reason = JPEGMarker.unsupportedFrameReason(marker) { throw jpegError(.unsupported, offset, reason) }
        guard p.count >= 6 else { throw jpegError(.malformed, offset, "frame header too short") }
        let b = Array(p)
        let precision = Int(b[0])
        guard precision == 8 else {
            throw jpegError(.unsupported, offset, "\(precision)-bit JPEG is not supported (only 8-bit samples)")
        }
        let height = Int(b[1]) << 8 | Int(b[2])
        let width = Int(b[3]) << 8 | Int(b[4])
        let n = Int(b[5])
        guard height != 0 else {
            throw jpegError(.unsupported, offset, "height defined by a DNL marker is not supported")
        }
        guard width != 0 else { throw jpegError(.malformed, offset, "frame width is zero") }
        guard n == 1 || n == 3 || n == 4 else {
            throw jpegError(.unsupported, offset, "\(n) components are not supported (only 1, 3 or 4)")
        }
        guard b.count >= 6 + 3 * n else { throw jpegError(.malformed, offset, "frame header too short for \(n) components") }
        var comps: [JPEGFrameComponent] = []
        for i in 0..<n {
            let id = Int(b[6 + 3 * i]), hv = Int(b[7 + 3 * i]), tq = Int(b[8 + 3 * i])
            let h = hv >> 4, v = hv & 15
            guard (1...4).contains(h), (1...4).contains(v) else {
                throw jpegError(.malformed, offset, "component \(id) has invalid sampling factors \(h)x\(v)")
            }
            guard tq <= 3 else { throw jpegError(.malformed, offset, "component \(id) uses quantization table \(tq)") }
            guard !comps.contains(where: { $0.id == id }) else {
                throw jpegError(.malformed, offset, "duplicate component id \(id)")
            }
            comps.append(JPEGFrameComponent(id: id, h: h, v: v, quantTable: tq))
        }
        var frame = JPEGFrame(marker: marker, width: width, height: height, components: comps)
        // A single-component frame is always decoded non-interleaved with 1x1 MCUs (T.81 A.2.2).
        if n == 1 { frame.components[0].h = 1; frame.components[0].v = 1 }
        for c in frame.components where frame.maxH % c.h != 0 || frame.maxV % c.v != 0 {
            throw jpegError(.unsupported, offset,
                            "fractional sampling ratio \(c.h)x\(c.v) against \(frame.maxH)x\(frame.maxV) is not supported")
        }
        return frame
    }

    /// The chroma subsampling label for `imagestack info` ("4:2:0", ...); nil for gray.
    var subsamplingLabel: String? {
        guard components.count > 1 else { return nil }
        let y = components[0]
        let rest = components.dropFirst()
        if rest.allSatisfy({ $0.h == rest.first!.h && $0.v == rest.first!.v }),
           let c = rest.first, y.h % c.h == 0, y.v % c.v == 0 {
            switch (y.h / c.h, y.v / c.v) {
            case (1, 1): return "4:4:4"
            case (2, 1): return "4:2:2"
            case (2, 2): return "4:2:0"
            case (1, 2): return "4:4:0"
            case (4, 1): return "4:1:1"
            default: break
            }
        }
        return "custom " + components.map { "\($0.h)x\($0.v)" }.joined(separator: ",")
    }
}

struct JPEGScanComponent {
    var componentIndex: Int
    var dcTable: Int
    var acTable: Int
}

struct JPEGScan {
    var components: [JPEGScanComponent]
    var ss: Int
    var se: Int
    var ah: Int
    var al: Int

    /// Parses SOS (B.2.3) and checks the parameters against the frame (G.1.1.1.1 for progressive limits).
    static func parse(_ p: ArraySlice<UInt8>, frame: JPEGFrame, offset: Int) throws -> JPEGScan {
        let b = Array(p)
        guard b.count >= 1 else { throw jpegError(.malformed, offset, "scan header too short") }
        let n = Int(b[0])
        guard n >= 1, n <= 4, b.count >= 1 + 2 * n + 3 else {
            throw jpegError(.malformed, offset, "scan header with \(n) components is invalid")
        }
        var comps: [JPEGScanComponent] = []
        for i in 0..<n {
            let id = Int(b[1 + 2 * i]), t = Int(b[2 + 2 * i])
            guard let index = frame.components.firstIndex(where: { $0.id == id }) else {
                throw jpegError(.malformed, offset, "scan refers to unknown component \(id)")
            }
            guard !comps.contains(where: { $0.componentIndex == index }) else {
                throw jpegError(.malformed, offset, "scan lists component \(id) twice")
            }
            guard t >> 4 <= 3, t & 15 <= 3 else { throw jpegError(.malformed, offset, "invalid Huffman table selector") }
            comps.append(JPEGScanComponent(componentIndex: index, dcTable: t >> 4, acTable: t & 15))
        }
        let ss = Int(b[1 + 2 * n]), se = Int(b[2 + 2 * n]), a = Int(b[3 + 2 * n])
        let scan = JPEGScan(components: comps, ss: ss, se: se, ah: a >> 4, al: a & 15)
        if frame.progressive {
            let ok = ss <= se && se <= 63 && (ss == 0 ? se == 0 : n == 1) && scan.ah <= 13 && scan.al <= 13
            guard ok else {
                throw jpegError(.malformed, offset, "invalid progressive scan parameters Ss=\(ss) Se=\(se) Ah=\(scan.ah) Al=\(scan.al)")
            }
        }
        // Blocks per MCU may not exceed 10 (T.81 B.2.3).
        let blocks = comps.reduce(0) { $0 + frame.components[$1.componentIndex].h * frame.components[$1.componentIndex].v }
        guard n == 1 || blocks <= 10 else { throw jpegError(.malformed, offset, "more than 10 blocks per MCU") }
        return scan
    }
}

/// Parses DQT (B.2.4.1) into `tables` (natural order). Returns nothing; throws on malformed segments.
func jpegParseQuantTables(_ p: ArraySlice<UInt8>, into tables: inout [[UInt16]?], offset: Int) throws {
    var i = p.startIndex
    while i < p.endIndex {
        let pq = Int(p[i] >> 4), tq = Int(p[i] & 15)
        i += 1
        guard pq <= 1, tq <= 3 else { throw jpegError(.malformed, offset, "invalid quantization table Pq=\(pq) Tq=\(tq)") }
        let size = pq == 0 ? 64 : 128
        guard p.endIndex - i >= size else { throw jpegError(.malformed, offset, "quantization table truncated") }
        var table = [UInt16](repeating: 0, count: 64)
        for k in 0..<64 {
            let v = pq == 0 ? UInt16(p[i + k]) : UInt16(p[i + 2 * k]) << 8 | UInt16(p[i + 2 * k + 1])
            table[jpegNaturalOrder[k]] = v
        }
        i += size
        tables[tq] = table
    }
}
