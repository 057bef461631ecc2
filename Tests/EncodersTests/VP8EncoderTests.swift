import Foundation
import XCTest
import Raster
@testable import Encoders

final class VP8EncoderTests: XCTestCase {
    func testPhotoDecodesAboveFloor() throws {
        guard let source = try VP8Oracle.load("photos/chelsea.png") else { throw XCTSkip("pngtopam missing") }
        for (quality, floor) in [(50, 30.0), (75, 32.0), (90, 35.0)] {
            let payload = try VP8Encoder.encodeKeyFrame(source, quality: quality, effort: 4)
            guard let decoded = try VP8Oracle.decode(VP8Oracle.riff(payload)) else { return }
            let psnr = VP8Oracle.psnr(source, decoded)
            print("chelsea q\(quality): \(payload.count) bytes, PSNR \(psnr)")
            XCTAssertGreaterThan(psnr, floor, "q\(quality)")
        }
    }
}
