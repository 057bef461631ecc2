import Foundation
import TestSupport

/// One case of a golden manifest (Conformance/goldens/README.md): `INPUT OPERATION [SETTINGS...] | RESULTS...`.
struct GoldenCase {
    /// The manifest it comes from ("decode-jpeg", "encode-webp", "process", ...).
    var manifest: String
    /// The text before " | ": what the case is, as printed in the failure table.
    var definition: String
    /// Path relative to Conformance/corpus.
    var input: String
    /// decode, encode or process.
    var operation: String
    /// Settings after the operation: `key=value`, or a bare flag (value nil).
    var settings: [String: String?]
    /// Expected results: `key=value`.
    var results: [String: String]

    func setting(_ key: String) -> String? { settings[key] ?? nil }
    func has(_ key: String) -> Bool { settings[key] != nil }
}

enum GoldenManifest {
    static let names = ["decode-jpeg", "decode-png", "decode-other", "encode-png", "encode-jpeg", "encode-webp",
                        "encode-avif", "process"]
    static let directory = TestCorpus.packageRoot + "/Conformance/goldens"

    static func load() throws -> [GoldenCase] {
        var cases: [GoldenCase] = []
        for name in names {
            let text = try String(contentsOfFile: directory + "/" + name + ".txt", encoding: .utf8)
            for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.allSatisfy({ $0 == " " }) {
                cases.append(try parse(line, manifest: name))
            }
        }
        return cases
    }

    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ line: Substring, manifest: String) throws -> GoldenCase {
        guard let bar = line.range(of: " | ") else {
            throw FormatError(description: "\(manifest): no ' | ' (results missing; run regenerate-goldens.sh): \(line)")
        }
        let definition = String(line[..<bar.lowerBound])
        let head = tokens(line[..<bar.lowerBound])
        guard head.count >= 2 else { throw FormatError(description: "\(manifest): no operation: \(line)") }
        var settings: [String: String?] = [:]
        for token in head.dropFirst(2) {
            if let eq = token.firstIndex(of: "=") {
                settings[String(token[..<eq])] = .some(String(token[token.index(after: eq)...]))
            } else {
                settings[token] = .some(nil)
            }
        }
        var results: [String: String] = [:]
        for token in tokens(line[bar.upperBound...]) {
            guard let eq = token.firstIndex(of: "=") else {
                throw FormatError(description: "\(manifest): result without '=': \(token)")
            }
            results[String(token[..<eq])] = String(token[token.index(after: eq)...])
        }
        return GoldenCase(manifest: manifest, definition: definition, input: head[0], operation: head[1],
                          settings: settings, results: results)
    }

    /// Space-separated tokens; inside a token, "..." quotes a part that may hold spaces, with \" and \\ escapes.
    static func tokens(_ text: Substring) -> [String] {
        var out: [String] = []
        var current = ""
        var inToken = false, quoted = false, escaped = false
        for c in text {
            if quoted {
                if escaped { current.append(c); escaped = false }
                else if c == "\\" { escaped = true }
                else if c == "\"" { quoted = false }
                else { current.append(c) }
            } else if c == " " {
                if inToken { out.append(current); current = ""; inToken = false }
            } else if c == "\"" {
                quoted = true; inToken = true
            } else {
                current.append(c); inToken = true
            }
        }
        if inToken { out.append(current) }
        return out
    }
}
