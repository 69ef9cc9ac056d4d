import Foundation
import NaraCore

/// A declaration in the WCO Data Model 3.6 DEC-DMS format (namespace
/// `urn:wco:datamodel:WCO:DEC-DMS:2`), inside the DocumentMetaData wrapper. Elements follow the
/// schema's sequences; text is NFC-normalised, kept on one line and cut to the schema's lengths
/// (counted in code points); dates are `ds:DateTimeString` with format 304 (UTC).
enum WCODeclarationXML {
    struct Context {
        let locode: String
        let vessel: String?
        let billOfLading: String?
        /// The VAT rate in force, for assessments that did not record theirs.
        var vatBasisPoints: Int = DutyCalculator.vatBasisPoints
    }

    static func render(_ d: DeclarationView, context: Context) -> String {
        var x = XMLText()
        x.raw(#"<?xml version="1.0" encoding="UTF-8"?>"#)
        x.open("md:MetaData", attributes: [("xmlns:md", "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"), ("xmlns", "urn:wco:datamodel:WCO:DEC-DMS:2"),
                                           ("xmlns:ds", "urn:wco:datamodel:WCO:Declaration_DS:DMS:2")])
        x.leaf("md:WCODataModelVersionCode", "3.6")
        x.leaf("md:WCOTypeName", "DEC")
        x.leaf("md:ResponsibleCountryCode", "KR")
        x.leaf("md:ResponsibleAgencyName", "Korea Customs Service")
        x.leaf("md:AgencyAssignedCustomizationVersionCode", "NARA1")
        x.open("Declaration")
        if let accepted = d.times.acceptedAt { dateTime(&x, "AcceptanceDateTime", accepted) }
        x.leaf("FunctionCode", "9")
        x.leaf("FunctionalReferenceID", text(d.traderReference, 35))
        x.leaf("ID", text(d.number, 70))
        dateTime(&x, "IssueDateTime", d.times.lodgedAt)
        x.leaf("IssueLocationID", text(context.locode, 5))
        x.leaf("TypeCode", d.kind == .import ? "IMA" : "EXA")
        x.leaf("GoodsItemQuantity", String(d.items.count))
        x.leaf("DeclarationOfficeID", text(d.officeCode, 17))
        x.leaf("InvoiceAmount", amount(d.invoiceAmountMinor, currency: d.currency), attributes: [("currencyID", d.currency)])
        x.leaf("TotalGrossMassMeasure", milli(d.items.map(\.grossMassMilli).reduce(0, +)), attributes: [("unitCode", "KGM")])
        x.leaf("TotalPackageQuantity", String(d.items.map(\.packages).reduce(0, +)))
        document(&x, "AdditionalDocument", category: "N", id: d.invoiceNumber, type: "380")
        if let vessel = context.vessel {
            x.open("BorderTransportMeans")
            x.leaf("Name", text(vessel, 35))
            x.leaf("ModeCode", String(d.transportMode))
            x.close("BorderTransportMeans")
        }
        if d.currency != "KRW", let rate = d.assessment?.exchangeRateHundredths {
            x.open("CurrencyExchange")
            x.leaf("CurrencyTypeCode", d.currency)
            x.leaf("RateNumeric", "\(rate / 100).\(String(format: "%02d", rate % 100))")
            x.close("CurrencyExchange")
        }
        party(&x, "Declarant", name: d.declarantName, id: d.declarant, country: nil)
        if d.kind == .export {
            x.open("ExitOffice")
            x.leaf("ID", text(d.officeCode, 17))
            x.close("ExitOffice")
            party(&x, "Exporter", name: d.traderName, id: d.trader, country: "KR")
        } else {
            party(&x, "Exporter", name: d.counterpartName, id: nil, country: d.counterpartCountry)
        }
        x.open("GoodsShipment")
        x.leaf("TransactionNatureCode", "11")
        if d.kind == .export {
            party(&x, "Consignee", name: d.counterpartName, id: nil, country: d.counterpartCountry)
        } else {
            party(&x, "Consignee", name: d.traderName, id: d.trader, country: "KR")
        }
        x.open("Consignment")
        x.open(d.kind == .import ? "ArrivalTransportMeans" : "DepartureTransportMeans")
        if let vessel = context.vessel { x.leaf("Name", text(vessel, 35)) }
        x.leaf("ModeCode", String(d.transportMode))
        x.close(d.kind == .import ? "ArrivalTransportMeans" : "DepartureTransportMeans")
        x.close("Consignment")
        x.open("Destination")
        x.leaf("CountryCode", d.kind == .import ? "KR" : d.counterpartCountry)
        x.close("Destination")
        x.open("ExportCountry")
        x.leaf("ID", d.kind == .import ? d.counterpartCountry : "KR")
        x.close("ExportCountry")
        let assessed = Dictionary(uniqueKeysWithValues: (d.assessment?.lines ?? []).map { ($0.sequence, $0) })
        for item in d.items {
            x.open("GovernmentAgencyGoodsItem")
            if let line = assessed[item.sequence] { x.leaf("CustomsValueAmount", String(line.customsValueKRW), attributes: [("currencyID", "KRW")]) }
            x.leaf("SequenceNumeric", String(item.sequence))
            if let proof = item.proofOfOrigin { document(&x, "AdditionalDocument", category: "N", id: proof, type: "861") }
            if let licence = item.licenceNumber { document(&x, "AdditionalDocument", category: "N", id: licence, type: "911") }
            x.open("Commodity")
            x.leaf("Description", text(item.description, 512))
            x.open("Classification")
            x.leaf("ID", item.hsCode)
            x.leaf("IdentificationTypeCode", "HS")
            x.close("Classification")
            if d.kind == .import, let line = assessed[item.sequence] {
                tax(&x, base: line.customsValueKRW, regime: line.agreement == nil ? "A" : "FTA", rate: line.customsValueKRW == 0 ? "0" : ratio(line.dutyKRW, line.customsValueKRW),
                    type: "CUD", assessed: line.dutyKRW)
                tax(&x, base: line.vatBaseKRW, regime: nil, rate: percent(basisPoints: d.assessment?.vatBasisPoints ?? context.vatBasisPoints),
                    type: "VAT", assessed: line.vatKRW)
            }
            x.open("GoodsMeasure")
            x.leaf("GrossMassMeasure", milli(item.grossMassMilli), attributes: [("unitCode", "KGM")])
            x.leaf("NetNetWeightMeasure", milli(item.netMassMilli), attributes: [("unitCode", "KGM")])
            x.leaf("TariffQuantity", milli(item.quantityMilli), attributes: [("unitCode", text(item.quantityUnit, 5))])
            x.close("GoodsMeasure")
            x.open("InvoiceLine")
            x.leaf("ItemChargeAmount", amount(item.valueMinor, currency: d.currency), attributes: [("currencyID", d.currency)])
            x.close("InvoiceLine")
            x.close("Commodity")
            x.open("CustomsValuation")
            x.leaf("MethodCode", String(item.valuationMethod))
            x.close("CustomsValuation")
            x.open("Origin")
            x.leaf("CountryCode", item.origin)
            x.close("Origin")
            x.open("Packaging")
            x.leaf("SequenceNumeric", "1")
            x.leaf("QuantityQuantity", String(item.packages))
            x.leaf("TypeCode", text(item.packageType, 2))
            x.close("Packaging")
            if let cargo = d.cargo {
                x.open("PreviousDocument")
                x.leaf("CategoryCode", "Z")
                x.leaf("ID", text(cargo, 70))
                x.leaf("TypeCode", "785")
                x.leaf("LineNumeric", String(item.sequence))
                x.close("PreviousDocument")
            }
            x.close("GovernmentAgencyGoodsItem")
        }
        if d.kind == .import { party(&x, "Importer", name: d.traderName, id: d.trader, country: "KR") }
        x.open("Invoice")
        x.leaf("ID", text(d.invoiceNumber, 70))
        x.close("Invoice")
        if let bill = context.billOfLading { document(&x, "PreviousDocument", category: "Z", id: bill, type: "705") }
        x.open("TradeTerms")
        x.leaf("ConditionCode", d.incoterm)
        x.close("TradeTerms")
        x.close("GoodsShipment")
        x.close("Declaration")
        x.close("md:MetaData")
        return x.out
    }

    static func party(_ x: inout XMLText, _ element: String, name: String, id: String?, country: String?) {
        x.open(element)
        x.leaf("Name", text(name, 70))
        if let id, !id.isEmpty { x.leaf("ID", text(id, 17)) }
        if let country {
            x.open("Address")
            x.leaf("CountryCode", country)
            x.close("Address")
        }
        x.close(element)
    }

    static func document(_ x: inout XMLText, _ element: String, category: String, id: String, type: String) {
        x.open(element)
        x.leaf("CategoryCode", category)
        x.leaf("ID", text(id, 70))
        x.leaf("TypeCode", type)
        x.close(element)
    }

    static func tax(_ x: inout XMLText, base: Int64, regime: String?, rate: String, type: String, assessed: Int64) {
        x.open("DutyTaxFee")
        x.leaf("AdValoremTaxBaseAmount", String(base), attributes: [("currencyID", "KRW")])
        if let regime { x.leaf("DutyRegimeCode", regime) }
        x.leaf("TaxRateNumeric", rate)
        x.leaf("TypeCode", type)
        x.open("Payment")
        x.leaf("MethodCode", "A")
        x.leaf("TaxAssessedAmount", String(assessed), attributes: [("currencyID", "KRW")])
        x.close("Payment")
        x.close("DutyTaxFee")
    }

    static func dateTime(_ x: inout XMLText, _ element: String, _ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        x.open(element)
        x.leaf("ds:DateTimeString", String(format: "%04d%02d%02d%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!),
               attributes: [("formatCode", "304")])
        x.close(element)
    }

    /// Minor units as a decimal amount of the currency (at most 3 decimals in the schema).
    static func amount(_ minor: Int64, currency: String) -> String {
        let digits = CustomsCurrency.minorDigits[currency] ?? 2
        guard digits > 0 else { return String(minor) }
        var divisor: Int64 = 1
        for _ in 0..<digits { divisor *= 10 }
        return "\(minor / divisor).\(String(format: "%0\(digits)lld", minor % divisor))"
    }

    /// Thousandths as a decimal without trailing zeros (1520500 → 1520.5).
    static func milli(_ value: Int64) -> String {
        guard value % 1000 != 0 else { return String(value / 1000) }
        var fraction = String(format: "%03lld", value % 1000)
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(value / 1000).\(fraction)"
    }

    /// The duty rate actually applied, as a percentage with up to 4 decimals.
    static func ratio(_ duty: Int64, _ base: Int64) -> String {
        let scaled = (try? DutyCalculator.mulDiv(duty, 1_000_000, base)) ?? 0
        let whole = scaled / 10_000, fraction = scaled % 10_000
        return fraction == 0 ? String(whole) : "\(whole).\(String(format: "%04lld", fraction))".replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
    }

    /// A rate in basis points as a percentage: 1000 → "10", 1050 → "10.5".
    static func percent(basisPoints: Int) -> String {
        let whole = basisPoints / 100, fraction = basisPoints % 100
        guard fraction != 0 else { return String(whole) }
        return "\(whole)." + String(format: "%02d", fraction).replacingOccurrences(of: "0$", with: "", options: .regularExpression)
    }

    /// One line, NFC, at most `limit` code points, never empty.
    static func text(_ value: String, _ limit: Int) -> String {
        let single = value.precomposedStringWithCanonicalMapping.components(separatedBy: .newlines).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        let cut = String(String.UnicodeScalarView(single.unicodeScalars.prefix(limit)))
        return cut.isEmpty ? "-" : cut
    }
}

/// A minimal XML writer: escaped text and attributes, one element per line.
struct XMLText {
    private(set) var out = ""
    private var depth = 0

    mutating func raw(_ line: String) { out += line + "\n" }

    mutating func open(_ name: String, attributes: [(String, String)] = []) {
        out += String(repeating: "  ", count: depth) + "<\(name)\(Self.attributes(attributes))>\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        out += String(repeating: "  ", count: depth) + "</\(name)>\n"
    }

    mutating func leaf(_ name: String, _ value: String, attributes: [(String, String)] = []) {
        out += String(repeating: "  ", count: depth) + "<\(name)\(Self.attributes(attributes))>\(Self.escape(value))</\(name)>\n"
    }

    static func attributes(_ list: [(String, String)]) -> String {
        list.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// Escaped, without the control characters text fields refuse (`Validator.isControl`, which
    /// covers all XML 1.0 cannot carry): text stored before they were refused still renders as valid XML.
    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&apos;".unicodeScalars)
            default: if !Validator.isControl(scalar) { out.append(scalar) }
            }
        }
        return String(out)
    }
}
