import Raster
import Formats
import Decoders
import Encoders

/// `INPUT encode format=F [crop=WxH+X+Y] [CLI options...]`: the input decoded by our decoder (cut to `crop`, which
/// drops its metadata as the netpbm file regeneration encodes does), encoded with the options `imagestack encode`
/// gives the encoder. Two proofs per case: our bytes are the recorded ones (`bytes=`), and the reference decoder's
/// output for them (`decoded=`, `yuv=`, `av1=`) equals what we reconstruct ourselves.
enum EncodeGolden {
    static func run(_ golden: GoldenCase) -> GoldenCheck {
        var check = GoldenCheck(golden)
        guard let bytes = GoldenInput.read(golden, &check) else { return check }
        do {
            var source = try ImageDecoder.decode(bytes)
            if let crop = golden.setting("crop") { source = try cropped(source, crop) }
            check.expectValue("size", "\(source.width)x\(source.height)")
            let options = EncodeSettings(golden)
            switch golden.setting("format") {
            case "png":
                let out = try PNGEncoder.encode(source, options: options.png)
                check.expectBytes("bytes", out)
                check.expectPixels("decoded", CanonicalPixels(try ImageDecoder.decode(out)))
            case "jpeg":
                let out = try JPEGEncoder.encode(source, options: options.jpeg)
                check.expectBytes("bytes", out)
                check.expectPixels("decoded", CanonicalPixels(try ImageDecoder.decode(out)))
            case "webp":
                let out = try WebPEncoder.encodeWithReconstruction(source, options: options.webp)
                check.expectBytes("bytes", out.bytes)
                if let planes = out.unfilteredYUVA {
                    check.expectBytes("yuv", planes.flatMap { $0 }, unit: "plane bytes")
                    compareOurDecode(out.bytes, &check)
                } else {
                    // VP8L is lossless: dwebp's pixels are the source's 8-bit samples.
                    check.expectPixels("decoded", CanonicalPixels(source.to8Bit()))
                }
            case "avif":
                let out = try AVIFEncoder.encodeWithReconstruction(source, options: options.avif)
                check.expectBytes("bytes", out.bytes)
                check.expectBytes("av1", out.colorPlanes.flatMap { $0 } + (out.alphaPlane ?? []), unit: "plane bytes")
                if options.avif.lossless {
                    check.expectPixels("decoded", CanonicalPixels(source.to8Bit()))
                } else {
                    compareOurDecode(out.bytes, &check)
                }
            default:
                check.fail("format", "unknown format \(golden.setting("format") ?? "")")
            }
        } catch {
            check.fail("encode", "\(error)")
        }
        return check
    }

    /// `decoded=` against our own decoder of the output, when ImageStack has a decoder for its format; noted as
    /// not compared in-process otherwise.
    static func compareOurDecode(_ bytes: [UInt8], _ check: inout GoldenCheck, key: String = "decoded") {
        do {
            check.expectPixels(key, CanonicalPixels(try ImageDecoder.decode(bytes)))
        } catch let error as CodecError where error.kind == .unsupported {
            check.notCompared.append("\(key)= of \(ContentSniffer.detect(bytes).mimeType)")
        } catch {
            check.fail(key, "our decoder refused our own output: \(error)")
        }
    }

    /// The rectangle WxH+X+Y of `raster`, without metadata.
    static func cropped(_ raster: Raster, _ geometry: String) throws -> Raster {
        let numbers = geometry.split(whereSeparator: { $0 == "x" || $0 == "+" }).compactMap { Int($0) }
        guard numbers.count == 4, numbers[0] >= 1, numbers[1] >= 1, numbers[2] + numbers[0] <= raster.width,
              numbers[3] + numbers[1] <= raster.height else {
            throw CodecError(codec: "golden", kind: .malformed, message: "crop \(geometry) outside \(raster.width)x\(raster.height)")
        }
        let (w, h, x0, y0) = (numbers[0], numbers[1], numbers[2], numbers[3])
        let c = raster.channels
        if raster.bitDepth == .eight {
            var out = [UInt8]()
            out.reserveCapacity(w * h * c)
            for y in y0..<(y0 + h) { out += raster.samples8[((y * raster.width + x0) * c)..<((y * raster.width + x0 + w) * c)] }
            return try Raster(width: w, height: h, layout: raster.layout, samples8: out)
        }
        var out = [UInt16]()
        out.reserveCapacity(w * h * c)
        for y in y0..<(y0 + h) { out += raster.samples16[((y * raster.width + x0) * c)..<((y * raster.width + x0 + w) * c)] }
        return try Raster(width: w, height: h, layout: raster.layout, samples16: out)
    }
}

/// A case's settings as encoder options, with `imagestack encode`'s defaults and clamps (EncodeCommand).
struct EncodeSettings {
    var png: PNGEncodeOptions
    var jpeg: JPEGEncodeOptions
    var webp: WebPEncodeOptions
    var avif: AVIFEncodeOptions

    init(_ golden: GoldenCase) {
        func int(_ key: String) -> Int? { golden.setting(key).flatMap { Int($0) } }
        let subsampling = golden.setting("subsampling").flatMap { ChromaSubsampling(rawValue: $0) }
        png = PNGEncodeOptions(compressionLevel: int("effort") ?? 6)
        jpeg = JPEGEncodeOptions(quality: max(1, int("quality") ?? 80), subsampling: subsampling ?? .s420,
                                 progressive: golden.has("progressive"))
        webp = WebPEncodeOptions(quality: int("quality") ?? 75, lossless: golden.has("lossless"),
                                 effort: min(int("effort") ?? 4, 6))
        avif = AVIFEncodeOptions(quality: int("quality") ?? 60, speed: int("speed") ?? 6, subsampling: subsampling ?? .s420,
                                 lossless: golden.has("lossless"), alphaQuality: int("alpha-quality"))
    }
}
