import Glibc

/// Estimates the libjpeg quality setting behind a JPEG's quantization tables.
public enum JPEGQuality {
    /// The libjpeg quality (1...100) that best explains quantization tables in natural order
    /// (luma first, then chroma if present); nil when there are no tables.
    ///
    /// Every quality is tried: the IJG-scaled Annex K tables for that quality are compared entry by entry with the
    /// given ones. Tables written by libjpeg (or by our encoder) match one quality exactly; others (camera or
    /// custom tables) get the quality whose tables are closest in log ratio, which weighs a step of 2 vs 4 the same
    /// as 50 vs 100, as a perceived coarseness should.
    public static func estimate(tables: [[UInt16]]) -> Int? {
        guard let luma = tables.first, luma.count == 64 else { return nil }
        let chroma = tables.count > 1 && tables[1].count == 64 ? tables[1] : nil
        var bestQuality = 1
        var bestError = Double.infinity
        // Tables above 255 mean the encoder did not force baseline (16-bit DQT entries); otherwise clamp at 255.
        let maximum = (luma + (chroma ?? [])).contains { $0 > 255 } ? 32767 : 255
        for quality in 1...100 {
            var error = distance(luma, JPEGTables.scaledTable(JPEGTables.annexKLuminance, quality: quality, maximum: maximum))
            if let chroma {
                error += distance(chroma, JPEGTables.scaledTable(JPEGTables.annexKChrominance, quality: quality,
                                                                 maximum: maximum))
            }
            if error == 0 { return quality }
            if error < bestError { bestError = error; bestQuality = quality }
        }
        return bestQuality
    }

    private static func distance(_ table: [UInt16], _ reference: [UInt16]) -> Double {
        var sum = 0.0
        for i in 0..<64 {
            let ratio = log(Double(max(table[i], 1))) - log(Double(reference[i]))
            sum += ratio * ratio
        }
        return sum
    }
}
