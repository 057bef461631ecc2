/// Step 6 of decoding: chroma upsampling to the full sampling grid (T.81 A.1.1 defines the grids; the filter is the
/// decoder's choice). To match djpeg's default output, 2x ratios use its "fancy" triangle filters and other integer
/// ratios replicate samples; the kernels are the colour module's (`ChromaUpsampling`).
enum JPEGUpsampleMethod: Equatable {
    case none
    case fancyH2V1
    case fancyH1V2
    case fancyH2V2
    case replicate(h: Int, v: Int)
}
