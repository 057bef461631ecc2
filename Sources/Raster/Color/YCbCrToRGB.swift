/// Y'CbCr → RGB in 16-bit fixed point, the inverse of `FixedPointRGBToYCbCr` for full-range data:
///   R = Y + ((crToR·Cr' + ½) >> 16), G = Y + ((−cbToG·Cb' − crToG·Cr' + ½) >> 16), B = Y + ((cbToB·Cb' + ½) >> 16)
/// with Cb' = Cb − 128, Cr' = Cr − 128, each result clamped to 0...255.
public struct FixedPointYCbCrToRGB: Sendable, Equatable {
    public var crToR: Int32, cbToG: Int32, crToG: Int32, cbToB: Int32

    @inlinable
    public init(crToR: Int32, cbToG: Int32, crToG: Int32, cbToB: Int32) {
        self.crToR = crToR; self.cbToG = cbToG; self.crToG = crToG; self.cbToB = cbToB
    }

    /// JFIF 1.02 §7 (BT.601 full range) with each constant as round(c · 2^16), the arithmetic of libjpeg's
    /// YCbCr → RGB, so JPEG decodes are bit-identical to djpeg's: 1.40200, 0.34414, 0.71414, 1.77200. Inlinable, so
    /// the decoder's loop sees the constants.
    @inlinable
    public static var jfif: FixedPointYCbCrToRGB {
        FixedPointYCbCrToRGB(crToR: 91881, cbToG: 22554, crToG: 46802, cbToB: 116130)
    }

    @inlinable @inline(__always)
    public func rgb(_ y: Int32, _ cb: Int32, _ cr: Int32) -> (UInt8, UInt8, UInt8) {
        let half: Int32 = 1 << 15
        let cb = cb &- 128, cr = cr &- 128
        return (UInt8(clamping: y &+ ((crToR &* cr &+ half) &>> 16)),
                UInt8(clamping: y &+ ((-cbToG &* cb &- crToG &* cr &+ half) &>> 16)),
                UInt8(clamping: y &+ ((cbToB &* cb &+ half) &>> 16)))
    }

    /// One row of `width` pixels from Y, Cb and Cr rows to interleaved RGB.
    @inlinable
    public func convertRow(y: UnsafePointer<UInt8>, cb: UnsafePointer<UInt8>, cr: UnsafePointer<UInt8>,
                           into out: UnsafeMutablePointer<UInt8>, width: Int) {
        var o = out
        for x in 0..<width {
            (o[0], o[1], o[2]) = rgb(Int32(y[x]), Int32(cb[x]), Int32(cr[x]))
            o += 3
        }
    }
}
