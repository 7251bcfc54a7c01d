/// The stable numeric kind of every journaled entry; events below 100, commands from 101.
///
/// A kind's number never changes and is never reused. Changing a payload's layout bumps its
/// `currentVersion`, and the payload's decoder keeps reading every version from 1.
public enum EntryKind: UInt16, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case sessionStarted = 1
    case tick = 2
    case candleBatch = 3
    case optionChain = 4
    case expiryList = 5
    case funds = 6
    case positions = 7
    case orderAccepted = 8
    case orderRejected = 9
    case orderUpdate = 10
    case fill = 11
    case timer = 12
    case operatorCommand = 13
    case feedStatus = 14
    case reconciliation = 15
    case contracts = 16
    case cancelRejected = 17
    case modifyRejected = 18

    case placeOrder = 101
    case modifyOrder = 102
    case cancelOrder = 103
    case subscribe = 104
    case unsubscribe = 105
    case fetchData = 106

    /// The version this build writes.
    public var currentVersion: UInt16 {
        switch self {
        case .tick, .sessionStarted, .optionChain: 2
        default: 1
        }
    }

    public var isCommand: Bool { rawValue > 100 }

    /// The snake_case name `journal dump` shows and `--kind` accepts.
    public var name: String {
        switch self {
        case .sessionStarted: "session_started"
        case .tick: "tick"
        case .candleBatch: "candle_batch"
        case .optionChain: "option_chain"
        case .expiryList: "expiry_list"
        case .funds: "funds"
        case .positions: "positions"
        case .orderAccepted: "order_accepted"
        case .orderRejected: "order_rejected"
        case .orderUpdate: "order_update"
        case .fill: "fill"
        case .timer: "timer"
        case .operatorCommand: "operator_command"
        case .feedStatus: "feed_status"
        case .reconciliation: "reconciliation"
        case .contracts: "contracts"
        case .cancelRejected: "cancel_rejected"
        case .modifyRejected: "modify_rejected"
        case .placeOrder: "place_order"
        case .modifyOrder: "modify_order"
        case .cancelOrder: "cancel_order"
        case .subscribe: "subscribe"
        case .unsubscribe: "unsubscribe"
        case .fetchData: "fetch_data"
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    public var description: String { name }
}
