import Foundation
import Raster
import Formats
import Decoders
import Pipeline
import Server

/// `INPUT process query=Q [accept=A] [rule=R]`: `ImageProcessor.process` — the server's transform — must give the
/// recorded response: Content-Type, X-Img-Operations, Img-Skip-Reason, Vary and the body; when the body was
/// transformed, the reference decoder's pixels of it (`decoded=`) must equal our decoder's.
enum ProcessGolden {
    static func run(_ golden: GoldenCase) -> GoldenCheck {
        var check = GoldenCheck(golden)
        guard let bytes = GoldenInput.read(golden, &check) else { return check }
        let rule: RuleSettings
        do {
            rule = try ruleSettings(golden.setting("rule"))
        } catch {
            check.fail("rule", "\(error)"); return check
        }
        let accept: String? = golden.has("accept") ? (golden.setting("accept") ?? "") : nil
        let outcome = ImageProcessor.process(original: bytes, query: ImageProcessor.splitQuery(golden.setting("query") ?? ""),
                                             accept: accept, rule: rule)
        // As the response headers are written (imagestack process, the server): operations only when transformed.
        let transformed = outcome.skipReason == nil && !outcome.operations.isEmpty
        check.expectValue("type", outcome.contentType)
        check.expectValue("ops", transformed ? outcome.operations.joined(separator: ",") : "-")
        check.expectValue("skip", outcome.skipReason ?? "-")
        check.expectValue("vary", outcome.variesByAccept ? "Accept" : "-")
        check.expectBytes("body", outcome.body)
        if golden.results["decoded"] != nil {
            do {
                let pixels = CanonicalPixels(try ImageDecoder.decode(outcome.body))
                check.expectValue("size", pixels.size)
                check.expectPixels("decoded", pixels)
            } catch let error as CodecError where error.kind == .unsupported {
                check.notCompared.append("decoded= of \(outcome.contentType)")
            } catch {
                check.fail("decoded", "our decoder refused the body: \(error)")
            }
        }
        return check
    }

    /// `rule=webp,avif,pngLossless,quality:low,enabled:false` → the rule JSON `imagestack process --config` reads
    /// (bare names are true; `name:value` is a number when it parses as one, else a string or boolean), parsed by
    /// the server's own rule parser. No setting: the default rule.
    static func ruleSettings(_ compact: String?) throws -> RuleSettings {
        guard let compact else { return RuleSettings() }
        let members = compact.split(separator: ",").map { item -> String in
            let parts = item.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return "\"\(item)\":true" }
            let value = parts[1]
            let literal = Int(value) != nil || value == "true" || value == "false" ? String(value) : "\"\(value)\""
            return "\"\(parts[0])\":\(literal)"
        }
        return try RuleSettings.parse(ruleJSON: Data(("{" + members.joined(separator: ",") + "}").utf8))
    }
}
