import Pipeline

/// Picks the rule for a request path (SPEC §4): the first enabled rule whose glob and extension list match.
/// A disabled rule that matches first still decides: the request is proxied untouched, as Gcore's rule order does.
public struct RuleMatcher: Sendable {
    public let rules: [Rule]
    public init(rules: [Rule]) { self.rules = rules }

    /// `decodedPath` is the percent-decoded request path. Nil → proxy the request untouched.
    public func match(decodedPath: String) -> RuleSettings? {
        let ext = Self.fileExtension(decodedPath)
        for rule in rules {
            guard Self.glob(rule.pathPattern, matches: decodedPath) else { continue }
            if !rule.extensions.isEmpty && !rule.extensions.contains(ext) { continue }
            return rule.settings.enabled ? rule.settings : nil
        }
        return nil
    }

    /// Lower-cased extension of the last path segment ("" when none).
    static func fileExtension(_ path: String) -> String {
        let last = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return "" }
        return last[last.index(after: dot)...].lowercased()
    }

    /// Glob: `**` any characters, `*` any characters except '/', `?` one character except '/', others literal.
    /// Iterative with backtracking to the last star, so it runs in O(pattern × path) at worst.
    public static func glob(_ pattern: String, matches path: String) -> Bool {
        if pattern == "*" || pattern == "**" { return true }
        let p = Array(pattern.utf8), s = Array(path.utf8)
        return globMatch(p, 0, s, 0, depth: 0)
    }

    private static func globMatch(_ p: [UInt8], _ pi: Int, _ s: [UInt8], _ si: Int, depth: Int) -> Bool {
        var pi = pi, si = si
        // Backtrack points for the most recent star: (pattern index after star, string index, crossesSlash).
        var starP = -1, starS = -1, starCrossesSlash = false
        let star = UInt8(ascii: "*"), question = UInt8(ascii: "?"), slash = UInt8(ascii: "/")
        while si < s.count {
            if pi < p.count && p[pi] == star {
                let double = pi + 1 < p.count && p[pi + 1] == star
                pi += double ? 2 : 1
                // "/**/" also matches "/": let the "**/" part match nothing.
                if double && pi < p.count && p[pi] == slash && depth < 8 && globMatch(p, pi + 1, s, si, depth: depth + 1) {
                    return true
                }
                starP = pi; starS = si; starCrossesSlash = double
                continue
            }
            if pi < p.count && (p[pi] == s[si] || (p[pi] == question && s[si] != slash)) {
                pi += 1; si += 1
                continue
            }
            if starP >= 0 && (starCrossesSlash || s[starS] != slash) {
                starS += 1
                si = starS
                pi = starP
                continue
            }
            return false
        }
        while pi < p.count && p[pi] == star { pi += 1 }
        return pi == p.count
    }
}
