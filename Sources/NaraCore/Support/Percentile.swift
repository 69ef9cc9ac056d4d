/// Percentiles by nearest rank: the smallest value with at least p of the values at or below it.
/// Shared by the statistics pages and the benchmark drivers.
public enum Percentile {
    /// `sorted` ascending, p in 0...1; nil for no values.
    public static func nearestRank(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(sorted.count - 1, max(0, rank))]
    }
}
