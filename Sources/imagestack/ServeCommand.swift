/// Contract placeholder: the server issue replaces this file.
enum ServeCommand {
    static func run(_ args: ArraySlice<String>) -> Int32 {
        CLI.printError("imagestack: 'serve' is not implemented yet")
        return CLI.usageError
    }
}
