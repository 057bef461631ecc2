/// One row of the failure table.
struct GoldenFailure {
    var definition: String
    var check: String
    var difference: String
}

/// The checks of one case against its manifest line; a case passes when `failures` stays empty.
struct GoldenCheck {
    let golden: GoldenCase
    var failures: [GoldenFailure] = []
    /// Results the suite cannot compute in-process yet (a `decoded=` of a format ImageStack cannot decode).
    var notCompared: [String] = []

    init(_ golden: GoldenCase) { self.golden = golden }

    mutating func fail(_ check: String, _ difference: String) {
        failures.append(GoldenFailure(definition: golden.definition, check: check, difference: difference))
    }

    private mutating func expected(_ key: String) -> String? {
        guard let value = golden.results[key] else { fail(key, "not in the manifest line"); return nil }
        return value
    }

    /// A plain result (`size=`, `type=`, `refused=`, ...).
    mutating func expectValue(_ key: String, _ actual: String) {
        guard let expected = expected(key) else { return }
        if expected != actual { fail(key, "\(actual) (golden: \(expected))") }
    }

    /// `KEY=LENGTH:DIGEST`: our exact output bytes (`bytes=`, `body=`) or decoder planes (`yuv=`, `av1=`).
    mutating func expectBytes(_ key: String, _ bytes: [UInt8], unit: String = "bytes") {
        guard let value = expected(key) else { return }
        let parts = value.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let length = Int(parts[0]), let digest = GoldenDigest(parts[1]) else {
            fail(key, "unreadable golden \(value)"); return
        }
        guard let difference = digest.firstDifference(in: bytes) else { return }
        var text = bytes.count == length ? "" : "length \(bytes.count) (golden: \(length)); "
        if bytes.count != length {
            text += "first difference at or before \(unit) \(min(bytes.count, length))"
        } else if let range = difference {
            text += "first difference in \(unit) \(range.lowerBound)..<\(range.upperBound) of \(bytes.count)"
        } else {
            text += "same length, slice checksums agree, SHA-256 differs"
        }
        fail(key, text)
    }

    /// `KEY=rgba8:DIGEST` or `KEY=rgba16:DIGEST`: pixels in canonical form (`pixels=`, `decoded=`), with `size=`
    /// checked by the caller.
    mutating func expectPixels(_ key: String, _ pixels: CanonicalPixels) {
        guard let value = expected(key) else { return }
        let parts = value.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let digest = GoldenDigest(parts[1]) else { fail(key, "unreadable golden \(value)"); return }
        if parts[0] != pixels.depth {
            fail(key, "\(pixels.depth) samples (golden: \(parts[0]))"); return
        }
        guard let difference = digest.firstDifference(in: pixels.bytes) else { return }
        guard let range = difference, !range.isEmpty else {
            fail(key, "pixels differ (slice checksums agree, SHA-256 differs)"); return
        }
        let first = range.lowerBound / pixels.bytesPerPixel, last = (range.upperBound - 1) / pixels.bytesPerPixel
        fail(key, "first difference between pixel (\(first % pixels.width),\(first / pixels.width)) and "
             + "(\(last % pixels.width),\(last / pixels.width)) of \(pixels.size)")
    }

    /// The input file is the one the golden was made from.
    mutating func expectInput(_ bytes: [UInt8]) {
        guard let expected = expected("in") else { return }
        let actual = SHA256.hex(bytes)
        if actual != expected { fail("in", "input file changed (sha256 \(actual.prefix(12))…): regenerate the goldens") }
    }
}
