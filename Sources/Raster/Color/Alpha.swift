/// Alpha, once for every codec and the pipeline: extract the plane, drop it, drop it when opaque, flatten on a
/// background, and premultiply / un-premultiply (8-bit rasters, and the Float rows the resampler filters).
public enum Alpha {
    /// The alpha samples of a raster with alpha, one byte per pixel (16-bit alpha is rounded to 8 bits first, as
    /// the encoders that store an alpha plane — WebP ALPH, AVIF auxiliary image — code 8 bits).
    /// A raster without alpha gives an opaque plane.
    public static func plane(_ raster: Raster) -> [UInt8] {
        guard raster.layout.hasAlpha else { return [UInt8](repeating: 255, count: raster.width * raster.height) }
        let image = raster.to8Bit()
        let n = image.channels, count = image.width * image.height
        return [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            image.samples8.withUnsafeBufferPointer { s in
                for i in 0..<count { out[i] = s[i * n + n - 1] }
            }
            initialized = count
        }
    }

    /// The alpha plane when some pixel is not opaque; nil when every pixel is (an opaque plane only costs bytes).
    public static func translucentPlane(_ raster: Raster) -> [UInt8]? {
        raster.layout.hasAlpha && raster.hasTranslucentPixels ? plane(raster) : nil
    }

    /// The colour samples alone, at the raster's bit depth: gray+alpha → gray, RGBA → RGB. Metadata is kept; a
    /// raster without alpha is returned as it is.
    public static func removed(_ raster: Raster) -> Raster {
        guard raster.layout.hasAlpha else { return raster }
        var r = raster
        if raster.bitDepth == .eight {
            r.reshape(width: raster.width, height: raster.height, layout: raster.layout.withoutAlpha, bitDepth: .eight,
                      samples8: colourSamples(raster.samples8, channels: raster.channels,
                                              count: raster.width * raster.height))
        } else {
            r.reshape(width: raster.width, height: raster.height, layout: raster.layout.withoutAlpha,
                      bitDepth: raster.bitDepth,
                      samples16: colourSamples(raster.samples16, channels: raster.channels,
                                               count: raster.width * raster.height))
        }
        return r
    }

    /// Every sample but the last of each pixel of `count` pixels with `n` interleaved samples.
    private static func colourSamples<T: FixedWidthInteger>(_ samples: [T], channels n: Int, count: Int) -> [T] {
        let colours = n - 1
        return [T](unsafeUninitializedCapacity: count * colours) { out, initialized in
            samples.withUnsafeBufferPointer { s in
                for i in 0..<count {
                    for c in 0..<colours { out[i * colours + c] = s[i * n + c] }
                }
            }
            initialized = count * colours
        }
    }

    /// `removed` when the raster has alpha and every pixel is opaque; otherwise the raster as it is.
    public static func droppedWhenOpaque(_ raster: Raster) -> Raster {
        raster.layout.hasAlpha && !raster.hasTranslucentPixels ? removed(raster) : raster
    }

    /// Composited over an opaque `background` gray level (255 = white), straight alpha, 8-bit (a 16-bit raster is
    /// rounded to 8 bits first): c' = (c·a + background·(255 − a)) / 255, rounded. The result has no alpha.
    public static func flattened(_ input: Raster, background: UInt8 = 255) -> Raster {
        guard input.layout.hasAlpha else { return input }
        let raster = Alpha.unpremultiplied(input.to8Bit())
        let n = raster.channels, colours = n - 1, count = raster.width * raster.height
        let back = UInt32(background)
        let samples = [UInt8](unsafeUninitializedCapacity: count * colours) { out, initialized in
            raster.samples8.withUnsafeBufferPointer { s in
                for i in 0..<count {
                    let a = UInt32(s[i * n + n - 1])
                    for c in 0..<colours {
                        out[i * colours + c] = UInt8((UInt32(s[i * n + c]) * a + back * (255 - a) + 127) / 255)
                    }
                }
            }
            initialized = count * colours
        }
        var r = raster
        r.reshape(width: raster.width, height: raster.height, layout: raster.layout.withoutAlpha, bitDepth: .eight,
                  samples8: samples)
        return r
    }

    /// An 8-bit raster with straight alpha: premultiplied colour becomes c·255/a, rounded (exact for every
    /// sample premultiplication produced), capped at 255; fully transparent and opaque pixels are unchanged.
    /// A raster that is not premultiplied, or has no alpha, is returned as it is.
    public static func unpremultiplied(_ raster: Raster) -> Raster {
        guard raster.isPremultiplied, raster.layout.hasAlpha, raster.bitDepth == .eight else { return raster }
        var image = raster
        let n = image.channels
        image.samples8.withUnsafeMutableBufferPointer { s in
            var i = 0
            while i < s.count {
                let a = Int(s[i + n - 1])
                if a > 0 && a < 255 {
                    for c in 0..<(n - 1) { s[i + c] = UInt8(min(255, (Int(s[i + c]) * 255 + a / 2) / a)) }
                }
                i += n
            }
        }
        image.isPremultiplied = false
        return image
    }

    /// An 8-bit raster with premultiplied alpha: c·a/255, rounded. The inverse of `unpremultiplied` up to the
    /// precision premultiplication loses.
    public static func premultiplied(_ raster: Raster) -> Raster {
        guard !raster.isPremultiplied, raster.layout.hasAlpha, raster.bitDepth == .eight else { return raster }
        var image = raster
        let n = image.channels
        image.samples8.withUnsafeMutableBufferPointer { s in
            var i = 0
            while i < s.count {
                let a = UInt32(s[i + n - 1])
                for c in 0..<(n - 1) { s[i + c] = UInt8((UInt32(s[i + c]) * a + 127) / 255) }
                i += n
            }
        }
        image.isPremultiplied = true
        return image
    }

    // MARK: - Float rows for filters

    /// One row of samples → premultiplied SIMD4 pixels (gray in lane 0, alpha in lane 3; no alpha = `maxValue`).
    @inlinable @inline(__always)
    public static func loadPremultiplied<T: FixedWidthInteger & UnsignedInteger>(
        _ p: UnsafePointer<T>, count: Int, layout: ChannelLayout, maxValue: Float,
        into line: UnsafeMutablePointer<SIMD4<Float>>) {
        let inverseMax = 1 / maxValue
        switch layout {
        case .gray:
            for i in 0..<count { line[i] = SIMD4(Float(p[i]), 0, 0, maxValue) }
        case .grayAlpha:
            for i in 0..<count {
                let a = Float(p[2 * i + 1])
                line[i] = SIMD4(Float(p[2 * i]) * a * inverseMax, 0, 0, a)
            }
        case .rgb:
            for i in 0..<count { line[i] = SIMD4(Float(p[3 * i]), Float(p[3 * i + 1]), Float(p[3 * i + 2]), maxValue) }
        case .rgba:
            for i in 0..<count {
                let a = Float(p[4 * i + 3])
                let k = a * inverseMax
                line[i] = SIMD4(Float(p[4 * i]) * k, Float(p[4 * i + 1]) * k, Float(p[4 * i + 2]) * k, a)
            }
        }
    }

    /// Premultiplied SIMD4 pixels → clamped, un-premultiplied, rounded samples: alpha to [0, max], colour to
    /// [0, alpha] before dividing (so a filter's negative lobes cannot ring past the valid range).
    @inlinable @inline(__always)
    public static func storeUnpremultiplied<T: FixedWidthInteger & UnsignedInteger>(
        _ acc: UnsafeMutablePointer<SIMD4<Float>>, count: Int, layout: ChannelLayout, maxValue: Float,
        into out: UnsafeMutablePointer<T>) {
        @inline(__always) func sample(_ v: Float) -> T { T(truncatingIfNeeded: Int32(v + 0.5)) }
        let zero = SIMD4<Float>(repeating: 0)
        switch layout {
        case .gray, .rgb:
            let n = layout.channels
            let top = SIMD4<Float>(repeating: maxValue)
            for i in 0..<count {
                let c = acc[i].clamped(lowerBound: zero, upperBound: top)
                out[n * i] = sample(c[0])
                if n == 3 { out[3 * i + 1] = sample(c[1]); out[3 * i + 2] = sample(c[2]) }
            }
        case .grayAlpha, .rgba:
            let n = layout.channels
            for i in 0..<count {
                let a = min(max(acc[i][3], 0), maxValue)
                var c = zero
                if a > 0 {
                    c = acc[i].clamped(lowerBound: zero, upperBound: SIMD4(repeating: a)) * (maxValue / a)
                    c = c.clamped(lowerBound: zero, upperBound: SIMD4(repeating: maxValue))
                }
                out[n * i] = sample(c[0])
                if n == 4 { out[4 * i + 1] = sample(c[1]); out[4 * i + 2] = sample(c[2]) }
                out[n * i + n - 1] = sample(a)
            }
        }
    }
}

extension Raster {
    /// True when the layout has alpha and at least one alpha sample is not fully opaque.
    public var hasTranslucentPixels: Bool {
        guard layout.hasAlpha else { return false }
        let n = layout.channels
        if bitDepth == .eight {
            return samples8.withUnsafeBufferPointer { p in
                var i = n - 1
                while i < p.count { if p[i] != 255 { return true }; i += n }
                return false
            }
        }
        return samples16.withUnsafeBufferPointer { p in
            var i = n - 1
            while i < p.count { if p[i] != 65535 { return true }; i += n }
            return false
        }
    }
}
