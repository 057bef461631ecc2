import Raster

/// Cutting a rectangle out of a raster (SPEC §2.2). The rectangle was validated by `Plan`; this only copies rows.
public enum Crop {
    public static func apply(_ raster: Raster, rect: PixelRect) throws -> Raster {
        guard rect.x >= 0, rect.y >= 0, rect.width >= 1, rect.height >= 1,
              rect.x + rect.width <= raster.width, rect.y + rect.height <= raster.height else {
            throw CodecError(codec: "crop", kind: .malformed,
                             message: "area \(rect.width)x\(rect.height)+\(rect.x)+\(rect.y) is outside the \(raster.width)x\(raster.height) image")
        }
        var out = raster
        if raster.bitDepth == .eight {
            out.reshape(width: rect.width, height: rect.height, layout: raster.layout, bitDepth: .eight,
                        samples8: copy(raster.samples8, stride: raster.rowStride, channels: raster.channels, rect: rect))
        } else {
            out.reshape(width: rect.width, height: rect.height, layout: raster.layout, bitDepth: .sixteen,
                        samples16: copy(raster.samples16, stride: raster.rowStride, channels: raster.channels, rect: rect))
        }
        return out
    }

    private static func copy<T>(_ src: [T], stride: Int, channels n: Int, rect: PixelRect) -> [T] {
        let rowLength = rect.width * n
        var out: [T] = []
        out.reserveCapacity(rowLength * rect.height)
        for y in rect.y..<(rect.y + rect.height) {
            let start = y * stride + rect.x * n
            out.append(contentsOf: src[start..<(start + rowLength)])
        }
        return out
    }
}
