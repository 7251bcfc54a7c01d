import Foundation

extension ChartResponse {
    /// The body as JSON bytes: what `JSONEncoder` with `.sortedKeys` writes, without its cost (dhan-sim answers
    /// a session's history with days of minute bars).
    public func jsonBody() -> Data {
        var out = JSONOutput(capacity: 16 * (open.count + 1) * 7)
        func doubles(_ values: [Double]) {
            out.append("[")
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(",") }
                out.appendEncoderNumber(value)
            }
            out.append("]")
        }
        func integers(_ values: [Int64]) {
            out.append("[")
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(",") }
                out.appendInteger(value)
            }
            out.append("]")
        }
        out.append("{\"close\":")
        doubles(close)
        out.append(",\"high\":")
        doubles(high)
        out.append(",\"low\":")
        doubles(low)
        out.append(",\"open\":")
        doubles(open)
        if let openInterest {
            out.append(",\"open_interest\":")
            integers(openInterest)
        }
        out.append(",\"timestamp\":")
        integers(timestamp)
        out.append(",\"volume\":")
        integers(volume)
        out.append("}")
        return out.takeData()
    }
}
