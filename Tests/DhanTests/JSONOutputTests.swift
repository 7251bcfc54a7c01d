import Foundation
import Testing

@testable import Dhan

/// The byte buffer dhan-sim's bodies are written into keeps every byte across its growth.
@Suite struct JSONOutputTests {
    @Test func bytesWrittenPastTheFirstCapacityAreAllKept() {
        var expected: [UInt8] = []
        var out = JSONOutput(capacity: 0)
        for round in 0..<2_000 {
            switch round % 4 {
            case 0:
                out.append("{\"key\":")
                expected += Array("{\"key\":".utf8)
            case 1:
                out.appendInteger(Int64(round) * -7)
                expected += Array(String(round * -7).utf8)
            case 2:
                out.appendString("a\"b\\c\u{1}é")
                expected += Array("\"a\\\"b\\\\c\\u0001é\"".utf8)
            default:
                out.append(UInt8(ascii: "}"))
                expected.append(UInt8(ascii: "}"))
            }
        }
        #expect(out.count == expected.count)
        #expect(Array(out.takeData()) == expected)
    }

    @Test func anArrayAndDataHoldTheSameBytesAndTakingStartsAgainEmpty() {
        var out = JSONOutput(capacity: 4)
        out.appendDigits(42, minimumCount: 5)
        out.append(".")
        out.appendNumber(19.95)
        #expect(out.bytes() == Array("00042.19.95".utf8))
        #expect(Array(out.takeData()) == Array("00042.19.95".utf8))
        #expect(out.count == 0)
        out.append("[]")
        #expect(Array(out.takeData()) == Array("[]".utf8))
    }
}
