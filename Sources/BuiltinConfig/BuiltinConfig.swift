/// The default configuration compiled into the binaries, so `scalper` and `dhan-sim` run from any folder.
///
/// The texts are generated from `config/` by `tools/embed-config.py`; `scalper init` writes editable copies.
public enum BuiltinConfig {
    /// The file name `algo.yml` and `calendar.yml` are looked up under, in each place of the search.
    public static let algoFileName = "algo.yml"
    public static let calendarFileName = "calendar.yml"
}
