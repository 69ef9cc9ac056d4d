import Foundation
import NaraCore
import Testing
@testable import NaraHTTP

@Suite("Charts drawn on the server")
struct ChartTests {
    @Test("a column chart: one bar per value and series, the tallest at full height, values in the accessible name, text escaped, crowded labels thinned")
    func columns() {
        let svg = ColumnChart.svg(labels: ["11-16", "11-23", "<b>"], series: [.init(name: "Filed", values: [0, 4, 2]), .init(name: "Answered", values: [1, 2, 0])],
                                  title: "Complaints & weeks")
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("aria-label=\"Complaints &amp; weeks: Filed: 11-16 0, 11-23 4, &lt;b&gt; 2; Answered: 11-16 1, 11-23 2, &lt;b&gt; 0\""), "\(svg)")
        #expect(!svg.contains("<b>"))
        // 2 legend squares + 6 bars; the tallest (4) is the plot's full 160 units, a zero has no height.
        #expect(svg.components(separatedBy: "<rect").count - 1 == 8)
        #expect(svg.contains("height=\"160\"") && svg.contains("height=\"0\""))
        // 52 weeks: every other label.
        let many = ColumnChart.svg(labels: (1...52).map { "w\($0)" }, series: [.init(name: "Filed", values: Array(repeating: 1, count: 52))], title: "Year")
        #expect(many.contains(">w1<") && !many.contains(">w2<") && many.contains(">w3<"))
    }

    @Test("bar labels that would overflow are shortened with an ellipsis; the full label stays in the accessible name")
    func barLabels() {
        let svg = BarChart.svg([DashboardCount(label: "Ministry of Land, Infrastructure and Transport", value: 6.9)], title: "Days")
        #expect(svg.contains(">Ministry of Land, Infra…<") && svg.contains("aria-label=\"Days: Ministry of Land, Infrastructure and Transport: 6.9\""), "\(svg)")
        #expect(BarChart.label("Jongno-gu Office") == "Jongno-gu Office")
    }
}
