import XCTest
@testable import Server
