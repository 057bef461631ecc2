// swift-tools-version:6.0
// libFuzzer targets for ImageStack's parsers, kept out of the product: a package of its own that depends on the
// one in the parent folder by path, so `swift build` / `swift test` at the root never see it. Built only by
// Scripts/fuzz.sh with `-sanitize=fuzzer,address`; see Fuzz/README.md.
import PackageDescription

let package = Package(
    name: "ImageStackFuzz",
    dependencies: [.package(name: "ImageStack", path: "..")],
    targets: [
        .executableTarget(name: "imagestack-fuzz", dependencies: [.product(name: "ImageStack", package: "ImageStack")]),
    ],
    swiftLanguageModes: [.v5]
)
