/// Reads a profile's names: textDescriptionType `desc` (ICC.1:2001 §6.5.17, v2), multiLocalizedUnicodeType `mluc`
/// (ICC.1:2010 §10.13, v4) and textType `text` (§10.20). Names are for people only: an unreadable one is nil, never
/// an error that would stop a conversion.
enum ICCText {
    static let maxCharacters = 512

    static func read(_ data: ICCData, at offset: Int, size: Int) -> String? {
        guard let type = try? data.signature(offset), size >= 12 else { return nil }
        let end = offset + size
        switch type {
        case "desc":
            guard let count = try? data.u32(offset + 8), count > 0, count <= size - 12 else { return nil }
            return ascii(data, offset + 12, min(count, maxCharacters))
        case "text":
            return ascii(data, offset + 8, min(size - 8, maxCharacters))
        case "mluc":
            guard let records = try? data.u32(offset + 8), let recordSize = try? data.u32(offset + 12),
                  records > 0, recordSize >= 12, records <= (size - 16) / recordSize else { return nil }
            // Prefer English; else the first record.
            var chosen = 0
            for r in 0..<records {
                let rec = offset + 16 + r * recordSize
                if (try? data.u16(rec)) == 0x656E { chosen = r; break } // "en"
            }
            let rec = offset + 16 + chosen * recordSize
            guard let length = try? data.u32(rec + 4), let start = try? data.u32(rec + 8),
                  start <= size, length <= size - start else { return nil }
            var units: [UInt16] = []
            var p = offset + start
            while p + 1 < offset + start + length, p + 1 < end, units.count < maxCharacters {
                guard let u = try? data.u16(p) else { break }
                if u == 0 { break }
                units.append(UInt16(u))
                p += 2
            }
            return clean(String(decoding: units, as: UTF16.self))
        default:
            return nil
        }
    }

    private static func ascii(_ data: ICCData, _ start: Int, _ count: Int) -> String? {
        guard (try? data.require(start, count, "text")) != nil else { return nil }
        var chars: [UInt8] = []
        for b in data.bytes[start..<(start + count)] {
            if b == 0 { break }
            chars.append((0x20...0x7E).contains(b) ? b : 0x3F)
        }
        return clean(String(decoding: chars, as: UTF8.self))
    }

    private static func clean(_ s: String) -> String? {
        var t = Substring(s)
        while let f = t.first, f == " " { t = t.dropFirst() }
        while let l = t.last, l == " " { t = t.dropLast() }
        return t.isEmpty ? nil : String(t)
    }
}
