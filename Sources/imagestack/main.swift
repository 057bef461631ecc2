#if canImport(Glibc)
import Glibc
#endif
import Raster

// imagestack: the command-line face of ImageStack. Every command calls the same library code the server uses.
let commands: [String: (ArraySlice<String>) -> Int32] = [
    "info": InfoCommand.run,
    "decode": DecodeCommand.run,
    "encode": EncodeCommand.run,
    "process": ProcessCommand.run,
    "serve": ServeCommand.run,
]

let usage = """
usage: imagestack <command> [options]

commands:
  info FILE                         print what FILE is, as one JSON object
  decode FILE -o OUT                decode to netpbm (P5/P6/P7) or, when OUT ends in .png, PNG
  encode IN -o OUT --format F       encode IN (JPEG, PNG or netpbm) as png, jpeg, webp or avif
  process IN --query Q -o OUT       run the server's transform on IN and print the response headers
  serve                             run the HTTP image server

Run 'imagestack <command> --help' for a command's options.
Exit status: 0 success, 1 bad or unsupported input, 2 usage error.
"""

let argv = CommandLine.arguments
if argv.count < 2 || argv[1] == "--help" || argv[1] == "-h" || argv[1] == "help" {
    print(usage)
    exit(argv.count < 2 ? 2 : 0)
}
guard let command = commands[argv[1]] else {
    CLI.fail("unknown command '\(argv[1])'\n\n\(usage)", status: 2)
}
// One-off commands run as one job with every core (or IMAGESTACK_THREADS); `serve` gives each image its own job.
exit(Job.run(CLI.commandJob()) { command(argv.dropFirst(2)) })
