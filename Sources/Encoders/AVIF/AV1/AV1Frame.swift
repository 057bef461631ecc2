/// One 8-bit plane with a stride, padded to whole superblocks so that every coded block lies inside.
final class AV1Plane: @unchecked Sendable {
    let width: Int, height: Int, stride: Int
    let data: UnsafeMutablePointer<UInt8>
    init(width: Int, height: Int) {
        self.width = width; self.height = height; stride = width
        data = .allocate(capacity: width * height)
        data.initialize(repeating: 0, count: width * height)
    }
    deinit { data.deallocate() }
}

/// Frame-wide state shared by the tile encoders (each tile touches a disjoint region).
final class AV1FrameState: @unchecked Sendable {
    let miCols: Int, miRows: Int
    let numPlanes: Int
    let subX: Int, subY: Int
    let source: [AV1Plane]
    let recon: [AV1Plane]
    let qIndex: Int
    let dcQ: Int, acQ: Int
    /// Chroma quantizers: base_q_idx + DeltaQUDc / DeltaQUAc (§7.12.2 get_dc_quant / get_ac_quant).
    let uvDcQ: Int, uvAcQ: Int
    let lambda: Double
    /// Per-16x16 λ multipliers (all 1 for the PSNR tune and lossless frames).
    let perceptualLambda: AV1PerceptualLambda
    /// What the search tries (made from the speed preset).
    let settings: AV1SpeedSettings
    /// Search overrides that tests use to force coding tools (AV1TileEncoder).
    var forced = AV1ForcedTools()
    /// Per 4x4 (mi) unit: block size, luma mode and skip flag, as the decoder keeps them for contexts, and the
    /// luma transform size (TX_SIZE enumeration) that the loop filters need for transform edges (§7.14.2).
    let miSize: UnsafeMutablePointer<UInt8>
    let txSize: UnsafeMutablePointer<UInt8>
    let yMode: UnsafeMutablePointer<UInt8>
    /// UVModes of §5.11.5, for the chroma filterType of the intra edge filter (§7.11.2.8).
    let uvMode: UnsafeMutablePointer<UInt8>
    let skip: UnsafeMutablePointer<UInt8>
    /// enable_intra_edge_filter of the sequence header (§5.5.1): directional predictions smooth (and, for small
    /// transforms, upsample) their edges (§7.11.2.4).
    var intraEdgeFilter: Bool { settings.intraEdgeFilter }
    /// allow_screen_content_tools of the frame header (§5.9.2): blocks may code palettes (AV1ScreenContent decides).
    let allowScreenContentTools: Bool
    /// PaletteSizes[0...1] per mi (2 bytes) and PaletteColors per mi (8 luma, then 8 U colours), for the palette
    /// contexts and caches (§5.11.46); one entry only when the frame codes no palettes.
    let paletteSizes: UnsafeMutablePointer<UInt8>
    let paletteColors: UnsafeMutablePointer<UInt8>

    init(width: Int, height: Int, planes: [[UInt8]], subX: Int, subY: Int, qIndex: Int, settings: AV1SpeedSettings,
         tune: AV1Tune = .ssim, screenContent: Bool = false) {
        miCols = 2 * ((width + 7) >> 3)
        miRows = 2 * ((height + 7) >> 3)
        numPlanes = planes.count
        self.subX = subX; self.subY = subY
        let padW = ((miCols * 4 + 63) / 64) * 64, padH = ((miRows * 4 + 63) / 64) * 64
        var src: [AV1Plane] = [], rec: [AV1Plane] = []
        for p in 0..<planes.count {
            let sx = p == 0 ? 0 : subX, sy = p == 0 ? 0 : subY
            let pw = (width + sx) >> sx, ph = (height + sy) >> sy
            let plane = AV1Plane(width: padW >> sx, height: padH >> sy)
            // Copy with edge replication into the padding so that padded residuals stay small.
            planes[p].withUnsafeBufferPointer { sb in
                let copyW = min(pw, plane.width)
                for y in 0..<plane.height {
                    let row = plane.data + y * plane.stride
                    if y >= ph && y > 0 { row.update(from: row - plane.stride, count: plane.width); continue }
                    row.update(from: sb.baseAddress! + y * pw, count: copyW)
                    if copyW < plane.width { (row + copyW).update(repeating: sb[y * pw + pw - 1], count: plane.width - copyW) }
                }
            }
            src.append(plane)
            rec.append(AV1Plane(width: padW >> sx, height: padH >> sy))
        }
        source = src; recon = rec
        self.qIndex = qIndex
        dcQ = Int(dcQlookup[qIndex]); acQ = Int(acQlookup[qIndex])
        let uvIndex = min(max(qIndex + AV1Tuning.chromaDeltaQ(qIndex), 0), 255)
        uvDcQ = Int(dcQlookup[uvIndex]); uvAcQ = Int(acQlookup[uvIndex])
        let step = Double(acQ) / 8
        lambda = AV1Tuning.lambdaScale * step * step
        self.settings = settings
        perceptualLambda = tune == .ssim && qIndex > 0 ? AV1PerceptualLambda(luma: src[0], miCols: miCols, miRows: miRows)
                                                       : AV1PerceptualLambda(uniformCols: (miCols + 3) >> 2, rows: (miRows + 3) >> 2)
        let n = miCols * miRows
        miSize = .allocate(capacity: n); miSize.initialize(repeating: 0, count: n)
        yMode = .allocate(capacity: n); yMode.initialize(repeating: 0, count: n)
        uvMode = .allocate(capacity: n); uvMode.initialize(repeating: 0, count: n)
        skip = .allocate(capacity: n); skip.initialize(repeating: 0, count: n)
        txSize = .allocate(capacity: n); txSize.initialize(repeating: 0, count: n)
        allowScreenContentTools = screenContent
        let paletteMis = screenContent ? n : 1
        paletteSizes = .allocate(capacity: 2 * paletteMis); paletteSizes.initialize(repeating: 0, count: 2 * paletteMis)
        paletteColors = .allocate(capacity: 16 * paletteMis); paletteColors.initialize(repeating: 0, count: 16 * paletteMis)
    }

    deinit {
        miSize.deallocate(); yMode.deallocate(); uvMode.deallocate(); skip.deallocate(); txSize.deallocate()
        paletteSizes.deallocate(); paletteColors.deallocate()
    }
}
