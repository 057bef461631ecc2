/// Where each lossy block's quantised levels live while its superblock is searched: one region per plane of the
/// 64x64 superblock, each block at the place of its first 4x4 unit in z-order (a block of side s starting at a
/// multiple of s covers the z-order indices z ..< z + (s/4)², so blocks never share levels and a split's children
/// cover exactly their parent's levels). 16 levels per luma 4x4 unit are enough for every transform depth (64-point
/// transforms keep 32x32 coefficients); chroma takes the luma offset scaled by the subsampling, and a 4:2:0 4x4
/// block, which codes the chroma of its 8x8 (§5.11.5), the offset of that 8x8.
///
/// The search codes every candidate block in place; a block coded whole keeps a copy of its levels while its split
/// is tried (`saveBlockLevels`). When the search returns, the store holds the chosen blocks' levels, which the
/// coding pass writes (`writeSearchedBlock`).
extension AV1TileEncoder {
    /// Points `quant` and `chromaQuant` at the levels of the block at mi (r, c).
    func selectLevels(_ r: Int, _ c: Int) {
        let z = AV1TileEncoder.zOrder(r & 15, c & 15)
        let subsampled = f.subX + f.subY > 0
        quant = levelStore + z * 16
        chromaQuant = levelStore + AV1TileEncoder.chromaLevels + (((subsampled ? z & ~3 : z) * 16) >> (f.subX + f.subY))
    }

    /// Index of the 4x4 unit (row, col) of a superblock in z-order (bits of col and row interleaved).
    static func zOrder(_ row: Int, _ col: Int) -> Int {
        var z = 0
        for bit in 0..<4 { z |= ((col >> bit) & 1) << (2 * bit) | ((row >> bit) & 1) << (2 * bit + 1) }
        return z
    }

    /// Copies the levels of the block at mi (r, c) (every plane) to the save slot of its size, or back.
    func copyBlockLevels(_ r: Int, _ c: Int, _ bsize: Int, restore: Bool) {
        selectLevels(r, c)
        let side = AV1Block.side4(bsize) * 4
        let slot = noneLevels + (AV1Block.log2Side4(AV1Block.b64x64) - AV1Block.log2Side4(bsize)) * 3 * 4096
        let lumaCount = side * side
        let chromaCount = f.numPlanes > 1 ? lumaCount >> (f.subX + f.subY) : 0
        let regions = [(quant, lumaCount), (chromaQuant, chromaCount), (chromaQuant + 4096, chromaCount)]
        for (k, (levels, count)) in regions.enumerated() where count > 0 {
            if restore { levels.update(from: slot + k * 4096, count: count) }
            else { (slot + k * 4096).update(from: levels, count: count) }
        }
    }
}
