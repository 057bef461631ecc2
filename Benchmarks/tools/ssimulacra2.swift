// SSIMULACRA2 and RGB PSNR of a distorted image against its original, for the encoder benchmarks.
// usage: ssimulacra2 ORIGINAL.pnm DISTORTED.pnm   → prints "ssimulacra2 psnr"
//
// The same computation as the PyPI `ssimulacra2` package (0.3.0) that the benchmarks used before, re-written so a
// 15-megapixel image scores in seconds instead of minutes and in tens of megabytes instead of gigabytes: sRGB →
// linear → XYB, six scales (2x2 box downsampling in linear light), Gaussian blur σ 1.5 truncated at radius 5, the
// SSIM map and the two edge-difference maps per channel, mean and 4-norm of each, the package's 108 weights and
// its final polynomial. The package computes on transposed planes and pads them with zeros along its first axis
// before blurring: so here the blur sees zeros beyond the left and right edges and a mirror (edge sample repeated)
// above and below. `check-ssimulacra2.sh` beside this file compares the two on corpus images.
// Inputs: binary PPM (P6) or PGM (P5, replicated to RGB), 8-bit.
import Glibc

struct Image8 { var width: Int, height: Int, rgb: [UInt8] }

func fail(_ message: String) -> Never {
    fputs("ssimulacra2: \(message)\n", stderr)
    exit(2)
}

func readPNM(_ path: String) -> Image8 {
    guard let f = fopen(path, "rb") else { fail("cannot open \(path)") }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    var pos = 0
    func token() -> String {
        while pos < bytes.count {
            if bytes[pos] == UInt8(ascii: "#") { while pos < bytes.count && bytes[pos] != 10 { pos += 1 } }
            else if bytes[pos] == 32 || bytes[pos] == 9 || bytes[pos] == 10 || bytes[pos] == 13 { pos += 1 }
            else { break }
        }
        var s = ""
        while pos < bytes.count && !(bytes[pos] == 32 || bytes[pos] == 9 || bytes[pos] == 10 || bytes[pos] == 13) {
            s.append(Character(UnicodeScalar(bytes[pos]))); pos += 1
        }
        return s
    }
    let magic = token()
    guard magic == "P6" || magic == "P5", let w = Int(token()), let h = Int(token()), let maxval = Int(token()),
          maxval == 255, w > 0, h > 0 else { fail("\(path): not an 8-bit binary PPM/PGM") }
    pos += 1
    let channels = magic == "P6" ? 3 : 1
    guard bytes.count - pos >= w * h * channels else { fail("\(path): truncated") }
    var rgb = [UInt8](repeating: 0, count: w * h * 3)
    if channels == 3 { rgb = Array(bytes[pos..<(pos + w * h * 3)]) } else {
        for i in 0..<(w * h) { let g = bytes[pos + i]; rgb[3 * i] = g; rgb[3 * i + 1] = g; rgb[3 * i + 2] = g }
    }
    return Image8(width: w, height: h, rgb: rgb)
}

/// Linear-light RGB, one plane per channel.
struct LinearImage { var width: Int, height: Int, planes: [[Float]] }

func toLinear(_ image: Image8) -> LinearImage {
    var table = [Float](repeating: 0, count: 256)
    for i in 0..<256 {
        let v = Double(i) / 255.0
        table[i] = Float(v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4))
    }
    let n = image.width * image.height
    var planes = [[Float]](repeating: [Float](repeating: 0, count: n), count: 3)
    for c in 0..<3 { for i in 0..<n { planes[c][i] = table[Int(image.rgb[3 * i + c])] } }
    return LinearImage(width: image.width, height: image.height, planes: planes)
}

/// 2x2 box average; odd edges average the samples that exist.
func downsample(_ image: LinearImage) -> LinearImage {
    let w = image.width, h = image.height, ow = (w + 1) / 2, oh = (h + 1) / 2
    var planes = [[Float]](repeating: [Float](repeating: 0, count: ow * oh), count: 3)
    for c in 0..<3 {
        image.planes[c].withUnsafeBufferPointer { src in
            planes[c].withUnsafeMutableBufferPointer { dst in
                for oy in 0..<oh {
                    let y0 = 2 * oy, y1 = min(2 * oy + 1, h - 1), rows = y1 > y0 ? 2.0 : 1.0
                    for ox in 0..<ow {
                        let x0 = 2 * ox, x1 = min(2 * ox + 1, w - 1), cols = x1 > x0 ? 2.0 : 1.0
                        var s = Double(src[y0 * w + x0])
                        if x1 > x0 { s += Double(src[y0 * w + x1]) }
                        if y1 > y0 { s += Double(src[y1 * w + x0]); if x1 > x0 { s += Double(src[y1 * w + x1]) } }
                        dst[oy * ow + ox] = Float(s / (rows * cols))
                    }
                }
            }
        }
    }
    return LinearImage(width: ow, height: oh, planes: planes)
}

// Opsin absorbance matrix and bias (the package's constants).
let m: [Double] = [0.30, 1.0 - 0.078 - 0.30, 0.078,
                   0.23, 1.0 - 0.078 - 0.23, 0.078,
                   0.24342268924547819, 0.20476744424496821, 1.0 - 0.24342268924547819 - 0.20476744424496821]
let bias = 0.0037930732552754493
let cbrtBias = cbrt(bias)

/// One row of positive XYB (3 planes of `width`) from a row of linear RGB.
func xybRow(_ image: LinearImage, _ y: Int, into out: UnsafeMutablePointer<Double>) {
    let w = image.width
    image.planes[0].withUnsafeBufferPointer { r in image.planes[1].withUnsafeBufferPointer { g in
    image.planes[2].withUnsafeBufferPointer { b in
        for x in 0..<w {
            let rr = Double(r[y * w + x]), gg = Double(g[y * w + x]), bb = Double(b[y * w + x])
            let m0 = cbrt(max(m[0] * rr + m[1] * gg + m[2] * bb + bias, 0)) - cbrtBias
            let m1 = cbrt(max(m[3] * rr + m[4] * gg + m[5] * bb + bias, 0)) - cbrtBias
            let m2 = cbrt(max(m[6] * rr + m[7] * gg + m[8] * bb + bias, 0)) - cbrtBias
            let xx = 0.5 * (m0 - m1), yy = 0.5 * (m0 + m1)
            out[x] = xx * 14.0 + 0.42
            out[w + x] = yy + 0.01
            out[2 * w + x] = (m2 - yy) + 0.55
        }
    } } }
}

let radius = 5
let kernel: [Double] = {
    let sigma = 1.5
    var k = (-radius...radius).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
    let s = k.reduce(0, +)
    for i in k.indices { k[i] /= s }
    return k
}()

/// Per channel: SSIM mean/4-norm, artifact mean/4-norm, detail-lost mean/4-norm.
struct ScaleStats { var ssim = [Double](repeating: 0, count: 6), edge = [Double](repeating: 0, count: 12) }

/// The five blurred maps of one scale, streamed: horizontal blurs of each input row go into a ring of rows, the
/// vertical blur of an output row reads the 11 rows around it (mirrored at the top and bottom).
func scaleStats(_ a: LinearImage, _ b: LinearImage) -> ScaleStats {
    let w = a.width, h = a.height
    let ringRows = 16
    // Per ring row: [img1 XYB 3w][img2 XYB 3w][5 maps x 3 channels x w horizontally blurred].
    let rowSize = 6 * w + 15 * w
    let ring = UnsafeMutablePointer<Double>.allocate(capacity: ringRows * rowSize)
    defer { ring.deallocate() }
    let products = UnsafeMutablePointer<Double>.allocate(capacity: 5 * w)
    defer { products.deallocate() }
    let vert = UnsafeMutablePointer<Double>.allocate(capacity: 15 * w)
    defer { vert.deallocate() }
    var sums = [Double](repeating: 0, count: 18 * 2)  // per channel: d, d^4, art, art^4, det, det^4 (index c*6+k)
    let kern = kernel
    func reflect(_ r: Int) -> Int { r < 0 ? -r - 1 : (r >= h ? 2 * h - r - 1 : r) }

    func loadRow(_ y: Int) {
        let row = ring + (y % ringRows) * rowSize
        xybRow(a, y, into: row)
        xybRow(b, y, into: row + 3 * w)
        let blurred = row + 6 * w
        for c in 0..<3 {
            let p1 = row + c * w, p2 = row + 3 * w + c * w
            for x in 0..<w {
                let u = p1[x], v = p2[x]
                products[x] = u; products[w + x] = v
                products[2 * w + x] = u * u; products[3 * w + x] = v * v; products[4 * w + x] = u * v
            }
            for map in 0..<5 {
                let src = products + map * w, dst = blurred + (map * 3 + c) * w
                for x in 0..<w {
                    var s = 0.0
                    let lo = max(-radius, -x), hi = min(radius, w - 1 - x)
                    var k = lo
                    while k <= hi { s += kern[k + radius] * src[x + k]; k += 1 }
                    dst[x] = s
                }
            }
        }
    }

    var loaded = 0
    for y in 0..<h {
        while loaded <= min(h - 1, y + radius) { loadRow(loaded); loaded += 1 }
        for i in 0..<(15 * w) { vert[i] = 0 }
        for k in -radius...radius {
            let src = ring + (reflect(y + k) % ringRows) * rowSize + 6 * w
            let weight = kern[k + radius]
            for i in 0..<(15 * w) { vert[i] += weight * src[i] }
        }
        let row = ring + (y % ringRows) * rowSize
        for c in 0..<3 {
            let mu1 = vert + (0 * 3 + c) * w, mu2 = vert + (1 * 3 + c) * w
            let s11 = vert + (2 * 3 + c) * w, s22 = vert + (3 * 3 + c) * w, s12 = vert + (4 * 3 + c) * w
            let i1 = row + c * w, i2 = row + 3 * w + c * w
            var sd = 0.0, sd4 = 0.0, sa = 0.0, sa4 = 0.0, sl = 0.0, sl4 = 0.0
            for x in 0..<w {
                let m1 = mu1[x], m2 = mu2[x]
                let m11 = m1 * m1, m22 = m2 * m2, m12 = m1 * m2
                let numM = 1.0 - (m1 - m2) * (m1 - m2)
                let numS = 2.0 * (s12[x] - m12) + 0.0009
                let denS = (s11[x] - m11) + (s22[x] - m22) + 0.0009
                let d = max(1.0 - numM * numS / denS, 0.0)
                sd += d; let d2 = d * d; sd4 += d2 * d2
                let ratio = (1.0 + abs(i2[x] - m2)) / (1.0 + abs(i1[x] - m1)) - 1.0
                if ratio > 0 { sa += ratio; let r2 = ratio * ratio; sa4 += r2 * r2 }
                else { let l = -ratio; sl += l; let l2 = l * l; sl4 += l2 * l2 }
            }
            sums[c * 6] += sd; sums[c * 6 + 1] += sd4; sums[c * 6 + 2] += sa
            sums[c * 6 + 3] += sa4; sums[c * 6 + 4] += sl; sums[c * 6 + 5] += sl4
        }
    }
    let n = Double(w * h)
    var stats = ScaleStats()
    for c in 0..<3 {
        stats.ssim[c * 2] = sums[c * 6] / n
        stats.ssim[c * 2 + 1] = pow(sums[c * 6 + 1] / n, 0.25)
        stats.edge[c * 4] = sums[c * 6 + 2] / n
        stats.edge[c * 4 + 1] = pow(sums[c * 6 + 3] / n, 0.25)
        stats.edge[c * 4 + 2] = sums[c * 6 + 4] / n
        stats.edge[c * 4 + 3] = pow(sums[c * 6 + 5] / n, 0.25)
    }
    return stats
}

let weights: [Double] = [
    0.0, 0.0007376606707406586, 0.0, 0.0, 0.0007793481682867309, 0.0, 0.0, 0.0004371155730107379, 0.0,
    1.1041726426657346, 0.00066284834129271, 0.00015231632783718752, 0.0, 0.0016406437456599754, 0.0,
    1.8422455520539298, 11.441172603757666, 0.0, 0.0007989109436015163, 0.000176816438078653, 0.0,
    1.8787594979546387, 10.94906990605142, 0.0, 0.0007289346991508072, 0.9677937080626833, 0.0,
    0.00014003424285435884, 0.9981766977854967, 0.00031949755934435053, 0.0004550992113792063, 0.0, 0.0,
    0.0013648766163243398, 0.0, 0.0, 0.0, 0.0, 0.0, 7.466890328078848, 0.0, 17.445833984131262,
    0.0006235601634041466, 0.0, 0.0, 6.683678146179332, 0.00037724407979611296, 1.027889937768264,
    225.20515300849274, 0.0, 0.0, 19.213238186143016, 0.0011401524586618361, 0.001237755635509985,
    176.39317598450694, 0.0, 0.0, 24.43300999870476, 0.28520802612117757, 0.0004485436923833408, 0.0, 0.0, 0.0,
    34.77906344483772, 44.835625328877896, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0008680556573291698, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0005313191874358747, 0.0, 0.00016533814161379112, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0004179171803251336, 0.0017290828234722833, 0.0, 0.0020827005846636437, 0.0, 0.0, 8.826982764996862,
    23.19243343998926, 0.0, 95.1080498811086, 0.9863978034400682, 0.9834382792465353, 0.0012286405048278493,
    171.2667255897307, 0.9807858872435379, 0.0, 0.0, 0.0, 0.0005130064588990679, 0.0, 0.00010854057858411537,
]

func ssimulacra2(_ original: Image8, _ distorted: Image8) -> Double {
    var a = toLinear(original), b = toLinear(distorted)
    var scales: [ScaleStats] = []
    for scale in 0..<6 {
        if a.width < 8 || a.height < 8 { break }
        scales.append(scaleStats(a, b))
        if scale < 5 { a = downsample(a); b = downsample(b) }
    }
    var total = 0.0
    var i = 0
    for c in 0..<3 {
        for s in scales {
            for n in 0..<2 {
                total += weights[i] * abs(s.ssim[c * 2 + n]); i += 1
                total += weights[i] * abs(s.edge[c * 4 + n]); i += 1
                total += weights[i] * abs(s.edge[c * 4 + n + 2]); i += 1
            }
        }
    }
    total *= 0.9562382616834844
    total = 2.326765642916932 * total - 0.020884521182843837 * total * total
        + 6.248496625763138e-05 * total * total * total
    return total > 0 ? 100.0 - 10.0 * pow(total, 0.6276336467831387) : 100.0
}

func psnr(_ a: Image8, _ b: Image8) -> Double {
    var sum = 0
    for i in 0..<a.rgb.count { let d = Int(a.rgb[i]) - Int(b.rgb[i]); sum += d * d }
    if sum == 0 { return 99 }
    return 10 * log10(255.0 * 255.0 * Double(a.rgb.count) / Double(sum))
}

let args = CommandLine.arguments
guard args.count == 3 else { fail("usage: ssimulacra2 ORIGINAL.pnm DISTORTED.pnm") }
let original = readPNM(args[1]), distorted = readPNM(args[2])
guard original.width == distorted.width, original.height == distorted.height else { fail("sizes differ") }
func fixed4(_ v: Double) -> String {
    let scaled = Int((abs(v) * 10000).rounded())
    let frac = String(scaled % 10000)
    return (v < 0 ? "-" : "") + "\(scaled / 10000)." + String(repeating: "0", count: 4 - frac.count) + frac
}
print(fixed4(ssimulacra2(original, distorted)) + " " + fixed4(psnr(original, distorted)))
