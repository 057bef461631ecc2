import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Raster

/// Runs the pixel stages after entropy decoding: IDCT of every component into sample planes (step 5), then, per
/// output row, upsampling (step 6) and colour conversion (step 7). Both stages split the image into independent
/// bands that run on all cores; every band computes exactly what a serial pass would, so the output is the same.
struct JPEGOutputStage {
    let frame: JPEGFrame
    let planes: [JPEGComponentPlane]
    let transform: JPEGColorTransform
    let scaleDenominator: Int

    /// The IDCT output size per component (libjpeg "DCT scaled size"): 8 / scale for the component with the largest
    /// sampling factors; components subsampled by a power of two get a larger IDCT instead of upsampling, as
    /// djpeg does when scaling (so chroma is upsampled less).
    func blockSizes() -> [Int] {
        let minSize = 8 / scaleDenominator
        return planes.map { p in
            var size = minSize
            while size < 8 && (frame.maxH * minSize) % (p.h * size * 2) == 0 && (frame.maxV * minSize) % (p.v * size * 2) == 0 {
                size *= 2
            }
            return size
        }
    }

    func run(limits: ImageLimits) throws -> (width: Int, height: Int, samples: [UInt8]) {
        let n = scaleDenominator
        let outWidth = (frame.width + n - 1) / n
        let outHeight = (frame.height + n - 1) / n
        let minSize = 8 / n
        let sizes = blockSizes()

        // Upsampling methods: each component's samples per output group vs the largest (libjpeg's rule).
        var methods: [JPEGUpsampleMethod] = []
        var samplePlanes: [JPEGSamplePlane] = []
        var storage: [UnsafeMutablePointer<UInt8>] = []
        defer { for s in storage { s.deallocate() } }
        for (i, p) in planes.enumerated() {
            let hIn = p.h * sizes[i] / minSize, vIn = p.v * sizes[i] / minSize
            guard frame.maxH % hIn == 0, frame.maxV % vIn == 0 else {
                throw jpegError(.unsupported, nil, "sampling ratio \(p.h)x\(p.v) cannot be upsampled at this scale")
            }
            let hx = frame.maxH / hIn, vx = frame.maxV / vIn
            let dsWidth = (frame.width * p.h * sizes[i] + frame.maxH * 8 - 1) / (frame.maxH * 8)
            let dsHeight = (frame.height * p.v * sizes[i] + frame.maxV * 8 - 1) / (frame.maxV * 8)
            let fancy = minSize > 1
            let method: JPEGUpsampleMethod
            switch (hx, vx) {
            case (1, 1): method = .none
            case (2, 1) where fancy && dsWidth > 2: method = .fancyH2V1
            case (1, 2) where fancy: method = .fancyH1V2
            case (2, 2) where fancy && dsWidth > 2: method = .fancyH2V2
            default: method = .replicate(h: hx, v: vx)
            }
            methods.append(method)
            let stride = p.widthInBlocks * sizes[i]
            let rows = p.heightInBlocks * sizes[i]
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: stride * rows)
            storage.append(buffer)
            samplePlanes.append(JPEGSamplePlane(base: buffer, stride: stride, width: min(dsWidth, stride),
                                                height: min(dsHeight, rows)))
        }

        runIDCT(sizes: sizes, samplePlanes: samplePlanes)

        let channels = transform == .gray ? 1 : 3
        var samples = [UInt8](repeating: 0, count: outWidth * outHeight * channels)
        let tables = JPEGColorTables.shared
        let count = planes.count
        samples.withUnsafeMutableBufferPointer { outBuffer in
            let outBase = outBuffer.baseAddress!
            let bands = JPEGParallel.bands(outHeight, minimumRows: 16)
            let rowBytes = outWidth * channels
            let ups = methods, sp = samplePlanes
            JPEGParallel.run(bands.count) { band in
                let rowCapacity = max(outWidth, 2 * (sp.map(\.width).max() ?? 0)) + 16
                let buffers = UnsafeMutablePointer<UInt8>.allocate(capacity: rowCapacity * count)
                let rowPointers = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>.allocate(capacity: 4)
                defer { buffers.deallocate(); rowPointers.deallocate() }
                for y in bands[band] {
                    for c in 0..<count {
                        if case .none = ups[c] {
                            rowPointers[c] = sp[c].row(y)
                        } else {
                            let b = buffers + c * rowCapacity
                            JPEGUpsample.row(y, plane: sp[c], method: ups[c], out: b, outWidth: outWidth)
                            rowPointers[c] = b
                        }
                    }
                    JPEGColor.convertRow(transform, rowPointers, outBase + y * rowBytes, outWidth, tables)
                }
            }
        }
        return (outWidth, outHeight, samples)
    }

    /// IDCT of every component's data blocks, in bands of block rows.
    private func runIDCT(sizes: [Int], samplePlanes: [JPEGSamplePlane]) {
        var jobs: [(component: Int, rows: Range<Int>)] = []
        for (i, p) in planes.enumerated() {
            for band in JPEGParallel.bands(p.heightInBlocks, minimumRows: 4) { jobs.append((i, band)) }
        }
        let quant: [[Int32]] = planes.map { $0.quant ?? [Int32](repeating: 0, count: 64) }
        let planes = self.planes
        JPEGParallel.run(jobs.count) { j in
            let (ci, rows) = jobs[j]
            let p = planes[ci]
            let size = sizes[ci]
            let out = samplePlanes[ci]
            let ws = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
            defer { ws.deallocate() }
            quant[ci].withUnsafeBufferPointer { qb in
                let q = qb.baseAddress!
                for by in rows {
                    let rowBase = out.base + by * size * out.stride
                    for bx in 0..<p.widthInBlocks {
                        let coef = UnsafePointer(p.block(bx, by))
                        let dst = rowBase + bx * size
                        switch size {
                        case 8: JPEGIDCT.idct8x8(coef, q, ws, dst, out.stride)
                        case 4: JPEGIDCT.idct4x4(coef, q, ws, dst, out.stride)
                        case 2: JPEGIDCT.idct2x2(coef, q, ws, dst, out.stride)
                        default: JPEGIDCT.idct1x1(coef, q, dst)
                        }
                    }
                }
            }
        }
    }
}

/// Splitting work over the cores.
enum JPEGParallel {
    static let workers = max(1, min(8, activeProcessorCount()))

    static func activeProcessorCount() -> Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }

    /// About four bands per worker (so a slow band does not leave a core idle), each at least `minimumRows` long.
    static func bands(_ rows: Int, minimumRows: Int) -> [Range<Int>] {
        let wanted = max(1, min(workers * 4, rows / max(1, minimumRows)))
        var out: [Range<Int>] = []
        var start = 0
        for i in 0..<wanted {
            let end = rows * (i + 1) / wanted
            if end > start { out.append(start..<end) }
            start = end
        }
        return out
    }

    static func run(_ count: Int, _ body: (Int) -> Void) {
        if workers == 1 || count <= 1 {
            for i in 0..<count { body(i) }
        } else {
            DispatchQueue.concurrentPerform(iterations: count, execute: body)
        }
    }
}
