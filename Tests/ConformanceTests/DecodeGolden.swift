import Raster
import Formats
import Decoders
import TestSupport

/// `INPUT decode [scale=1/N]`: our decoder's pixels must equal the reference decoder's (`pixels=`, `size=`), or
/// our decoder must refuse the file with the recorded `CodecError` kind (`refused=`).
enum DecodeGolden {
    static func run(_ golden: GoldenCase) -> GoldenCheck {
        var check = GoldenCheck(golden)
        guard let bytes = GoldenInput.read(golden, &check) else { return check }
        let scales = [nil: 1, "1/2": 2, "1/4": 4, "1/8": 8] as [String?: Int]
        guard let scale = scales[golden.setting("scale")] else {
            check.fail("scale", "unknown scale \(golden.setting("scale") ?? "")"); return check
        }
        if let refused = golden.results["refused"] {
            do {
                let raster = try ImageDecoder.decode(bytes, jpegScaleDenominator: scale)
                check.fail("refused", "decoded to \(raster.width)x\(raster.height) (golden: refused, \(refused))")
            } catch let error as CodecError {
                if error.kind.rawValue != refused { check.fail("refused", "\(error) (golden: \(refused))") }
            } catch {
                check.fail("refused", "\(error) (golden: CodecError \(refused))")
            }
            return check
        }
        do {
            let pixels = CanonicalPixels(try ImageDecoder.decode(bytes, jpegScaleDenominator: scale))
            check.expectValue("size", pixels.size)
            check.expectPixels("pixels", pixels)
        } catch {
            check.fail("pixels", "our decoder refused it: \(error)")
        }
        return check
    }
}

/// Reading a case's corpus input and checking it is the file the golden was made from.
enum GoldenInput {
    static func read(_ golden: GoldenCase, _ check: inout GoldenCheck) -> [UInt8]? {
        do {
            let bytes = try FileIO.read(TestCorpus.path(golden.input))
            check.expectInput(bytes)
            return bytes
        } catch {
            check.fail("in", "cannot read Conformance/corpus/\(golden.input): \(error)")
            return nil
        }
    }
}
