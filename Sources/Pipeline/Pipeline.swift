// The transform pipeline (query grammar, plan, resampler, crop, orientation, negotiation, skips) lands here.
import Raster
