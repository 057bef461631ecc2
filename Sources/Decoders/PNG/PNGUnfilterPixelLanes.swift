/// The filters whose predictor depends on the reconstructed byte to the left (Sub, Average, Paeth; PNG spec §9.2,
/// §9.4) form one dependency chain per byte. For 3- and 4-byte pixels (8-bit RGB and RGBA) the chains of a pixel's
/// bytes are independent, so each pixel is done at once in four 16-bit lanes: the chain is then one step per pixel
/// instead of one per byte. The results are the spec's byte arithmetic (sums modulo 256, the Average's floor of a
/// 9-bit sum, the Paeth comparisons on exact differences), identical to the scalar loops.
///
/// Each function starts at the second pixel (the first has no left neighbour and is done by the caller) and stops
/// before the last pixel of a 3-byte row, because a pixel is read as four bytes and the row's last byte may be the
/// last byte of the buffer; it returns the first byte it did not reconstruct, where the scalar loop goes on.
/// Only three bytes of a 3-byte pixel are stored: with rows compacted in place (`dst` equal to or before `src`),
/// a fourth byte would overwrite source bytes not read yet.
enum PixelLanes {
    typealias Pixel = SIMD4<Int16>

    /// Four bytes as 16-bit lanes (interleaved with zero bytes: `punpcklbw`).
    @inline(__always) static func load(_ p: UnsafePointer<UInt8>) -> Pixel {
        let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD4<UInt8>.self)
        let z: UInt8 = 0
        return unsafeBitCast(SIMD8<UInt8>(v[0], z, v[1], z, v[2], z, v[3], z), to: Pixel.self)
    }

    /// The low byte of each lane, stored as 3 or 4 bytes.
    @inline(__always) static func store(_ v: Pixel, _ p: UnsafeMutablePointer<UInt8>, stride: Int) {
        let bytes = unsafeBitCast(v, to: SIMD8<UInt8>.self)
        let packed = unsafeBitCast(SIMD4<UInt8>(bytes[0], bytes[2], bytes[4], bytes[6]), to: UInt32.self)
        let raw = UnsafeMutableRawPointer(p)
        if stride == 4 {
            raw.storeBytes(of: packed, as: UInt32.self)
        } else {
            raw.storeBytes(of: UInt16(truncatingIfNeeded: packed), as: UInt16.self)
            raw.storeBytes(of: UInt8(truncatingIfNeeded: packed >> 16), toByteOffset: 2, as: UInt8.self)
        }
    }

    /// Whole pixels from the second one while a four-byte read stays inside the row.
    @inline(__always) static func end(count: Int, stride: Int) -> Int { stride == 4 ? count : count - 3 }

    static func sub(src: UnsafePointer<UInt8>, dst: UnsafeMutablePointer<UInt8>, count: Int, stride: Int) -> Int {
        leftChain(src: src, dst: dst, previous: src, count: count, stride: stride, averaged: false)
    }

    static func average(src: UnsafePointer<UInt8>, dst: UnsafeMutablePointer<UInt8>, previous: UnsafePointer<UInt8>,
                        count: Int, stride: Int) -> Int {
        leftChain(src: src, dst: dst, previous: previous, count: count, stride: stride, averaged: true)
    }

    /// Sub (predictor: the left byte) or Average (the floor of the mean of left and above); `averaged` is a
    /// constant at both call sites, so each gets its own loop.
    @inline(__always)
    private static func leftChain(src: UnsafePointer<UInt8>, dst: UnsafeMutablePointer<UInt8>,
                                  previous: UnsafePointer<UInt8>, count: Int, stride: Int, averaged: Bool) -> Int {
        let mask = Pixel(repeating: 0xFF), end = end(count: count, stride: stride)
        guard end > stride else { return stride }   // the first pixel's four-byte read must stay in the row too
        var left = load(dst) & mask
        var i = stride
        while i < end {
            let predictor = averaged ? (left &+ load(previous + i)) &>> 1 : left
            left = (load(src + i) &+ predictor) & mask
            store(left, dst + i, stride: stride)
            i += stride
        }
        return i
    }

    static func paeth(src: UnsafePointer<UInt8>, dst: UnsafeMutablePointer<UInt8>, previous: UnsafePointer<UInt8>,
                      count: Int, stride: Int) -> Int {
        let mask = Pixel(repeating: 0xFF), end = end(count: count, stride: stride)
        guard end > stride else { return stride }   // the first pixel's four-byte read must stay in the row too
        var left = load(dst) & mask, upperLeft = load(previous)
        var i = stride
        while i < end {
            let above = load(previous + i)
            // p = left + above − upperLeft; the distances of p to left, above and upperLeft.
            let toLeft = magnitude(above &- upperLeft), toAbove = magnitude(left &- upperLeft)
            let toUpperLeft = magnitude(left &+ above &- upperLeft &- upperLeft)
            var predictor = upperLeft
            predictor.replace(with: above, where: toAbove .<= toUpperLeft)
            predictor.replace(with: left, where: (toLeft .<= toAbove) .& (toLeft .<= toUpperLeft))
            left = (load(src + i) &+ predictor) & mask
            store(left, dst + i, stride: stride)
            upperLeft = above
            i += stride
        }
        return i
    }

    @inline(__always) static func magnitude(_ v: Pixel) -> Pixel { pointwiseMax(v, Pixel() &- v) }
}
