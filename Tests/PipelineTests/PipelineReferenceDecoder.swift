import Foundation
import Raster
import Formats
import Decoders
import TestSupport

/// Pipeline outputs decoded by the reference decoder of their format (dwebp, djpeg, pngtopam, avifdec), through a
/// PAM file that our PNM reader parses: what a client would see, independent of our own decoders.
enum PipelineReferenceDecoder {
    static func decode(_ bytes: [UInt8], format: ImageFormat) throws -> Raster {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-ref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in").path, pam = dir.appendingPathComponent("out.pam").path
        try FileIO.write(bytes, to: input)
        switch format {
        case .webp: try ExternalTool.run("dwebp", ["-quiet", "-pam", input, "-o", pam])
        case .jpeg: try ExternalTool.run("djpeg", ["-pnm", "-outfile", pam, input])
        case .png: try FileIO.write(try ExternalTool.run("pngtopam", ["-alphapam", input]), to: pam)
        case .avif:
            let png = dir.appendingPathComponent("out.png").path
            try ExternalTool.run("avifdec", [input, png])
            try FileIO.write(try ExternalTool.run("pngtopam", ["-alphapam", png]), to: pam)
        default: throw CodecError(codec: "test", kind: .unsupported, message: "no reference decoder for \(format)")
        }
        return try PNMDecoder.decode(FileIO.read(pam))
    }
}
