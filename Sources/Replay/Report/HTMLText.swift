/// Text made safe for an HTML page: the session report's and the sweep report's one escape.
enum HTMLText {
    /// `&`, `<`, `>` and `"` as entities, so a name or a note can sit in an element or a quoted attribute.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
