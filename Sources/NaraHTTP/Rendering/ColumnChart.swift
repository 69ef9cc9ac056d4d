import Foundation
import NaraCore

/// A column chart of one or more series over the same categories (weeks, months) as inline SVG,
/// drawn on the server. Each series has its colour and a legend entry; the values are summarised
/// in the image's accessible name, and pages show them in a table beside it.
public enum ColumnChart {
    public struct Series: Sendable {
        public let name: String
        public let values: [Double]

        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    /// Colours with at least 3:1 contrast on white (WCAG 1.4.11), told apart by the legend too.
    static let colours = ["#1d4f91", "#b35900", "#2e7d32", "#6a1b9a"]

    public static func svg(labels: [String], series: [Series], title: String) -> String {
        let plotHeight = 160, top = 28, labelHeight = 34, left = 40
        let groupWidth = max(28, min(64, 640 / max(1, labels.count)))
        let width = left + labels.count * groupWidth + 10
        let height = top + plotHeight + labelHeight
        let maximum = max(series.flatMap(\.values).max() ?? 0, 1)
        let barWidth = max(4, (groupWidth - 8) / max(1, series.count))
        let summary = series.map { s in
            s.name + ": " + zip(labels, s.values).map { "\($0) \(BarChart.format($1))" }.joined(separator: ", ")
        }.joined(separator: "; ")
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" role=\"img\" aria-label=\"\(BarChart.escape(title)): \(BarChart.escape(summary))\">"
        out += "<title>\(BarChart.escape(title))</title>"
        // Legend, then the axis with its top value.
        var x = left
        for (index, s) in series.enumerated() {
            out += "<rect x=\"\(x)\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(colours[index % colours.count])\"></rect>"
            out += "<text x=\"\(x + 16)\" y=\"17\" font-size=\"12\" fill=\"#1b1b1b\">\(BarChart.escape(s.name))</text>"
            x += 24 + s.name.count * 8
        }
        let base = top + plotHeight
        out += "<line x1=\"\(left - 2)\" y1=\"\(base)\" x2=\"\(width - 6)\" y2=\"\(base)\" stroke=\"#5c5c5c\"></line>"
        out += "<text x=\"\(left - 6)\" y=\"\(top + 4)\" text-anchor=\"end\" font-size=\"11\" fill=\"#1b1b1b\">\(BarChart.format(maximum))</text>"
        out += "<text x=\"\(left - 6)\" y=\"\(base)\" text-anchor=\"end\" font-size=\"11\" fill=\"#1b1b1b\">0</text>"
        // Labels about 34 units wide: with many columns, every few columns get one.
        let labelStep = max(1, Int((34.0 / Double(groupWidth)).rounded(.up)))
        for (column, label) in labels.enumerated() {
            let groupX = left + column * groupWidth + 4
            for (index, s) in series.enumerated() where column < s.values.count {
                let value = s.values[column]
                let h = Int((value / maximum * Double(plotHeight)).rounded())
                let barHeight = max(h, value > 0 ? 2 : 0)
                out += "<rect x=\"\(groupX + index * barWidth)\" y=\"\(base - barHeight)\" width=\"\(barWidth - 1)\" height=\"\(barHeight)\" fill=\"\(colours[index % colours.count])\"></rect>"
            }
            if column % labelStep == 0 {
                out += "<text x=\"\(groupX + (groupWidth - 8) / 2)\" y=\"\(base + 16)\" text-anchor=\"middle\" font-size=\"11\" fill=\"#1b1b1b\">\(BarChart.escape(label))</text>"
            }
        }
        return out + "</svg>"
    }
}
