import Foundation
import NaraCore

/// A horizontal bar chart as inline SVG, drawn on the server (pages work without JavaScript).
/// The values are written next to the bars and summarised in the image's accessible name. Shared by the modules' dashboards.
public enum BarChart {
    public static func svg(_ bars: [DashboardCount], title: String, unit: String = "") -> String {
        let rowHeight = 28, labelWidth = 190, chartWidth = 300, valueWidth = 120
        let height = max(1, bars.count) * rowHeight + 8
        let width = labelWidth + chartWidth + valueWidth
        let maximum = max(bars.map(\.value).max() ?? 0, 1)
        let summary = bars.map { "\($0.label): \(format($0.value))\(unit)" }.joined(separator: ", ")
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" role=\"img\" aria-label=\"\(escape(title)): \(escape(summary))\">"
        out += "<title>\(escape(title))</title>"
        for (index, bar) in bars.enumerated() {
            let y = index * rowHeight + 4
            let length = Int((bar.value / maximum * Double(chartWidth - 10)).rounded())
            out += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 18)\" text-anchor=\"end\" font-size=\"13\" fill=\"#1b1b1b\">\(escape(label(bar.label)))</text>"
            out += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(max(length, bar.value > 0 ? 2 : 0))\" height=\"18\" fill=\"#1d4f91\"></rect>"
            out += "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 18)\" font-size=\"13\" fill=\"#1b1b1b\">\(escape(format(bar.value) + unit))</text>"
        }
        return out + "</svg>"
    }

    /// A label that fits left of the bars (about 24 characters at this size); the whole label is in the accessible name.
    static func label(_ text: String) -> String {
        text.count <= 24 ? text : String(text.prefix(23)).trimmingCharacters(in: .whitespaces) + "…"
    }

    /// A whole number as is, otherwise one decimal (the charts' and the tables' figures).
    public static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
