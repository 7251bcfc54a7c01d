import Foundation

extension ChartResponse {
    /// The body as JSON bytes: what `JSONEncoder` with `.sortedKeys` writes, without its cost (dhan-sim answers
    /// a session's history with days of minute bars).
    public func jsonBody() -> Data {
        var out = JSONOutput(capacity: 16 * (open.count + 1) * 7)
        func array<Element>(_ values: [Element], _ write: (Element) -> Void) {
            out.append("[")
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(",") }
                write(value)
            }
            out.append("]")
        }
        func doubles(_ values: [Double]) { array(values) { out.appendEncoderNumber($0) } }
        func integers(_ values: [Int64]) { array(values) { out.appendInteger($0) } }
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
