#if canImport(Glibc)
import Glibc
#endif
import Raster

/// Small shared helpers for the commands: option parsing, messages, exit codes.
enum CLI {
    static let usageError: Int32 = 2
    static let inputError: Int32 = 1

    static func printError(_ message: String) {
        var line = message
        if !line.hasSuffix("\n") { line += "\n" }
        fputs(line, stderr)
    }

    /// The job a one-off command runs as: every core, or `IMAGESTACK_THREADS` when set (1 = single-threaded, used
    /// by the benchmarks to compare against single-threaded C tools). No deadline: the command line waits.
    static func commandJob() -> Job {
        if let value = getenv("IMAGESTACK_THREADS"), let threads = Int(String(cString: value)), threads >= 1 {
            return Job(threads: threads)
        }
        return Job(threads: Job.machineCores)
    }

    static func fail(_ message: String, status: Int32) -> Never {
        printError("imagestack: " + message)
        exit(status)
    }
}

/// Parsed `--name value` options, `--flag`s and positional arguments.
struct ParsedArguments {
    var positional: [String] = []
    var options: [String: String] = [:]
    var flags: Set<String> = []
    var wantsHelp: Bool { flags.contains("--help") || flags.contains("-h") }

    /// `valued` lists the options that take a value (e.g. "-o", "--format"); `flagNames` those that do not.
    /// Returns nil (after printing why) on a usage error.
    init?(_ args: ArraySlice<String>, valued: Set<String>, flagNames: Set<String> = []) {
        var i = args.startIndex
        while i < args.endIndex {
            let a = args[i]
            if a == "--help" || a == "-h" {
                flags.insert("--help")
            } else if valued.contains(a) {
                guard i + 1 < args.endIndex else { CLI.printError("imagestack: option \(a) needs a value"); return nil }
                options[a] = args[i + 1]
                i += 1
            } else if let eq = a.firstIndex(of: "="), a.hasPrefix("--"), valued.contains(String(a[..<eq])) {
                options[String(a[..<eq])] = String(a[a.index(after: eq)...])
            } else if flagNames.contains(a) {
                flags.insert(a)
            } else if a.hasPrefix("-") && a != "-" {
                CLI.printError("imagestack: unknown option \(a)")
                return nil
            } else {
                positional.append(a)
            }
            i += 1
        }
    }
}
