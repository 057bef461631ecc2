import Glibc

/// How the encoder weighs rate against distortion across the picture.
enum AV1Tune: Sendable, Equatable {
    /// One λ for the whole frame: minimises squared error (PSNR).
    case psnr
    /// λ scaled per 16x16 luma area by its activity (`AV1PerceptualLambda`): flat areas, where the eye sees coding
    /// errors, get a smaller λ and so more bits; textured areas, which mask errors, a larger one.
    case ssim
}

/// Per-16x16 λ multipliers for the SSIM tune, from the source luma.
///
/// For each 16x16 area: the mean over its 8x8 blocks of their per-sample variance v, mapped to an activity weight
/// s = 67.035 · (1 − e^(−0.0021489 · v)) + 17.492 (an exponential fit of how SSIM-optimal rate allocation follows
/// variance; libaom's tune=SSIM uses this curve, av1/encoder/encoder_utils.c), normalised by the frame's geometric
/// mean so that the frame's average λ is unchanged. A block's multiplier is the geometric mean of the weights of the
/// 16x16 areas it covers (the enclosing one for smaller blocks). Flat areas get down to about 1/4.8 of the
/// textured areas' λ; the quantiser is unchanged.
struct AV1PerceptualLambda: Sendable {
    /// 16x16 areas per row and per column of the mi grid.
    let cols: Int, rows: Int
    /// ln of the normalised weight of each area.
    let logWeight: [Float]

    /// Every weight 1 (the PSNR tune).
    init(uniformCols cols: Int, rows: Int) {
        self.cols = cols; self.rows = rows
        logWeight = [Float](repeating: 0, count: cols * rows)
    }

    init(luma: AV1Plane, miCols: Int, miRows: Int) {
        cols = (miCols + 3) >> 2; rows = (miRows + 3) >> 2
        var logs = [Float](repeating: 0, count: cols * rows)
        var logSum = 0.0
        for r in 0..<rows {
            for c in 0..<cols {
                var sum = 0.0, count = 0.0
                var y8 = r * 4
                while y8 < min(miRows, r * 4 + 4) {
                    var x8 = c * 4
                    while x8 < min(miCols, c * 4 + 4) {
                        sum += AV1PerceptualLambda.perSampleVariance8x8(luma.data + y8 * 4 * luma.stride + x8 * 4, luma.stride)
                        count += 1
                        x8 += 2
                    }
                    y8 += 2
                }
                let v = sum / count
                let weight = 67.035434 * (1 - exp(-0.0021489 * v)) + 17.492222
                let l = log(weight)
                logs[r * cols + c] = Float(l)
                logSum += l
            }
        }
        let mean = Float(logSum / Double(cols * rows))
        for i in logs.indices { logs[i] -= mean }
        logWeight = logs
    }

    /// Variance per sample of an 8x8 block: Σx²/64 − (Σx/64)².
    static func perSampleVariance8x8(_ p: UnsafePointer<UInt8>, _ stride: Int) -> Double {
        var sum = 0, sq = 0
        for y in 0..<8 {
            let row = p + y * stride
            for x in 0..<8 { let v = Int(row[x]); sum += v; sq += v * v }
        }
        return (Double(sq) - Double(sum * sum) / 64) / 64
    }

    /// The λ multiplier of the block at mi (r, c) with side `side4` 4x4 units.
    func multiplier(r: Int, c: Int, side4: Int) -> Double {
        let r0 = r >> 2, c0 = c >> 2
        let n = max(1, side4 >> 2)
        var sum: Float = 0, count = 0
        for y in r0..<min(rows, r0 + n) {
            for x in c0..<min(cols, c0 + n) { sum += logWeight[y * cols + x]; count += 1 }
        }
        return count == 0 ? 1 : Double(exp(sum / Float(count)))
    }
}
