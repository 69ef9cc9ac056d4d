import Foundation

/// Everything printed on an issued certificate.
struct CertificateLayout: Sendable {
    let number: String
    let shortCode: String
    let titleEN: String
    let titleKO: String
    let agencyNameEN: String
    let agencyNameKO: String
    let agencyCode: String
    let subjectName: String
    let subjectIdentifier: String
    let facts: [DocumentFact]
    let issuedAt: Date
    let signedAt: Date
    let expiresAt: Date
    let timeZone: TimeZone
    let verifyAddress: String
    let qr: QRCode
    let sourceReference: String?
}

/// Lays certificates out on A4 with the bundled Nara Gothic (Korean and Latin) and reserves
/// the PAdES signature. Fonts are parsed once per process.
final class CertificateRenderer: Sendable {
    let fonts: PDFFonts

    static let shared: CertificateRenderer = {
        do { return try CertificateRenderer() } catch { fatalError("The certificate fonts could not be loaded from the NaraCore bundle: \(error)") }
    }()

    init() throws {
        func load(_ name: String) throws -> TrueTypeFont {
            guard let url = Bundle.module.url(forResource: name, withExtension: "ttf", subdirectory: "Resources/Fonts")
                ?? Bundle.module.url(forResource: name, withExtension: "ttf") else {
                throw NaraError(.internalError, code: .internalError, "The font \(name) is missing from the NaraCore bundle.")
            }
            return try TrueTypeFont(data: try Data(contentsOf: url))
        }
        fonts = PDFFonts(regular: try load("NaraGothic-Regular"), bold: try load("NaraGothic-Bold"))
    }

    func render(_ c: CertificateLayout) throws -> PreparedPDF {
        let left = 56.0, right = PDFPageBuilder.a4Width - 56.0, width = right - left
        let labelWidth = 170.0, valueX = left + labelWidth + 12, valueWidth = right - valueX
        var pages: [PDFPageBuilder] = []
        var page = PDFPageBuilder(fonts: fonts)
        let gray = 0.35

        func header(_ page: inout PDFPageBuilder) {
            page.fillRect(x: 0, y: PDFPageBuilder.a4Height - 18, width: PDFPageBuilder.a4Width, height: 18, gray: 0.15)
            page.text("대한민국 전자정부 Nara  ·  Republic of Korea e-Government", x: left, y: PDFPageBuilder.a4Height - 38, size: 8.5, gray: gray)
            page.textRight("발급번호 No. \(IssuanceNumber.formatted(c.number))", x: right, y: PDFPageBuilder.a4Height - 38, size: 8.5, gray: gray)
        }
        header(&page)
        var y = PDFPageBuilder.a4Height - 92
        page.textCentered(c.titleKO, x: PDFPageBuilder.a4Width / 2, y: y, size: 24, bold: true)
        y -= 24
        page.textCentered(c.titleEN, x: PDFPageBuilder.a4Width / 2, y: y, size: 13, gray: 0.2)
        y -= 22
        page.line(x1: left, y1: y, x2: right, y2: y, width: 1.2, gray: 0)
        y -= 24

        // Number, code and dates in a box.
        let formatter = DateFormats(timeZone: c.timeZone)
        let boxTop = y + 14
        let summary: [(String, String, String)] = [
            ("발급번호", "Issuance number", IssuanceNumber.formatted(c.number)),
            ("확인코드", "Verification code", ShortCode.formatted(c.shortCode)),
            ("발급일시", "Issued", formatter.dateTime(c.issuedAt)),
            ("유효기간", "Valid until", formatter.dateTime(c.expiresAt)),
        ]
        for (ko, en, value) in summary {
            page.text(ko, x: left + 10, y: y, size: 10, bold: true)
            page.text(en, x: left + 62, y: y, size: 8, gray: gray)
            page.text(value, x: valueX, y: y, size: 10.5, bold: ko == "발급번호" || ko == "확인코드")
            y -= 17
        }
        page.strokeRect(x: left, y: y + 4, width: width, height: boxTop - (y + 4), lineWidth: 0.6, gray: 0.3)
        y -= 22

        func sectionTitle(_ ko: String, _ en: String, _ page: inout PDFPageBuilder) {
            page.text(ko, x: left, y: y, size: 12, bold: true)
            page.text(en, x: left + page.width(of: ko, size: 12, bold: true) + 8, y: y, size: 9.5, gray: gray)
            y -= 8
            page.line(x1: left, y1: y, x2: right, y2: y, width: 0.6, gray: 0.3)
            y -= 16
        }
        func row(_ ko: String, _ en: String, _ value: String, _ page: inout PDFPageBuilder) {
            let lines = page.wrapLines(value, width: valueWidth, size: 10.5, bold: false)
            let height = max(Double(lines.count) * 14, 24)
            if y - height < 215 {
                pages.append(page)
                page = PDFPageBuilder(fonts: fonts)
                header(&page)
                y = PDFPageBuilder.a4Height - 80
            }
            page.text(ko, x: left + 4, y: y, size: 10, bold: true)
            page.text(en, x: left + 4, y: y - 11, size: 7.5, gray: gray)
            var lineY = y
            for line in lines {
                page.text(line, x: valueX, y: lineY, size: 10.5)
                lineY -= 14
            }
            y -= height + 4
            page.line(x1: left, y1: y + 8, x2: right, y2: y + 8, width: 0.3, gray: 0.75)
            y -= 4
        }

        sectionTitle("대상자", "Subject", &page)
        row("성명", "Name", c.subjectName, &page)
        row("식별번호", "Identifier", c.subjectIdentifier, &page)
        y -= 8
        sectionTitle("증명 내용", "Certified particulars", &page)
        for fact in c.facts { row(fact.labelKO, fact.labelEN, fact.value, &page) }
        if let source = c.sourceReference { row("신청번호", "Application", source, &page) }

        // The closing block sits at the foot of the last page: the QR code on the left; the
        // statement, the issuer and how to verify on its right.
        if y < 200 {
            pages.append(page)
            page = PDFPageBuilder(fonts: fonts)
            header(&page)
        }
        let qrSide = 128.0
        let module = qrSide / Double(c.qr.size + 8)
        let qrX = left, qrY = 44.0
        page.darkModules({ row, column in c.qr[column, row] }, count: c.qr.size, x: qrX + 4 * module, y: qrY + 4 * module, moduleSize: module)
        page.strokeRect(x: qrX, y: qrY, width: qrSide, height: qrSide, lineWidth: 0.4, gray: 0.6)
        let textX = qrX + qrSide + 18, textWidth = right - textX
        var ty = qrY + qrSide + 6
        page.text("위와 같이 증명합니다.  This is to certify the above.", x: textX, y: ty, size: 10.5)
        ty -= 15
        page.text(formatter.longDate(c.issuedAt), x: textX, y: ty, size: 9.5, gray: 0.2)
        ty -= 22
        page.text(c.agencyNameKO, x: textX, y: ty, size: 16, bold: true)
        page.text("\(c.agencyNameEN) (\(c.agencyCode))", x: textX + page.width(of: c.agencyNameKO, size: 16, bold: true) + 10, y: ty, size: 9.5, gray: 0.2)
        ty -= 13
        page.text("기관 인증서로 전자서명됨 · Digitally signed with the agency's certificate", x: textX, y: ty, size: 8, gray: gray)
        ty -= 18
        page.text("진위 확인  Verification:  " + c.verifyAddress, x: textX, y: ty, size: 9.5, bold: true)
        ty -= 13
        ty = page.wrappedText("QR 코드를 스캔하거나, 발급번호와 확인코드를 입력하거나, 이 PDF 파일을 올려 확인하십시오. Scan the QR code, enter the issuance number and verification code, or upload this PDF file.",
                              x: textX, y: ty, width: textWidth, size: 7.5, leading: 10, gray: 0.2)
        _ = page.wrappedText("전자서명되어 있어 한 글자라도 바뀌면 서명이 무효가 됩니다. Any change to this file invalidates its signature.",
                             x: textX, y: ty, width: textWidth, size: 7.5, leading: 10, gray: gray)
        pages.append(page)

        var metadata = PDFMetadata(title: "\(c.titleKO) / \(c.titleEN)", author: "\(c.agencyNameKO) / \(c.agencyNameEN)",
                                   subject: "\(c.titleEN) \(IssuanceNumber.formatted(c.number))", creationDate: c.signedAt, language: "ko-KR")
        metadata.keywords = "nara-issuance-number:\(c.number)"
        let signature = PDFSignaturePlaceholder(name: c.agencyNameEN, reason: "Issued certificate \(IssuanceNumber.formatted(c.number))",
                                                location: "Republic of Korea", signingTime: c.signedAt, contentsCapacity: 8192)
        return try PDFWriter.render(pages: pages, fonts: fonts, metadata: metadata, signature: signature)
    }
}

/// Dates as printed on certificates, in the platform's time zone (formatters are not shared across threads).
struct DateFormats {
    let timeZone: TimeZone

    private func components(_ date: Date) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    }

    func dateTime(_ date: Date) -> String {
        let c = components(date)
        let zone = timeZone.identifier == "Asia/Seoul" ? "KST" : (timeZone.abbreviation(for: date) ?? timeZone.identifier)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!) + " " + zone
    }

    func longDate(_ date: Date) -> String {
        let c = components(date)
        return "\(c.year!)년 \(c.month!)월 \(c.day!)일"
    }
}
