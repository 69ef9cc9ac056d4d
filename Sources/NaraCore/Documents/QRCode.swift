import Foundation

/// A QR Code symbol (ISO/IEC 18004, Model 2), encoded in byte mode.
///
/// The matrix holds only the symbol itself (`size` × `size` modules); a renderer adds the
/// quiet zone (at least 4 light modules on every side). Reading a module outside the symbol
/// returns `false` (light), which lets a renderer draw the quiet zone by iterating past the edges.
///
/// Encoding follows the standard throughout: Reed–Solomon over GF(256) with the primitive
/// polynomial 0x11D, block interleaving, format information (BCH(15,5), XOR mask 0x5412),
/// version information for versions 7 and up (BCH(18,6), generator 0x1F25), finder, separator,
/// timing and alignment patterns, the dark module, and the mask chosen among all eight by the
/// four penalty rules.
public struct QRCode: Sendable, Equatable {
    public enum ErrorCorrection: Int, Sendable, CaseIterable {
        case low, medium, quartile, high
    }

    public let version: Int
    public let errorCorrection: ErrorCorrection
    /// 17 + 4 × version modules, without quiet zone.
    public let size: Int
    /// Row-major, `size * size` entries; true = dark.
    private let modules: [Bool]

    /// true = dark module; `x` is the column, `y` the row, (0, 0) the top-left corner.
    /// Coordinates outside the symbol read as light.
    public subscript(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return modules[y &* size &+ x]
    }

    private init(version: Int, errorCorrection: ErrorCorrection, size: Int, modules: [Bool]) {
        self.version = version
        self.errorCorrection = errorCorrection
        self.size = size
        self.modules = modules
    }

    /// Byte mode; chooses the smallest version that fits at `errorCorrection`, then raises the
    /// level while the data still fits that version (like common encoders). Mask chosen by the
    /// standard's penalty rules.
    public static func encode(_ data: [UInt8], errorCorrection: ErrorCorrection = .medium) throws(QRCodeError) -> QRCode {
        // Smallest version whose data capacity holds mode (4) + count + 8 bits per byte.
        var chosen = 0
        for v in 1...40 where bitsNeeded(byteCount: data.count, version: v) <= dataCodewords(version: v, level: errorCorrection) * 8 {
            chosen = v
            break
        }
        guard chosen != 0 else {
            throw QRCodeError.dataTooLong(bytes: data.count, capacity: byteCapacity(version: 40, level: errorCorrection))
        }
        var level = errorCorrection
        let used = bitsNeeded(byteCount: data.count, version: chosen)
        for candidate in ErrorCorrection.allCases where candidate.rawValue > level.rawValue {
            if used <= dataCodewords(version: chosen, level: candidate) * 8 { level = candidate }
        }
        let codewords = buildCodewords(data, version: chosen, level: level)
        let modules = buildMatrix(codewords: codewords, version: chosen, level: level)
        return QRCode(version: chosen, errorCorrection: level, size: 17 + 4 * chosen, modules: modules)
    }

    /// UTF-8 bytes of `text`, byte mode.
    public static func encode(text: String, errorCorrection: ErrorCorrection = .medium) throws(QRCodeError) -> QRCode {
        try encode(Array(text.utf8), errorCorrection: errorCorrection)
    }
}

public enum QRCodeError: Error, Sendable, Equatable {
    /// `capacity` is the most bytes a version-40 symbol holds at the requested level.
    case dataTooLong(bytes: Int, capacity: Int)
}

// MARK: - Capacity tables

extension QRCode {
    // ISO/IEC 18004 Table 9, indexed [level][version] (index 0 unused).
    private static let ecCodewordsPerBlock: [[Int]] = [
        [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
        [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    ]
    private static let blockCount: [[Int]] = [
        [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
        [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
        [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
        [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
    ]

    /// Modules left for codewords (and remainder bits) once every function pattern is placed.
    private static func rawDataModules(version v: Int) -> Int {
        var n = (16 * v + 128) * v + 64
        if v >= 2 {
            let align = v / 7 + 2
            n -= (25 * align - 10) * align - 55
            if v >= 7 { n -= 36 }
        }
        return n
    }

    private static func totalCodewords(version v: Int) -> Int { rawDataModules(version: v) / 8 }

    private static func dataCodewords(version v: Int, level: ErrorCorrection) -> Int {
        totalCodewords(version: v) - ecCodewordsPerBlock[level.rawValue][v] * blockCount[level.rawValue][v]
    }

    private static func countBits(version v: Int) -> Int { v <= 9 ? 8 : 16 }

    private static func bitsNeeded(byteCount: Int, version v: Int) -> Int {
        if byteCount >= 1 << countBits(version: v) { return Int.max }
        return 4 + countBits(version: v) + 8 * byteCount
    }

    private static func byteCapacity(version v: Int, level: ErrorCorrection) -> Int {
        (dataCodewords(version: v, level: level) * 8 - 4 - countBits(version: v)) / 8
    }

    /// Alignment pattern centre coordinates (same list for rows and columns).
    private static func alignmentPositions(version v: Int) -> [Int] {
        if v == 1 { return [] }
        let count = v / 7 + 2
        let size = 17 + 4 * v
        let step = (v * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        var result = [Int](repeating: 6, count: count)
        for i in 0..<(count - 1) { result[count - 1 - i] = size - 7 - i * step }
        return result
    }
}

// MARK: - Codewords

extension QRCode {
    /// exp[i] = α^i for i in 0..<510 (doubled so log sums never need a modulo); log[α^i] = i.
    private static let gf: (exp: [UInt8], log: [UInt8]) = {
        var exp = [UInt8](repeating: 0, count: 512)
        var log = [UInt8](repeating: 0, count: 256)
        var x = 1
        for i in 0..<255 {
            exp[i] = UInt8(x)
            log[x] = UInt8(i)
            x <<= 1
            if x & 0x100 != 0 { x ^= 0x11D }
        }
        for i in 255..<512 { exp[i] = exp[i - 255] }
        return (exp, log)
    }()

    /// Coefficients (highest degree first, the leading 1 dropped) of ∏_{i<degree} (x − α^i),
    /// for every degree the tables use.
    private static let generators: [[UInt8]] = {
        let (exp, log) = gf
        var table = [[UInt8]](repeating: [], count: 31)
        for degree in 1...30 {
            // coeffs[0] is the highest-degree coefficient of the product so far.
            var coeffs = [UInt8](repeating: 0, count: degree + 1)
            coeffs[0] = 1
            for i in 0..<degree {
                // Multiply by (x + α^i), from the high end so coeffs[j - 1] is still the old value.
                for j in stride(from: i + 1, through: 1, by: -1) {
                    let c = coeffs[j - 1]
                    if c != 0 { coeffs[j] ^= exp[Int(log[Int(c)]) + i] }
                }
            }
            table[degree] = Array(coeffs[1...])
        }
        return table
    }()

    /// Data bit stream (mode, count, bytes, terminator, padding), split into blocks, Reed–Solomon
    /// protected and interleaved: the final codeword sequence.
    private static func buildCodewords(_ data: [UInt8], version v: Int, level: ErrorCorrection) -> [UInt8] {
        let dataCount = dataCodewords(version: v, level: level)
        var stream = [UInt8](repeating: 0, count: dataCount)
        // Header: 0100 + count (8 or 16 bits), then the bytes shifted by 4 bits.
        let n = data.count
        var pos: Int
        if countBits(version: v) == 8 {
            stream[0] = 0x40 | UInt8(n >> 4)
            stream[1] = UInt8((n & 0x0F) << 4)
            pos = 1
        } else {
            stream[0] = 0x40 | UInt8(n >> 12)
            stream[1] = UInt8((n >> 4) & 0xFF)
            stream[2] = UInt8((n & 0x0F) << 4)
            pos = 2
        }
        // pos is the byte holding the upper nibble of the next data byte.
        for b in data {
            stream[pos] |= b >> 4
            stream[pos + 1] = (b & 0x0F) << 4
            pos += 1
        }
        // The low nibble of stream[pos] is the terminator (4 zero bits) when it fits;
        // when the data fills all but those 4 bits, the terminator is truncated. Either
        // way the byte is already complete, and padding starts at pos + 1.
        var pad: UInt8 = 0xEC
        var i = pos + 1
        while i < dataCount {
            stream[i] = pad
            pad = pad == 0xEC ? 0x11 : 0xEC
            i += 1
        }

        let blocks = blockCount[level.rawValue][v]
        let ecLen = ecCodewordsPerBlock[level.rawValue][v]
        let total = totalCodewords(version: v)
        let shortBlocks = blocks - total % blocks
        let shortData = total / blocks - ecLen
        let generator = generators[ecLen]
        let (exp, log) = gf

        var result = [UInt8](repeating: 0, count: total)
        var ecc = [UInt8](repeating: 0, count: ecLen)
        var start = 0
        for b in 0..<blocks {
            let len = shortData + (b < shortBlocks ? 0 : 1)
            // Interleave data: codeword k of block b goes to k * blocks + b, except the extra last
            // codeword of long blocks, which follows all blocks' shortData-th codewords.
            for k in 0..<len {
                let dest = k < shortData ? k * blocks + b : shortData * blocks + (b - shortBlocks)
                result[dest] = stream[start + k]
            }
            // Remainder of data(x)·x^ecLen divided by the generator.
            for j in 0..<ecLen { ecc[j] = 0 }
            for k in 0..<len {
                let factor = stream[start + k] ^ ecc[0]
                for j in 0..<(ecLen - 1) { ecc[j] = ecc[j + 1] }
                ecc[ecLen - 1] = 0
                if factor != 0 {
                    let lf = Int(log[Int(factor)])
                    for j in 0..<ecLen {
                        let g = generator[j]
                        if g != 0 { ecc[j] ^= exp[Int(log[Int(g)]) + lf] }
                    }
                }
            }
            let ecBase = dataCount
            for j in 0..<ecLen { result[ecBase + j * blocks + b] = ecc[j] }
            start += len
        }
        return result
    }
}

// MARK: - Matrix

extension QRCode {
    private static func formatBits(level: ErrorCorrection, mask: Int) -> Int {
        let levelBits: Int
        switch level {
        case .low: levelBits = 1
        case .medium: levelBits = 0
        case .quartile: levelBits = 3
        case .high: levelBits = 2
        }
        let data = levelBits << 3 | mask
        var rem = data
        for _ in 0..<10 { rem = (rem << 1) ^ ((rem >> 9) * 0x537) }
        return (data << 10 | rem) ^ 0x5412
    }

    private static func versionBits(_ v: Int) -> Int {
        var rem = v
        for _ in 0..<12 { rem = (rem << 1) ^ ((rem >> 11) * 0x1F25) }
        return v << 12 | rem
    }

    /// (x, y) of format bit i (index = bit number, 0 = least significant) for both copies:
    /// entries 0..<15 the copy around the top-left finder, 15..<30 the split copy.
    private static func formatPositions(size: Int) -> [(x: Int, y: Int)] {
        var p = [(x: Int, y: Int)]()
        p.reserveCapacity(30)
        for i in 0...5 { p.append((8, i)) }
        p.append((8, 7))
        p.append((8, 8))
        p.append((7, 8))
        for i in 9..<15 { p.append((14 - i, 8)) }
        for i in 0..<8 { p.append((size - 1 - i, 8)) }
        for i in 8..<15 { p.append((8, size - 15 + i)) }
        return p
    }

    /// Whether mask pattern `mask` (ISO/IEC 18004 Table 10) inverts the module at column x, row y.
    @inline(__always)
    private static func maskInverts(_ mask: Int, x: Int, y: Int) -> Bool {
        switch mask {
        case 0: (x + y) % 2 == 0
        case 1: y % 2 == 0
        case 2: x % 3 == 0
        case 3: (x + y) % 3 == 0
        case 4: (x / 3 + y / 2) % 2 == 0
        case 5: (x * y) % 2 + (x * y) % 3 == 0
        case 6: ((x * y) % 2 + (x * y) % 3) % 2 == 0
        default: ((x + y) % 2 + (x * y) % 3) % 2 == 0
        }
    }

    private static func buildMatrix(codewords: [UInt8], version v: Int, level: ErrorCorrection) -> [Bool] {
        let size = 17 + 4 * v
        let count = size * size
        var m = [UInt8](repeating: 0, count: count)
        var function = [Bool](repeating: false, count: count)

        @inline(__always) func set(_ x: Int, _ y: Int, _ dark: Bool) {
            m[y * size + x] = dark ? 1 : 0
            function[y * size + x] = true
        }

        // Timing patterns.
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        // Finders with their separators.
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = cx + dx, y = cy + dy
                    guard x >= 0, y >= 0, x < size, y < size else { continue }
                    let d = max(abs(dx), abs(dy))
                    set(x, y, d != 2 && d != 4)
                }
            }
        }
        // Alignment patterns, except the three that would overlap finders.
        let align = alignmentPositions(version: v)
        let last = align.count - 1
        for (i, cy) in align.enumerated() {
            for (j, cx) in align.enumerated() {
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        // The dark module, and the format areas (their bits are drawn per mask).
        set(8, size - 8, true)
        for i in 0...8 {
            function[i * size + 8] = true
            function[8 * size + i] = true
        }
        for i in 0..<8 { function[8 * size + (size - 1 - i)] = true }
        for i in 0..<8 { function[(size - 1 - i) * size + 8] = true }
        // Version information, 6×3 blocks next to the top-right and bottom-left finders.
        if v >= 7 {
            let bits = versionBits(v)
            for i in 0..<18 {
                let dark = (bits >> i) & 1 != 0
                let a = size - 11 + i % 3, b = i / 3
                set(a, b, dark)
                set(b, a, dark)
            }
        }

        // Codewords, most significant bit first, in the two-column zig-zag from the bottom right.
        let totalBits = codewords.count * 8
        var bitIndex = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = ((right + 1) & 2) == 0
            for vert in 0..<size {
                let y = upward ? size - 1 - vert : vert
                for j in 0..<2 {
                    let idx = y * size + right - j
                    if !function[idx] {
                        if bitIndex < totalBits {
                            m[idx] = (codewords[bitIndex >> 3] >> (7 - UInt8(bitIndex & 7))) & 1
                            bitIndex += 1
                        }
                        // Remainder bits stay 0 (light).
                    }
                }
            }
            right -= 2
        }

        // Mask selection works on bit planes: every row and every column as a line of up to
        // 192 modules in three 64-bit words (bit k = module k along the line).
        let w = Lines.wordsPerLine
        var baseRows = [UInt64](repeating: 0, count: size * w)
        var baseCols = baseRows
        var freeRows = baseRows  // 1 where a mask applies (not a function module)
        var freeCols = baseRows
        for y in 0..<size {
            for x in 0..<size {
                let idx = y * size + x
                let dark = UInt64(m[idx])
                let free: UInt64 = function[idx] ? 0 : 1
                baseRows[y * w + x >> 6] |= dark << UInt64(x & 63)
                baseCols[x * w + y >> 6] |= dark << UInt64(y & 63)
                freeRows[y * w + x >> 6] |= free << UInt64(x & 63)
                freeCols[x * w + y >> 6] |= free << UInt64(y & 63)
            }
        }
        let format = formatPositions(size: size)
        var rows = baseRows
        var cols = baseCols
        var pattern = [UInt64](repeating: 0, count: 12 * w)

        func render(_ mask: Int) {
            // Mask patterns repeat every 12 rows and every 12 columns.
            Lines.maskPattern(mask, size: size, rowsNotColumns: true, into: &pattern)
            Lines.apply(pattern, base: baseRows, free: freeRows, size: size, into: &rows)
            Lines.maskPattern(mask, size: size, rowsNotColumns: false, into: &pattern)
            Lines.apply(pattern, base: baseCols, free: freeCols, size: size, into: &cols)
            let bits = formatBits(level: level, mask: mask)
            for (i, p) in format.enumerated() {
                let dark = (bits >> (i % 15)) & 1 != 0
                Lines.set(&rows, line: p.y, position: p.x, dark)
                Lines.set(&cols, line: p.x, position: p.y, dark)
            }
        }

        // Try every mask; keep the lowest penalty (the first one on ties).
        var bestMask = 0
        var bestPenalty = Int.max
        for mask in 0..<8 {
            render(mask)
            let p = Lines.penalty(rows: rows, columns: cols, size: size)
            if p < bestPenalty {
                bestPenalty = p
                bestMask = mask
            }
        }
        render(bestMask)
        var modules = [Bool](repeating: false, count: count)
        for y in 0..<size {
            for x in 0..<size { modules[y * size + x] = (rows[y * w + x >> 6] >> UInt64(x & 63)) & 1 != 0 }
        }
        return modules
    }

    /// Bit-plane helpers for mask evaluation.
    private enum Lines {
        static let wordsPerLine = 3

        @inline(__always)
        static func set(_ lines: inout [UInt64], line: Int, position: Int, _ on: Bool) {
            let i = line * wordsPerLine + position >> 6
            let bit = UInt64(1) << UInt64(position & 63)
            if on { lines[i] |= bit } else { lines[i] &= ~bit }
        }

        /// Pattern lines for line indexes 0..<12 (rows: bit x of line r is the mask at (x, r);
        /// columns: bit y of line c is the mask at (c, y)).
        static func maskPattern(_ mask: Int, size: Int, rowsNotColumns: Bool, into pattern: inout [UInt64]) {
            for i in 0..<pattern.count { pattern[i] = 0 }
            for r in 0..<12 {
                for k in 0..<size {
                    let on = rowsNotColumns ? maskInverts(mask, x: k, y: r) : maskInverts(mask, x: r, y: k)
                    if on { pattern[r * wordsPerLine + k >> 6] |= UInt64(1) << UInt64(k & 63) }
                }
            }
        }

        static func apply(_ pattern: [UInt64], base: [UInt64], free: [UInt64], size: Int, into lines: inout [UInt64]) {
            for i in 0..<size {
                let p = (i % 12) * wordsPerLine
                for j in 0..<wordsPerLine {
                    let k = i * wordsPerLine + j
                    lines[k] = base[k] ^ (pattern[p + j] & free[k])
                }
            }
        }

        /// The last seven run lengths along a line (`h.0` the most recent), for rule 3.
        struct RunHistory {
            var h = (0, 0, 0, 0, 0, 0, 0)
            let border: Int

            /// Records a finished run; the first run of a line is light and joins the light area
            /// beyond the symbol's edge, so it is lengthened by `border`.
            @inline(__always)
            mutating func push(_ length: Int) {
                let l = h.0 == 0 ? length + border : length
                h = (l, h.0, h.1, h.2, h.3, h.4, h.5)
            }

            /// Called as a light run ends: dark/light/dark/light/dark runs in the ratio 1:1:3:1:1,
            /// counted once if the light run after them is at least 4 units long and once if the one
            /// before them is.
            @inline(__always)
            func finderLikePatterns() -> Int {
                let n = h.1
                if n == 0 || (h.2 ^ n) | (h.3 ^ (3 * n)) | (h.4 ^ n) | (h.5 ^ n) != 0 { return 0 }
                return (h.0 >= 4 * n && h.6 >= n ? 1 : 0) + (h.6 >= 4 * n && h.0 >= n ? 1 : 0)
            }
        }

        /// Rules 1 and 3 along one line (bits beyond `size` must be zero).
        @inline(__always)
        static func linePenalty(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, size: Int) -> Int {
            // Bit p of a transition word is set where module p differs from module p − 1, with light
            // modules before the line and after it: run boundaries, in 0...size.
            let t0 = l0 ^ (l0 << 1)
            let t1 = l1 ^ (l1 << 1 | l0 >> 63)
            let t2 = l2 ^ (l2 << 1 | l1 >> 63)
            var history = RunHistory(border: size)
            var total = 0
            var start = 0
            var light = true
            for word in 0..<3 {
                var t = word == 0 ? t0 : (word == 1 ? t1 : t2)
                while t != 0 {
                    let p = word << 6 | t.trailingZeroBitCount
                    t &= t &- 1
                    let length = p - start
                    total += length >= 5 ? length - 2 : 0  // rule 1: 3 + (length − 5)
                    history.push(length)
                    if light { total += history.finderLikePatterns() * 40 }
                    light.toggle()
                    start = p
                }
            }
            // The last run is light (a dark one ends at a boundary at `size`) and joins the light area beyond.
            let length = size - start
            total += length >= 5 ? length - 2 : 0
            history.push(length + size)
            return total + history.finderLikePatterns() * 40
        }

        /// The four penalty rules of ISO/IEC 18004 §7.8.3 (N1 = 3, N2 = 3, N3 = 40, N4 = 10).
        /// Rule 3 finds dark:light:dark:light:dark runs in the ratio 1:1:3:1:1 with a light run of 4
        /// units before or after, the area outside the symbol counting as light (the same reading of
        /// the rule as Nayuki's widely used generator, so mask choices agree with it).
        static func penalty(rows: [UInt64], columns: [UInt64], size: Int) -> Int {
            rows.withUnsafeBufferPointer { r in
                columns.withUnsafeBufferPointer { c in
                    var total = 0
                    var dark = 0
                    for i in 0..<size {
                        let k = i * wordsPerLine
                        total += linePenalty(r[k], r[k + 1], r[k + 2], size: size)
                        total += linePenalty(c[k], c[k + 1], c[k + 2], size: size)
                        dark += r[k].nonzeroBitCount + r[k + 1].nonzeroBitCount + r[k + 2].nonzeroBitCount
                    }
                    // Rule 2: 2×2 blocks of one colour, at positions 0...size − 2 of each row pair.
                    let valid = size - 1
                    let v0: UInt64 = valid >= 64 ? ~0 : (UInt64(1) << UInt64(valid)) - 1
                    let v1: UInt64 = valid >= 128 ? ~0 : (valid <= 64 ? 0 : (UInt64(1) << UInt64(valid - 64)) - 1)
                    let v2: UInt64 = valid <= 128 ? 0 : (UInt64(1) << UInt64(valid - 128)) - 1
                    var blocks = 0
                    for y in 0..<(size - 1) {
                        let a = y * wordsPerLine, b = a + wordsPerLine
                        let a0 = r[a], a1 = r[a + 1], a2 = r[a + 2]
                        let s0 = ~(a0 ^ r[b]), s1 = ~(a1 ^ r[b + 1]), s2 = ~(a2 ^ r[b + 2])  // same colour vertically
                        let h0 = ~(a0 ^ (a0 >> 1 | a1 << 63)), h1 = ~(a1 ^ (a1 >> 1 | a2 << 63)), h2 = ~(a2 ^ (a2 >> 1))
                        let q0 = s0 & (s0 >> 1 | s1 << 63) & h0 & v0
                        let q1 = s1 & (s1 >> 1 | s2 << 63) & h1 & v1
                        let q2 = s2 & (s2 >> 1) & h2 & v2
                        blocks += q0.nonzeroBitCount + q1.nonzeroBitCount + q2.nonzeroBitCount
                    }
                    total += blocks * 3
                    // Rule 4: 10 points for each full 5% step of the dark share away from 50%.
                    let cells = size * size
                    let steps = (abs(dark * 20 - cells * 10) + cells - 1) / cells - 1
                    return total + max(steps, 0) * 10
                }
            }
        }
    }
}
