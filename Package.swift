// swift-tools-version:6.0
// ImageStack: an on-the-fly image optimization server in pure Swift.
// No package dependencies and no C targets: every codec, the HTTP server and the origin client are ours.
import PackageDescription

let package = Package(
    name: "ImageStack",
    products: [
        .library(name: "ImageStack", targets: ["Raster", "Decoders", "Encoders", "Pipeline", "Server"]),
        .executable(name: "imagestack", targets: ["imagestack"]),
    ],
    targets: [
        .target(name: "Raster"),
        .target(name: "Decoders", dependencies: ["Raster"]),
        .target(name: "Encoders", dependencies: ["Raster"]),
        .target(name: "Pipeline", dependencies: ["Raster", "Decoders", "Encoders"]),
        .target(name: "Server", dependencies: ["Raster", "Decoders", "Encoders", "Pipeline"]),
        .executableTarget(name: "imagestack", dependencies: ["Raster", "Decoders", "Encoders", "Pipeline", "Server"]),
        // Test-only: where the committed corpus is (found from #filePath). Not part of the product.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RasterTests", dependencies: ["Raster"]),
        .testTarget(name: "DecodersTests", dependencies: ["Raster", "Decoders", "TestSupport"]),
        .testTarget(name: "EncodersTests", dependencies: ["Raster", "Decoders", "Encoders", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Raster", "Decoders", "Encoders", "Pipeline", "TestSupport"]),
        .testTarget(name: "ServerTests", dependencies: ["Raster", "Decoders", "Encoders", "Pipeline", "Server"]),
        // The golden conformance suite (Conformance/goldens): every case in-process, no external program.
        .testTarget(name: "ConformanceTests",
                    dependencies: ["Raster", "Decoders", "Encoders", "Pipeline", "Server", "TestSupport"]),
    ],
    // Swift 5 language mode: the server uses threads and locks from Glibc/Synchronization directly, and the codecs
    // are plain value code; strict Swift 6 isolation checking would add ceremony without catching real bugs here.
    swiftLanguageModes: [.v5]
)
