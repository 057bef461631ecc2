/// Contract placeholder: the pipeline issue replaces this file.
enum ProcessCommand {
    static func run(_ args: ArraySlice<String>) -> Int32 {
        CLI.printError("imagestack: 'process' is not implemented yet")
        return CLI.usageError
    }
}
