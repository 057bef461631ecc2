/// A deterministic xorshift64 stream for kernel tests (random and extreme inputs that reproduce on every run).
public struct TestRandom {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
    /// Bits 24–31 of the next value.
    public mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next() >> 24) }
}
