#if canImport(Glibc)
import Glibc
#endif
import Server

/// The eventfd the signal handler writes to (a signal handler can only touch globals).
nonisolated(unsafe) private var shutdownSignalFD: Int32 = -1

/// `imagestack serve [--config FILE] [--origin URL|DIR] [--listen HOST:PORT]`: the HTTP image server.
/// Without arguments it serves the bundled `samples/` directory on 127.0.0.1:8080.
enum ServeCommand {
    static let help = """
    usage: imagestack serve [--config FILE] [--origin URL|DIR] [--listen HOST:PORT] [--name NAME] [--quiet]

      --config FILE      JSON configuration (origin, rules, limits, cache, workers; see docs/server.md)
      --origin URL|DIR   http://host[:port][/base] or a directory (overrides the config; default: samples/)
      --listen HOST:PORT address to listen on (overrides the config; default 127.0.0.1:8080)
      --name NAME        value of X-Img-Server (default: the host name)
      --quiet            no access log on stderr

    SIGTERM/SIGINT stop accepting, finish the requests in flight, then exit 0.
    Exit status: 0 after a clean shutdown, 2 for a bad configuration or command line, 1 if it cannot listen.
    """

    static func run(_ args: ArraySlice<String>) -> Int32 {
        guard let parsed = ParsedArguments(args, valued: ["--config", "--origin", "--listen", "--name"], flagNames: ["--quiet"]) else {
            CLI.printError(help)
            return CLI.usageError
        }
        if parsed.wantsHelp { print(help); return 0 }
        guard parsed.positional.isEmpty else {
            CLI.printError("imagestack: serve takes no positional arguments\n\n" + help)
            return CLI.usageError
        }
        var config = ServerConfig()
        if let path = parsed.options["--config"] {
            do { config = try ServerConfig.load(path: path) } catch {
                CLI.printError("imagestack: \(path): \(error)")
                return CLI.usageError
            }
        } else {
            config.origin = .directory(defaultSamplesDirectory())
        }
        if let origin = parsed.options["--origin"] {
            switch OriginLocation.parse(origin) {
            case .success(let location): config.origin = location
            case .failure(let error):
                CLI.printError("imagestack: --origin: \(error.message)")
                return CLI.usageError
            }
        }
        if let listen = parsed.options["--listen"] {
            guard let (host, port) = ServerConfig.parseListen(listen) else {
                CLI.printError("imagestack: --listen must be HOST:PORT, got '\(listen)'")
                return CLI.usageError
            }
            config.listenHost = host
            config.listenPort = port
        }
        if let name = parsed.options["--name"] { config.serverName = name }
        if parsed.flags.contains("--quiet") { config.accessLog = false }

        let origin: any Origin
        switch ImageHandler.makeOrigin(config) {
        case .success(let made): origin = made
        case .failure(let error):
            CLI.printError("imagestack: \(error)")
            return CLI.usageError
        }
        signal(SIGPIPE, SIG_IGN)
        let metrics = Metrics()
        let handler = ImageHandler(config: config, origin: origin, metrics: metrics)
        var options = HTTPServer.Options()
        options.host = config.listenHost
        options.port = config.listenPort
        options.maxConnections = config.maxConnections
        options.handlerThreads = config.handlerThreads
        options.requestLimits = config.requestLimits
        options.headerTimeout = config.clientHeaderTimeout
        options.keepAliveTimeout = config.keepAliveTimeout
        options.writeTimeout = config.clientWriteTimeout
        let server = HTTPServer(options: options, metrics: metrics) { request, context in handler.handle(request, context) }
        server.quickHandler = { request, context in handler.quickResponse(request, context) }
        server.handlerLogHook = { peer, method, target, response, ms in
            handler.recordProtocolResponse(peer: peer, method: method, target: target, response: response, milliseconds: ms)
        }
        do { try server.bind() } catch {
            CLI.printError("imagestack: \(error)")
            return CLI.inputError
        }
        shutdownSignalFD = server.shutdownFD
        let onSignal: @convention(c) (Int32) -> Void = { _ in
            var one: UInt8 = 1
            _ = write(shutdownSignalFD, &one, 1)
        }
        signal(SIGTERM, onSignal)
        signal(SIGINT, onSignal)

        printBanner(config: config, port: server.boundPort)
        server.run()
        handler.shutdown()
        CLI.printError("imagestack: shut down cleanly")
        return 0
    }

    /// `samples/` in the current directory, else next to the executable's package (…/.build/release/imagestack).
    static func defaultSamplesDirectory() -> String {
        var info = stat()
        if stat("samples", &info) == 0 { return "samples" }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            var path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            for _ in 0..<4 {
                guard let slash = path.lastIndex(of: "/") else { break }
                path = String(path[..<slash])
                if stat(path + "/samples", &info) == 0 { return path + "/samples" }
            }
        }
        return "samples"
    }

    static func printBanner(config: ServerConfig, port: Int) {
        let host = config.listenHost == "0.0.0.0" || config.listenHost == "::" ? "127.0.0.1" : config.listenHost
        let base = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        var origin = ""
        var examples: [String] = []
        switch config.origin {
        case .http(let h, let p, let b): origin = "http://\(h):\(p)\(b)"
        case .directory(let dir):
            origin = dir
            let images = ["rocket.jpg", "chelsea.png", "logo.png"].filter {
                var info = stat(); return stat(dir + "/" + $0, &info) == 0
            }
            if let jpeg = images.first(where: { $0.hasSuffix(".jpg") }) {
                examples.append("\(base)/\(jpeg)?width=320")
                examples.append("\(base)/\(jpeg)?width=400&height=300&fmt=webp")
                examples.append("\(base)/\(jpeg)?crop=1:1&fmt=avif,webp&quality=80")
            }
            if let png = images.first(where: { $0.hasSuffix(".png") }) { examples.append("\(base)/\(png)?fmt=webp") }
        }
        var text = "imagestack serving \(origin) on \(base)\n"
        text += "  playground: \(base)/_playground\n  health:     \(base)/health\n  metrics:    \(base)/metrics\n"
        if !examples.isEmpty {
            text += "  try:\n" + examples.map { "    curl -sD- -o /dev/null -H 'Accept: image/avif,image/webp' '\($0)'\n" }.joined()
        }
        print(text, terminator: "")
        fflush(stdout)
    }
}
