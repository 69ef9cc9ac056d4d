import Foundation
import NaraCore
import NaraTesting
import Testing

@Suite("Files")
struct FileTests {
    @Test("content types are sniffed from the bytes and allow-listed")
    func sniffing() {
        #expect(FileService.sniff(Data("%PDF-1.7\n".utf8), declared: nil) == "application/pdf")
        #expect(FileService.sniff(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]), declared: nil) == "image/png")
        #expect(FileService.sniff(Data([0xFF, 0xD8, 0xFF, 0xE0]), declared: nil) == "image/jpeg")
        #expect(FileService.sniff(Data("name,amount\n김민지,1000\n".utf8), declared: "text/csv") == "text/csv")
        #expect(FileService.sniff(Data([0x4D, 0x5A, 0x90, 0x00]), declared: "application/pdf") == nil)  // an executable
        #expect(FileService.sniff(Data("<html>\u{0}".utf8), declared: nil) == nil)
    }

    @Test("names are sanitised: no directories, no control or reserved characters, the right extension")
    func names() {
        #expect(FileService.sanitisedName("../../etc/passwd", contentType: "text/plain") == "passwd.txt")
        #expect(FileService.sanitisedName("C:\\Users\\kim\\계약서.pdf", contentType: "application/pdf") == "계약서.pdf")
        #expect(FileService.sanitisedName("report\u{0}.exe", contentType: "application/pdf") == "report.pdf")
        #expect(FileService.sanitisedName("", contentType: "image/png") == "file.png")
        #expect(FileService.sanitisedName(String(repeating: "a", count: 300) + ".pdf", contentType: "application/pdf").count <= 120)
    }

    @Test("uploads are stored once per SHA-256, size-limited, and refused when the type lies")
    func storage() async throws {
        try await withTestPlatform(configure: { $0.maxUploadBytes = 2048 }) { platform, _, fixtures in
            let pdf = Data("%PDF-1.4\n% test\n".utf8)
            let first = try await platform.files.store(pdf, name: "a.pdf", declaredType: "application/pdf", ownerAccountID: fixtures.alice!.id, on: platform.db)
            let second = try await platform.files.store(pdf, name: "b.pdf", declaredType: nil, ownerAccountID: fixtures.bob!.id, on: platform.db)
            #expect(first.sha256 == second.sha256 && first.id != second.id)
            #expect(try await platform.files.content(of: second, on: platform.db) == pdf)
            await #expect(throws: NaraError.self) {
                _ = try await platform.files.store(Data(repeating: 0x41, count: 4096), name: "big.txt", declaredType: "text/plain", ownerAccountID: nil, on: platform.db)
            }
            await #expect(throws: NaraError.self) {
                _ = try await platform.files.store(pdf, name: "photo.png", declaredType: "image/png", ownerAccountID: nil, on: platform.db)
            }
            await #expect(throws: NaraError.self) {
                _ = try await platform.files.store(Data(), name: "empty.txt", declaredType: "text/plain", ownerAccountID: nil, on: platform.db)
            }
            #expect(try await platform.files.files(ownerAccountID: fixtures.alice!.id, on: platform.db).count == 1)
        }
    }
}
