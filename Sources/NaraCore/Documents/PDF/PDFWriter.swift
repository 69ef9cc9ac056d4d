import Foundation

// A small PDF 1.7 writer for certificates: A4 pages of text, rules, boxes and a module matrix
// (QR code), with Korean and Latin text in a per-document subset of an embedded TrueType font
// (Type0 / CIDFontType2, Identity-H, ToUnicode), and optionally an invisible signature field
// whose /Contents is reserved for a PAdES (ETSI.CAdES.detached) CMS signature.
//
// Every stream is written uncompressed (content streams must stay readable; the font subset is
// small), so a one-page certificate is roughly 30–80 KB depending on how many distinct
// syllables it uses.

/// Errors from `PDFWriter` and `PreparedPDF`.
public enum PDFWriterError: Error, Sendable, Equatable {
    /// `render` was given no pages.
    case noPages
    /// A page was built with fonts other than those given to `render`.
    case fontMismatch
    /// The signature capacity must be positive.
    case invalidSignatureCapacity
    /// `embed(signature:)` on a PDF rendered without a signature placeholder.
    case noSignaturePlaceholder
    /// The DER signature is larger than the space reserved for it.
    case signatureTooLarge(capacity: Int, size: Int)
}

/// The regular and bold faces text is set in.
public struct PDFFonts: Sendable {
    public let regular: TrueTypeFont
    public let bold: TrueTypeFont

    public init(regular: TrueTypeFont, bold: TrueTypeFont) {
        self.regular = regular
        self.bold = bold
    }

    @inline(__always)
    func font(bold: Bool) -> TrueTypeFont { bold ? self.bold : regular }
}

/// What a page shows, recorded in PDF user space: points, origin at the bottom-left corner.
/// Text is kept as glyphs of the original fonts and encoded when the document is rendered (the
/// fonts are subset per document, which renumbers glyphs).
public struct PDFPageBuilder: Sendable {
    /// A4 portrait in points.
    public static let a4Width = 595.28
    public static let a4Height = 841.89

    public let fonts: PDFFonts
    public let pageWidth: Double
    public let pageHeight: Double

    fileprivate var items: [PDFPageItem] = []
    /// For each style (0 regular, 1 bold), the first Unicode scalar seen for each glyph used.
    fileprivate var unicode: [[UInt16: Unicode.Scalar]] = [[:], [:]]

    public init(fonts: PDFFonts, width: Double = PDFPageBuilder.a4Width, height: Double = PDFPageBuilder.a4Height) {
        self.fonts = fonts
        self.pageWidth = width
        self.pageHeight = height
    }

    // MARK: Text

    /// Draws `s` on one line with its baseline starting at (`x`, `y`). Control characters are
    /// skipped (a tab counts as a space); characters the font lacks show as .notdef.
    /// `gray` is the fill: 0 black, 1 white.
    public mutating func text(_ s: String, x: Double, y: Double, size: Double, bold: Bool = false, gray: Double = 0) {
        let font = fonts.font(bold: bold)
        let style = bold ? 1 : 0
        var glyphs: [UInt16] = []
        glyphs.reserveCapacity(s.unicodeScalars.count)
        for scalar in s.unicodeScalars {
            guard let glyph = Self.glyph(for: scalar, in: font) else { continue }
            glyphs.append(glyph)
            if glyph != 0, unicode[style][glyph] == nil {
                unicode[style][glyph] = scalar == "\t" ? " " : scalar
            }
        }
        guard !glyphs.isEmpty else { return }
        items.append(.text(bold: bold, glyphs: glyphs, x: x, y: y, size: size, gray: gray))
    }

    /// Draws `s` with its right end at `x`.
    public mutating func textRight(_ s: String, x: Double, y: Double, size: Double, bold: Bool = false, gray: Double = 0) {
        text(s, x: x - width(of: s, size: size, bold: bold), y: y, size: size, bold: bold, gray: gray)
    }

    /// Draws `s` centred on `x`.
    public mutating func textCentered(_ s: String, x: Double, y: Double, size: Double, bold: Bool = false, gray: Double = 0) {
        text(s, x: x - width(of: s, size: size, bold: bold) / 2, y: y, size: size, bold: bold, gray: gray)
    }

    /// The advance width of `s` set at `size` points, in points.
    public func width(of s: String, size: Double, bold: Bool = false) -> Double {
        let font = fonts.font(bold: bold)
        var units = 0
        for scalar in s.unicodeScalars {
            if let glyph = Self.glyph(for: scalar, in: font) { units += font.advanceWidth(of: glyph) }
        }
        return Double(units) * size / Double(font.unitsPerEm)
    }

    /// Sets `s` in lines no wider than `width`, the first baseline at `y` and each next one
    /// `leading` lower, and returns the baseline the line after the last would have (`y` minus
    /// `leading` times the number of lines). Lines break at spaces and at "\n"; a word wider
    /// than the line breaks between Hangul syllables (filling the current line first), and
    /// failing that between any two characters.
    @discardableResult
    public mutating func wrappedText(_ s: String, x: Double, y: Double, width: Double, size: Double, leading: Double,
                                     bold: Bool = false, gray: Double = 0) -> Double {
        var baseline = y
        for line in wrapLines(s, width: width, size: size, bold: bold) {
            text(line, x: x, y: baseline, size: size, bold: bold, gray: gray)
            baseline -= leading
        }
        return baseline
    }

    /// The lines `wrappedText` would set `s` in (none for an empty string; an empty line for each empty paragraph).
    public func wrapLines(_ s: String, width: Double, size: Double, bold: Bool = false) -> [String] {
        let font = fonts.font(bold: bold)
        let scale = size / Double(font.unitsPerEm)
        func charWidth(_ c: Character) -> Double {
            var units = 0
            for scalar in c.unicodeScalars {
                if let glyph = Self.glyph(for: scalar, in: font) { units += font.advanceWidth(of: glyph) }
            }
            return Double(units) * scale
        }
        let spaceWidth = charWidth(" ")
        let tolerance = 1e-9
        var lines: [String] = []
        guard !s.isEmpty else { return lines }

        for paragraph in s.split(separator: "\n", omittingEmptySubsequences: false) {
            var current = ""
            var currentWidth = 0.0
            func flush() {
                lines.append(current)
                current = ""
                currentWidth = 0
            }
            let words = paragraph.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.isEmpty { lines.append(""); continue }
            for word in words {
                let chars = Array(word)
                let widths = chars.map(charWidth)
                let wordWidth = widths.reduce(0, +)
                if current.isEmpty && wordWidth <= width + tolerance {
                    current = String(word); currentWidth = wordWidth
                    continue
                }
                if !current.isEmpty && currentWidth + spaceWidth + wordWidth <= width + tolerance {
                    current += " " + word; currentWidth += spaceWidth + wordWidth
                    continue
                }
                if wordWidth <= width + tolerance {
                    flush()
                    current = String(word); currentWidth = wordWidth
                    continue
                }
                // A word wider than the line.
                var start = 0
                if !current.isEmpty {
                    let available = width - currentWidth - spaceWidth
                    let end = Self.fit(chars, widths, from: start, available: available + tolerance, hardBreak: false)
                    if end > start {
                        current += " " + String(chars[start..<end])
                        start = end
                    }
                    flush()
                }
                while start < chars.count {
                    let end = Self.fit(chars, widths, from: start, available: width + tolerance, hardBreak: true)
                    let piece = String(chars[start..<end])
                    let pieceWidth = widths[start..<end].reduce(0, +)
                    start = end
                    if start < chars.count {
                        lines.append(piece)
                    } else {
                        current = piece; currentWidth = pieceWidth
                    }
                }
            }
            if !current.isEmpty { flush() }
        }
        return lines
    }

    /// The end of the longest run of `chars` from `start` that fits in `available` and ends at a
    /// break opportunity (between two Hangul syllables, or the end of the word). With
    /// `hardBreak`, when there is none, the longest run that fits (at least one character).
    private static func fit(_ chars: [Character], _ widths: [Double], from start: Int, available: Double, hardBreak: Bool) -> Int {
        var used = 0.0
        var lastBreak = start
        var index = start
        while index < chars.count {
            if used + widths[index] > available { break }
            used += widths[index]
            index += 1
            if index == chars.count || (isHangulSyllable(chars[index - 1]) && isHangulSyllable(chars[index])) {
                lastBreak = index
            }
        }
        if lastBreak > start { return lastBreak }
        return hardBreak ? max(index, start + 1) : start
    }

    private static func isHangulSyllable(_ c: Character) -> Bool {
        guard let scalar = c.unicodeScalars.first else { return false }
        return (0xAC00...0xD7A3).contains(scalar.value)
    }

    @inline(__always)
    fileprivate static func glyph(for scalar: Unicode.Scalar, in font: TrueTypeFont) -> UInt16? {
        let value = scalar.value
        if value < 0x20 || (0x7F...0x9F).contains(value) {
            return value == 0x09 ? font.glyphID(for: " ") ?? 0 : nil
        }
        if let glyph = font.glyphID(for: scalar) { return glyph }
        if value == 0xA0 || value == 0x202F || value == 0x2007 { return font.glyphID(for: " ") ?? 0 }
        return 0
    }

    // MARK: Graphics

    /// Fills a rectangle; `gray` 0 is black, 1 white.
    public mutating func fillRect(x: Double, y: Double, width: Double, height: Double, gray: Double = 0) {
        var out = PDFBuffer()
        out.raw("q\n"); out.number(gray); out.raw(" g\n")
        out.number(x); out.space(); out.number(y); out.space(); out.number(width); out.space(); out.number(height)
        out.raw(" re\nf\nQ\n")
        items.append(.graphics(out.bytes))
    }

    /// Strokes a rectangle's outline.
    public mutating func strokeRect(x: Double, y: Double, width: Double, height: Double, lineWidth: Double = 0.5, gray: Double = 0) {
        var out = PDFBuffer()
        out.raw("q\n"); out.number(gray); out.raw(" G\n"); out.number(lineWidth); out.raw(" w\n")
        out.number(x); out.space(); out.number(y); out.space(); out.number(width); out.space(); out.number(height)
        out.raw(" re\nS\nQ\n")
        items.append(.graphics(out.bytes))
    }

    /// Strokes a straight line.
    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, width: Double = 0.5, gray: Double = 0) {
        var out = PDFBuffer()
        out.raw("q\n"); out.number(gray); out.raw(" G\n"); out.number(width); out.raw(" w\n")
        out.number(x1); out.space(); out.number(y1); out.raw(" m\n")
        out.number(x2); out.space(); out.number(y2); out.raw(" l\nS\nQ\n")
        items.append(.graphics(out.bytes))
    }

    /// Draws the dark modules of a `count` × `count` matrix (a QR code) in black, its
    /// bottom-left corner at (`x`, `y`). `isDark(row, column)` with row 0 the top row. The page
    /// gets one path: `q 0 g`, then for each dark module one line `mx my s s re` (its
    /// bottom-left corner and `moduleSize`; `mx = x + column·s`, `my = y + (count − 1 − row)·s`,
    /// decimal, at most 4 decimals), then a single `f` and `Q`.
    /// Draws a square matrix (a QR code; row 0 at the top) as one filled path. The path is
    /// scaled so that one module is one unit: `s 0 0 s x y cm`, then one `column row width 1 re`
    /// per horizontal run of dark modules, in integers (row counted from the bottom).
    public mutating func darkModules(_ isDark: (Int, Int) -> Bool, count: Int, x: Double, y: Double, moduleSize: Double) {
        guard count > 0 else { return }
        var out = PDFBuffer()
        out.raw("q\n0 g\n")
        out.number(moduleSize); out.raw(" 0 0 "); out.number(moduleSize); out.space(); out.number(x); out.space(); out.number(y); out.raw(" cm\n")
        for row in 0..<count {
            let bottomRow = count - 1 - row
            var column = 0
            while column < count {
                guard isDark(row, column) else { column += 1; continue }
                var end = column + 1
                while end < count && isDark(row, end) { end += 1 }
                out.raw("\(column) \(bottomRow) \(end - column) 1 re\n")
                column = end
            }
        }
        out.raw("f\nQ\n")
        items.append(.graphics(out.bytes))
    }
}

fileprivate enum PDFPageItem: Sendable {
    case graphics([UInt8])
    case text(bold: Bool, glyphs: [UInt16], x: Double, y: Double, size: Double, gray: Double)
}

/// Document information: the Info dictionary and the catalog's /Lang.
public struct PDFMetadata: Sendable {
    public var title: String
    public var author: String
    public var subject: String
    public var creator: String
    public var producer: String
    public var creationDate: Date
    /// BCP 47 language of the text, e.g. "ko-KR".
    public var language: String
    /// /Keywords (kept ASCII so that readers find it in the bytes, e.g. the issuance number).
    public var keywords: String = ""

    public init(title: String, author: String = "", subject: String = "", creator: String = "Nara",
                producer: String = "Nara PDFWriter", creationDate: Date = Date(), language: String = "ko-KR") {
        self.title = title
        self.author = author
        self.subject = subject
        self.creator = creator
        self.producer = producer
        self.creationDate = creationDate
        self.language = language
    }
}

/// An invisible signature field to reserve room for a PAdES signature.
public struct PDFSignaturePlaceholder: Sendable {
    /// Signer's name (/Name).
    public var name: String
    public var reason: String
    public var location: String
    public var contactInfo: String?
    /// /M of the signature dictionary.
    public var signingTime: Date
    /// Bytes of DER reserved in /Contents (written as twice as many hex digits).
    public var contentsCapacity: Int

    public init(name: String, reason: String, location: String, contactInfo: String? = nil,
                signingTime: Date, contentsCapacity: Int = 16384) {
        self.name = name
        self.reason = reason
        self.location = location
        self.contactInfo = contactInfo
        self.signingTime = signingTime
        self.contentsCapacity = contentsCapacity
    }
}

/// A rendered PDF; when a signature was reserved, the byte range it covers and the means to fill it in.
public struct PreparedPDF: Sendable {
    public var bytes: [UInt8]
    /// `[0, a, b, c]` when a signature is reserved (the signature covers bytes 0..<a and
    /// b..<b+c; a..<b is the /Contents hex string with its angle brackets), else empty.
    public let byteRange: [Int]

    /// The bytes the signature covers: the file without the /Contents hex string.
    public func bytesToSign() -> [UInt8] {
        guard byteRange.count == 4 else { return bytes }
        var out = [UInt8]()
        out.reserveCapacity(byteRange[1] + byteRange[3])
        out.append(contentsOf: bytes[byteRange[0]..<byteRange[0] + byteRange[1]])
        out.append(contentsOf: bytes[byteRange[2]..<byteRange[2] + byteRange[3]])
        return out
    }

    /// Bytes of DER that fit in /Contents.
    public var signatureCapacity: Int {
        byteRange.count == 4 ? (byteRange[2] - byteRange[1] - 2) / 2 : 0
    }

    /// Writes `der` into /Contents as hex, the rest of the reserved space staying zeros.
    public mutating func embed(signature der: [UInt8]) throws {
        guard byteRange.count == 4 else { throw PDFWriterError.noSignaturePlaceholder }
        guard der.count <= signatureCapacity else {
            throw PDFWriterError.signatureTooLarge(capacity: signatureCapacity, size: der.count)
        }
        let start = byteRange[1] + 1
        let end = byteRange[2] - 1
        for index in start..<end { bytes[index] = UInt8(ascii: "0") }
        var p = start
        for byte in der {
            bytes[p] = pdfHexDigits[Int(byte >> 4)]
            bytes[p + 1] = pdfHexDigits[Int(byte & 0x0F)]
            p += 2
        }
    }
}

/// Renders pages into a PDF 1.7 file.
public enum PDFWriter {
    /// Width of the /ByteRange array as reserved, brackets included.
    private static let byteRangeWidth = 48

    public static func render(pages: [PDFPageBuilder], fonts: PDFFonts, metadata: PDFMetadata,
                              signature: PDFSignaturePlaceholder?) throws -> PreparedPDF {
        guard !pages.isEmpty else { throw PDFWriterError.noPages }
        for page in pages where page.fonts.regular !== fonts.regular || page.fonts.bold !== fonts.bold {
            throw PDFWriterError.fontMismatch
        }
        if let signature, signature.contentsCapacity <= 0 { throw PDFWriterError.invalidSignatureCapacity }

        // Glyphs used per style, and their Unicode values.
        var used: [Set<UInt16>] = [[], []]
        var unicode: [[UInt16: Unicode.Scalar]] = [[:], [:]]
        for page in pages {
            for item in page.items {
                if case .text(let bold, let glyphs, _, _, _, _) = item { used[bold ? 1 : 0].formUnion(glyphs) }
            }
            for style in 0..<2 { unicode[style].merge(page.unicode[style]) { first, _ in first } }
        }

        // Object numbers.
        var next = 4  // 1 catalog, 2 pages, 3 info
        struct FontObjects { var type0 = 0, cid = 0, descriptor = 0, file = 0, toUnicode = 0 }
        var fontObjects: [FontObjects?] = [nil, nil]
        for style in 0..<2 where !used[style].isEmpty {
            fontObjects[style] = FontObjects(type0: next, cid: next + 1, descriptor: next + 2, file: next + 3, toUnicode: next + 4)
            next += 5
        }
        var pageObjects: [(page: Int, content: Int)] = []
        for _ in pages { pageObjects.append((next, next + 1)); next += 2 }
        var fieldObject = 0, sigObject = 0
        if signature != nil { fieldObject = next; sigObject = next + 1; next += 2 }
        let objectCount = next  // including object 0

        var out = PDFBuffer()
        out.bytes.reserveCapacity(64 * 1024 + (signature?.contentsCapacity ?? 0) * 2)
        var offsets = [Int](repeating: 0, count: objectCount)
        func begin(_ number: Int) {
            offsets[number] = out.bytes.count
            out.int(number); out.raw(" 0 obj\n")
        }
        func end() { out.raw("\nendobj\n") }
        func ref(_ number: Int) { out.int(number); out.raw(" 0 R") }

        out.raw("%PDF-1.7\n%")
        out.append([0xE2, 0xE3, 0xCF, 0xD3])
        out.raw("\n")

        // 1: Catalog
        begin(1)
        out.raw("<< /Type /Catalog /Pages 2 0 R /Lang "); out.textString(metadata.language)
        out.raw(" /ViewerPreferences << /DisplayDocTitle true >>")
        if signature != nil {
            out.raw(" /AcroForm << /Fields ["); ref(fieldObject); out.raw("] /SigFlags 3 >>")
        }
        out.raw(" >>"); end()

        // 2: Pages
        begin(2)
        out.raw("<< /Type /Pages /Kids [")
        for (index, objects) in pageObjects.enumerated() {
            if index > 0 { out.space() }
            ref(objects.page)
        }
        out.raw("] /Count "); out.int(pages.count); out.raw(" >>"); end()

        // 3: Info
        begin(3)
        let created = pdfDate(metadata.creationDate)
        out.raw("<< /Title "); out.textString(metadata.title)
        if !metadata.author.isEmpty { out.raw(" /Author "); out.textString(metadata.author) }
        if !metadata.subject.isEmpty { out.raw(" /Subject "); out.textString(metadata.subject) }
        if !metadata.keywords.isEmpty { out.raw(" /Keywords "); out.textString(metadata.keywords) }
        out.raw(" /Creator "); out.textString(metadata.creator)
        out.raw(" /Producer "); out.textString(metadata.producer)
        out.raw(" /CreationDate "); out.textString(created)
        out.raw(" /ModDate "); out.textString(created)
        out.raw(" >>"); end()

        // Fonts
        var newIDs: [[UInt16: UInt16]] = [[:], [:]]
        for style in 0..<2 {
            guard let objects = fontObjects[style] else { continue }
            let font = fonts.font(bold: style == 1)
            let (subset, newID) = try font.subset(glyphs: used[style])
            newIDs[style] = newID
            var order = [UInt16](repeating: 0, count: newID.count)
            for (old, new) in newID { order[Int(new)] = old }
            let baseFont = subsetTag(glyphs: order, style: style, name: font.postScriptName) + "+" + font.postScriptName
            let scale = 1000 / Double(font.unitsPerEm)

            begin(objects.type0)
            out.raw("<< /Type /Font /Subtype /Type0 /BaseFont /"); out.raw(baseFont)
            out.raw(" /Encoding /Identity-H /DescendantFonts ["); ref(objects.cid)
            out.raw("] /ToUnicode "); ref(objects.toUnicode); out.raw(" >>"); end()

            begin(objects.cid)
            out.raw("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /"); out.raw(baseFont)
            out.raw(" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ")
            ref(objects.descriptor)
            out.raw(" /DW 1000 /W [0 [")
            for (index, old) in order.enumerated() {
                if index > 0 { out.space() }
                out.number(Double(font.advanceWidth(of: old)) * scale)
            }
            out.raw("]] /CIDToGIDMap /Identity >>"); end()

            begin(objects.descriptor)
            out.raw("<< /Type /FontDescriptor /FontName /"); out.raw(baseFont)
            out.raw(" /FontFamily "); out.textString(font.familyName)
            out.raw(" /FontWeight "); out.int(font.weightClass)
            out.raw(" /Flags "); out.int(font.flags)
            out.raw(" /FontBBox [")
            out.number(Double(font.bbox.xMin) * scale); out.space(); out.number(Double(font.bbox.yMin) * scale); out.space()
            out.number(Double(font.bbox.xMax) * scale); out.space(); out.number(Double(font.bbox.yMax) * scale)
            out.raw("] /ItalicAngle "); out.number(font.italicAngle)
            out.raw(" /Ascent "); out.number(Double(font.ascent) * scale)
            out.raw(" /Descent "); out.number(Double(font.descent) * scale)
            out.raw(" /CapHeight "); out.number(Double(font.capHeight) * scale)
            out.raw(" /StemV "); out.int(font.stemV)
            out.raw(" /FontFile2 "); ref(objects.file); out.raw(" >>"); end()

            begin(objects.file)
            out.raw("<< /Length "); out.int(subset.count); out.raw(" /Length1 "); out.int(subset.count)
            out.raw(" >>\nstream\n"); out.append(subset); out.raw("\nendstream"); end()

            let cmap = toUnicodeCMap(newID: newID, unicode: unicode[style])
            begin(objects.toUnicode)
            out.raw("<< /Length "); out.int(cmap.count); out.raw(" >>\nstream\n"); out.append(cmap)
            out.raw("\nendstream"); end()
        }

        // Pages
        for (index, page) in pages.enumerated() {
            let objects = pageObjects[index]
            begin(objects.page)
            out.raw("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ")
            out.number(page.pageWidth); out.space(); out.number(page.pageHeight)
            out.raw("] /Resources << /Font <<")
            for style in 0..<2 {
                if let font = fontObjects[style] { out.raw(style == 0 ? " /F1 " : " /F2 "); ref(font.type0) }
            }
            out.raw(" >> >> /Contents "); ref(objects.content)
            if signature != nil && index == 0 { out.raw(" /Annots ["); ref(fieldObject); out.raw("]") }
            out.raw(" >>"); end()

            let content = contentStream(page, newIDs: newIDs)
            begin(objects.content)
            out.raw("<< /Length "); out.int(content.count); out.raw(" >>\nstream\n"); out.append(content)
            out.raw("\nendstream"); end()
        }

        // Signature field (merged with its widget) and signature dictionary.
        var byteRangeAt = 0, contentsStart = 0, contentsEnd = 0
        if let signature {
            begin(fieldObject)
            out.raw("<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /V "); ref(sigObject)
            out.raw(" /Rect [0 0 0 0] /F 132 /P "); ref(pageObjects[0].page); out.raw(" >>"); end()

            begin(sigObject)
            out.raw("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ")
            byteRangeAt = out.bytes.count
            out.raw("[")
            out.append([UInt8](repeating: UInt8(ascii: " "), count: byteRangeWidth - 2))
            out.raw("]")
            out.raw(" /Contents ")
            contentsStart = out.bytes.count
            out.raw("<")
            out.append([UInt8](repeating: UInt8(ascii: "0"), count: signature.contentsCapacity * 2))
            out.raw(">")
            contentsEnd = out.bytes.count
            out.raw(" /M "); out.textString(pdfDate(signature.signingTime))
            out.raw(" /Name "); out.textString(signature.name)
            out.raw(" /Reason "); out.textString(signature.reason)
            out.raw(" /Location "); out.textString(signature.location)
            if let contact = signature.contactInfo { out.raw(" /ContactInfo "); out.textString(contact) }
            out.raw(" >>"); end()
        }

        // Cross-reference table and trailer.
        let xref = out.bytes.count
        out.raw("xref\n0 "); out.int(objectCount); out.raw("\n0000000000 65535 f\r\n")
        for number in 1..<objectCount {
            out.padded(offsets[number], width: 10); out.raw(" 00000 n\r\n")
        }
        let id = documentID(out.bytes)
        out.raw("trailer\n<< /Size "); out.int(objectCount); out.raw(" /Root 1 0 R /Info 3 0 R /ID [<")
        out.raw(id); out.raw("> <"); out.raw(id); out.raw(">] >>\nstartxref\n"); out.int(xref); out.raw("\n%%EOF\n")

        var bytes = out.bytes
        var byteRange: [Int] = []
        if signature != nil {
            byteRange = [0, contentsStart, contentsEnd, bytes.count - contentsEnd]
            var patch = Array("[\(byteRange.map(String.init).joined(separator: " "))".utf8)
            patch.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: byteRangeWidth - 1 - patch.count))
            patch.append(UInt8(ascii: "]"))
            bytes.replaceSubrange(byteRangeAt..<byteRangeAt + byteRangeWidth, with: patch)
        }
        return PreparedPDF(bytes: bytes, byteRange: byteRange)
    }

    private static func contentStream(_ page: PDFPageBuilder, newIDs: [[UInt16: UInt16]]) -> [UInt8] {
        var out = PDFBuffer()
        for item in page.items {
            switch item {
            case .graphics(let bytes):
                out.append(bytes)
            case .text(let bold, let glyphs, let x, let y, let size, let gray):
                let map = newIDs[bold ? 1 : 0]
                out.raw(bold ? "BT\n/F2 " : "BT\n/F1 "); out.number(size); out.raw(" Tf\n")
                out.number(gray); out.raw(" g\n1 0 0 1 "); out.number(x); out.space(); out.number(y); out.raw(" Tm\n<")
                for glyph in glyphs { out.hex16(map[glyph] ?? 0) }
                out.raw("> Tj\nET\n")
            }
        }
        return out.bytes
    }

    private static func toUnicodeCMap(newID: [UInt16: UInt16], unicode: [UInt16: Unicode.Scalar]) -> [UInt8] {
        var entries: [(cid: UInt16, scalar: Unicode.Scalar)] = []
        for (old, scalar) in unicode { if let cid = newID[old], cid != 0 { entries.append((cid, scalar)) } }
        entries.sort { $0.cid < $1.cid }
        var out = PDFBuffer()
        out.raw("""
        /CIDInit /ProcSet findresource begin
        12 dict begin
        begincmap
        /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
        /CMapName /Adobe-Identity-UCS def
        /CMapType 2 def
        1 begincodespacerange
        <0000> <FFFF>
        endcodespacerange

        """)
        var index = 0
        while index < entries.count {
            let chunk = entries[index..<min(index + 100, entries.count)]
            out.int(chunk.count); out.raw(" beginbfchar\n")
            for entry in chunk {
                out.raw("<"); out.hex16(entry.cid); out.raw("> <")
                for unit in String(Character(entry.scalar)).utf16 { out.hex16(unit) }
                out.raw(">\n")
            }
            out.raw("endbfchar\n")
            index += 100
        }
        out.raw("""
        endcmap
        CMapName currentdict /CMap defineresource pop
        end
        end
        """)
        return out.bytes
    }

    /// Six uppercase letters derived from the subset's glyphs (same subset, same tag).
    private static func subsetTag(glyphs: [UInt16], style: Int, name: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        mix(UInt8(style))
        for byte in name.utf8 { mix(byte) }
        for glyph in glyphs { mix(UInt8(glyph >> 8)); mix(UInt8(glyph & 0xFF)) }
        var tag = ""
        for _ in 0..<6 {
            tag.append(Character(Unicode.Scalar(UInt8(65 + hash % 26))))
            hash /= 26
        }
        return tag
    }

    /// 32 hex digits: two FNV-1a 64-bit hashes of the body (a file identifier, not a security measure).
    private static func documentID(_ bytes: [UInt8]) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        bytes.withUnsafeBufferPointer { buffer in
            for byte in buffer {
                a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 ^ (b >> 29)
            }
        }
        var out = PDFBuffer()
        for value in [a, b] {
            for shift in stride(from: 48, through: 0, by: -16) { out.hex16(UInt16((value >> UInt64(shift)) & 0xFFFF)) }
        }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// `D:YYYYMMDDHHmmSS+00'00'` in UTC.
    static func pdfDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let year = String(c.year ?? 1970)
        return "D:" + String(repeating: "0", count: max(0, 4 - year.count)) + year
            + two(c.month) + two(c.day) + two(c.hour) + two(c.minute) + two(c.second) + "+00'00'"
    }
}

private let pdfHexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

/// Appends PDF tokens to a byte array.
private struct PDFBuffer {
    var bytes: [UInt8] = []

    @inline(__always) mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }
    @inline(__always) mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    @inline(__always) mutating func space() { bytes.append(0x20) }

    mutating func int(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")); digits(UInt64(-value)) } else { digits(UInt64(value)) }
    }

    private mutating func digits(_ value: UInt64) {
        if value < 10 { bytes.append(48 + UInt8(value)); return }
        var stack: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &stack) { buffer in
            while v > 0 { buffer[count] = 48 + UInt8(v % 10); v /= 10; count += 1 }
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[i]) }
        }
    }

    mutating func padded(_ value: Int, width: Int) {
        let s = String(value)
        for _ in s.utf8.count..<width { bytes.append(UInt8(ascii: "0")) }
        bytes.append(contentsOf: s.utf8)
    }

    /// A real number in decimal: rounded to 4 decimals, no exponent, no trailing zeros.
    mutating func number(_ value: Double) {
        guard value.isFinite else { bytes.append(UInt8(ascii: "0")); return }
        var scaled = Int64((value * 10000).rounded())
        if scaled < 0 { bytes.append(UInt8(ascii: "-")); scaled = -scaled }
        digits(UInt64(scaled / 10000))
        var fraction = Int(scaled % 10000)
        guard fraction != 0 else { return }
        bytes.append(UInt8(ascii: "."))
        var divisor = 1000
        while fraction != 0 {
            bytes.append(48 + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    @inline(__always) mutating func hex16(_ value: UInt16) {
        bytes.append(pdfHexDigits[Int(value >> 12)])
        bytes.append(pdfHexDigits[Int((value >> 8) & 0xF)])
        bytes.append(pdfHexDigits[Int((value >> 4) & 0xF)])
        bytes.append(pdfHexDigits[Int(value & 0xF)])
    }

    /// A PDF text string: a literal for printable ASCII, else UTF-16BE with a byte order mark in hex.
    mutating func textString(_ s: String) {
        if s.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
            bytes.append(UInt8(ascii: "("))
            for byte in s.utf8 {
                if byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "\\") {
                    bytes.append(UInt8(ascii: "\\"))
                }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: ")"))
        } else {
            bytes.append(UInt8(ascii: "<"))
            hex16(0xFEFF)
            for unit in s.utf16 { hex16(unit) }
            bytes.append(UInt8(ascii: ">"))
        }
    }
}
