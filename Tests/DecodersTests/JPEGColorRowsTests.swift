import XCTest
import Raster
@testable import Decoders

/// The JPEG decoder's fused SIMD rows (JPEGColorRows) against the colour module's scalar variants they must equal:
/// `FixedPointYCbCrToRGB.jfif` on every (Y, Cb, Cr) triple, and `ChromaUpsampling`'s fancy filters on noise.
final class JPEGColorRowsTests: XCTestCase {
    /// Every triple of the 8-bit cube through the 4:4:4 SIMD path equals the scalar conversion.
    func testFullResolutionRowsEqualTheScalarJFIFConversionOnEveryTriple() {
        let width = 256
        // Slack: the SIMD path reads up to 16 samples past the luma row and 9 past the chroma rows (with one on the
        // left for the upsampling sources).
        var luma = [UInt8](repeating: 0, count: width + 32), cb = luma, cr = luma
        var simd = [UInt8](repeating: 0, count: width * 3), scalar = simd
        var mismatches = 0
        for yValue in 0..<width { luma[yValue] = UInt8(yValue) }
        for cbValue in 0...255 {
            for crValue in 0...255 {
                for x in 0..<width { cb[x + 16] = UInt8(cbValue); cr[x + 16] = UInt8(crValue) }
                luma.withUnsafeBufferPointer { l in
                    cb.withUnsafeBufferPointer { b in
                        cr.withUnsafeBufferPointer { r in
                            simd.withUnsafeMutableBufferPointer { o in
                                JPEGColorRows.convert(luma: l.baseAddress!, cb: JPEGChromaFull(row: b.baseAddress! + 16),
                                                      cr: JPEGChromaFull(row: r.baseAddress! + 16), out: o.baseAddress!,
                                                      width: width)
                            }
                            scalar.withUnsafeMutableBufferPointer { o in
                                FixedPointYCbCrToRGB.jfif.convertRow(y: l.baseAddress!, cb: b.baseAddress! + 16,
                                                                     cr: r.baseAddress! + 16, into: o.baseAddress!,
                                                                     width: width)
                            }
                        }
                    }
                }
                if simd != scalar { mismatches += 1 }
                if cbValue == 128 && crValue == 128 {
                    // Neutral chroma: R = G = B = Y, so both paths really wrote the row.
                    XCTAssertEqual(Array(simd[(3 * 200)..<(3 * 201)]), [200, 200, 200])
                }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    /// 4:2:2 and 4:2:0 rows (upsampling fused with the conversion) equal the module's fancy filters followed by the
    /// scalar conversion, on random rows of odd and even widths.
    func testUpsampledRowsEqualTheModuleFiltersThenTheScalarConversion() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func noise(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return UInt8(truncatingIfNeeded: state >> 24)
            }
        }
        for width in [1, 2, 3, 15, 16, 17, 31, 33, 64, 101] {
            let chromaWidth = (width + 1) / 2
            let luma = noise(width + 32)
            // Chroma rows with one replicated sample on the left and room for the SIMD reads on the right.
            func chromaRow() -> [UInt8] {
                var row = [UInt8](repeating: 0, count: chromaWidth + 32)
                let samples = noise(chromaWidth)
                for x in 0..<chromaWidth { row[x + 16] = samples[x] }
                return row
            }
            let cbNear = chromaRow(), cbFar = chromaRow(), crNear = chromaRow(), crFar = chromaRow()
            for vertical in [false, true] {
                var simd = [UInt8](repeating: 0, count: width * 3), scalar = simd
                var cbUp = [UInt8](repeating: 0, count: 2 * chromaWidth), crUp = cbUp
                var rows = [cbNear, cbFar, crNear, crFar]
                for i in rows.indices {
                    rows[i].withUnsafeMutableBufferPointer { jpegChromaEdges($0.baseAddress! + 16, chromaWidth) }
                }
                rows[0].withUnsafeBufferPointer { cbn in rows[1].withUnsafeBufferPointer { cbf in
                rows[2].withUnsafeBufferPointer { crn in rows[3].withUnsafeBufferPointer { crf in
                    let cbN = cbn.baseAddress! + 16, cbF = cbf.baseAddress! + 16
                    let crN = crn.baseAddress! + 16, crF = crf.baseAddress! + 16
                    luma.withUnsafeBufferPointer { l in
                        simd.withUnsafeMutableBufferPointer { o in
                            if vertical {
                                JPEGColorRows.convert(luma: l.baseAddress!, cb: JPEGChromaH2V2(near: cbN, far: cbF),
                                                      cr: JPEGChromaH2V2(near: crN, far: crF), out: o.baseAddress!,
                                                      width: width)
                            } else {
                                JPEGColorRows.convert(luma: l.baseAddress!, cb: JPEGChromaH2V1(row: cbN),
                                                      cr: JPEGChromaH2V1(row: crN), out: o.baseAddress!, width: width)
                            }
                        }
                        cbUp.withUnsafeMutableBufferPointer { cu in crUp.withUnsafeMutableBufferPointer { cru in
                            if vertical {
                                ChromaUpsampling.fancy2D(cbN, cbF, chromaWidth, cu.baseAddress!)
                                ChromaUpsampling.fancy2D(crN, crF, chromaWidth, cru.baseAddress!)
                            } else {
                                ChromaUpsampling.fancyHorizontal(cbN, chromaWidth, cu.baseAddress!)
                                ChromaUpsampling.fancyHorizontal(crN, chromaWidth, cru.baseAddress!)
                            }
                            scalar.withUnsafeMutableBufferPointer { o in
                                FixedPointYCbCrToRGB.jfif.convertRow(y: l.baseAddress!, cb: cu.baseAddress!,
                                                                     cr: cru.baseAddress!, into: o.baseAddress!,
                                                                     width: width)
                            }
                        }}
                    }
                }}}}
                XCTAssertEqual(simd, scalar, "width \(width), \(vertical ? "4:2:0" : "4:2:2")")
            }
        }
    }
}
