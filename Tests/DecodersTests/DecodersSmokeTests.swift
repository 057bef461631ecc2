import XCTest
@testable import Decoders
