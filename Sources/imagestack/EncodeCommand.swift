import Raster
import Formats
import Encoders

/// `imagestack encode IN -o OUT --format F [--quality N] [--lossless] ...`, F any format with an encoder.
enum EncodeCommand {
    static var formatNames: String { FormatRegistry.encodable.map(\.id.rawValue).joined(separator: "|") }
    static var inputNames: String { FormatRegistry.decodable.map(\.id.rawValue).joined(separator: ", ") }

    static var help: String { """
    usage: imagestack encode IN -o OUT --format \(formatNames) [options]

    IN is any file ImageStack reads (\(inputNames); '-' for standard input); OUT '-' is standard output.
    --format also takes a format's file extension (jpg).
    Pixels are encoded as stored (orientation is not applied; use 'process' for that).
      --quality N        0-100 (jpeg, webp lossy, avif); defaults: jpeg 80, webp 75, avif 60
      --lossless         exact pixels. webp: VP8L; avif: AV1 lossless mode (RGB coded as G, B, R planes with
                         the identity matrix, 4:4:4; gray as one plane)
      --alpha-quality N  avif: 0-100 for the alpha plane; default: alpha is lossless (as in libavif)
      --effort N         png: deflate level 0-9 (default 6); webp: method 0-6 (default 4)
      --speed N          avif: 0 (slowest) - 10 (fastest), default 6
      --subsampling S    jpeg/avif: 4:2:0 (default), 4:2:2 or 4:4:4
      --progressive      jpeg: progressive scans
    """ }

    static func run(_ args: ArraySlice<String>) -> Int32 {
        guard let parsed = ParsedArguments(args, valued: ["-o", "--output", "--format", "--quality", "--effort", "--speed", "--subsampling",
                                                            "--alpha-quality"],
                                           flagNames: ["--lossless", "--progressive"]) else { return CLI.usageError }
        if parsed.wantsHelp { print(help); return 0 }
        guard parsed.positional.count == 1, let out = parsed.options["-o"] ?? parsed.options["--output"],
              let format = parsed.options["--format"]?.lowercased() else {
            CLI.printError(help); return CLI.usageError
        }
        func intOption(_ name: String, _ range: ClosedRange<Int>) -> Int?? {
            guard let text = parsed.options[name] else { return .some(nil) }
            guard let v = Int(text), range.contains(v) else {
                CLI.printError("imagestack: \(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
                return nil
            }
            return .some(v)
        }
        guard let quality = intOption("--quality", 0...100), let effort = intOption("--effort", 0...9),
              let speed = intOption("--speed", 0...10), let alphaQuality = intOption("--alpha-quality", 0...100) else {
            return CLI.usageError
        }
        var subsampling: ChromaSubsampling? = nil
        if let s = parsed.options["--subsampling"] {
            guard let v = ChromaSubsampling(rawValue: s) else {
                CLI.printError("imagestack: --subsampling must be 4:2:0, 4:2:2 or 4:4:4"); return CLI.usageError
            }
            subsampling = v
        }
        guard let target = FormatRegistry.format(named: format), target.canEncode else {
            let names = FormatRegistry.encodable.map(\.id.rawValue).joined(separator: ", ")
            CLI.printError("imagestack: --format must be one of \(names)")
            return CLI.usageError
        }
        let settings = EncodeSettings(quality: quality, lossless: parsed.flags.contains("--lossless"), effort: effort,
                                      speed: speed, subsampling: subsampling,
                                      progressive: parsed.flags.contains("--progressive"), alphaQuality: alphaQuality)
        let path = parsed.positional[0]
        do {
            let bytes = path == "-" ? try FileIO.readStandardInput() : try FileIO.read(path)
            let raster = try FormatRegistry.decode(bytes)
            try FileIO.write(try target.encode(raster, settings: settings), to: out)
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
