#if canImport(Glibc)
import Glibc
#endif
import Raster

// The fuzzing entry points. `-sanitize=fuzzer` links libFuzzer; depending on how SwiftPM links the executable,
// the program starts either in libFuzzer's own main or here (SwiftPM's renamed entry point `main`). Both end in
// libFuzzer's driver with `LLVMFuzzerTestOneInput`, which runs the target named by FUZZ_TARGET.

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> Int32 {
    FuzzTargets.selectFromEnvironment()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    // One thread: runs stay deterministic (libFuzzer attributes coverage to the input) and skip thread hand-offs.
    Job.run(FuzzTargets.job) { FuzzTargets.selected(UnsafeBufferPointer(start: data, count: size)) }
    return 0
}

// Reached only when this file's entry point is the program's main.
FuzzTargets.selectFromEnvironment()
var count = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(withUnsafeMutablePointer(to: &arguments) { pointer in
    LLVMFuzzerRunDriver(&count, pointer) { data, size in fuzzerTestOneInput(data, size) }
})
