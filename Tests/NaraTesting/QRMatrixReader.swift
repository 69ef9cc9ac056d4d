/// A minimal QR Code reader (ISO/IEC 18004, Model 2) for tests: it decodes a clean module matrix,
/// such as one extracted from a generated PDF, back to the bytes it carries.
///
/// It is deliberately independent of `NaraCore.QRCode` (no shared code or tables) so that a bug in
/// the encoder shows up as a failure here. It corrects nothing: every function pattern must be
/// exact, one format-information copy must be a valid BCH codeword, the version information
/// (size ≥ 45) must be valid and agree with the size, the remainder bits and padding must be as
/// the standard prescribes, and every Reed–Solomon block must have all-zero syndromes.
public enum QRMatrixReader {
    /// `modules[row][column]`, no quiet zone, true = dark. Supports numeric, alphanumeric and
    /// byte segments (alphanumeric and numeric characters come back as ASCII bytes).
    public static func decode(modules: [[Bool]]) throws -> [UInt8] {
        let symbol = try Symbol(modules)
        let reserved = try symbol.checkFunctionPatterns()
        let (level, mask) = try symbol.readFormat()
        if symbol.version >= 7 { try symbol.checkVersionInformation() }
        let stream = try symbol.readCodewords(reserved: reserved, mask: mask)
        let data = try Self.correctBlocks(stream, version: symbol.version, level: level)
        return try Self.parseSegments(data, version: symbol.version)
    }
}

public enum QRMatrixReaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a square, non-empty matrix.
    case malformedMatrix(String)
    /// The side is not 17 + 4·v for v in 1...40.
    case unsupportedSize(Int)
    /// A finder, separator, timing or alignment pattern, or the dark module, is wrong.
    case functionPattern(String)
    case formatInformation(String)
    case versionInformation(String)
    /// Codeword count, remainder bits or block table inconsistent.
    case codewordLayout(String)
    /// A Reed–Solomon block (0-based) whose syndromes are not all zero.
    case reedSolomon(block: Int, blocks: Int, nonZeroSyndromes: Int)
    /// Mode indicators, counts, character values, terminator or padding.
    case bitstream(String)

    public var description: String {
        switch self {
        case .malformedMatrix(let why): "QR matrix malformed: \(why)"
        case .unsupportedSize(let size): "QR matrix size \(size) is not 17 + 4·v for a version 1…40"
        case .functionPattern(let why): "QR function pattern wrong: \(why)"
        case .formatInformation(let why): "QR format information invalid: \(why)"
        case .versionInformation(let why): "QR version information invalid: \(why)"
        case .codewordLayout(let why): "QR codeword layout inconsistent: \(why)"
        case .reedSolomon(let block, let blocks, let bad):
            "QR Reed–Solomon check failed in block \(block + 1) of \(blocks): \(bad) non-zero syndrome(s)"
        case .bitstream(let why): "QR data bit stream invalid: \(why)"
        }
    }
}

// MARK: - Tables (an independent copy for the reader; duplicating the standard's table data here is intentional)

extension QRMatrixReader {
    /// ISO/IEC 18004 Table 9 per version (index 0 = version 1), per level L, M, Q, H:
    /// (number of error correction blocks, error correction codewords per block).
    static let blockTable: [[(blocks: Int, ecPerBlock: Int)]] = [
        [(1, 7), (1, 10), (1, 13), (1, 17)],  // 1
        [(1, 10), (1, 16), (1, 22), (1, 28)],  // 2
        [(1, 15), (1, 26), (2, 18), (2, 22)],  // 3
        [(1, 20), (2, 18), (2, 26), (4, 16)],  // 4
        [(1, 26), (2, 24), (4, 18), (4, 22)],  // 5
        [(2, 18), (4, 16), (4, 24), (4, 28)],  // 6
        [(2, 20), (4, 18), (6, 18), (5, 26)],  // 7
        [(2, 24), (4, 22), (6, 22), (6, 26)],  // 8
        [(2, 30), (5, 22), (8, 20), (8, 24)],  // 9
        [(4, 18), (5, 26), (8, 24), (8, 28)],  // 10
        [(4, 20), (5, 30), (8, 28), (11, 24)],  // 11
        [(4, 24), (8, 22), (10, 26), (11, 28)],  // 12
        [(4, 26), (9, 22), (12, 24), (16, 22)],  // 13
        [(4, 30), (9, 24), (16, 20), (16, 24)],  // 14
        [(6, 22), (10, 24), (12, 30), (18, 24)],  // 15
        [(6, 24), (10, 28), (17, 24), (16, 30)],  // 16
        [(6, 28), (11, 28), (16, 28), (19, 28)],  // 17
        [(6, 30), (13, 26), (18, 28), (21, 28)],  // 18
        [(7, 28), (14, 26), (21, 26), (25, 26)],  // 19
        [(8, 28), (16, 26), (20, 30), (25, 28)],  // 20
        [(8, 28), (17, 26), (23, 28), (25, 30)],  // 21
        [(9, 28), (17, 28), (23, 30), (34, 24)],  // 22
        [(9, 30), (18, 28), (25, 30), (30, 30)],  // 23
        [(10, 30), (20, 28), (27, 30), (32, 30)],  // 24
        [(12, 26), (21, 28), (29, 30), (35, 30)],  // 25
        [(12, 28), (23, 28), (34, 28), (37, 30)],  // 26
        [(12, 30), (25, 28), (34, 30), (40, 30)],  // 27
        [(13, 30), (26, 28), (35, 30), (42, 30)],  // 28
        [(14, 30), (28, 28), (38, 30), (45, 30)],  // 29
        [(15, 30), (29, 28), (40, 30), (48, 30)],  // 30
        [(16, 30), (31, 28), (43, 30), (51, 30)],  // 31
        [(17, 30), (33, 28), (45, 30), (54, 30)],  // 32
        [(18, 30), (35, 28), (48, 30), (57, 30)],  // 33
        [(19, 30), (37, 28), (51, 30), (60, 30)],  // 34
        [(19, 30), (38, 28), (53, 30), (63, 30)],  // 35
        [(20, 30), (40, 28), (56, 30), (66, 30)],  // 36
        [(21, 30), (43, 28), (59, 30), (70, 30)],  // 37
        [(22, 30), (45, 28), (62, 30), (74, 30)],  // 38
        [(24, 30), (47, 28), (65, 30), (77, 30)],  // 39
        [(25, 30), (49, 28), (68, 30), (81, 30)],  // 40
    ]

    /// ISO/IEC 18004 Annex E: row/column coordinates of alignment pattern centres per version.
    static let alignmentCentres: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34],
        [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50], [6, 30, 54], [6, 32, 58], [6, 34, 62],
        [6, 26, 46, 66], [6, 26, 48, 70], [6, 26, 50, 74], [6, 30, 54, 78], [6, 30, 56, 82], [6, 30, 58, 86], [6, 34, 62, 90],
        [6, 28, 50, 72, 94], [6, 26, 50, 74, 98], [6, 30, 54, 78, 102], [6, 28, 54, 80, 106], [6, 32, 58, 84, 110],
        [6, 30, 58, 86, 114], [6, 34, 62, 90, 118],
        [6, 26, 50, 74, 98, 122], [6, 30, 54, 78, 102, 126], [6, 26, 52, 78, 104, 130], [6, 30, 56, 82, 108, 134],
        [6, 34, 60, 86, 112, 138], [6, 30, 58, 86, 114, 142], [6, 34, 62, 90, 118, 146],
        [6, 30, 54, 78, 102, 126, 150], [6, 24, 50, 76, 102, 128, 154], [6, 28, 54, 80, 106, 132, 158],
        [6, 32, 58, 84, 110, 136, 162], [6, 26, 54, 82, 110, 138, 166], [6, 30, 58, 86, 114, 142, 170],
    ]

    /// Remainder bits after the last codeword (Table 1), per version.
    static func remainderBits(version: Int) -> Int {
        switch version {
        case 1: 0
        case 2...6: 7
        case 7...13: 0
        case 14...20: 3
        case 21...27: 4
        case 28...34: 3
        default: 0
        }
    }
}

// MARK: - Matrix

extension QRMatrixReader {
    struct Symbol {
        let modules: [[Bool]]
        let size: Int
        let version: Int

        init(_ modules: [[Bool]]) throws {
            let size = modules.count
            guard size > 0 else { throw QRMatrixReaderError.malformedMatrix("no rows") }
            for (row, line) in modules.enumerated() where line.count != size {
                throw QRMatrixReaderError.malformedMatrix("row \(row) has \(line.count) modules, expected \(size)")
            }
            guard size >= 21, size <= 177, (size - 17) % 4 == 0 else { throw QRMatrixReaderError.unsupportedSize(size) }
            self.modules = modules
            self.size = size
            self.version = (size - 17) / 4
        }

        func dark(_ row: Int, _ col: Int) -> Bool { modules[row][col] }

        /// Verifies finders, separators, timing, alignment patterns and the dark module; returns
        /// the map of every function module (those plus format and version areas).
        func checkFunctionPatterns() throws -> [[Bool]] {
            var reserved = [[Bool]](repeating: [Bool](repeating: false, count: size), count: size)
            func expect(_ row: Int, _ col: Int, dark want: Bool, _ what: String) throws {
                reserved[row][col] = true
                if modules[row][col] != want {
                    throw QRMatrixReaderError.functionPattern("\(what) module at row \(row), column \(col) should be \(want ? "dark" : "light")")
                }
            }
            // Finder patterns (7×7) with their one-module light separators.
            for (top, left, name) in [(0, 0, "top-left"), (0, size - 7, "top-right"), (size - 7, 0, "bottom-left")] {
                for r in -1...7 {
                    for c in -1...7 {
                        let row = top + r, col = left + c
                        guard row >= 0, row < size, col >= 0, col < size else { continue }
                        let inside = (0...6).contains(r) && (0...6).contains(c)
                        let ring = r == 0 || r == 6 || c == 0 || c == 6
                        let core = (2...4).contains(r) && (2...4).contains(c)
                        try expect(row, col, dark: inside && (ring || core), "\(name) finder")
                    }
                }
            }
            // Timing patterns between the finders.
            for k in 8..<(size - 8) {
                try expect(6, k, dark: k % 2 == 0, "horizontal timing")
                try expect(k, 6, dark: k % 2 == 0, "vertical timing")
            }
            // Alignment patterns, omitting those that would sit on a finder.
            let centres = QRMatrixReader.alignmentCentres[version - 1]
            if let first = centres.first, let last = centres.last {
                for r in centres {
                    for c in centres {
                        if (r == first && c == first) || (r == first && c == last) || (r == last && c == first) { continue }
                        for dr in -2...2 {
                            for dc in -2...2 {
                                let ring = max(abs(dr), abs(dc))
                                try expect(r + dr, c + dc, dark: ring != 1, "alignment pattern at (\(r), \(c))")
                            }
                        }
                    }
                }
            }
            // The dark module beside the bottom-left finder.
            try expect(size - 8, 8, dark: true, "dark")
            // Format information areas.
            for k in 0...8 {
                reserved[8][k] = true
                reserved[k][8] = true
            }
            for k in (size - 8)..<size {
                reserved[8][k] = true
                reserved[k][8] = true
            }
            // Version information areas.
            if version >= 7 {
                for a in 0..<6 {
                    for b in (size - 11)..<(size - 8) {
                        reserved[a][b] = true
                        reserved[b][a] = true
                    }
                }
            }
            return reserved
        }

        /// BCH(15,5) codeword (generator x^10+x^8+x^5+x^4+x^2+x+1), XOR-masked with 101010000010010.
        static func formatCodeword(_ data: Int) -> Int {
            var rem = data << 10
            for bit in stride(from: 14, through: 10, by: -1) where rem & (1 << bit) != 0 {
                rem ^= 0b101_0011_0111 << (bit - 10)
            }
            return ((data << 10) | rem) ^ 0b101_0100_0001_0010
        }

        /// Returns (level index 0 = L, 1 = M, 2 = Q, 3 = H; mask 0...7).
        func readFormat() throws -> (level: Int, mask: Int) {
            // Copy 1, most significant bit first: row 8 left of the timing column, up column 8.
            var first = 0
            for (r, c) in [(8, 0), (8, 1), (8, 2), (8, 3), (8, 4), (8, 5), (8, 7), (8, 8), (7, 8), (5, 8), (4, 8), (3, 8), (2, 8), (1, 8), (0, 8)] {
                first = first << 1 | (dark(r, c) ? 1 : 0)
            }
            // Copy 2, most significant bit first: up from the bottom of column 8, then row 8 to the right edge.
            var second = 0
            for r in stride(from: size - 1, through: size - 7, by: -1) { second = second << 1 | (dark(r, 8) ? 1 : 0) }
            for c in (size - 8)..<size { second = second << 1 | (dark(8, c) ? 1 : 0) }

            let valid = (0..<32).map(Self.formatCodeword)
            let a = valid.firstIndex(of: first)
            let b = valid.firstIndex(of: second)
            let data: Int
            switch (a, b) {
            case (nil, nil):
                throw QRMatrixReaderError.formatInformation(
                    "neither copy is a valid codeword (copy 1 = 0b\(String(first, radix: 2)), copy 2 = 0b\(String(second, radix: 2)))")
            case let (x?, y?) where x != y:
                throw QRMatrixReaderError.formatInformation("the two copies are valid but differ (\(x) vs \(y))")
            case let (x?, _): data = x
            case let (nil, y?): data = y
            }
            // Level bits: 01 = L, 00 = M, 11 = Q, 10 = H.
            let level = [1, 0, 3, 2][data >> 3]
            return (level, data & 7)
        }

        /// BCH(18,6) codeword with generator x^12+x^11+x^10+x^9+x^8+x^5+x^2+1.
        static func versionCodeword(_ version: Int) -> Int {
            var rem = version << 12
            for bit in stride(from: 17, through: 12, by: -1) where rem & (1 << bit) != 0 {
                rem ^= 0b1_1111_0010_0101 << (bit - 12)
            }
            return (version << 12) | rem
        }

        func checkVersionInformation() throws {
            // Top-right block (rows 0–5, columns size-11…size-9) and its transpose bottom-left,
            // most significant bit first from the far corner of each block.
            var topRight = 0, bottomLeft = 0
            for a in stride(from: 5, through: 0, by: -1) {
                for b in stride(from: size - 9, through: size - 11, by: -1) {
                    topRight = topRight << 1 | (dark(a, b) ? 1 : 0)
                    bottomLeft = bottomLeft << 1 | (dark(b, a) ? 1 : 0)
                }
            }
            let candidates = [topRight, bottomLeft].compactMap { raw in (7...40).first { Self.versionCodeword($0) == raw } }
            guard !candidates.isEmpty else {
                throw QRMatrixReaderError.versionInformation(
                    "neither block is a valid codeword (top-right 0x\(String(topRight, radix: 16)), bottom-left 0x\(String(bottomLeft, radix: 16)))")
            }
            for v in candidates where v != version {
                throw QRMatrixReaderError.versionInformation("encodes version \(v) but the matrix size \(size) means version \(version)")
            }
        }

        static func maskBit(_ mask: Int, row i: Int, col j: Int) -> Bool {
            switch mask {
            case 0: (i + j) % 2 == 0
            case 1: i % 2 == 0
            case 2: j % 3 == 0
            case 3: (i + j) % 3 == 0
            case 4: (i / 2 + j / 3) % 2 == 0
            case 5: (i * j) % 2 + (i * j) % 3 == 0
            case 6: ((i * j) % 2 + (i * j) % 3) % 2 == 0
            default: ((i + j) % 2 + (i * j) % 3) % 2 == 0
            }
        }

        /// Unmasked codewords in placement order; checks the remainder bits.
        func readCodewords(reserved: [[Bool]], mask: Int) throws -> [UInt8] {
            var bits: [Bool] = []
            bits.reserveCapacity(size * size)
            var col = size - 1
            var upward = true
            while col > 0 {
                if col == 6 { col -= 1 }  // the vertical timing pattern is skipped whole
                for step in 0..<size {
                    let row = upward ? size - 1 - step : step
                    for c in [col, col - 1] where !reserved[row][c] {
                        bits.append(dark(row, c) != Self.maskBit(mask, row: row, col: c))
                    }
                }
                upward.toggle()
                col -= 2
            }
            let extra = bits.count % 8
            guard extra == QRMatrixReader.remainderBits(version: version) else {
                throw QRMatrixReaderError.codewordLayout(
                    "\(bits.count) data modules leave \(extra) remainder bits; version \(version) has \(QRMatrixReader.remainderBits(version: version))")
            }
            if bits.suffix(extra).contains(true) {
                throw QRMatrixReaderError.codewordLayout("remainder bits are not all zero after unmasking")
            }
            var out = [UInt8](repeating: 0, count: bits.count / 8)
            for k in 0..<out.count {
                var byte: UInt8 = 0
                for bit in bits[(k * 8)..<(k * 8 + 8)] { byte = byte << 1 | (bit ? 1 : 0) }
                out[k] = byte
            }
            return out
        }
    }
}

// MARK: - Blocks and Reed–Solomon check

extension QRMatrixReader {
    /// GF(256) multiplication modulo x^8+x^4+x^3+x^2+1 (0x11D), shift-and-add.
    static func gfMultiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var x = UInt16(a), y = b, product: UInt16 = 0
        while y != 0 {
            if y & 1 != 0 { product ^= x }
            x <<= 1
            if x & 0x100 != 0 { x ^= 0x11D }
            y >>= 1
        }
        return UInt8(product)
    }

    /// De-interleaves, checks every block's syndromes S_0…S_{ec-1} are zero, and returns the data
    /// codewords of all blocks in order.
    static func correctBlocks(_ stream: [UInt8], version: Int, level: Int) throws -> [UInt8] {
        let (count, ecLen) = blockTable[version - 1][level]
        let total = stream.count
        let longBlocks = total % count
        let shortBlocks = count - longBlocks
        let shortLength = total / count
        guard shortLength > ecLen else {
            throw QRMatrixReaderError.codewordLayout("\(total) codewords cannot hold \(count) blocks with \(ecLen) EC codewords each")
        }
        let dataLengths = (0..<count).map { $0 < shortBlocks ? shortLength - ecLen : shortLength - ecLen + 1 }
        var blocks = [[UInt8]](repeating: [], count: count)
        var next = 0
        for k in 0..<(shortLength - ecLen + 1) {
            for b in 0..<count where k < dataLengths[b] {
                blocks[b].append(stream[next])
                next += 1
            }
        }
        for _ in 0..<ecLen {
            for b in 0..<count {
                blocks[b].append(stream[next])
                next += 1
            }
        }
        guard next == total else {
            throw QRMatrixReaderError.codewordLayout("consumed \(next) of \(total) codewords")
        }

        var data: [UInt8] = []
        for (index, block) in blocks.enumerated() {
            var bad = 0
            var root: UInt8 = 1  // α^k
            for _ in 0..<ecLen {
                var s: UInt8 = 0
                for c in block { s = gfMultiply(s, root) ^ c }
                if s != 0 { bad += 1 }
                root = gfMultiply(root, 2)
            }
            if bad > 0 { throw QRMatrixReaderError.reedSolomon(block: index, blocks: count, nonZeroSyndromes: bad) }
            data.append(contentsOf: block.prefix(dataLengths[index]))
        }
        return data
    }
}

// MARK: - Segments

extension QRMatrixReader {
    struct BitReader {
        let bytes: [UInt8]
        var position = 0
        var remaining: Int { bytes.count * 8 - position }

        mutating func read(_ n: Int, _ what: String) throws -> Int {
            guard n <= remaining else {
                throw QRMatrixReaderError.bitstream("\(what) needs \(n) bits at bit \(position) but only \(remaining) remain")
            }
            var value = 0
            for _ in 0..<n {
                let bit = (bytes[position >> 3] >> (7 - UInt8(position & 7))) & 1
                value = value << 1 | Int(bit)
                position += 1
            }
            return value
        }
    }

    static let alphanumericCharset: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

    static func parseSegments(_ data: [UInt8], version: Int) throws -> [UInt8] {
        let range = version <= 9 ? 0 : (version <= 26 ? 1 : 2)
        var reader = BitReader(bytes: data)
        var out: [UInt8] = []
        segments: while true {
            if reader.remaining < 4 {
                // A terminator may be shortened (or left out) when the symbol is full.
                if try reader.read(reader.remaining, "shortened terminator") != 0 {
                    throw QRMatrixReaderError.bitstream("non-zero bits where the terminator was shortened")
                }
                break segments
            }
            let start = reader.position
            let mode = try reader.read(4, "mode indicator")
            switch mode {
            case 0b0000:
                break segments
            case 0b0001:
                var count = try reader.read([10, 12, 14][range], "numeric character count")
                while count > 0 {
                    let digits = min(count, 3)
                    let value = try reader.read([4, 7, 10][digits - 1], "numeric group")
                    guard value < [10, 100, 1000][digits - 1] else {
                        throw QRMatrixReaderError.bitstream("numeric group value \(value) too large for \(digits) digit(s) at bit \(reader.position)")
                    }
                    var text = String(value)
                    while text.count < digits { text = "0" + text }
                    out.append(contentsOf: text.utf8)
                    count -= digits
                }
            case 0b0010:
                var count = try reader.read([9, 11, 13][range], "alphanumeric character count")
                while count >= 2 {
                    let value = try reader.read(11, "alphanumeric pair")
                    guard value < 45 * 45 else {
                        throw QRMatrixReaderError.bitstream("alphanumeric pair value \(value) out of range at bit \(reader.position)")
                    }
                    out.append(alphanumericCharset[value / 45])
                    out.append(alphanumericCharset[value % 45])
                    count -= 2
                }
                if count == 1 {
                    let value = try reader.read(6, "alphanumeric character")
                    guard value < 45 else {
                        throw QRMatrixReaderError.bitstream("alphanumeric value \(value) out of range at bit \(reader.position)")
                    }
                    out.append(alphanumericCharset[value])
                }
            case 0b0100:
                let count = try reader.read([8, 16, 16][range], "byte count")
                for _ in 0..<count { out.append(UInt8(try reader.read(8, "byte"))) }
            default:
                throw QRMatrixReaderError.bitstream("unsupported mode indicator 0b\(String(mode, radix: 2)) at bit \(start)")
            }
        }
        // Zero bits up to the byte boundary, then alternating pad codewords 0xEC, 0x11.
        let toBoundary = (8 - reader.position % 8) % 8
        if toBoundary > 0, try reader.read(toBoundary, "bit padding") != 0 {
            throw QRMatrixReaderError.bitstream("non-zero bits between the terminator and the byte boundary")
        }
        var expected: UInt8 = 0xEC
        var index = reader.position / 8
        while index < data.count {
            guard data[index] == expected else {
                throw QRMatrixReaderError.bitstream("pad codeword \(index) is 0x\(String(data[index], radix: 16)), expected 0x\(String(expected, radix: 16))")
            }
            expected = expected == 0xEC ? 0x11 : 0xEC
            index += 1
        }
        return out
    }
}
