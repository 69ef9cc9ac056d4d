import Foundation

/// Why a TrueType font could not be read or subset.
public enum TrueTypeFontError: Error, Sendable, Equatable {
    /// The data is not a TrueType (`glyf`-outline) font: the sfnt version tag is unknown.
    case notTrueType
    /// A required table is missing (its tag).
    case missingTable(String)
    /// A table is shorter than its structure or points outside the file (its tag).
    case malformedTable(String)
    /// The font has no cmap subtable with a Unicode mapping (format 4 or 12).
    case noUnicodeCMap
    /// A glyph index is not in the font.
    case glyphOutOfRange(UInt16)
    /// The subset would have more than 65,535 glyphs.
    case tooManyGlyphs
}

/// A TrueType font with `glyf` outlines, parsed once and immutable: character mapping, metrics
/// for a PDF FontDescriptor, and subsetting for embedding (FontFile2).
///
/// Only what a PDF writer needs is read: head, hhea, maxp, hmtx, loca, glyf, cmap (formats 4
/// and 12), OS/2, post and name. Fonts with CFF outlines (OpenType `OTTO`) and collections are
/// rejected.
public final class TrueTypeFont: Sendable {
    /// A rectangle in font units.
    public struct BoundingBox: Sendable, Equatable {
        public let xMin: Int
        public let yMin: Int
        public let xMax: Int
        public let yMax: Int
    }

    /// The font file as given.
    public let bytes: [UInt8]
    /// Font units per em (head.unitsPerEm).
    public let unitsPerEm: Int
    /// The number of glyphs (maxp.numGlyphs).
    public let numGlyphs: Int
    /// Family name (name ID 1), e.g. "NanumGothic".
    public let familyName: String
    /// PostScript name (name ID 6), or the family name without spaces when absent.
    public let postScriptName: String
    /// Typographic ascent in font units (hhea.ascender, positive).
    public let ascent: Int
    /// Typographic descent in font units (hhea.descender, negative).
    public let descent: Int
    /// Line gap in font units (hhea.lineGap).
    public let lineGap: Int
    /// Height of capital letters in font units (OS/2 sCapHeight, else the height of "H", else 70% of the ascent).
    public let capHeight: Int
    /// Font bounding box in font units (head).
    public let bbox: BoundingBox
    /// Italic angle in degrees counter-clockwise from vertical (post).
    public let italicAngle: Double
    /// Whether all glyphs have the same advance (post.isFixedPitch).
    public let isFixedPitch: Bool
    /// OS/2 usWeightClass (400 regular, 700 bold); 400 when there is no OS/2 table.
    public let weightClass: Int
    /// OS/2 fsType (embedding permissions); 0 when there is no OS/2 table.
    public let embeddingPermissions: UInt16

    /// PDF FontDescriptor /Flags: Symbolic (the font has glyphs outside the standard Latin set,
    /// as every CID font does), plus FixedPitch and Italic when they apply.
    public var flags: Int {
        var value = 4
        if isFixedPitch { value |= 1 }
        if italicAngle != 0 { value |= 64 }
        return value
    }

    /// A PDF FontDescriptor /StemV estimate from the weight class (PDF needs a value; fonts do not carry it).
    public var stemV: Int { 10 + 220 * max(0, weightClass - 50) / 900 }

    private let tables: [String: Range<Int>]
    private let glyphOffsets: [UInt32]  // numGlyphs + 1 byte offsets into glyf, relative to the table
    private let advances: [UInt16]
    private let leftSideBearings: [Int16]
    private let bmpMap: [UInt16]  // 65,536 entries, 0 = unmapped
    private let supplementaryMap: [UInt32: UInt16]
    /// Glyph → the BMP characters mapped to it, so that a subset's cmap costs what it keeps.
    private let bmpCodesByGlyph: [UInt16: [UInt16]]

    /// Parses `data` as a TrueType font.
    public convenience init(data: Data) throws {
        try self.init(bytes: [UInt8](data))
    }

    /// Parses `bytes` as a TrueType font.
    public init(bytes: [UInt8]) throws {
        self.bytes = bytes
        let r = TTReader(bytes)
        guard bytes.count >= 12 else { throw TrueTypeFontError.notTrueType }
        let version = r.u32(0)
        guard version == 0x0001_0000 || version == 0x7472_7565 /* 'true' */ else { throw TrueTypeFontError.notTrueType }
        let numTables = Int(r.u16(4))
        guard bytes.count >= 12 + numTables * 16 else { throw TrueTypeFontError.malformedTable("table directory") }
        var tables: [String: Range<Int>] = [:]
        for i in 0..<numTables {
            let entry = 12 + i * 16
            let tag = String(decoding: bytes[entry..<entry + 4], as: UTF8.self)
            let offset = Int(r.u32(entry + 8))
            let length = Int(r.u32(entry + 12))
            guard offset <= bytes.count, length <= bytes.count - offset else { throw TrueTypeFontError.malformedTable(tag) }
            tables[tag] = offset..<offset + length
        }
        self.tables = tables
        func table(_ tag: String, minLength: Int) throws -> Int {
            guard let range = tables[tag] else { throw TrueTypeFontError.missingTable(tag) }
            guard range.count >= minLength else { throw TrueTypeFontError.malformedTable(tag) }
            return range.lowerBound
        }

        // head
        let head = try table("head", minLength: 54)
        unitsPerEm = Int(r.u16(head + 18))
        guard unitsPerEm > 0 else { throw TrueTypeFontError.malformedTable("head") }
        bbox = BoundingBox(xMin: Int(r.i16(head + 36)), yMin: Int(r.i16(head + 38)),
                           xMax: Int(r.i16(head + 40)), yMax: Int(r.i16(head + 42)))
        let longLoca = r.i16(head + 50) != 0

        // maxp
        let maxp = try table("maxp", minLength: 6)
        numGlyphs = Int(r.u16(maxp + 4))
        guard numGlyphs > 0 else { throw TrueTypeFontError.malformedTable("maxp") }

        // hhea
        let hhea = try table("hhea", minLength: 36)
        ascent = Int(r.i16(hhea + 4))
        descent = Int(r.i16(hhea + 6))
        lineGap = Int(r.i16(hhea + 8))
        let numberOfHMetrics = Int(r.u16(hhea + 34))
        guard numberOfHMetrics >= 1, numberOfHMetrics <= numGlyphs else { throw TrueTypeFontError.malformedTable("hhea") }

        // hmtx
        let hmtxRange = tables["hmtx"] ?? 0..<0
        guard tables["hmtx"] != nil else { throw TrueTypeFontError.missingTable("hmtx") }
        guard hmtxRange.count >= numberOfHMetrics * 4 + (numGlyphs - numberOfHMetrics) * 2 else {
            throw TrueTypeFontError.malformedTable("hmtx")
        }
        var advances = [UInt16](repeating: 0, count: numGlyphs)
        var lsbs = [Int16](repeating: 0, count: numGlyphs)
        let hmtx = hmtxRange.lowerBound
        for g in 0..<numGlyphs {
            if g < numberOfHMetrics {
                advances[g] = r.u16(hmtx + g * 4)
                lsbs[g] = r.i16(hmtx + g * 4 + 2)
            } else {
                advances[g] = advances[numberOfHMetrics - 1]
                lsbs[g] = r.i16(hmtx + numberOfHMetrics * 4 + (g - numberOfHMetrics) * 2)
            }
        }
        self.advances = advances
        self.leftSideBearings = lsbs

        // loca + glyf
        let glyfLength = tables["glyf"]?.count ?? 0
        guard tables["glyf"] != nil else { throw TrueTypeFontError.missingTable("glyf") }
        let loca = try table("loca", minLength: (numGlyphs + 1) * (longLoca ? 4 : 2))
        var offsets = [UInt32](repeating: 0, count: numGlyphs + 1)
        for g in 0...numGlyphs {
            let offset = longLoca ? r.u32(loca + g * 4) : UInt32(r.u16(loca + g * 2)) * 2
            guard offset <= glyfLength, g == 0 || offset >= offsets[g - 1] else { throw TrueTypeFontError.malformedTable("loca") }
            offsets[g] = offset
        }
        self.glyphOffsets = offsets

        // cmap
        let cmapRange = tables["cmap"] ?? 0..<0
        guard tables["cmap"] != nil else { throw TrueTypeFontError.missingTable("cmap") }
        (bmpMap, supplementaryMap) = try Self.parseCMap(r, range: cmapRange, numGlyphs: numGlyphs)
        var codesByGlyph: [UInt16: [UInt16]] = [:]
        for (code, glyph) in bmpMap.enumerated() where glyph != 0 { codesByGlyph[glyph, default: []].append(UInt16(code)) }
        bmpCodesByGlyph = codesByGlyph

        // post
        if let post = tables["post"], post.count >= 16 {
            italicAngle = Double(r.i32(post.lowerBound + 4)) / 65536
            isFixedPitch = r.u32(post.lowerBound + 12) != 0
        } else {
            italicAngle = 0
            isFixedPitch = false
        }

        // OS/2
        var capHeight: Int?
        if let os2 = tables["OS/2"], os2.count >= 78 {
            weightClass = Int(r.u16(os2.lowerBound + 4))
            embeddingPermissions = r.u16(os2.lowerBound + 8)
            if r.u16(os2.lowerBound) >= 2, os2.count >= 90 {
                let value = Int(r.i16(os2.lowerBound + 88))
                if value > 0 { capHeight = value }
            }
        } else {
            weightClass = 400
            embeddingPermissions = 0
        }

        // name
        var family: String?
        var postScript: String?
        if let name = tables["name"] {
            family = Self.nameString(r, range: name, id: 1)
            postScript = Self.nameString(r, range: name, id: 6)
        }
        let familyName = family ?? postScript ?? "Font"
        self.familyName = familyName
        let psSource = postScript ?? familyName
        let sanitized = String(String.UnicodeScalarView(psSource.unicodeScalars.filter {
            $0.value > 0x20 && $0.value < 0x7F && !"()<>[]{}/%#".unicodeScalars.contains($0)
        }))
        self.postScriptName = sanitized.isEmpty ? "Font" : sanitized

        // Cap height from the outline of "H" when OS/2 does not say.
        if capHeight == nil, bmpMap[0x48] != 0 {
            let g = Int(bmpMap[0x48])
            let start = offsets[g], end = offsets[g + 1]
            if end - start >= 10, let glyf = tables["glyf"] {
                let value = Int(r.i16(glyf.lowerBound + Int(start) + 8))
                if value > 0 { capHeight = value }
            }
        }
        self.capHeight = capHeight ?? ascent * 7 / 10
    }

    /// The glyph for `scalar`, or nil when the font does not map it.
    @inline(__always)
    public func glyphID(for scalar: Unicode.Scalar) -> UInt16? {
        let value = scalar.value
        let glyph: UInt16
        if value < 0x10000 {
            glyph = bmpMap[Int(value)]
        } else {
            glyph = supplementaryMap[value] ?? 0
        }
        return glyph == 0 ? nil : glyph
    }

    /// The advance width of `glyph` in font units (0 for an index out of range).
    @inline(__always)
    public func advanceWidth(of glyph: UInt16) -> Int {
        Int(glyph) < advances.count ? Int(advances[Int(glyph)]) : 0
    }

    /// Every Unicode scalar the font maps, with its glyph (for tests and diagnostics).
    public var characterMap: [(scalar: UInt32, glyph: UInt16)] {
        var result: [(scalar: UInt32, glyph: UInt16)] = []
        for (code, glyph) in bmpMap.enumerated() where glyph != 0 { result.append((UInt32(code), glyph)) }
        for (code, glyph) in supplementaryMap.sorted(by: { $0.key < $1.key }) { result.append((code, glyph)) }
        return result
    }

    // MARK: Subsetting

    /// A TrueType font holding only `glyphs` (plus .notdef and the components of composite
    /// glyphs), renumbered densely in ascending order of the original index: glyph 0 stays 0.
    /// `newID` maps every original index kept to its new one. The font has head (checksum
    /// adjustment recomputed, long loca), hhea, maxp, hmtx, loca, glyf, cmap (the kept part of
    /// the Unicode mapping), post format 3, OS/2 and name when present, and cvt/fpgm/prep when
    /// present (they are glyph-independent), each table checksummed and padded to 4 bytes.
    public func subset(glyphs: Set<UInt16>) throws -> (font: [UInt8], newID: [UInt16: UInt16]) {
        let r = TTReader(bytes)
        guard let glyfRange = tables["glyf"] else { throw TrueTypeFontError.missingTable("glyf") }
        let glyfBase = glyfRange.lowerBound

        // Closure over composite components.
        var keep = Set<UInt16>([0])
        var pending: [UInt16] = [0]
        for g in glyphs {
            guard Int(g) < numGlyphs else { throw TrueTypeFontError.glyphOutOfRange(g) }
            if keep.insert(g).inserted { pending.append(g) }
        }
        while let g = pending.popLast() {
            let start = Int(glyphOffsets[Int(g)]), end = Int(glyphOffsets[Int(g) + 1])
            guard end - start >= 10, r.i16(glyfBase + start) < 0 else { continue }
            try Self.forEachComponent(r, glyph: glyfBase + start + 10, end: glyfBase + end) { _, component in
                guard Int(component) < numGlyphs else { throw TrueTypeFontError.glyphOutOfRange(component) }
                if keep.insert(component).inserted { pending.append(component) }
            }
        }
        guard keep.count <= 0xFFFF else { throw TrueTypeFontError.tooManyGlyphs }
        let order = keep.sorted()
        var newID: [UInt16: UInt16] = [:]
        newID.reserveCapacity(order.count)
        for (index, old) in order.enumerated() { newID[old] = UInt16(index) }

        // glyf + loca (long offsets), component indices rewritten.
        var glyf: [UInt8] = []
        var loca: [UInt8] = []
        glyf.reserveCapacity(order.reduce(0) { $0 + Int(glyphOffsets[Int($1) + 1] - glyphOffsets[Int($1)]) + 3 })
        loca.reserveCapacity((order.count + 1) * 4)
        for old in order {
            loca.appendU32(UInt32(glyf.count))
            let start = glyfBase + Int(glyphOffsets[Int(old)]), end = glyfBase + Int(glyphOffsets[Int(old) + 1])
            guard end > start else { continue }
            let base = glyf.count
            glyf.append(contentsOf: bytes[start..<end])
            if end - start >= 10, r.i16(start) < 0 {
                try Self.forEachComponent(r, glyph: start + 10, end: end) { position, component in
                    let mapped = newID[component]!
                    let at = base + (position - start)
                    glyf[at] = UInt8(mapped >> 8)
                    glyf[at + 1] = UInt8(mapped & 0xFF)
                }
            }
            while glyf.count % 4 != 0 { glyf.append(0) }
        }
        loca.appendU32(UInt32(glyf.count))

        // hmtx: a full metric for every glyph.
        var hmtx: [UInt8] = []
        hmtx.reserveCapacity(order.count * 4)
        for old in order {
            hmtx.appendU16(advances[Int(old)])
            hmtx.appendU16(UInt16(bitPattern: leftSideBearings[Int(old)]))
        }

        // head: checksum adjustment zeroed (set below), long loca.
        var head = Array(bytes[tables["head"]!])
        head.setU32(8, 0)
        head.setU16(50, 1)

        var hhea = Array(bytes[tables["hhea"]!])
        hhea.setU16(34, UInt16(order.count))

        var maxp = Array(bytes[tables["maxp"]!])
        maxp.setU16(4, UInt16(order.count))

        // post format 3: the 32-byte header, no glyph names.
        var post = [UInt8](repeating: 0, count: 32)
        if let range = tables["post"], range.count >= 32 {
            post = Array(bytes[range.lowerBound..<range.lowerBound + 32])
        }
        post.setU32(0, 0x0003_0000)

        var out: [(String, [UInt8])] = [
            ("head", head), ("hhea", hhea), ("maxp", maxp), ("hmtx", hmtx),
            ("loca", loca), ("glyf", glyf), ("post", post),
            ("cmap", subsetCMap(newID: newID)),
        ]
        for tag in ["OS/2", "name", "cvt ", "fpgm", "prep"] {
            if let range = tables[tag] { out.append((tag, Array(bytes[range]))) }
        }
        var font = Self.assemble(out)
        // checkSumAdjustment = 0xB1B0AFBA - checksum of the whole font (head's own field being 0).
        let adjustment = 0xB1B0_AFBA &- Self.checksum(font, 0..<font.count)
        if let headOffset = Self.tableOffset(in: font, tag: "head") {
            font.setU32(headOffset + 8, adjustment)
        }
        return (font, newID)
    }

    /// A cmap with one (3,1) format 4 subtable (and a (3,10) format 12 one when supplementary
    /// characters are kept) mapping the kept characters to their new glyphs.
    private func subsetCMap(newID: [UInt16: UInt16]) -> [UInt8] {
        var pairs: [(UInt32, UInt16)] = []
        for (glyph, mapped) in newID {
            for code in bmpCodesByGlyph[glyph] ?? [] { pairs.append((UInt32(code), mapped)) }
        }
        pairs.sort { $0.0 < $1.0 }
        var supplementary: [(UInt32, UInt16)] = []
        for (code, glyph) in supplementaryMap {
            if let mapped = newID[glyph] { supplementary.append((code, mapped)) }
        }
        supplementary.sort { $0.0 < $1.0 }

        // Runs of consecutive codes with consecutive glyphs become one segment with idDelta.
        var segments: [(start: UInt32, end: UInt32, delta: UInt16)] = []
        for (code, glyph) in pairs where code < 0xFFFF {
            if let last = segments.last, last.end + 1 == code,
               UInt16(truncatingIfNeeded: Int(code) + Int(last.delta)) == glyph {
                segments[segments.count - 1].end = code
            } else {
                segments.append((code, code, UInt16(truncatingIfNeeded: Int(glyph) - Int(code))))
            }
        }
        segments.append((0xFFFF, 0xFFFF, 1))
        let segCount = segments.count
        var searchRange = 1, entrySelector = 0
        while searchRange * 2 <= segCount { searchRange *= 2; entrySelector += 1 }
        searchRange *= 2
        var format4: [UInt8] = []
        format4.appendU16(4)
        format4.appendU16(UInt16(16 + segCount * 8))
        format4.appendU16(0)
        format4.appendU16(UInt16(segCount * 2))
        format4.appendU16(UInt16(searchRange))
        format4.appendU16(UInt16(entrySelector))
        format4.appendU16(UInt16(segCount * 2 - searchRange))
        for s in segments { format4.appendU16(UInt16(s.end)) }
        format4.appendU16(0)
        for s in segments { format4.appendU16(UInt16(s.start)) }
        for s in segments { format4.appendU16(s.delta) }
        for _ in segments { format4.appendU16(0) }

        var format12: [UInt8] = []
        if !supplementary.isEmpty {
            let all = pairs + supplementary
            var groups: [(start: UInt32, end: UInt32, glyph: UInt32)] = []
            for (code, glyph) in all {
                if let last = groups.last, last.end + 1 == code, last.glyph + (code - last.start) == UInt32(glyph) {
                    groups[groups.count - 1].end = code
                } else {
                    groups.append((code, code, UInt32(glyph)))
                }
            }
            format12.appendU16(12)
            format12.appendU16(0)
            format12.appendU32(UInt32(16 + groups.count * 12))
            format12.appendU32(0)
            format12.appendU32(UInt32(groups.count))
            for g in groups { format12.appendU32(g.start); format12.appendU32(g.end); format12.appendU32(g.glyph) }
        }

        var cmap: [UInt8] = []
        let subtableCount = format12.isEmpty ? 1 : 2
        cmap.appendU16(0)
        cmap.appendU16(UInt16(subtableCount))
        let firstOffset = 4 + subtableCount * 8
        cmap.appendU16(3); cmap.appendU16(1); cmap.appendU32(UInt32(firstOffset))
        if !format12.isEmpty {
            cmap.appendU16(3); cmap.appendU16(10); cmap.appendU32(UInt32(firstOffset + format4.count))
        }
        cmap.append(contentsOf: format4)
        cmap.append(contentsOf: format12)
        return cmap
    }

    // MARK: Helpers

    /// Calls `body` with the byte position of each component's glyph index and the index, for
    /// the composite glyph whose component records start at `glyph`.
    private static func forEachComponent(_ r: TTReader, glyph: Int, end: Int,
                                         _ body: (Int, UInt16) throws -> Void) throws {
        var p = glyph
        while true {
            guard p + 4 <= end else { throw TrueTypeFontError.malformedTable("glyf") }
            let flags = r.u16(p)
            try body(p + 2, r.u16(p + 2))
            p += 4
            p += (flags & 0x0001) != 0 ? 4 : 2  // ARG_1_AND_2_ARE_WORDS
            if flags & 0x0008 != 0 { p += 2 }  // WE_HAVE_A_SCALE
            else if flags & 0x0040 != 0 { p += 4 }  // WE_HAVE_AN_X_AND_Y_SCALE
            else if flags & 0x0080 != 0 { p += 8 }  // WE_HAVE_A_TWO_BY_TWO
            if flags & 0x0020 == 0 { break }  // MORE_COMPONENTS
        }
    }

    private static func parseCMap(_ r: TTReader, range: Range<Int>, numGlyphs: Int) throws -> ([UInt16], [UInt32: UInt16]) {
        let base = range.lowerBound
        guard range.count >= 4 else { throw TrueTypeFontError.malformedTable("cmap") }
        let count = Int(r.u16(base + 2))
        guard range.count >= 4 + count * 8 else { throw TrueTypeFontError.malformedTable("cmap") }
        // Preference: full Unicode (3,10)/(0,4|6) format 12, then BMP (3,1)/(0,x) format 4.
        var best: (rank: Int, offset: Int, format: UInt16)?
        for i in 0..<count {
            let rec = base + 4 + i * 8
            let platform = r.u16(rec), encoding = r.u16(rec + 2)
            let offset = base + Int(r.u32(rec + 4))
            guard offset + 4 <= range.upperBound else { continue }
            let format = r.u16(offset)
            let unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10))
            guard unicode else { continue }
            let rank: Int
            switch format {
            case 12: rank = 2
            case 4: rank = 1
            default: continue
            }
            if best == nil || rank > best!.rank { best = (rank, offset, format) }
        }
        guard let chosen = best else { throw TrueTypeFontError.noUnicodeCMap }
        var bmp = [UInt16](repeating: 0, count: 0x10000)
        var supplementary: [UInt32: UInt16] = [:]
        let o = chosen.offset
        if chosen.format == 4 {
            let length = Int(r.u16(o + 2))
            guard o + length <= range.upperBound, length >= 14 else { throw TrueTypeFontError.malformedTable("cmap") }
            let segCount = Int(r.u16(o + 6)) / 2
            let endCodes = o + 14
            let startCodes = endCodes + segCount * 2 + 2
            let deltas = startCodes + segCount * 2
            let rangeOffsets = deltas + segCount * 2
            guard rangeOffsets + segCount * 2 <= o + length else { throw TrueTypeFontError.malformedTable("cmap") }
            let tableEnd = o + length
            for s in 0..<segCount {
                let end = Int(r.u16(endCodes + s * 2)), start = Int(r.u16(startCodes + s * 2))
                let delta = Int(r.u16(deltas + s * 2))
                let rangeOffset = Int(r.u16(rangeOffsets + s * 2))
                guard start <= end else { continue }
                for code in start...end where code != 0xFFFF {
                    var glyph: Int
                    if rangeOffset == 0 {
                        glyph = (code + delta) & 0xFFFF
                    } else {
                        let at = rangeOffsets + s * 2 + rangeOffset + (code - start) * 2
                        guard at + 2 <= tableEnd else { continue }
                        glyph = Int(r.u16(at))
                        if glyph != 0 { glyph = (glyph + delta) & 0xFFFF }
                    }
                    if glyph < numGlyphs { bmp[code] = UInt16(glyph) }
                }
            }
        } else {
            guard o + 16 <= range.upperBound else { throw TrueTypeFontError.malformedTable("cmap") }
            let groups = Int(r.u32(o + 12))
            guard o + 16 + groups * 12 <= range.upperBound else { throw TrueTypeFontError.malformedTable("cmap") }
            for i in 0..<groups {
                let g = o + 16 + i * 12
                let start = r.u32(g), end = r.u32(g + 4), startGlyph = r.u32(g + 8)
                guard start <= end, end <= 0x10FFFF else { continue }
                for code in start...end {
                    let glyph = startGlyph + (code - start)
                    guard glyph < numGlyphs else { break }
                    if code < 0x10000 { bmp[Int(code)] = UInt16(glyph) } else { supplementary[code] = UInt16(glyph) }
                }
            }
        }
        return (bmp, supplementary)
    }

    private static func nameString(_ r: TTReader, range: Range<Int>, id: UInt16) -> String? {
        let base = range.lowerBound
        guard range.count >= 6 else { return nil }
        let count = Int(r.u16(base + 2))
        let storage = base + Int(r.u16(base + 4))
        var mac: String?
        for i in 0..<count {
            let rec = base + 6 + i * 12
            guard rec + 12 <= range.upperBound else { break }
            let platform = r.u16(rec), encoding = r.u16(rec + 2), language = r.u16(rec + 4)
            guard r.u16(rec + 6) == id else { continue }
            let length = Int(r.u16(rec + 8)), offset = storage + Int(r.u16(rec + 10))
            guard offset + length <= range.upperBound else { continue }
            if platform == 3 || platform == 0 {
                var units: [UInt16] = []
                var p = offset
                while p + 1 < offset + length { units.append(r.u16(p)); p += 2 }
                let value = String(decoding: units, as: UTF16.self)
                // Prefer English (0x409) but take any Unicode name.
                if platform == 3 && encoding == 1 && language == 0x409 { return value }
                if mac == nil || platform == 3 { mac = value }
            } else if platform == 1 && encoding == 0 && mac == nil {
                mac = String(decoding: r.bytes[offset..<offset + length], as: UTF8.self)
            }
        }
        return mac
    }

    private static func checksum(_ data: [UInt8], _ range: Range<Int>) -> UInt32 {
        var sum: UInt32 = 0
        var p = range.lowerBound
        data.withUnsafeBufferPointer { buffer in
            while p + 4 <= range.upperBound {
                sum = sum &+ (UInt32(buffer[p]) << 24 | UInt32(buffer[p + 1]) << 16 | UInt32(buffer[p + 2]) << 8 | UInt32(buffer[p + 3]))
                p += 4
            }
            if p < range.upperBound {
                var last: UInt32 = 0
                for i in 0..<4 { last = last << 8 | (p + i < range.upperBound ? UInt32(buffer[p + i]) : 0) }
                sum = sum &+ last
            }
        }
        return sum
    }

    /// An sfnt file from `tables`, directory sorted by tag, each table 4-byte aligned.
    private static func assemble(_ tables: [(String, [UInt8])]) -> [UInt8] {
        let sorted = tables.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        let count = sorted.count
        var searchRange = 1, entrySelector = 0
        while searchRange * 2 <= count { searchRange *= 2; entrySelector += 1 }
        searchRange *= 16
        var font: [UInt8] = []
        font.reserveCapacity(12 + count * 16 + sorted.reduce(0) { $0 + $1.1.count + 3 })
        font.appendU32(0x0001_0000)
        font.appendU16(UInt16(count))
        font.appendU16(UInt16(searchRange))
        font.appendU16(UInt16(entrySelector))
        font.appendU16(UInt16(count * 16 - searchRange))
        var offset = 12 + count * 16
        for (tag, data) in sorted {
            font.append(contentsOf: Array(tag.utf8))
            font.appendU32(checksum(data, 0..<data.count))
            font.appendU32(UInt32(offset))
            font.appendU32(UInt32(data.count))
            offset += (data.count + 3) & ~3
        }
        for (_, data) in sorted {
            font.append(contentsOf: data)
            while font.count % 4 != 0 { font.append(0) }
        }
        return font
    }

    private static func tableOffset(in font: [UInt8], tag: String) -> Int? {
        let r = TTReader(font)
        let count = Int(r.u16(4))
        let wanted = Array(tag.utf8)
        for i in 0..<count {
            let entry = 12 + i * 16
            if Array(font[entry..<entry + 4]) == wanted { return Int(r.u32(entry + 8)) }
        }
        return nil
    }
}

/// Big-endian reads from a byte array (callers check bounds first).
private struct TTReader {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    @inline(__always) func u16(_ p: Int) -> UInt16 { UInt16(bytes[p]) << 8 | UInt16(bytes[p + 1]) }
    @inline(__always) func i16(_ p: Int) -> Int16 { Int16(bitPattern: u16(p)) }
    @inline(__always) func u32(_ p: Int) -> UInt32 {
        UInt32(bytes[p]) << 24 | UInt32(bytes[p + 1]) << 16 | UInt32(bytes[p + 2]) << 8 | UInt32(bytes[p + 3])
    }
    @inline(__always) func i32(_ p: Int) -> Int32 { Int32(bitPattern: u32(p)) }
}

extension Array where Element == UInt8 {
    @inline(__always) fileprivate mutating func appendU16(_ v: UInt16) {
        append(UInt8(v >> 8)); append(UInt8(v & 0xFF))
    }
    @inline(__always) fileprivate mutating func appendU32(_ v: UInt32) {
        append(UInt8(v >> 24)); append(UInt8((v >> 16) & 0xFF)); append(UInt8((v >> 8) & 0xFF)); append(UInt8(v & 0xFF))
    }
    @inline(__always) fileprivate mutating func setU16(_ p: Int, _ v: UInt16) {
        self[p] = UInt8(v >> 8); self[p + 1] = UInt8(v & 0xFF)
    }
    @inline(__always) fileprivate mutating func setU32(_ p: Int, _ v: UInt32) {
        self[p] = UInt8(v >> 24); self[p + 1] = UInt8((v >> 16) & 0xFF); self[p + 2] = UInt8((v >> 8) & 0xFF); self[p + 3] = UInt8(v & 0xFF)
    }
}
