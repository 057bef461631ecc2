import Raster
import Formats
import Encoders
import Pipeline

/// `imagestack decode FILE -o OUT`: pixels as netpbm (P5/P6/P7, maxval 255 or 65535), or PNG when OUT ends in .png.
enum DecodeCommand {
    static let help = """
    usage: imagestack decode FILE -o OUT [--scale 1/N] [--srgb]

    Writes the decoded pixels as netpbm: gray → P5, RGB → P6, with alpha → P7 PAM (TUPLTYPE GRAYSCALE_ALPHA or
    RGB_ALPHA); maxval 255, or 65535 for 16-bit samples (big-endian). OUT '-' is standard output. When OUT ends in
    .png the pixels are written as PNG instead (exact, 16-bit kept). --scale 1/2, 1/4 or 1/8 decodes a JPEG at
    reduced size in the DCT domain (as djpeg -scale). Orientation is not applied: pixels are as stored. --srgb runs
    the server's colour stage on the pixels: an embedded ICC profile is converted to sRGB (CMYK JPEGs through their
    profile) and what was done is printed on stderr; without it the pixels are as the file stores them (CMYK reduced
    naively, as djpeg).
    """

    static func run(_ args: ArraySlice<String>) -> Int32 {
        guard let parsed = ParsedArguments(args, valued: ["-o", "--output", "--scale"], flagNames: ["--srgb"]) else {
            return CLI.usageError
        }
        if parsed.wantsHelp { print(help); return 0 }
        guard parsed.positional.count == 1, let out = parsed.options["-o"] ?? parsed.options["--output"] else {
            CLI.printError(help); return CLI.usageError
        }
        var scale = 1
        if let s = parsed.options["--scale"] {
            guard let n = ["1/1": 1, "1/2": 2, "1/4": 4, "1/8": 8, "1": 1][s] else {
                CLI.printError("imagestack: --scale must be 1/1, 1/2, 1/4 or 1/8"); return CLI.usageError
            }
            scale = n
        }
        let path = parsed.positional[0]
        do {
            let bytes = path == "-" ? try FileIO.readStandardInput() : try FileIO.read(path)
            var raster = try FormatRegistry.decode(bytes, options: DecodeOptions(scaleDenominator: scale,
                                                                                 keepCMYK: parsed.flags.contains("--srgb")))
            if parsed.flags.contains("--srgb") {
                if let note = ColorStage.apply(&raster, policy: .srgb) { CLI.printError("Note: colour: \(note)") }
            }
            let parts = out.lowercased().hasSuffix(".png") ? [try ImageFormat.png.encode(raster)] : PNMWriter.parts(raster)
            try FileIO.write(parts: parts, to: out)
            return 0
        } catch let error as FileIO.Failure {
            CLI.printError("imagestack: cannot read or write \(error)")
            return CLI.inputError
        } catch {
            CLI.printError("imagestack: \(path): \(error)")
            return CLI.inputError
        }
    }
}
