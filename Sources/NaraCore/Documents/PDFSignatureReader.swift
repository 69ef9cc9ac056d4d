import Foundation

/// Reads the last signature of a PDF: its byte ranges, the signed bytes and the CMS value.
public struct PDFSignatureReader: Sendable {
    public let byteRange: [Int]
    public let signedBytes: [UInt8]
    /// The DER CMS value (zero padding removed).
    public let signature: [UInt8]
    /// True when the ranges start at 0, leave out exactly the /Contents string and end at the
    /// file's end: nothing was appended after signing.
    public let coversWholeFile: Bool

    public static func read(_ pdf: [UInt8]) -> PDFSignatureReader? {
        guard let range = lastByteRange(pdf), range.count == 4 else { return nil }
        let (a, b, c, d) = (range[0], range[1], range[2], range[3])
        let n = pdf.count
        // Our signatures start at byte 0; every bound is checked without additions that could
        // overflow, so no crafted /ByteRange can index outside the file.
        guard a == 0, b > 0, b < n, c > b + 1, c <= n, d >= 0, d <= n - c else { return nil }
        // The gap is the /Contents hex string including its angle brackets.
        guard pdf[b] == UInt8(ascii: "<"), pdf[c - 1] == UInt8(ascii: ">") else { return nil }
        guard let der = hexDecode(pdf[(b + 1)..<(c - 1)]), let length = PAdESSignature.derLength(of: der) else { return nil }
        let signed = Array(pdf[0..<b]) + Array(pdf[c..<(c + d)])
        return PDFSignatureReader(byteRange: range, signedBytes: signed, signature: Array(der.prefix(length)), coversWholeFile: c + d == n)
    }

    /// The issuance number the document declares in its information dictionary.
    public static func issuanceNumber(in bytes: [UInt8]) -> String? {
        let marker = Array("nara-issuance-number:".utf8)
        guard let start = bytes.lastIndex(of: marker) else { return nil }
        let digits = bytes[(start + marker.count)...].prefix(16)
        guard digits.count == 16, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return String(decoding: digits, as: UTF8.self)
    }

    private static func lastByteRange(_ pdf: [UInt8]) -> [Int]? {
        guard let start = pdf.lastIndex(of: Array("/ByteRange".utf8)) else { return nil }
        var index = start + 10
        while index < pdf.count, pdf[index] == UInt8(ascii: " ") { index += 1 }
        guard index < pdf.count, pdf[index] == UInt8(ascii: "[") else { return nil }
        guard let close = pdf[index...].prefix(200).firstIndex(of: UInt8(ascii: "]")) else { return nil }
        let text = String(decoding: pdf[(index + 1)..<close], as: UTF8.self)
        let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" }).map { Int($0) }
        guard numbers.allSatisfy({ $0 != nil }) else { return nil }
        return numbers.map { $0! }
    }

    private static func hexDecode(_ hex: ArraySlice<UInt8>) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(hex.count / 2)
        var high: UInt8?
        for c in hex {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x41...0x46: v = c - 0x37
            case 0x61...0x66: v = c - 0x57
            case 0x20, 0x0A, 0x0D, 0x09: continue
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }
}

extension Array where Element == UInt8 {
    /// The start of the last occurrence of `needle`.
    func lastIndex(of needle: [UInt8]) -> Int? {
        guard needle.count <= count, let first = needle.first else { return nil }
        var i = count - needle.count
        while i >= 0 {
            if self[i] == first {
                var match = true
                for j in 1..<needle.count where self[i + j] != needle[j] { match = false; break }
                if match { return i }
            }
            i -= 1
        }
        return nil
    }
}
