import Raster

/// The form every pixel golden is hashed in (Conformance/goldens/README.md): RGBA, rows top to bottom, gray
/// replicated to R = G = B, an opaque alpha added when there is none; 8-bit samples ("rgba8"), or 16-bit big-endian
/// ("rgba16") for 16-bit rasters.
struct CanonicalPixels {
    var width: Int
    var height: Int
    /// "rgba8" or "rgba16".
    var depth: String
    var bytes: [UInt8]

    var bytesPerPixel: Int { depth == "rgba16" ? 8 : 4 }
    var size: String { "\(width)x\(height)" }

    init(_ raster: Raster) {
        width = raster.width
        height = raster.height
        let n = raster.width * raster.height, channels = raster.channels
        let color = raster.layout.isColor, alpha = raster.layout.hasAlpha
        if raster.bitDepth == .eight {
            depth = "rgba8"
            var out = [UInt8](repeating: 255, count: n * 4)
            raster.samples8.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    for i in 0..<n {
                        let p = i * channels
                        o[4 * i] = s[p]
                        o[4 * i + 1] = color ? s[p + 1] : s[p]
                        o[4 * i + 2] = color ? s[p + 2] : s[p]
                        if alpha { o[4 * i + 3] = s[p + channels - 1] }
                    }
                }
            }
            bytes = out
        } else {
            depth = "rgba16"
            var out = [UInt8](repeating: 255, count: n * 8)
            raster.samples16.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    func put(_ value: UInt16, _ at: Int) { o[at] = UInt8(value >> 8); o[at + 1] = UInt8(value & 0xFF) }
                    for i in 0..<n {
                        let p = i * channels
                        put(s[p], 8 * i)
                        put(color ? s[p + 1] : s[p], 8 * i + 2)
                        put(color ? s[p + 2] : s[p], 8 * i + 4)
                        if alpha { put(s[p + channels - 1], 8 * i + 6) }
                    }
                }
            }
            bytes = out
        }
    }
}
