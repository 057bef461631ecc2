import Raster

/// A profile's conversion to sRGB, prepared once for one source bit depth (tables or a grid) and then applied to
/// any number of rasters. Relative colorimetric intent, no black-point compensation (LittleCMS's defaults for
/// `jpgicc -t1` and ImageMagick's `-profile`).
public final class SRGBTransform: Sendable {
    enum Kernel: Sendable {
        case matrixShaper(MatrixShaperKernel)
        case gray(GrayKernel)
        case grid(GridKernel)
    }

    let kernel: Kernel
    /// Colour channels the source must have: 1 (gray), 3 (RGB) or 4 (CMYK).
    public let inputChannels: Int
    public let bitDepth: BitDepth

    public init(profile: ICCProfile, bitDepth: BitDepth) throws {
        let levels = bitDepth == .eight ? 256 : 65536
        self.bitDepth = bitDepth
        let evaluator = DeviceToPCS(profile)
        switch profile.model {
        case let .matrixShaper(r, g, b, curves):
            guard (Matrix3(columns: r, g, b)).inverse != nil else {
                throw iccError(.malformed, nil, "matrix-shaper colorants are collinear (singular matrix)")
            }
            kernel = .matrixShaper(MatrixShaperKernel(curves: curves, red: r, green: g, blue: b, levels: levels))
            inputChannels = 3
        case .grayTRC:
            kernel = .gray(GrayKernel(evaluator, levels: levels))
            inputChannels = 1
        case .lut(let lut, _):
            switch lut.inputs {
            case 1: kernel = .gray(GrayKernel(evaluator, levels: levels))
            case 3, 4: kernel = .grid(GridKernel(evaluator, levels: levels))
            default: throw iccError(.unsupported, nil, "LUT with \(lut.inputs) inputs")
            }
            inputChannels = lut.inputs
        }
    }

    /// Rows per parallel work item: big enough to amortise scheduling, small enough to spread over two cores.
    static let rowsPerItem = 64

    /// Converts a gray, gray+alpha, RGB or RGBA raster in place (alpha untouched). The raster's colour channels
    /// must match the profile's (checked by the caller, `ColorConversion`).
    func applyInPlace(_ raster: inout Raster) {
        let channels = raster.channels
        if raster.bitDepth == .eight {
            SRGBTransform.forEachBand(&raster.samples8, width: raster.width, height: raster.height, channels: channels) { p, count in
                switch kernel {
                case .matrixShaper(let k): k.apply8(p, count: count, channels: channels)
                case .gray(let k): k.apply8(p, count: count, channels: channels)
                case .grid(let k): k.run(UnsafePointer(p), sourceChannels: channels, p, destinationChannels: channels,
                                         count: count, maxValue: 255, inverted: false)
                }
            }
        } else {
            SRGBTransform.forEachBand(&raster.samples16, width: raster.width, height: raster.height, channels: channels) { p, count in
                switch kernel {
                case .matrixShaper(let k): k.apply16(p, count: count, channels: channels)
                case .gray(let k): k.apply16(p, count: count, channels: channels)
                case .grid(let k): k.run(UnsafePointer(p), sourceChannels: channels, p, destinationChannels: channels,
                                         count: count, maxValue: 65535, inverted: false)
                }
            }
        }
    }

    /// Calls `body(first pixel of the band, pixels in it)` for bands of `rowsPerItem` rows, in parallel under the
    /// job's thread budget. Bands are disjoint, so the result never depends on the thread count.
    static func forEachBand<T>(_ samples: inout [T], width: Int, height: Int, channels: Int,
                               _ body: (UnsafeMutablePointer<T>, Int) -> Void) {
        let items = (height + rowsPerItem - 1) / rowsPerItem
        samples.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let shared = UncheckedPointer(base)
            Job.parallelFor(items) { item in
                let y0 = item * rowsPerItem, y1 = min(height, y0 + rowsPerItem)
                body(shared.pointer + y0 * width * channels, (y1 - y0) * width)
            }
        }
    }

    /// Converts a 4-channel CMYK raster (8-bit) into a new RGB one. `inverted`: samples are 255 − ink (Adobe).
    func convertCMYK(_ raster: Raster, inverted: Bool) throws -> Raster {
        guard case .grid(let k) = kernel, k.inputs == 4, raster.channels == 4, raster.bitDepth == .eight else {
            throw CodecError(codec: iccCodecName, kind: .unsupported, message: "CMYK conversion needs a 4-input profile and an 8-bit 4-channel raster")
        }
        let width = raster.width, height = raster.height
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let items = (height + SRGBTransform.rowsPerItem - 1) / SRGBTransform.rowsPerItem
        raster.samples8.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                let source = UncheckedPointer(UnsafeMutablePointer(mutating: s)), destination = UncheckedPointer(d)
                Job.parallelFor(items) { item in
                    let y0 = item * SRGBTransform.rowsPerItem, y1 = min(height, y0 + SRGBTransform.rowsPerItem)
                    k.run(UnsafePointer(source.pointer + y0 * width * 4), sourceChannels: 4,
                          destination.pointer + y0 * width * 3, destinationChannels: 3,
                          count: (y1 - y0) * width, maxValue: 255, inverted: inverted)
                }
            }
        }
        var result = raster
        result.reshape(width: width, height: height, layout: .rgb, bitDepth: .eight, samples8: out)
        return result
    }
}

/// A buffer's base address handed to parallel workers that write disjoint row ranges of it.
struct UncheckedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
