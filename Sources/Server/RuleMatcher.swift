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

    /// Glob: `**` any characters, `*` any characters except '/', `?` one character except '/', others literal;
    /// `**/` also matches nothing, so "/img/**/*.png" matches "/img/a.png". Dynamic programming over the pattern
    /// tokens from the end: O(pattern × path) time whatever the pattern, no backtracking blow-up.
    public static func glob(_ pattern: String, matches path: String) -> Bool {
        enum Token { case literal(UInt8), one, star, anything, anyDirectories }
        // A bare "*" is accepted in configs as "every path".
        if pattern == "*" { return true }
        let p = Array(pattern.utf8), s = Array(path.utf8)
        let slash = UInt8(ascii: "/"), asterisk = UInt8(ascii: "*")
        var tokens: [Token] = []
        var i = 0
        while i < p.count {
            if p[i] == asterisk {
                var j = i
                while j < p.count && p[j] == asterisk { j += 1 }
                if j - i >= 2 {
                    if j < p.count && p[j] == slash { tokens.append(.anyDirectories); j += 1 } else { tokens.append(.anything) }
                } else {
                    tokens.append(.star)
                }
                i = j
            } else {
                tokens.append(p[i] == UInt8(ascii: "?") ? .one : .literal(p[i]))
                i += 1
            }
        }
        let n = s.count
        var next = [Bool](repeating: false, count: n + 1)   // tokens[k+1...] vs s[j...]
        next[n] = true
        var current = [Bool](repeating: false, count: n + 1)
        for token in tokens.reversed() {
            current[n] = false
            switch token {
            case .literal(let c):
                for j in 0..<n { current[j] = s[j] == c && next[j + 1] }
            case .one:
                for j in 0..<n { current[j] = s[j] != slash && next[j + 1] }
            case .star:
                current[n] = next[n]
                for j in stride(from: n - 1, through: 0, by: -1) { current[j] = next[j] || (s[j] != slash && current[j + 1]) }
            case .anything:
                current[n] = next[n]
                for j in stride(from: n - 1, through: 0, by: -1) { current[j] = next[j] || current[j + 1] }
            case .anyDirectories:
                // Nothing, or any run of characters ending with '/'.
                var slashThenRest = false
                current[n] = next[n]
                for j in stride(from: n - 1, through: 0, by: -1) {
                    slashThenRest = slashThenRest || (s[j] == slash && next[j + 1])
                    current[j] = next[j] || slashThenRest
                }
            }
            swap(&next, &current)
        }
        return next[0]
    }
}
