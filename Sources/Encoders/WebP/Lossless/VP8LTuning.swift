import Glibc
// TEMPORARY experiment knobs (removed before the final commit).
enum VP8LTuning {
    static func int(_ name: String, _ fallback: Int) -> Int {
        guard let v = getenv(name) else { return fallback }
        return Int(String(cString: v)) ?? fallback
    }
}
