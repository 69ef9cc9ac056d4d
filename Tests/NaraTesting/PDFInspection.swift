import Foundation

/// Reads back what Nara's PDF writer drew, for tests: the QR code's modules.
public enum PDFInspection {
    /// The matrix drawn as `s 0 0 s x y cm` followed by `column row width 1 re` runs (row 0 at
    /// the bottom), as `modules[row][column]` with row 0 at the top.
    public static func qrMatrix(in pdf: [UInt8]) -> [[Bool]]? {
        let text = String(decoding: pdf, as: UTF8.self)
        guard let start = text.range(of: " cm\n") else { return nil }
        var runs: [(Int, Int, Int)] = []
        for line in text[start.upperBound...].split(separator: "\n") {
            if line == "f" { break }
            let parts = line.split(separator: " ")
            guard parts.count == 5, parts[4] == "re", parts[3] == "1", let c = Int(parts[0]), let r = Int(parts[1]), let w = Int(parts[2]) else { return nil }
            runs.append((c, r, w))
        }
        guard !runs.isEmpty else { return nil }
        let size = max(runs.map { $0.0 + $0.2 }.max()!, runs.map { $0.1 + 1 }.max()!)
        var modules = Array(repeating: Array(repeating: false, count: size), count: size)
        for (c, r, w) in runs {
            for column in c..<(c + w) { modules[size - 1 - r][column] = true }
        }
        return modules
    }
}
