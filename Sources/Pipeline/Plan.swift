import Raster
import Decoders
import Formats

/// A rectangle in whole pixels.
public struct PixelRect: Sendable, Equatable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }
}

/// The part of the (upright) source a resize reads, in source pixels; fractional for `fit=fit`'s centred cut.
public struct SourceWindow: Sendable, Equatable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) { self.x = x; self.y = y; self.width = width; self.height = height }
}

public struct ResizeStep: Sendable, Equatable {
    /// What is read from the upright source (the whole image except for `fit=fit`, which cuts the excess).
    public var window: SourceWindow
    public var width: Int
    public var height: Int
}

public struct OutputEncoding: Sendable, Equatable {
    public var format: ImageFormat
    /// 0...100; ignored when `lossless`.
    public var quality: Int
    public var lossless: Bool
}

/// Everything that will happen to one image, decided from the query, the rule, the client's Accept and the
/// decoded header — before a single pixel is decoded (so the server can refuse cheaply). Order is fixed:
/// orientation → colour (ICC profile → sRGB, CMYK → RGB) → resize → crop → encode (SPEC §2.3, §5).
public struct Plan: Sendable, Equatable {
    public var sourceFormat: ImageFormat
    /// Upright source size (EXIF orientation applied).
    public var sourceWidth: Int
    public var sourceHeight: Int
    /// EXIF orientation 1...8 of the stored pixels.
    public var orientation: Int
    public var resize: ResizeStep?
    /// In the resized image's coordinates.
    public var crop: PixelRect?
    public var output: OutputEncoding
    /// X-Img-Operations, in order, from "resize", "crop", "convert".
    public var operations: [String]
    public var outputWidth: Int
    public var outputHeight: Int
    /// 1, 2, 4 or 8: shrink-on-load (JPEG's DCT-domain downscale) before resampling the rest.
    public var decodeScaleDenominator: Int
    /// The colour stage (after orientation, before resize): what to do with the source's ICC profile.
    public var colorProfile: ColorProfilePolicy = .srgb
}

public enum PlanDecision: Sendable, Equatable {
    case transform(Plan)
    /// Serve the original, with this reason.
    case skip(SkipReason)
    /// Nothing was asked (no parameters, or `quality` alone): serve the original, no reason, no operations.
    case nothingToDo
}

extension Plan {
    /// Decides what to do with an image whose header is `header` (SPEC §2.1–2.4). `estimateQuality` replaces the
    /// source format's own estimate (tests).
    public static func make(request: ImageRequest, rule: RuleSettings, accepted: Set<ImageFormat>,
                            header: ImageHeader,
                            estimateQuality: ((ImageMetadata) -> Int?)? = nil) -> PlanDecision {
        let source = header.metadata.source.format
        guard let sourceFormat = FormatRegistry.format(id: source), sourceFormat.isProcessedFromOrigin else {
            let mimeType = FormatRegistry.format(id: source)?.mimeType ?? "application/octet-stream"
            return .skip(.unsupportedContentType(mimeType))
        }
        let orientation = (1...8).contains(header.metadata.orientation) ? header.metadata.orientation : 1
        let (sw, sh) = orientation >= 5 ? (header.height, header.width) : (header.width, header.height)
        let resize: ResizeStep?
        let crop: PixelRect?
        do {
            resize = try resizeStep(request, width: sw, height: sh)
            let (rw, rh) = resize.map { ($0.width, $0.height) } ?? (sw, sh)
            crop = try request.crop.flatMap { try cropRect($0, width: rw, height: rh) }
        } catch let reason as SkipReason {
            return .skip(reason)
        } catch {
            return .skip(.resizeInternal)
        }
        let outW = crop?.width ?? resize?.width ?? sw
        let outH = crop?.height ?? resize?.height ?? sh
        let geometric = resize != nil || crop != nil

        let requested = Negotiation.requestedFormats(rule: rule, request: request)
        let acceptable = Negotiation.choose(requested: requested, accepted: accepted)
        // A format too small for the output (WebP: 16383 px per side) falls back to the next acceptable one, else
        // the source's format.
        let fitting = acceptable.filter { $0.capabilities.fits(width: outW, height: outH) }
        if fitting.isEmpty && !geometric {
            if requested.isEmpty { return .nothingToDo }
            if let refused = acceptable.first { return .skip(.encoderFailed(refused)) }
            return .skip(.clientDoesNotAccept)
        }
        let format = fitting.first ?? sourceFormat
        let desired = request.quality ?? rule.quality
        let originQuality = sourceFormat.estimatesQuality
            ? (estimateQuality ?? sourceFormat.estimatedQuality)(header.metadata) : nil
        let output: OutputEncoding
        let scale = format.capabilities
        if !scale.isLossy {
            // PNG → PNG is always lossless (SPEC §2.4).
            output = OutputEncoding(format: format, quality: 100, lossless: true)
        } else if format == sourceFormat {
            // Re-encoding above the source's own quality only adds bytes: cap at the estimate.
            output = OutputEncoding(format: format, quality: scale.encoderQuality(min(desired, originQuality ?? 100)),
                                    lossless: false)
        } else if !sourceFormat.capabilities.isLossy && rule.pngLossless && scale.canBeLossless {
            // "Lossless for PNG": a lossless source becomes a lossless WebP/AVIF (SPEC §2.4).
            output = OutputEncoding(format: format, quality: 100, lossless: true)
        } else if let oq = originQuality, oq < desired {
            // SPEC §2.4: a pure conversion would only grow; with a resize/crop the geometry still pays off,
            // so encode at the source's own quality instead of serving a full-size original.
            if !geometric { return .skip(.biggerThanOrigin(format: format, originQuality: oq, desiredQuality: desired)) }
            output = OutputEncoding(format: format, quality: oq, lossless: false)
        } else {
            output = OutputEncoding(format: format, quality: desired, lossless: false)
        }
        var operations: [String] = []
        if resize != nil { operations.append("resize") }
        if crop != nil { operations.append("crop") }
        if format != sourceFormat || (scale.isLossy && request.quality != nil) { operations.append("convert") }
        if operations.isEmpty { return .nothingToDo }

        var denominator = 1
        if sourceFormat.capabilities.shrinkOnLoad, let r = resize {
            let factor = min(r.window.width / Double(r.width), r.window.height / Double(r.height))
            for d in [8, 4, 2] where Double(d) <= factor { denominator = d; break }
        }
        return .transform(Plan(sourceFormat: sourceFormat, sourceWidth: sw, sourceHeight: sh, orientation: orientation,
                               resize: resize, crop: crop, output: output, operations: operations,
                               outputWidth: outW, outputHeight: outH, decodeScaleDenominator: denominator,
                               colorProfile: rule.colorProfile))
    }

    /// SPEC §2.1. nil when the size does not change. Never enlarges.
    static func resizeStep(_ r: ImageRequest, width sw: Int, height sh: Int) throws -> ResizeStep? {
        let full = SourceWindow(x: 0, y: 0, width: Double(sw), height: Double(sh))
        func proportional(width w: Int) -> (Int, Int) { (w, max(1, Int((Double(sh) * Double(w) / Double(sw)).rounded()))) }
        func proportional(height h: Int) -> (Int, Int) { (max(1, Int((Double(sw) * Double(h) / Double(sh)).rounded())), h) }
        var window = full
        let size: (Int, Int)
        switch (r.width, r.height) {
        case (nil, nil):
            return nil
        case let (w?, nil):
            size = proportional(width: w)
        case let (nil, h?):
            size = proportional(height: h)
        case let (w?, h?):
            let scaleW = Double(w) / Double(sw), scaleH = Double(h) / Double(sh)
            switch r.fit {
            case .force:
                size = (w, h)
            case .fit:
                guard w <= sw, h <= sh else { throw SkipReason.wouldEnlarge }
                let s = max(scaleW, scaleH)
                let ww = min(Double(sw), Double(w) / s), wh = min(Double(sh), Double(h) / s)
                window = SourceWindow(x: (Double(sw) - ww) / 2, y: (Double(sh) - wh) / 2, width: ww, height: wh)
                size = (w, h)
            case .bounds:
                // Scaled by the axis whose requested number is greater; a tie fits inside the box.
                let byWidth = w != h ? w > h : scaleW <= scaleH
                size = byWidth ? proportional(width: w) : proportional(height: h)
            case .cover:
                // Scaled by the axis whose requested number is smaller; a tie covers the box.
                let byWidth = w != h ? w < h : scaleW >= scaleH
                size = byWidth ? proportional(width: w) : proportional(height: h)
            }
        }
        guard size.0 <= sw, size.1 <= sh else { throw SkipReason.wouldEnlarge }
        if size.0 == sw && size.1 == sh && window == full { return nil }
        return ResizeStep(window: window, width: size.0, height: size.1)
    }

    /// SPEC §2.2, on an image of `width`×`height` (the resized one). nil when the area is the whole image.
    /// A crop that does not fit is a skip, never clamped.
    static func cropRect(_ c: CropRequest, width w: Int, height h: Int) throws -> PixelRect? {
        let rect: PixelRect
        switch c {
        case let .aspect(a, b):
            // a, b ≤ 2^40 and sides ≤ 2^31: Double keeps every product exact enough to compare and round.
            if Double(w) * Double(b) >= Double(h) * Double(a) {
                let cw = max(1, min(w, Int((Double(h) * Double(a) / Double(b)).rounded())))
                rect = PixelRect(x: (w - cw) / 2, y: 0, width: cw, height: h)
            } else {
                let ch = max(1, min(h, Int((Double(w) * Double(b) / Double(a)).rounded())))
                rect = PixelRect(x: 0, y: (h - ch) / 2, width: w, height: ch)
            }
        case let .centred(cw, ch):
            guard cw <= w, ch <= h else { throw SkipReason.cropTooBig }
            rect = PixelRect(x: (w - cw) / 2, y: (h - ch) / 2, width: cw, height: ch)
        case let .positioned(cw, ch, px, py):
            guard cw <= w, ch <= h else { throw SkipReason.cropTooBig }
            rect = PixelRect(x: try position(px, area: cw, side: w), y: try position(py, area: ch, side: h), width: cw, height: ch)
        }
        if rect == PixelRect(x: 0, y: 0, width: w, height: h) { return nil }
        return rect
    }

    static func position(_ p: CropPosition, area: Int, side: Int) throws -> Int {
        switch p {
        case let .pixels(n):
            guard n <= side - area else { throw SkipReason.pixelsOutside }
            return n
        case let .percent(pc):
            let x = side * pc / 100
            guard x <= side - area else { throw SkipReason.percentOutside }
            return x
        case let .offset(o):
            return ((side - area) * o + 50) / 100
        }
    }
}
