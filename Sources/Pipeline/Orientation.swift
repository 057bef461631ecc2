import Raster

/// EXIF orientation (EXIF 2.32 §4.6.4 A, tag 0x0112): turns stored pixels upright. Applied first, so the query's
/// width and height refer to the upright image; the result's orientation is 1 (SPEC §5).
public enum Orientation {
    /// Upright size of a stored `width`×`height` image: orientations 5–8 swap the sides.
    public static func uprightSize(width: Int, height: Int, orientation: Int) -> (width: Int, height: Int) {
        orientation >= 5 && orientation <= 8 ? (height, width) : (width, height)
    }

    public static func apply(_ raster: Raster) -> Raster {
        let o = raster.metadata.orientation
        var out = raster
        out.metadata.orientation = 1
        guard o >= 2 && o <= 8 else { return out }
        let (w, h) = (raster.width, raster.height)
        let (ow, oh) = uprightSize(width: w, height: h, orientation: o)
        // Upright pixel (x, y) reads stored pixel start + x * stepX + y * stepY (in pixels).
        let start: Int, stepX: Int, stepY: Int
        switch o {
        case 2: (start, stepX, stepY) = (w - 1, -1, w)                  // mirror horizontally
        case 3: (start, stepX, stepY) = (w * h - 1, -1, -w)             // rotate 180°
        case 4: (start, stepX, stepY) = ((h - 1) * w, 1, -w)            // mirror vertically
        case 5: (start, stepX, stepY) = (0, w, 1)                       // transpose
        case 6: (start, stepX, stepY) = ((h - 1) * w, -w, 1)            // rotate 90° clockwise
        case 7: (start, stepX, stepY) = (w * h - 1, -w, -1)             // transverse
        default: (start, stepX, stepY) = (w - 1, w, -1)                 // 8: rotate 90° counter-clockwise
        }
        let n = raster.channels
        if raster.bitDepth == .eight {
            out.reshape(width: ow, height: oh, layout: raster.layout, bitDepth: .eight,
                        samples8: remap(raster.samples8, channels: n, width: ow, height: oh, start: start, stepX: stepX, stepY: stepY))
        } else {
            out.reshape(width: ow, height: oh, layout: raster.layout, bitDepth: .sixteen,
                        samples16: remap(raster.samples16, channels: n, width: ow, height: oh, start: start, stepX: stepX, stepY: stepY))
        }
        return out
    }

    private static func remap<T: FixedWidthInteger>(_ src: [T], channels n: Int, width ow: Int, height oh: Int,
                                                    start: Int, stepX: Int, stepY: Int) -> [T] {
        [T](unsafeUninitializedCapacity: src.count) { dst, count in
            src.withUnsafeBufferPointer { s in
                guard let sp = s.baseAddress, let dp = dst.baseAddress else { return }
                var o = 0
                for y in 0..<oh {
                    var p = start + y * stepY
                    for _ in 0..<ow {
                        let base = p * n
                        for c in 0..<n { (dp + o + c).initialize(to: sp[base + c]) }
                        o += n
                        p += stepX
                    }
                }
            }
            count = src.count
        }
    }
}
