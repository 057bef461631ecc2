/// HEIF/MIAF container for an AVIF still image (ISO/IEC 23008-12, AVIF spec §§4–9): ftyp, meta (hdlr, pitm,
/// iloc, iinf, iref, iprp/ipco/ipma) and mdat, with an optional alpha auxiliary image.
struct AVIFImageItem {
    var av1Data: [UInt8]           // sequence header OBU + frame OBU
    var sequenceHeaderOBU: [UInt8]
    var profile: Int, level: Int
    var monochrome: Bool, subX: Int, subY: Int
    var channels: Int
}

enum AVIFContainer {
    static func u16(_ v: Int) -> [UInt8] { [UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    static func u32(_ v: Int) -> [UInt8] { [UInt8((v >> 24) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] { u32(payload.count + 8) + Array(type.utf8) + payload }
    static func fullBox(_ type: String, version: Int = 0, flags: Int = 0, _ payload: [UInt8]) -> [UInt8] {
        box(type, [UInt8(version)] + u32(flags).suffix(3) + payload)
    }

    /// AV1CodecConfigurationBox (AV1-ISOBMFF §2.3).
    static func av1C(_ item: AVIFImageItem) -> [UInt8] {
        var p: [UInt8] = [0x81, UInt8(item.profile << 5 | item.level)]
        p.append(UInt8((item.monochrome ? 1 : 0) << 4 | item.subX << 3 | item.subY << 2))
        p.append(0)
        return box("av1C", p + item.sequenceHeaderOBU)
    }

    static func build(color: AVIFImageItem, alpha: AVIFImageItem?, width: Int, height: Int,
                      nclx: (primaries: Int, transfer: Int, matrix: Int, fullRange: Bool), icc: [UInt8]?) -> [UInt8] {
        var brands = ["avif", "mif1", "miaf"]
        if color.profile == 0 && color.level <= 13 && (alpha == nil || alpha!.level <= 13) { brands.append("MA1B") }
        else if color.profile <= 1 && color.level <= 16 { brands.append("MA1A") }
        let ftyp = box("ftyp", Array("avif".utf8) + u32(0) + brands.flatMap { Array($0.utf8) })

        func meta(colorOffset: Int, alphaOffset: Int) -> [UInt8] {
            let hdlr = fullBox("hdlr", u32(0) + Array("pict".utf8) + u32(0) + u32(0) + u32(0) + [0])
            let pitm = fullBox("pitm", u16(1))
            var ilocBody: [UInt8] = [0x44, 0x00] + u16(alpha == nil ? 1 : 2)
            ilocBody += u16(1) + u16(0) + u16(1) + u32(colorOffset) + u32(color.av1Data.count)
            if let alpha { ilocBody += u16(2) + u16(0) + u16(1) + u32(alphaOffset) + u32(alpha.av1Data.count) }
            let iloc = fullBox("iloc", ilocBody)
            var infes = fullBox("infe", version: 2, u16(1) + u16(0) + Array("av01".utf8) + Array("Color".utf8) + [0])
            if alpha != nil { infes += fullBox("infe", version: 2, u16(2) + u16(0) + Array("av01".utf8) + Array("Alpha".utf8) + [0]) }
            let iinf = fullBox("iinf", u16(alpha == nil ? 1 : 2) + infes)
            // Properties: 1 av1C, 2 ispe, 3 pixi, 4 colr nclx, [prof], then alpha's av1C, pixi, auxC.
            var props: [[UInt8]] = []
            props.append(av1C(color))
            props.append(fullBox("ispe", u32(width) + u32(height)))
            props.append(fullBox("pixi", [UInt8(color.channels)] + [UInt8](repeating: 8, count: color.channels)))
            props.append(box("colr", Array("nclx".utf8) + u16(nclx.primaries) + u16(nclx.transfer) + u16(nclx.matrix) + [nclx.fullRange ? 0x80 : 0]))
            var colorAssoc: [UInt8] = [0x81, 0x02, 0x03, 0x04]
            if let icc {
                props.append(box("colr", Array("prof".utf8) + icc))
                colorAssoc.append(UInt8(props.count))
            }
            var alphaAssoc: [UInt8] = []
            if let alpha {
                props.append(av1C(alpha)); alphaAssoc.append(0x80 | UInt8(props.count))
                alphaAssoc.append(0x02)
                props.append(fullBox("pixi", [1, 8])); alphaAssoc.append(UInt8(props.count))
                props.append(fullBox("auxC", Array("urn:mpeg:mpegB:cicp:systems:auxiliary:alpha".utf8) + [0]))
                alphaAssoc.append(0x80 | UInt8(props.count))
            }
            let ipco = box("ipco", props.flatMap { $0 })
            var ipmaBody = u32(alpha == nil ? 1 : 2) + u16(1) + [UInt8(colorAssoc.count)] + colorAssoc
            if alpha != nil { ipmaBody += u16(2) + [UInt8(alphaAssoc.count)] + alphaAssoc }
            let ipma = fullBox("ipma", ipmaBody)
            let iprp = box("iprp", ipco + ipma)
            var children = hdlr + pitm + iloc + iinf
            if alpha != nil { children += fullBox("iref", box("auxl", u16(2) + u16(1) + u16(1))) }
            children += iprp
            return fullBox("meta", children)
        }
        let metaSize = meta(colorOffset: 0, alphaOffset: 0).count
        let dataStart = ftyp.count + metaSize + 8
        let m = meta(colorOffset: dataStart, alphaOffset: dataStart + color.av1Data.count)
        var mdatPayload = color.av1Data
        if let alpha { mdatPayload += alpha.av1Data }
        return ftyp + m + box("mdat", mdatPayload)
    }
}
