/// Content negotiation for the conversion targets (SPEC §2.4, RFC 9110 §12.5.1).
///
/// Only an exact `image/webp` / `image/avif` media range grants a format: `image/*` and `*/*` do not, because
/// browsers send them for formats they cannot decode. `q=0` excludes: when the same exact type is listed more than
/// once, any `q=0` listing wins (never send what the client refused). A malformed qvalue makes the entry void.
public enum Negotiation {
    /// The conversion targets (`.webp`, `.avif`) the `Accept` header grants. nil header → none.
    public static func acceptedFormats(_ accept: String?) -> Set<OutputFormat> {
        guard let accept else { return [] }
        var granted: Set<OutputFormat> = []
        var refused: Set<OutputFormat> = []
        for element in accept.split(separator: ",") {
            let pieces = element.split(separator: ";", omittingEmptySubsequences: false)
            guard let rangeText = pieces.first else { continue }
            let range = trimmed(rangeText).lowercased()
            let format: OutputFormat
            switch range {
            case "image/webp": format = .webp
            case "image/avif": format = .avif
            default: continue
            }
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

    /// The output format: the first requested conversion target the client accepts, AVIF before WebP
    /// (SPEC §2.4); nil keeps the source's format. `requested` = rule defaults then `fmt`.
    public static func choose(requested: [OutputFormat], accepted: Set<OutputFormat>) -> [OutputFormat] {
        [OutputFormat.avif, .webp].filter { requested.contains($0) && accepted.contains($0) }
    }

    /// The conversion targets a request asks for: the rule's defaults, then the query's `fmt` (a union; the
    /// preference order AVIF → WebP is applied by `choose`).
    public static func requestedFormats(rule: RuleSettings, request: ImageRequest) -> [OutputFormat] {
        var out: [OutputFormat] = []
        if rule.avif { out.append(.avif) }
        if rule.webp { out.append(.webp) }
        for f in request.formats where !out.contains(f) { out.append(f) }
        return out
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
