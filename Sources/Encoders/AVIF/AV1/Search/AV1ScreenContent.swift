/// Screen-content detection from source statistics: decides allow_screen_content_tools (§5.9.2), i.e. whether the
/// encoder searches palette mode at all. Text, user interfaces and flat graphics have 16x16 areas made of a few
/// exact colours far apart; photos never do, and neither do smooth-gradient wallpapers, whose few-colour areas are
/// steps of a gradient (values within a few units), where palettes do not pay.
///
/// Measured on the corpus (share of 16x16 luma areas with 2...4 values spanning at least `minContrast`): every photo
/// (photos/, tuning/photo-*) 0.000 — including photo-umang, whose dark areas have 2...4 values (0.43 of its areas)
/// but within 3 units; the tuning/art-* wallpapers 0.000 (0.04–0.59 without the contrast rule); screenshots
/// (lossless/screen-*) 0.013–0.21; logo.png 0.006, art-city 0.010.
enum AV1ScreenContent {
    /// Largest number of distinct luma values for a 16x16 area to count as "few colours".
    static let fewColorLimit = 4
    /// Smallest spread (max − min) of those values: gradient steps and dark noise stay below it.
    static let minContrast = 8
    /// Share of the 16x16 areas that must have few contrasted colours.
    static let minShare = 0.01

    /// The share of whole 16x16 luma areas with 2...fewColorLimit distinct values spanning at least minContrast.
    static func fewColorShare(luma: [UInt8], width: Int, height: Int) -> Double {
        let bw = width / 16, bh = height / 16
        guard bw > 0 && bh > 0 && luma.count >= width * height else { return 0 }
        var few = 0
        luma.withUnsafeBufferPointer { buf in
            let base = buf.baseAddress!
            for by in 0..<bh {
                for bx in 0..<bw {
                    guard let colors = AV1PaletteColors.choose(base + by * 16 * width + bx * 16, stride: width, width: 16, height: 16,
                                                               maxColors: fewColorLimit) else { continue }
                    if Int(colors[colors.count - 1]) - Int(colors[0]) >= minContrast { few += 1 }
                }
            }
        }
        return Double(few) / Double(bw * bh)
    }

    static func looksLikeScreenContent(luma: [UInt8], width: Int, height: Int) -> Bool {
        fewColorShare(luma: luma, width: width, height: height) >= minShare
    }
}
