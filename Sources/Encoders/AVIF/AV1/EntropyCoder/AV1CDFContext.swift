/// All adaptive CDFs one tile uses, in one contiguous buffer (initialised from the default tables of AV1 spec §9.4
/// by init_non_coeff_cdfs / init_coeff_cdfs, §6.8.2). Each field is the offset of a table; index arithmetic follows
/// the table's dimensions.
final class AV1CDFContext {
    let p: UnsafeMutablePointer<UInt16>
    let count: Int

    // Offsets.
    let yMode, uvCfl, uvNoCfl, angleDelta, partW8, partW16, partW32, partW64, skip, txSet2, cflSign, cflAlpha: Int
    let tx8x8, tx16x16, tx32x32, tx64x64: Int
    let txbSkip, eobPt16, eobPt32, eobPt64, eobPt128, eobPt256, eobPt512, eobPt1024, eobExtra, dcSign: Int
    let coeffBaseEob, coeffBase, coeffBr: Int
    /// Palette (§5.11.46, §5.11.49): has_palette_y / has_palette_uv, the sizes, and the colour index CDFs per
    /// palette size (index 2...8; 5 colour contexts of size + 1 values each).
    let paletteYMode, paletteUvMode, paletteYSize, paletteUvSize: Int
    let paletteYColor: [Int], paletteUvColor: [Int]

    /// `qctx` selects the coefficient CDF set from base_q_idx (§6.8.2 init_coeff_cdfs).
    /// transform_type is coded only when the qindex is above 0 (§5.11.47).
    let codesTransformType: Bool

    init(baseQIndex: Int) {
        codesTransformType = baseQIndex > 0
        let q = baseQIndex <= 20 ? 0 : baseQIndex <= 60 ? 1 : baseQIndex <= 120 ? 2 : 3
        var all: [UInt16] = []
        func add(_ t: [UInt16], slice: Int? = nil) -> Int {
            let o = all.count
            if let slice {
                let per = t.count / 4
                all.append(contentsOf: t[(slice * per)..<((slice + 1) * per)])
            } else { all.append(contentsOf: t) }
            return o
        }
        yMode = add(defaultIntraFrameYModeCdf)
        uvCfl = add(defaultUvModeCflAllowedCdf)
        uvNoCfl = add(defaultUvModeCflNotAllowedCdf)
        angleDelta = add(defaultAngleDeltaCdf)
        partW8 = add(defaultPartitionW8Cdf)
        partW16 = add(defaultPartitionW16Cdf)
        partW32 = add(defaultPartitionW32Cdf)
        partW64 = add(defaultPartitionW64Cdf)
        skip = add(defaultSkipCdf)
        txSet2 = add(defaultIntraTxTypeSet2Cdf)
        cflSign = add(defaultCflSignCdf)
        cflAlpha = add(defaultCflAlphaCdf)
        tx8x8 = add(defaultTx8x8Cdf)
        tx16x16 = add(defaultTx16x16Cdf)
        tx32x32 = add(defaultTx32x32Cdf)
        tx64x64 = add(defaultTx64x64Cdf)
        paletteYMode = add(defaultPaletteYModeCdf)
        paletteUvMode = add(defaultPaletteUvModeCdf)
        paletteYSize = add(defaultPaletteYSizeCdf)
        paletteUvSize = add(defaultPaletteUvSizeCdf)
        let yColor = [defaultPaletteSize2YColorCdf, defaultPaletteSize3YColorCdf, defaultPaletteSize4YColorCdf,
                      defaultPaletteSize5YColorCdf, defaultPaletteSize6YColorCdf, defaultPaletteSize7YColorCdf,
                      defaultPaletteSize8YColorCdf]
        let uvColor = [defaultPaletteSize2UvColorCdf, defaultPaletteSize3UvColorCdf, defaultPaletteSize4UvColorCdf,
                       defaultPaletteSize5UvColorCdf, defaultPaletteSize6UvColorCdf, defaultPaletteSize7UvColorCdf,
                       defaultPaletteSize8UvColorCdf]
        paletteYColor = [0, 0] + yColor.map { add($0) }
        paletteUvColor = [0, 0] + uvColor.map { add($0) }
        txbSkip = add(defaultTxbSkipCdf, slice: q)
        eobPt16 = add(defaultEobPt16Cdf, slice: q)
        eobPt32 = add(defaultEobPt32Cdf, slice: q)
        eobPt64 = add(defaultEobPt64Cdf, slice: q)
        eobPt128 = add(defaultEobPt128Cdf, slice: q)
        eobPt256 = add(defaultEobPt256Cdf, slice: q)
        eobPt512 = add(defaultEobPt512Cdf, slice: q)
        eobPt1024 = add(defaultEobPt1024Cdf, slice: q)
        eobExtra = add(defaultEobExtraCdf, slice: q)
        dcSign = add(defaultDcSignCdf, slice: q)
        coeffBaseEob = add(defaultCoeffBaseEobCdf, slice: q)
        coeffBase = add(defaultCoeffBaseCdf, slice: q)
        coeffBr = add(defaultCoeffBrCdf, slice: q)
        count = all.count
        p = .allocate(capacity: count)
        p.initialize(from: all, count: count)
    }

    deinit { p.deallocate() }

    @inline(__always) func at(_ offset: Int) -> UnsafeMutablePointer<UInt16> { p + offset }
}
