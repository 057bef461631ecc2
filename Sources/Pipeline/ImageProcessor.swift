import Raster
import Decoders
import Formats

// CONTRACT between the pipeline and its callers (CLI `process`, the server). The pipeline issue implements these;
// signatures may gain parameters with defaults, but callers rely on these names and meanings.

/// The Gcore rule fields that shape a transformation (SPEC §4). Query parameters refine them per request.
public struct RuleSettings: Sendable, Equatable {
    public var enabled: Bool = true
    /// Output quality 0...100 (presets: High 95, Medium 80, Low 65; default High).
    public var quality: Int = 95
    /// The conversion targets used by default when the client accepts them, and the order of preference
    /// (config `formats`, or Gcore's `webp`/`avif` switches).
    public var formats: FormatPreference = .none
    /// PNG sources become lossless WebP/AVIF.
    public var pngLossless: Bool = false
    /// What happens to an embedded ICC profile (SPEC §5): converted to sRGB (default) or kept.
    public var colorProfile: ColorProfilePolicy = .srgb
    public init(enabled: Bool = true, quality: Int = 95, formats: FormatPreference = .none, pngLossless: Bool = false,
                colorProfile: ColorProfilePolicy = .srgb) {
        self.enabled = enabled; self.quality = quality; self.formats = formats; self.pngLossless = pngLossless
        self.colorProfile = colorProfile
    }
}

/// A request URL's query split into the image parameters (width, height, fit, crop, quality, fmt) and the rest,
/// which goes to the origin unchanged (SPEC §2).
public struct SplitQuery: Sendable, Equatable {
    /// Image parameters as they appeared (decoded key, raw value), in order.
    public var imageParameters: [(key: String, value: String)]
    /// The other parameters, re-joined in their original encoding and order ("" when none).
    public var originQuery: String
    /// Canonical form of the image parameters for cache keys (sorted, deduplicated the way the parser resolves them).
    public var normalizedImageParameters: String
    public static func == (a: SplitQuery, b: SplitQuery) -> Bool {
        a.originQuery == b.originQuery && a.normalizedImageParameters == b.normalizedImageParameters
            && a.imageParameters.map { "\($0.key)=\($0.value)" } == b.imageParameters.map { "\($0.key)=\($0.value)" }
    }
}

/// What was done, or why nothing was: everything a response needs.
public struct ProcessingOutcome: Sendable {
    /// The response body: the transformed image, or the original bytes untouched on a skip.
    public var body: [UInt8]
    /// `Content-Type` of `body` ("image/webp", ...; on a skip the sniffed type of the original).
    public var contentType: String
    /// Operations performed, in order, from "resize", "crop", "convert" (X-Img-Operations). Empty on a skip.
    public var operations: [String]
    /// The exact `Img-Skip-Reason` string (SPEC §6) when the original is served; nil when transformed.
    public var skipReason: String?
    /// Milliseconds spent decoding, transforming and encoding (X-Img-Processing-Time).
    public var processingMilliseconds: Double
    /// True when the body could differ by the client's Accept header (→ `Vary: Accept`).
    public var variesByAccept: Bool
    /// What the pipeline wants in the logs besides the outcome (e.g. the colour stage: a profile converted,
    /// dropped, or ignored with the reason).
    public var notes: [String] = []
    /// Set when the job was stopped before its end (`Job`): on `.deadlineExceeded` the original is served with
    /// `compression: processing time limit exceeded`; on `.abandoned` nobody waits for the outcome.
    public var stoppedBy: JobStop?

    /// Nothing was asked (no parameters, `quality` alone, a same-size resize, a disabled rule): `body` is the
    /// original, with no operations and no skip reason — answer like a plain proxy (no X-Img-Operations).
    public var isPassthrough: Bool { skipReason == nil && operations.isEmpty }

    public init(body: [UInt8], contentType: String, operations: [String], skipReason: String?,
                processingMilliseconds: Double, variesByAccept: Bool, stoppedBy: JobStop? = nil) {
        self.body = body; self.contentType = contentType; self.operations = operations; self.skipReason = skipReason
        self.processingMilliseconds = processingMilliseconds; self.variesByAccept = variesByAccept
        self.stoppedBy = stoppedBy
    }
}

public enum ImageProcessor {
    /// Splits a raw (still percent-encoded) query string, without the leading "?".
    public static func splitQuery(_ rawQuery: String) -> SplitQuery {
        var image: [(key: String, value: String)] = []
        var origin: [Substring] = []
        for component in QueryString.components(rawQuery) {
            if QueryGrammar.imageKeys.contains(component.key) {
                image.append((key: component.key, value: String(component.rawValue)))
            } else {
                origin.append(component.raw)
            }
        }
        let normalized: String
        switch QueryGrammar.parse(image) {
        case .success(let request): normalized = QueryGrammar.normalized(request)
        case .failure(let reason): normalized = "invalid:" + reason.text
        }
        return SplitQuery(imageParameters: image, originQuery: origin.joined(separator: "&"),
                          normalizedImageParameters: normalized)
    }

    /// The output format the request will get before any pixel is decoded: a conversion target's id or "original".
    /// Used in cache and coalescing keys.
    public static func negotiatedFormat(query: SplitQuery, accept: String?, rule: RuleSettings) -> String {
        guard rule.enabled, case .success(let request) = QueryGrammar.parse(query.imageParameters) else { return "original" }
        let requested = Negotiation.requestedFormats(rule: rule, request: request)
        return Negotiation.choose(requested: requested, accepted: Negotiation.acceptedFormats(accept)).first?.id.rawValue ?? "original"
    }

    /// Runs the whole plan (sniff → header → plan → decode → orient → resize → crop → encode → size check) on
    /// `original`. Never throws: every failure becomes a skip that serves the original. Runs under the calling
    /// thread's `Job`: it checks the job between stages (the codecs inside their long loops) and, once the job is
    /// stopped, returns the original with `stoppedBy` set (and the processing-time skip reason for a deadline).
    public static func process(original: [UInt8], query: SplitQuery, accept: String?, rule: RuleSettings,
                               limits: ImageLimits = .default) -> ProcessingOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        func milliseconds() -> Double {
            let d = (clock.now - start).components
            return Double(d.seconds) * 1000 + Double(d.attoseconds) / 1e15
        }
        let sniffed = ContentSniffer.detect(original)
        func serveOriginal(reason: SkipReason?, varies: Bool) -> ProcessingOutcome {
            ProcessingOutcome(body: original, contentType: sniffed.mimeType, operations: [], skipReason: reason?.text,
                              processingMilliseconds: milliseconds(), variesByAccept: varies)
        }
        func stopped(_ stop: JobStop, varies: Bool) -> ProcessingOutcome {
            var outcome = serveOriginal(reason: stop == .deadlineExceeded ? .processingTimeLimit : nil, varies: varies)
            outcome.stoppedBy = stop
            return outcome
        }
        // A job stopped before it started (its client left while it was queued, or its deadline passed there).
        if let stop = Job.current.stopReason { return stopped(stop, varies: false) }
        guard rule.enabled else { return serveOriginal(reason: nil, varies: false) }
        if let format = sniffed.format, format.isAnimated(original) {
            return serveOriginal(reason: .animated(format), varies: false)
        }
        guard let format = sniffed.format, format.isProcessedFromOrigin else {
            return serveOriginal(reason: .unsupportedContentType(sniffed.mimeType), varies: false)
        }
        let request: ImageRequest
        switch QueryGrammar.parse(query.imageParameters) {
        case .success(let r): request = r
        case .failure(let reason): return serveOriginal(reason: reason, varies: false)
        }
        let varies = !Negotiation.requestedFormats(rule: rule, request: request).isEmpty
        // Nothing asked (no geometry, no format): `quality` alone changes nothing (SPEC §2.4), no need to decode.
        if request.width == nil && request.height == nil && request.crop == nil && !varies {
            return serveOriginal(reason: nil, varies: false)
        }
        let header: ImageHeader
        do {
            header = try format.readHeader(original, limits: limits)
        } catch {
            return serveOriginal(reason: .decoderError(error), varies: false)
        }
        let plan: Plan
        switch Plan.make(request: request, rule: rule, accepted: Negotiation.acceptedFormats(accept), header: header) {
        case .skip(let reason): return serveOriginal(reason: reason, varies: varies)
        case .nothingToDo: return serveOriginal(reason: nil, varies: varies)
        case .transform(let p): plan = p
        }
        let body: [UInt8]
        var notes: [String] = []
        do {
            body = try execute(plan, original: original, limits: limits, notes: &notes)
        } catch let stop as JobStop {
            return stopped(stop, varies: varies)
        } catch let reason as SkipReason {
            var outcome = serveOriginal(reason: reason, varies: varies)
            outcome.notes = notes
            return outcome
        } catch {
            return serveOriginal(reason: .resizeInternal, varies: varies)
        }
        guard body.count < original.count else {
            var outcome = serveOriginal(reason: .notSmaller, varies: varies)
            outcome.notes = notes
            return outcome
        }
        var outcome = ProcessingOutcome(body: body, contentType: plan.output.format.mimeType, operations: plan.operations,
                                        skipReason: nil, processingMilliseconds: milliseconds(), variesByAccept: varies)
        outcome.notes = notes
        return outcome
    }

    /// Decodes (shrinking JPEGs on load), orients, converts colour, resizes, crops and encodes as `plan` says.
    /// Throws a `SkipReason` naming the stage that failed, or the `JobStop` of a stopped job (checked between
    /// stages here and inside the codecs' long loops).
    public static func execute(_ plan: Plan, original: [UInt8], limits: ImageLimits = .default) throws -> [UInt8] {
        var notes: [String] = []
        return try execute(plan, original: original, limits: limits, notes: &notes)
    }

    /// The same, adding what the stages want logged to `notes`.
    public static func execute(_ plan: Plan, original: [UInt8], limits: ImageLimits = .default,
                               notes: inout [String]) throws -> [UInt8] {
        var raster: Raster
        // CMYK JPEGs are decoded to their CMYK samples so the colour stage can convert them through their profile.
        do {
            raster = try plan.sourceFormat.decode(original, options: DecodeOptions(
                limits: limits, scaleDenominator: plan.decodeScaleDenominator, keepCMYK: true))
        } catch let stop as JobStop {
            throw stop
        } catch let error as CodecError where error.kind == .unsupported && plan.decodeScaleDenominator > 1 {
            // A decoder that cannot scale this file still decodes it at full size.
            do {
                raster = try plan.sourceFormat.decode(original, options: DecodeOptions(limits: limits, keepCMYK: true))
            } catch let stop as JobStop { throw stop } catch {
                throw SkipReason.decoderError(error)
            }
        } catch {
            throw SkipReason.decoderError(error)
        }
        try Job.checkpoint()
        raster.metadata.orientation = plan.orientation
        raster = Orientation.apply(raster)
        try Job.checkpoint()
        if let note = ColorStage.apply(&raster, policy: plan.colorProfile) { notes.append("colour: " + note) }
        if let step = plan.resize {
            try Job.checkpoint()
            let window = decodedWindow(step.window, plan: plan, decodedWidth: raster.width, decodedHeight: raster.height)
            do {
                raster = try Resampler.resample(raster, window: window, width: step.width, height: step.height)
            } catch let stop as JobStop {
                throw stop
            } catch {
                throw SkipReason.resizeInternal
            }
        }
        if let rect = plan.crop {
            do { raster = try Crop.apply(raster, rect: rect) } catch { throw SkipReason.cropTooBig }
        }
        try Job.checkpoint()
        let prepared = OutputRaster.prepare(raster, for: plan.output.format)
        try Job.checkpoint()
        do {
            return try OutputRaster.encode(prepared, as: plan.output)
        } catch let stop as JobStop {
            throw stop
        } catch {
            throw SkipReason.encoderFailed(plan.output.format)
        }
    }

    /// Maps a window in upright source pixels onto the (oriented) decoded raster. With shrink-on-load by d, decoded
    /// pixel k covers stored source pixels [d·k, d·k + d) — the last one partly padding when the side is not a
    /// multiple of d (T.81 A.1.1 / libjpeg's scaled output size ⌈S/d⌉). Where the orientation reversed an axis,
    /// that padding sits at its start, so the mapping is shifted by S − d·⌈S/d⌉ there.
    static func decodedWindow(_ w: SourceWindow, plan: Plan, decodedWidth: Int, decodedHeight: Int) -> SourceWindow {
        let d = plan.decodeScaleDenominator
        let o = plan.orientation
        func axis(_ start: Double, _ length: Double, source: Int, decoded: Int, reversed: Bool) -> (Double, Double) {
            let scale: Double, offset: Double
            if decoded == (source + d - 1) / d {
                scale = 1 / Double(d)
                offset = reversed ? Double(source - d * decoded) : 0
            } else {
                scale = Double(decoded) / Double(source)
                offset = 0
            }
            let a = min(max((start - offset) * scale, 0), Double(decoded))
            let b = min(max((start + length - offset) * scale, a), Double(decoded))
            return (a, b - a)
        }
        let (x, width) = axis(w.x, w.width, source: plan.sourceWidth, decoded: decodedWidth, reversed: [2, 3, 6, 7].contains(o))
        let (y, height) = axis(w.y, w.height, source: plan.sourceHeight, decoded: decodedHeight, reversed: [3, 4, 7, 8].contains(o))
        return SourceWindow(x: x, y: y, width: width, height: height)
    }
}
