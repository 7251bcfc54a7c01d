import Domain
import Engine

/// Renders engine state as JSON by reflection, with domain values in their natural form.
///
/// Money as rupees, times as IST ISO 8601, instruments as `SEGMENT:ID`. The parsed configuration is left
/// out (the session's config hash identifies it).
public enum StateJSON {
    public static func render(_ state: EngineState) -> String {
        var copy = state
        copy.config = nil
        return value(copy, indent: 0)
    }

    static func value(_ subject: Any, indent: Int) -> String {
        switch subject {
        case let paise as Paise: return paise.description
        case let time as Timestamp: return jsonString(time.iso8601IST)
        case let date as CivilDate: return jsonString(date.description)
        case let key as InstrumentKey: return jsonString(key.description)
        case let id as SecurityID: return String(id.value)
        case let id as CorrelationID: return jsonString(id.value)
        case let status as OrderStatus: return jsonString(status.apiName)
        case let text as String: return jsonString(text)
        case let flag as Bool: return flag ? "true" : "false"
        case let number as Double: return number.isFinite ? "\(number)" : "null"
        case let number as Int: return String(number)
        case let number as Int64: return String(number)
        case let number as UInt64: return String(number)
        case let number as Int8: return String(number)
        case let number as UInt8: return String(number)
        case let number as UInt16: return String(number)
        case let number as UInt32: return String(number)
        default: break
        }
        let mirror = Mirror(reflecting: subject)
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch mirror.displayStyle {
        case .optional:
            guard let some = mirror.children.first else { return "null" }
            return value(some.value, indent: indent)
        case .collection, .set:
            let items = mirror.children.map { pad + value($0.value, indent: indent + 1) }
            return items.isEmpty ? "[]" : "[\n" + items.joined(separator: ",\n") + "\n" + closing + "]"
        case .enum:
            guard let payload = mirror.children.first else { return jsonString(String(describing: subject)) }
            let name = payload.label ?? String(describing: subject)
            return "{\n\(pad)\(jsonString(name)): \(value(payload.value, indent: indent + 1))\n\(closing)}"
        case .tuple, .struct, .class:
            // A derived cache is not the state (its JSON and hash leave it out too).
            let fields = mirror.children.filter { !($0.value is any DerivedValue) }.enumerated().map { offset, child in
                "\(pad)\(jsonString(child.label ?? "_\(offset)")): \(value(child.value, indent: indent + 1))"
            }
            return fields.isEmpty ? "{}" : "{\n" + fields.joined(separator: ",\n") + "\n" + closing + "}"
        default:
            return jsonString(String(describing: subject))
        }
    }
}
