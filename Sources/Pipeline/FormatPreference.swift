import Formats

/// A rule's output preference (SPEC §2.4, §5): which conversion targets it converts to by default, and how every
/// requested target ranks — the defaults and those the query's `fmt` adds.
///
/// Config `formats: ["webp", "avif"]` is an ordered list: those formats by default, most preferred first, and a
/// target only `fmt` asks for ranks after them. Gcore's `webp`/`avif` switches choose the defaults but keep
/// Gcore's ranking, the registry's (AVIF before WebP), so `webp: true` with `fmt=avif` still answers AVIF.
public struct FormatPreference: Sendable, Equatable, ExpressibleByArrayLiteral {
    /// Converted to without `fmt`, when the client accepts them, most preferred first.
    public private(set) var defaults: [ImageFormat]
    /// Every conversion target, most preferred first.
    public private(set) var ranking: [ImageFormat]

    /// An ordered list (config `formats`).
    public init(_ ordered: [ImageFormat]) {
        var unique: [ImageFormat] = []
        for format in ordered where !unique.contains(format) { unique.append(format) }
        defaults = unique
        ranking = unique + FormatRegistry.conversionTargets.filter { !unique.contains($0) }
    }

    public init(arrayLiteral elements: ImageFormat...) { self.init(elements) }

    /// Gcore's per-format switches: the switched-on targets by default, ranked in the registry's order.
    public static func switches(_ on: Set<ImageFormat>) -> FormatPreference {
        var preference = FormatPreference([])
        preference.defaults = FormatRegistry.conversionTargets.filter { on.contains($0) }
        return preference
    }

    /// No conversion by default; `fmt` targets in the registry's order.
    public static let none = FormatPreference([])

    /// The targets of `defaults` and `asked`, in ranking order.
    public func ranked(adding asked: [ImageFormat]) -> [ImageFormat] {
        ranking.filter { defaults.contains($0) || asked.contains($0) }
    }
}
