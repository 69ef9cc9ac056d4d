import Foundation
import Hummingbird
import MultipartKit
import NaraCore

/// A parsed `multipart/form-data` body: text fields and uploaded files. Forms that upload put
/// the CSRF token in the action's query string (`?_csrf=`), which the CSRF check accepts.
public struct MultipartForm: Sendable {
    public struct Upload: Sendable {
        public let fieldName: String
        public let fileName: String?
        public let contentType: String?
        public let data: Data
    }

    public private(set) var fields: [String: String] = [:]
    public private(set) var files: [Upload] = []

    public subscript(_ name: String) -> String? { fields[name] }
    public func file(_ name: String) -> Upload? { files.first { $0.fieldName == name && !$0.data.isEmpty } }

    /// Reads the request body (at most `limit` bytes) as multipart/form-data.
    public static func parse(_ request: Request, limit: Int) async throws -> MultipartForm {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundary = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.lowercased().hasPrefix("boundary=") }).map({ String($0.dropFirst(9)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }),
              !boundary.isEmpty
        else {
            throw NaraError(.unsupportedMediaType, code: .unsupportedMediaType, "Send the form as multipart/form-data.")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch {
            throw NaraError(.payloadTooLarge, code: .payloadTooLarge, "The upload is larger than \(limit / 1024 / 1024) MiB.")
        }
        return try parse(body: body, boundary: boundary)
    }

    static func parse(body: ByteBuffer, boundary: String) throws -> MultipartForm {
        final class Collector {
            var form = MultipartForm()
            var headers: [(String, String)] = []
            var data = Data()
        }
        let collector = Collector()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in collector.headers.append((name.lowercased(), value)) }
        parser.onBody = { buffer in collector.data.append(contentsOf: buffer.readableBytesView) }
        parser.onPartComplete = {
            let disposition = collector.headers.first { $0.0 == "content-disposition" }?.1 ?? ""
            let parameters = Self.parameters(disposition)
            if let name = parameters["name"] {
                if let fileName = parameters["filename"] {
                    let type = collector.headers.first { $0.0 == "content-type" }?.1
                    collector.form.files.append(Upload(fieldName: name, fileName: fileName, contentType: type, data: collector.data))
                } else {
                    collector.form.fields[name] = String(decoding: collector.data, as: UTF8.self)
                }
            }
            collector.headers = []
            collector.data = Data()
        }
        do { try parser.execute(body) } catch {
            throw NaraError(.badRequest, code: .malformedRequest, "The form could not be read (malformed multipart body).")
        }
        return collector.form
    }

    /// `form-data; name="file"; filename="a b.pdf"` → ["name": "file", "filename": "a b.pdf"].
    static func parameters(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in header.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            result[pair[0].lowercased()] = value
        }
        return result
    }
}
