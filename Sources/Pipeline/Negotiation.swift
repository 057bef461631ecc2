import Formats

/// Content negotiation for the conversion targets (SPEC §2.4, RFC 9110 §12.5.1).
///
/// Only a target's exact media range (its `acceptToken`: `image/webp`, `image/avif`) grants a format: `image/*` and `*/*` do not, because
/// browsers send them for formats they cannot decode. `q=0` excludes: when the same exact type is listed more than
/// once, any `q=0` listing wins (never send what the client refused). A malformed qvalue makes the entry void.
public enum Negotiation {
    /// The conversion targets the `Accept` header grants. nil header → none.
    public static func acceptedFormats(_ accept: String?) -> Set<ImageFormat> {
        guard let accept else { return [] }
        var granted: Set<ImageFormat> = []
        var refused: Set<ImageFormat> = []
        for element in accept.split(separator: ",") {
            let pieces = element.split(separator: ";", omittingEmptySubsequences: false)
            guard let rangeText = pieces.first else { continue }
            let range = trimmed(rangeText).lowercased()
            guard let format = FormatRegistry.conversionTarget(acceptToken: range) else { continue }
            var weight = 1000
            var valid = true
            for parameter in pieces.dropFirst() {
                let nameValue = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard nameValue.count == 2, trimmed(nameValue[0]).lowercased() == "q" else { continue }
                if let w = qvalue(trimmed(nameValue[1])) { weight = w } else { valid = false }
                break
            }
            guard valid else { continue }
            if weight == 0 { refused.insert(format) } else { granted.insert(format) }
        }
        return granted.subtracting(refused)
    }

    /// The requested conversion targets the client accepts, most preferred first: the output is the first, and
    /// the next ones are the fallbacks (SPEC §2.4); none keeps the source's format. `requested` is ranked already.
    public static func choose(requested: [ImageFormat], accepted: Set<ImageFormat>) -> [ImageFormat] {
        requested.filter { accepted.contains($0) }
    }

    /// The conversion targets a request asks for — the rule's defaults and the query's `fmt` — in the rule's
    /// preference (`FormatPreference`).
    public static func requestedFormats(rule: RuleSettings, request: ImageRequest) -> [ImageFormat] {
        rule.formats.ranked(adding: request.formats)
    }

    /// RFC 9110 §12.4.2 qvalue: "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")], in thousandths.
    static func qvalue(_ s: Substring) -> Int? {
        let bytes = Array(s.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var value = Int(first - UInt8(ascii: "0")) * 1000
        if bytes.count == 1 { return value }
        guard bytes[1] == UInt8(ascii: "."), bytes.count <= 5 else { return nil }
        var scale = 100
        for c in bytes[2...] {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            value += Int(c - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }

    private static func trimmed(_ s: Substring) -> Substring {
        var t = s
        while let c = t.first, c == " " || c == "\t" { t = t.dropFirst() }
        while let c = t.last, c == " " || c == "\t" { t = t.dropLast() }
        return t
    }
}
