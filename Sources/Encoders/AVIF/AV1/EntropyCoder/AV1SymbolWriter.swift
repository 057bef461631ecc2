/// Destination of AV1 symbols: the real arithmetic encoder or a rate estimator used by the RD search.
protocol AV1SymbolSink {
    /// Codes `symbol` (0..<n) with the CDF at `cdf` (n values, the last 32768, then the adaptation counter).
    mutating func symbol(_ symbol: Int, _ cdf: UnsafeMutablePointer<UInt16>, _ n: Int)
    /// Codes `count` equiprobable bits of `value`, most significant first (AV1 §8.2.5 read_literal).
    mutating func literal(_ value: Int, _ count: Int)
    /// Marks the place of cdef_idx (read_cdef, §5.11.56) for a non-skip block at (miRow, miCol); only a recording
    /// sink acts on it (the value is chosen after the frame's filter search).
    mutating func cdefIndex(miRow: Int, miCol: Int)
}

extension AV1SymbolSink {
    mutating func cdefIndex(miRow: Int, miCol: Int) {}
}

/// The multi-symbol arithmetic encoder: the exact inverse of the AV1 symbol decoder (AV1 spec §8.2.2–§8.2.6),
/// with the CDF adaptation of §8.2.6 applied after each symbol.
struct AV1SymbolWriter: AV1SymbolSink {
    private(set) var bytes: [UInt8] = []
    /// Low end of the coding interval; its lowest `windowBits` bits are not yet emitted.
    private var low: UInt64 = 0
    private var range: UInt32 = 0x8000
    private var windowBits = 15
    /// Total renormalisation shift so far (the D of the trailing-bit rule in §8.2.4).
    private var shifted = 0

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    @inline(__always)
    private mutating func encode(_ s: Int, _ n: Int, lowerCdf: UInt32, upperCdf: UInt32) {
        // lowerCdf = cdf[s-1] (0 when s == 0), upperCdf = cdf[s]; thresholds as in the decoder's loop (§8.2.6).
        let r = range
        let u: UInt32 = s == 0 ? r : (((r >> 8) * ((32768 - lowerCdf) >> 6)) >> 1) + 4 * UInt32(n - s)
        let v: UInt32 = (((r >> 8) * ((32768 - upperCdf) >> 6)) >> 1) + 4 * UInt32(n - s - 1)
        low += UInt64(r - u)
        range = u - v
        let d = range.leadingZeroBitCount - 16
        range <<= UInt32(d)
        low <<= UInt64(d)
        windowBits += d
        shifted += d
        if windowBits >= 40 { flushByte() }
    }

    @inline(__always)
    private mutating func flushByte() {
        let shift = windowBits - 8
        let c = low >> UInt64(shift)
        if c >= 256 { propagateCarry() }
        bytes.append(UInt8(truncatingIfNeeded: c))
        low &= (UInt64(1) << UInt64(shift)) - 1
        windowBits -= 8
    }

    private mutating func propagateCarry() {
        var i = bytes.count - 1
        while i >= 0 {
            if bytes[i] == 0xFF { bytes[i] = 0; i -= 1 } else { bytes[i] += 1; return }
        }
    }

    mutating func symbol(_ s: Int, _ cdf: UnsafeMutablePointer<UInt16>, _ n: Int) {
        encode(s, n, lowerCdf: s > 0 ? UInt32(cdf[s - 1]) : 0, upperCdf: UInt32(cdf[s]))
        AV1CDF.adapt(cdf, s, n)
    }

    /// Codes symbol `s` of `n` with recorded CDF values (cdf[s - 1] or 0, cdf[s]) and no adaptation: the replay of
    /// an `AV1SymbolRecorder`.
    mutating func encodeRecorded(_ s: Int, _ n: Int, lowerCdf: UInt32, upperCdf: UInt32) {
        encode(s, n, lowerCdf: lowerCdf, upperCdf: upperCdf)
    }

    mutating func literal(_ value: Int, _ count: Int) {
        var i = count - 1
        while i >= 0 {
            let b = (value >> i) & 1
            encode(b, 2, lowerCdf: b == 1 ? 16384 : 0, upperCdf: b == 1 ? 32768 : 16384)
            i -= 1
        }
    }

    /// Ends the tile: picks a final value inside the interval whose bit after the D coded bits is the
    /// trailing 1 required by §8.2.4, and returns the tile's bytes.
    mutating func finish() -> [UInt8] {
        let total = shifted + 1
        low = (((low + 0x3FFF) >> 15) << 15) | 0x4000
        // Emit the whole window, padded with zeros to a byte boundary.
        let pad = (8 - windowBits % 8) % 8
        low <<= UInt64(pad)
        windowBits += pad
        while windowBits > 0 {
            let shift = windowBits - 8
            let c = low >> UInt64(shift)
            if c >= 256 { propagateCarry() }
            bytes.append(UInt8(truncatingIfNeeded: c))
            low &= shift == 0 ? 0 : (UInt64(1) << UInt64(shift)) - 1
            windowBits -= 8
        }
        let needed = (total + 7) / 8
        if bytes.count > needed { bytes.removeLast(bytes.count - needed) }
        if bytes.isEmpty { bytes.append(0x80) }
        return bytes
    }
}

/// Rate estimator: accumulates -log2(p) of each symbol (in 1/512 bit) from the current CDFs without adapting them.
struct AV1RateCounter: AV1SymbolSink {
    var cost = 0
    mutating func symbol(_ s: Int, _ cdf: UnsafeMutablePointer<UInt16>, _ n: Int) {
        let p = Int(cdf[s]) - (s > 0 ? Int(cdf[s - 1]) : 0)
        cost += AV1CDF.bitCost[max(1, p)]
    }
    mutating func literal(_ value: Int, _ count: Int) { cost += 512 * count }
}

enum AV1CDF {
    /// -log2(p / 32768) in 1/512 bit for p in 1...32768.
    static let bitCost: [Int] = {
        var t = [Int](repeating: 0, count: 32769)
        for p in 1...32768 { t[p] = Int((-log2Approx(Double(p) / 32768.0) * 512).rounded()) }
        t[0] = t[1]
        return t
    }()

    private static func log2Approx(_ x: Double) -> Double {
        // x in (0, 1]: frexp-free natural log via the series of atanh; precision is ample for rate estimates.
        var m = x
        var e = 0.0
        while m < 0.5 { m *= 2; e -= 1 }
        let y = (m - 1) / (m + 1)
        let y2 = y * y
        var term = y, sum = 0.0, k = 1.0
        for _ in 0..<12 { sum += term / k; term *= y2; k += 2 }
        return e + 2 * sum / 0.6931471805599453
    }

    /// CDF adaptation after coding `s` (AV1 spec §8.2.6).
    @inline(__always)
    static func adapt(_ cdf: UnsafeMutablePointer<UInt16>, _ s: Int, _ n: Int) {
        let count = cdf[n]
        let rate = 3 + (count > 15 ? 1 : 0) + (count > 31 ? 1 : 0) + min(n.bitWidth - 1 - n.leadingZeroBitCount, 2)
        for i in 0..<(n - 1) {
            if i >= s {
                cdf[i] += (32768 - cdf[i]) >> UInt16(rate)
            } else {
                cdf[i] -= cdf[i] >> UInt16(rate)
            }
        }
        if count < 32 { cdf[n] = count + 1 }
    }
}
