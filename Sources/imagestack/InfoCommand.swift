import Raster
import Decoders
import ColorManagement
import Formats
import Server

/// `imagestack info FILE`: one JSON object describing the file, read from its header only.
enum InfoCommand {
    static let help = """
    usage: imagestack info FILE

    Prints one JSON object: format, width, height, channels, bitDepth, hasAlpha, orientation, iccProfileBytes,
    iccProfile (null, or description, version, class, colorSpace, pcs, model — matrix-shaper, gray-trc or the LUT
    tag — sRGBEquivalent and knownSpace; or error when the profile cannot be used), and for JPEG progressive,
    subsampling, components, estimatedQuality.
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
            ("iccProfile", profileJSON(meta.iccProfile)),
        ]
        for (name, value) in FormatRegistry.format(id: meta.source.format)?.details(meta) ?? [] {
            fields.append((name, json(value)))
        }
        return "{" + fields.map { "\(quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    static func json(_ value: HeaderDetail) -> String {
        switch value {
        case .text(let text): return text.map(quoted) ?? "null"
        case .integer(let number): return number.map { "\($0)" } ?? "null"
        case .flag(let flag): return "\(flag)"
        case .real(let number): return number.map { "\($0)" } ?? "null"
        }
    }

    /// What the colour stage will see: the profile's names and model, or why it will be ignored.
    static func profileJSON(_ bytes: [UInt8]?) -> String {
        guard let bytes, !bytes.isEmpty else { return "null" }
        let fields: [(String, String)]
        do {
            let p = try ColorConversion.profile(bytes)
            fields = [("description", p.description.map(quoted) ?? "null"), ("version", quoted(p.version)),
                      ("class", quoted(p.deviceClass)), ("colorSpace", quoted(p.colorSpace.description)),
                      ("pcs", quoted(p.pcs)), ("model", quoted(p.modelName)),
                      ("sRGBEquivalent", "\(p.isSRGBEquivalent)"),
                      ("knownSpace", KnownColourSpace.recognise(p).map { quoted($0.name) } ?? "null")]
        } catch {
            fields = [("error", quoted("\(error)"))]
        }
        return "{" + fields.map { "\(quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    static func quoted(_ s: String) -> String { "\"" + jsonEscaped(s) + "\"" }
}
