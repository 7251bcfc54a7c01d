import Foundation
import Testing

@testable import Dhan

/// The option-chain request is written and read from its bytes: a body `JSONDecoder` reads to the same request,
/// and what `JSONDecoder` reads or refuses.
@Suite struct OptionChainRequestCodingTests {
    @Test func bodyReadsBackByJSONDecoderAndByParse() throws {
        let requests = [
            OptionChainRequest(underlyingScrip: 13, underlyingSeg: "IDX_I", expiry: "2025-11-04"),
            OptionChainRequest(underlyingScrip: 51, underlyingSeg: "IDX_I", expiry: nil),
        ]
        for request in requests {
            #expect(try JSONDecoder().decode(OptionChainRequest.self, from: request.jsonBody()) == request)
            #expect(OptionChainRequest.parse(request.jsonBody()) == request)
        }
    }

    @Test func parseTakesAnyKeyOrderAndRefusesWhatJSONDecoderRefuses() {
        let reordered = Data(#"{"Expiry":"2025-11-04","UnderlyingSeg":"IDX_I","Other":[1],"UnderlyingScrip":25}"#.utf8)
        #expect(
            OptionChainRequest.parse(reordered)
                == OptionChainRequest(underlyingScrip: 25, underlyingSeg: "IDX_I", expiry: "2025-11-04"))
        #expect(
            OptionChainRequest.parse(Data(#"{"UnderlyingScrip":13,"UnderlyingSeg":"IDX_I","Expiry":null}"#.utf8))
                == OptionChainRequest(underlyingScrip: 13, underlyingSeg: "IDX_I", expiry: nil))
        for refused in [
            #"{"UnderlyingSeg":"IDX_I"}"#, #"{"UnderlyingScrip":"13","UnderlyingSeg":"IDX_I"}"#,
            #"{"UnderlyingScrip":13}"#, #"{"UnderlyingScrip":13,"UnderlyingSeg":"IDX_I""#, "[]",
        ] {
            #expect(OptionChainRequest.parse(Data(refused.utf8)) == nil, "\(refused)")
            #expect((try? JSONDecoder().decode(OptionChainRequest.self, from: Data(refused.utf8))) == nil)
        }
    }
}
