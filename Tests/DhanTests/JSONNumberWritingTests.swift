import Foundation
import TestSupport
import Testing

@testable import Dhan

/// The chain writer's numbers must be `description`'s bytes exactly: the simulation's journals depend on them.
@Suite struct JSONNumberWritingTests {
    private func written(_ value: Double) -> String {
        var out = JSONOutput(capacity: 0)
        out.appendNumber(value)
        return String(decoding: out.takeData(), as: UTF8.self)
    }

    private func expected(_ value: Double) -> String { value.isFinite ? value.description : "null" }

    @Test func edgesReadAsDescriptionDoes() {
        let values: [Double] = [
            0, -0.0, 0.0001, -0.0001, 0.000_099_99, 9e-05, 1e-05, 0.000_15, 1e10, -1e10, 9_999_999_999.999_99,
            9_999_999_999, 0.1, 0.2, 0.3, 0.1 + 0.2, 2021.85, 40, -1.5, 123.456_789, 1.0 / 3, 0.05, 19.95,
            27_470.87, 11.47, -31.218_74, 0.767_1, 1e-4 + 1e-19, .nan, .infinity, -.infinity, .greatestFiniteMagnitude,
            .leastNonzeroMagnitude, -.leastNormalMagnitude, 4_503_599_627_370_496.5, 1e15, 1e16,
        ]
        for value in values {
            #expect(written(value) == expected(value), "\(value)")
        }
    }

    @Test func seededValuesOfEveryShapeReadAsDescriptionDoes() {
        var random = XorShift64(seed: 0x9E37_79B9_7F4A_7C15)
        func next() -> UInt64 { random.next() }
        var powers: [Double] = [1]
        for _ in 0..<8 { powers.append(powers.last! * 10) }
        var disagreements: [Double] = []
        for round in 0..<300_000 {
            let value: Double
            switch round % 4 {
            case 0:
                // A decimal of 0–8 places with up to 16 digits: prices, greeks, and past the fast path's limits.
                let digits = Double(next() % 10_000_000_000_000_000)
                value = digits / powers[Int(next() % 9)] * (next() % 2 == 0 ? 1 : -1)
            case 1:
                // A price in paise.
                value = Double(next() % 100_000_000) / 100
            case 2:
                // Any finite bit pattern.
                let bits = Double(bitPattern: next())
                value = bits.isFinite ? bits : 1
            default:
                // Log-uniform from 10^-6 to 10^12, both sides of the fast path's bounds.
                value = pow(10, Double(next() % 18_000_000) / 1_000_000 - 6)
            }
            if written(value) != expected(value) { disagreements.append(value) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) differ, first \(disagreements.prefix(5))")
    }

    /// `appendEncoderNumber` writes what `JSONEncoder` writes, whole numbers on both sides of 2^53 included
    /// (past it `description` has an exponent: the writer wrote `9007199254740994` where `JSONEncoder` writes
    /// `9.007199254740994e+15`).
    @Test func encoderNumbersAreJSONEncodersBytes() throws {
        func encoderWritten(_ value: Double) -> String {
            var out = JSONOutput(capacity: 0)
            out.appendEncoderNumber(value)
            return String(decoding: out.takeData(), as: UTF8.self)
        }
        func reference(_ value: Double) throws -> String {
            let array = String(decoding: try JSONEncoder().encode([value]), as: UTF8.self)
            return String(array.dropFirst().dropLast())
        }
        var values: [Double] = [
            0, -0.0, 1, -1, 40, 2021.85, 1e15, 1e16, -1e16, 4_503_599_627_370_496, 9_007_199_254_740_991,
            9_007_199_254_740_992, -9_007_199_254_740_992, 9_007_199_254_740_994, 9_007_199_254_740_996, 8e15, 6.02e23,
            0.05, 1e-5, .greatestFiniteMagnitude,
        ]
        var random = XorShift64(seed: 0x5851_F42D_4C95_7F2D)
        for _ in 0..<20_000 {
            // Whole numbers around 2^53, and any finite bit pattern.
            values.append(Double(9_007_199_254_740_992 - 1_000_000 + Int64(random.next() % 2_000_000)))
            let bits = Double(bitPattern: random.next())
            if bits.isFinite { values.append(bits) }
        }
        var disagreements: [Double] = []
        for value in values where try encoderWritten(value) != reference(value) { disagreements.append(value) }
        #expect(disagreements.isEmpty, "\(disagreements.count) differ, first \(disagreements.prefix(5))")
    }
}
