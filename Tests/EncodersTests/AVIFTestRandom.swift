/// Deterministic xorshift64* stream shared by the AVIF kernel tests (random and extreme inputs, reproducible).
struct AVIFTestRandom {
    var s: UInt64
    mutating func next() -> UInt64 { s ^= s >> 12; s ^= s << 25; s ^= s >> 27; return s &* 2685821657736338717 }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next() >> 32) }
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() >> 11) % (r.count) }
}
