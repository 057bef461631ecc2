/// The colour cache of VP8L (specification section 5.2.3): recently seen ARGB colours indexed by a multiplicative
/// hash, starting all zero. Every pixel produced (literal, copy or cache hit) is inserted in stream order; the
/// pixel decoder keeps the cache in raw memory and inserts lazily, just before a cache hit reads it.
enum VP8LColorCache {
    /// Hash multiplier of section 5.2.3.
    static let multiplier: UInt32 = 0x1E35_A7BD

    /// Index of `argb` in a cache of `32 - shift` bits.
    @inline(__always)
    static func index(_ argb: UInt32, shift: UInt32) -> Int {
        Int((argb &* multiplier) &>> shift)
    }
}
