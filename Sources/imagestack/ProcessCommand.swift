import FoundationEssentials
import Raster
import Formats
import Pipeline
import Server

/// `imagestack process IN --query Q [--accept A] [--config FILE] -o OUT`: the server's transform on one file.
/// Writes the response body (transformed, or the original on a skip) to OUT and the response headers on stderr.
enum ProcessCommand {
    static var help: String { """
    usage: imagestack process IN --query 'width=300&fmt=webp&quality=80' [--accept 'image/avif,image/webp'] [--config FILE] -o OUT

    Runs the server's pipeline on IN ('-' for standard input) and writes the response body to OUT ('-' for standard
    output): the transformed image, or IN untouched when it is skipped. The response headers are printed on stderr,
    one 'Name: value' per line, then 'Note: ...' lines with what the server would log (e.g. the colour stage:
    an ICC profile converted to sRGB, dropped as sRGB, kept, or ignored and why).
      --query Q      the request's query string (without '?'); parameters other than the image ones are ignored
      --accept A     the client's Accept header; without it the client accepts neither WebP nor AVIF
      --config FILE  one rule of the server's configuration, as JSON:
                     {"quality": "high"|"medium"|"low"|0-100, "formats": [\(targetNames)] (ordered preference),
                      "pngLossless": bool, "enabled": bool, "colorProfile": "srgb"|"keep"};
                     Gcore's per-format switches \(switchNames) also work
    Exit status: 0 transformed or skipped, 1 IN cannot be read (or OUT written), 2 usage error.
    """ }

    static var targetNames: String { FormatRegistry.conversionTargets.map { "\"\($0.id)\"" }.joined(separator: ", ") }
    static var switchNames: String { FormatRegistry.conversionTargets.map { "\"\($0.id)\": bool" }.joined(separator: ", ") }

    static func run(_ args: ArraySlice<String>) -> Int32 {
        guard let parsed = ParsedArguments(args, valued: ["-o", "--output", "--query", "--accept", "--config"]) else {
            return CLI.usageError
        }
        if parsed.wantsHelp { print(help); return 0 }
        guard parsed.positional.count == 1, let out = parsed.options["-o"] ?? parsed.options["--output"] else {
            CLI.printError(help); return CLI.usageError
        }
        var rule = RuleSettings()
        if let path = parsed.options["--config"] {
            do {
                rule = try ProcessRuleFile.load(path)
            } catch {
                CLI.printError("imagestack: --config \(path): \(error)")
                return CLI.usageError
            }
        }
        let path = parsed.positional[0]
        let input: [UInt8]
        do {
            input = path == "-" ? try FileIO.readStandardInput() : try FileIO.read(path)
        } catch {
            CLI.printError("imagestack: cannot read \(error)")
            return CLI.inputError
        }
        let query = ImageProcessor.splitQuery(parsed.options["--query"] ?? "")
        let outcome = ImageProcessor.process(original: input, query: query, accept: parsed.options["--accept"], rule: rule)
        do {
            try FileIO.write(outcome.body, to: out)
        } catch {
            CLI.printError("imagestack: cannot write \(error)")
            return CLI.inputError
        }
        for (name, value) in ResponseHeaders.lines(outcome, originalSize: input.count) {
            CLI.printError("\(name): \(value)")
        }
        // What the server would log besides the headers (e.g. the colour stage's note).
        for note in outcome.notes { CLI.printError("Note: \(note)") }
        return 0
    }
}

/// The headers a response carrying `outcome` gets (SPEC §3), minus the ones only the server knows
/// (origin download time, server name, ETag, cache headers).
enum ResponseHeaders {
    static func lines(_ outcome: ProcessingOutcome, originalSize: Int) -> [(String, String)] {
        var h: [(String, String)] = [("Content-Type", outcome.contentType), ("Content-Length", String(outcome.body.count))]
        if outcome.skipReason == nil && !outcome.operations.isEmpty {
            h.append(("X-Img-Operations", outcome.operations.joined(separator: ",")))
            h.append(("X-Img-Processing-Time", String(Int(outcome.processingMilliseconds.rounded()))))
            h.append(("X-Img-Origin-Size", String(originalSize)))
            h.append(("X-Img-Saved-Bytes", String(originalSize - outcome.body.count)))
        }
        if let reason = outcome.skipReason { h.append(("Img-Skip-Reason", reason)) }
        if outcome.variesByAccept { h.append(("Vary", "Accept")) }
        return h
    }
}

/// The rule file `process --config` reads: one rule object, parsed by the server's rule parser.
enum ProcessRuleFile {
    static func load(_ path: String) throws -> RuleSettings {
        try RuleSettings.parse(ruleJSON: Data(FileIO.read(path, maxBytes: 1 << 20)))
    }
}
