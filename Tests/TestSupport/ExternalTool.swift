import Foundation

/// The one way tests run an oracle or peer program (djpeg, dwebp, avifdec, pngtopam, python3, the imagestack CLI…).
/// Standard input is written and standard output/error are read concurrently, so large images never deadlock on a
/// full pipe. A missing tool is a failure, never a skip: Scripts/test.sh installs the oracles.
public enum ExternalTool {
    /// What a finished program left behind.
    public struct Result {
        public let status: Int32
        public let stdout: [UInt8]
        public let stderr: String
    }

    /// A tool that is missing or exited non-zero.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Bytes one reader thread fills while the caller reads the other pipe; read only after the group is done.
    private final class Collected: @unchecked Sendable { var data = Data() }

    /// Runs `tool` and returns its standard output; throws `Failure` when it is missing or exits non-zero.
    @discardableResult
    public static func run(_ tool: String, _ arguments: [String], stdin: [UInt8]? = nil) throws -> [UInt8] {
        let result = try execute(tool, arguments, stdin: stdin)
        guard result.status == 0 else {
            throw Failure(description: "\(tool) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// Runs `tool` whatever its exit status. `tool` is an absolute path or a name looked up on PATH;
    /// `stdoutFile`, when given, receives standard output instead of the returned bytes.
    public static func execute(_ tool: String, _ arguments: [String], stdin: [UInt8]? = nil,
                               stdoutFile: String? = nil) throws -> Result {
        guard let path = locate(tool) else {
            throw Failure(description: "\(tool) is not installed (Scripts/test.sh installs the oracles)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe(), input = Pipe()
        if let stdoutFile {
            guard FileManager.default.createFile(atPath: stdoutFile, contents: nil),
                  let handle = FileHandle(forWritingAtPath: stdoutFile) else {
                throw Failure(description: "cannot create \(stdoutFile)")
            }
            process.standardOutput = handle
        } else {
            process.standardOutput = output
        }
        process.standardError = errors
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()

        let group = DispatchGroup()
        if let stdin {
            DispatchQueue.global().async(group: group) {
                input.fileHandleForWriting.write(Data(stdin))
                try? input.fileHandleForWriting.close()
            }
        }
        let errorData = Collected()
        DispatchQueue.global().async(group: group) { errorData.data = errors.fileHandleForReading.readDataToEndOfFile() }
        let outputData = stdoutFile == nil ? output.fileHandleForReading.readDataToEndOfFile() : Data()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: [UInt8](outputData),
                      stderr: String(decoding: errorData.data, as: UTF8.self))
    }

    /// `tool` itself when it is a path, else the first executable of that name on PATH (then /usr/bin, /usr/local/bin).
    public static func locate(_ tool: String) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return folders.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
