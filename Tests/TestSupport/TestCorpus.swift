/// Where the test inputs are. Found from this file's own path (Tests/TestSupport/TestCorpus.swift, three levels
/// below the package root), so a plain clone finds them wherever it lives — no environment, no sibling folders.
public enum TestCorpus {
    /// The package root: the directory holding Package.swift.
    public static let packageRoot: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// The committed test corpus (photos/, png/, jpeg/, tuning/, edge/, spec/): Conformance/corpus.
    public static let root = packageRoot + "/Conformance/corpus"

    /// The large benchmark wallpapers, not committed: `bash Benchmarks/fetch-large.sh` downloads them here
    /// (Scripts/test.sh does it before the unit tests).
    public static let large = packageRoot + "/Benchmarks/large"

    /// A corpus file's absolute path from its path relative to the corpus root ("photos/rocket.jpg").
    public static func path(_ relative: String) -> String { root + "/" + relative }
}
