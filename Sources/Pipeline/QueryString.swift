/// Splitting a raw URL query into parameters and percent-decoding them (RFC 3986 §2.1, §3.4).
///
/// Deliberate choices: `&` separates parameters (`;` does not); `+` is NOT turned into a space (this is a URL
/// query, not an HTML form body, so `width=+300` keeps its sign and is rejected as malformed); a `%` not followed by
/// two hex digits is kept literally; decoded bytes that are not valid UTF-8 are replaced by U+FFFD.
enum QueryString {
    struct Component {
        /// Percent-decoded key.
        var key: String
        /// The value exactly as it appeared (still percent-encoded); "" for `key=` and for a bare `key`.
        var rawValue: Substring
        /// The component exactly as it appeared, to re-join for the origin.
        var raw: Substring
    }

    static func components(_ rawQuery: String) -> [Component] {
        var query = Substring(rawQuery)
        if query.hasPrefix("?") { query = query.dropFirst() }
        var out: [Component] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            if let eq = part.firstIndex(of: "=") {
                out.append(Component(key: percentDecode(part[..<eq]), rawValue: part[part.index(after: eq)...], raw: part))
            } else {
                out.append(Component(key: percentDecode(part), rawValue: "", raw: part))
            }
        }
        return out
    }

    static func percentDecode(_ s: Substring) -> String {
        guard s.utf8.contains(UInt8(ascii: "%")) else { return String(s) }
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
