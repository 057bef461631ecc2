/// The colour cache of VP8L (specification section 5.2.3): recently seen ARGB colours indexed by a multiplicative
/// hash, starting all zero. Every pixel produced (literal, copy or cache hit) is inserted in stream order.
struct VP8LColorCache {
    private(set) var colors: [UInt32]
    let shift: UInt32

    /// `bits` in 1...11 (section 5.2.3).
    init(bits: Int) {
        colors = [UInt32](repeating: 0, count: 1 << bits)
        shift = UInt32(32 - bits)
    }

    /// Hash multiplier of section 5.2.3.
    static let multiplier: UInt32 = 0x1E35_A7BD

    @inline(__always)
    static func index(_ argb: UInt32, shift: UInt32) -> Int {
        Int((argb &* multiplier) &>> shift)
    }

    /// Inserts `pixels[from..<to]` in order.
    @inline(__always)
    mutating func insert(_ pixels: UnsafePointer<UInt32>, from: Int, to: Int) {
        let shift = self.shift
        colors.withUnsafeMutableBufferPointer { c in
            var i = from
            while i < to {
                let argb = pixels[i]
                c[Self.index(argb, shift: shift)] = argb
                i &+= 1
            }
        }
    }

    @inline(__always)
    func color(at index: Int) -> UInt32 { colors[index] }
}
