/// Linear light → sRGB code values by table, shared by the kernels. Linear values arrive pre-scaled to
/// 0...`steps` (the table index domain) so a kernel does one multiply-free lookup per channel.
enum SRGBEncodingTables {
    /// 2^14 intervals: the largest gap between neighbouring linear values that an 8-bit lookup may round across
    /// is 1/16383, worth at most 0.1 of an 8-bit step even on the steepest part of the curve (slope 12.92 near
    /// black), so the table never costs more than that over computing the curve per pixel.
    static let steps = 16383

    /// Entry i: round(255 · encode(i / steps)).
    static let eightBit: [UInt8] = (0...steps).map { i in
        UInt8((SRGB.encode(Double(i) / Double(steps)) * 255).rounded())
    }

    /// Entry i: 65535 · encode(i / steps), with one extra entry so interpolation may read i + 1 at the top. Read
    /// with linear interpolation the error stays below 0.1 of a 16-bit step (the curve's second derivative is
    /// largest just above the linear segment, 0.0031308, where 1/16383-wide chords deviate by < 1.5e-6).
    static let sixteenBit: [Float] = (0...(steps + 1)).map { i in
        Float(SRGB.encode(Double(min(i, steps)) / Double(steps)) * 65535)
    }
}
