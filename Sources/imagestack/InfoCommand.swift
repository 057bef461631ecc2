import Raster
import Decoders
import Encoders
import Server

/// `imagestack info FILE`: one JSON object describing the file, read from its header only.
enum InfoCommand {
    static let help = """
    usage: imagestack info FILE

    Prints one JSON object: format, width, height, channels, bitDepth, hasAlpha, orientation, iccProfileBytes,
    and for JPEG progressive, subsampling, components, estimatedQuality.
    """

    static func run(_ args: ArraySlice<String>) -> Int32 {
        guard let parsed = ParsedArguments(args, valued: []) else { return CLI.usageError }
        if parsed.wantsHelp { print(help); return 0 }
        guard parsed.positional.count == 1 else { CLI.printError(help); return CLI.usageError }
        let path = parsed.positional[0]
        do {
            let bytes = path == "-" ? try FileIO.readStandardInput() : try FileIO.read(path)
            let header = try ImageDecoder.readHeader(bytes)
            print(json(for: header))
            return 0
        } catch let error as FileIO.Failure {
            CLI.printError("imagestack: cannot read \(error)")
            return CLI.inputError
        } catch {
            CLI.printError("imagestack: \(path): \(error)")
            return CLI.inputError
        }
    }

    static func json(for header: ImageHeader) -> String {
        let meta = header.metadata
        var fields: [(String, String)] = [
            ("format", quoted(meta.source.format.rawValue)),
            ("width", "\(header.width)"),
            ("height", "\(header.height)"),
            ("channels", "\(header.layout.channels)"),
            ("bitDepth", "\(meta.source.bitDepth)"),
            ("hasAlpha", "\(header.layout.hasAlpha)"),
            ("orientation", "\(meta.orientation)"),
            ("iccProfileBytes", "\(meta.iccProfile?.count ?? 0)"),
        ]
        switch meta.source.format {
        case .jpeg:
            fields.append(("progressive", "\(meta.source.progressive)"))
            fields.append(("subsampling", meta.source.subsampling.map(quoted) ?? "null"))
            fields.append(("components", "\(meta.source.components)"))
            fields.append(("colorTransform", meta.source.colorTransform.map(quoted) ?? "null"))
            let quality = meta.source.estimatedQuality ?? JPEGQuality.estimate(tables: meta.source.jpegQuantTables)
            fields.append(("estimatedQuality", quality.map { "\($0)" } ?? "null"))
        case .png:
            fields.append(("interlaced", "\(meta.source.progressive)"))
            fields.append(("colorType", meta.source.pngColorType.map { "\($0)" } ?? "null"))
            fields.append(("gamma", meta.gamma.map { "\($0)" } ?? "null"))
        default:
            break
        }
        return "{" + fields.map { "\(quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    static func quoted(_ s: String) -> String { "\"" + jsonEscaped(s) + "\"" }
}
