import FluentKit
import Foundation
import NaraCore
import NaraTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@Suite("Notifications")
struct NotificationTests {
    @Test("a notice lands in the inbox and queues an e-mail, delivered by the outbox")
    func inboxAndOutbox() async throws {
        let sender = RecordingSender()
        try await withTestPlatform { platform, _, fixtures in
            let alice = fixtures.alice!.id
            try await platform.notifications.notify(accountID: alice, module: "test", title: "Application received", body: "We have it.", link: "/my", on: platform.db)
            #expect(try await platform.notifications.unreadCount(accountID: alice, on: platform.db) == 1)
            let inbox = try await platform.notifications.inbox(accountID: alice, on: platform.db)
            #expect(inbox.first?.title == "Application received")
            // Bob cannot mark Alice's message read.
            await #expect(throws: NaraError.self) {
                try await platform.notifications.markRead(messageID: inbox[0].id, accountID: fixtures.bob!.id, on: platform.db)
            }
            try await platform.notifications.markRead(messageID: inbox[0].id, accountID: alice, on: platform.db)
            #expect(try await platform.notifications.unreadCount(accountID: alice, on: platform.db) == 0)
            let outbox = try await platform.notifications.outbox(on: platform.db)
            #expect(outbox.contains { $0.recipient == "alice@example.kr" && $0.status == "pending" })
            _ = sender
        }
    }

    @Test("failed deliveries are retried with back-off and given up after the maximum")
    func retries() async throws {
        let sender = RecordingSender()
        var configuration = testConfiguration()
        configuration.demoSeed = .off
        let clock = ManualClock(testEpoch)
        let platform = try await Platform.start(configuration: configuration, modules: [], clock: clock, logger: .init(label: "t"), seedDemo: false, sender: sender)
        do {
            let notifications = platform.notifications
            try await notifications.enqueue(OutgoingMessage(channel: .email, recipient: "a@example.kr", subject: "Hello", body: "Body"), accountID: nil, on: platform.db)
            sender.failNext(2)
            #expect(try await notifications.deliverDue(on: platform.db).failed == 1)
            // Not due again until the back-off has passed.
            #expect(try await notifications.deliverDue(on: platform.db) == (0, 0))
            clock.advance(by: NotificationService.backoff(afterAttempts: 1) + 1)
            #expect(try await notifications.deliverDue(on: platform.db).failed == 1)
            clock.advance(by: NotificationService.backoff(afterAttempts: 2) + 1)
            #expect(try await notifications.deliverDue(on: platform.db).sent == 1)
            #expect(sender.sent.map(\.recipient) == ["a@example.kr"])
            let item = try #require(try await notifications.outbox(on: platform.db).first)
            #expect(item.status == "sent" && item.attempts == 3)

            try await notifications.enqueue(OutgoingMessage(channel: .sms, recipient: "010-0000-0000", subject: "S", body: "B"), accountID: nil, on: platform.db)
            sender.failNext(100)
            for _ in 0..<notifications.maxAttempts {
                _ = try await notifications.deliverDue(on: platform.db)
                clock.advance(by: 3601)
            }
            let failed = try #require(try await notifications.outbox(on: platform.db).first { $0.channel == "sms" })
            #expect(failed.status == "failed" && failed.attempts == notifications.maxAttempts)
            #expect(NotificationService.backoff(afterAttempts: 1) == 30)
            #expect(NotificationService.backoff(afterAttempts: 20) == 3600)
        } catch {
            await platform.shutdown()
            await removeTestStorage(configuration)
            throw error
        }
        await platform.shutdown()
        await removeTestStorage(configuration)
    }

    @Test("the SMTP sender speaks SMTP: EHLO, AUTH PLAIN, MAIL, RCPT, DATA with a UTF-8 subject")
    func smtp() async throws {
        let server = try await FakeSMTPServer.start()
        let settings = try SMTPSettings(url: "smtp://nara:s3cret@127.0.0.1:\(server.port)?from=noreply@nara.example.kr")
        let sender = SMTPSender(settings: settings, fallback: RecordingSender())
        try await sender.send(OutgoingMessage(channel: .email, recipient: "minji@example.kr", subject: "접수 완료 / Received", body: "신청이 접수되었습니다."))
        let transcript = server.transcript()
        #expect(transcript.contains("EHLO nara.local"))
        #expect(transcript.contains("AUTH PLAIN " + Data("\0nara\0s3cret".utf8).base64EncodedString()))
        #expect(transcript.contains("MAIL FROM:<noreply@nara.example.kr>"))
        #expect(transcript.contains("RCPT TO:<minji@example.kr>"))
        #expect(transcript.contains("Subject: =?UTF-8?B?" + Data("접수 완료 / Received".utf8).base64EncodedString() + "?="))
        #expect(transcript.contains(Data("신청이 접수되었습니다.".utf8).base64EncodedString()))
        // A server that refuses the recipient makes the send fail (and the outbox retry).
        await #expect(throws: SMTPError.self) {
            try await sender.send(OutgoingMessage(channel: .email, recipient: "reject@example.kr", subject: "x", body: "y"))
        }
        try await server.close()
    }
}

/// A minimal SMTP server that records what clients send.
final class FakeSMTPServer: Sendable {
    let port: Int
    private let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let lines = NIOLockedValueBox<[String]>([])
    private let task: NIOLockedValueBox<Task<Void, Never>?> = NIOLockedValueBox(nil)

    private init(channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>) {
        self.channel = channel
        self.port = channel.channel.localAddress?.port ?? 0
    }

    func transcript() -> String { lines.withLockedValue { $0.joined(separator: "\n") } }

    static func start() async throws -> FakeSMTPServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child) }
            }
        let server = FakeSMTPServer(channel: channel)
        let task = Task<Void, Never> {
            _ = try? await channel.executeThenClose { inbound in
                for try await connection in inbound { await server.serve(connection) }
            }
        }
        server.task.withLockedValue { $0 = task }
        return server
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        try? await connection.executeThenClose { inbound, outbound in
            func reply(_ text: String) async throws { try await outbound.write(ByteBuffer(string: text + "\r\n")) }
            try await reply("220 fake.smtp ESMTP")
            var pending = ""
            var inData = false
            for try await var buffer in inbound {
                pending += buffer.readString(length: buffer.readableBytes) ?? ""
                while let range = pending.range(of: "\r\n") {
                    let line = String(pending[..<range.lowerBound])
                    pending = String(pending[range.upperBound...])
                    lines.withLockedValue { $0.append(line) }
                    if inData {
                        if line == "." { inData = false; try await reply("250 queued") }
                        continue
                    }
                    switch line.split(separator: " ").first.map({ String($0).uppercased() }) ?? "" {
                    case "EHLO": try await reply("250-fake.smtp\r\n250 AUTH PLAIN")
                    case "AUTH": try await reply("235 ok")
                    case "MAIL": try await reply("250 ok")
                    case "RCPT": try await reply(line.contains("reject@") ? "550 no such user" : "250 ok")
                    case "DATA": inData = true; try await reply("354 go ahead")
                    case "QUIT": try await reply("221 bye"); return
                    default: try await reply("500 what")
                    }
                }
            }
        }
    }

    func close() async throws {
        try await channel.channel.close()
        task.withLockedValue { $0?.cancel() }
    }
}
