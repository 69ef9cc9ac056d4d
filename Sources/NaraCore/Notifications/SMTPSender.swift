import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Parsed `NARA_SMTP_URL`: `smtp://[user:password@]host[:port]?from=address` or `smtps://...` (implicit TLS).
public struct SMTPSettings: Sendable, Equatable {
    public struct Invalid: Error { public let message: String }

    public let host: String
    public let port: Int
    public let implicitTLS: Bool
    public let username: String?
    public let password: String?
    public let from: String

    public init(url text: String) throws(Invalid) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "smtp" || scheme == "smtps", let host = components.host, !host.isEmpty
        else { throw Invalid(message: "must look like smtp://user:password@host:587?from=noreply@example.kr") }
        self.host = host
        self.implicitTLS = scheme == "smtps"
        self.port = components.port ?? (implicitTLS ? 465 : 25)
        self.username = components.user?.removingPercentEncoding
        self.password = components.password?.removingPercentEncoding
        guard let from = components.queryItems?.first(where: { $0.name == "from" })?.value, from.contains("@") else {
            throw Invalid(message: "needs a sender address as ?from=noreply@example.kr")
        }
        self.from = from
    }
}

public struct SMTPError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// A small SMTP client (RFC 5321) for outbox e-mail: EHLO, optional AUTH PLAIN, one message per
/// connection, UTF-8 subject (RFC 2047) and base64 body. SMS goes to the fallback sender.
public struct SMTPSender: MessageSender {
    let settings: SMTPSettings
    let fallback: any MessageSender
    let timeout: TimeAmount

    public init(settings: SMTPSettings, fallback: any MessageSender, timeout: TimeAmount = .seconds(30)) {
        self.settings = settings
        self.fallback = fallback
        self.timeout = timeout
    }

    public func send(_ message: OutgoingMessage) async throws {
        guard message.channel == .email else { return try await fallback.send(message) }
        let settings = self.settings
        let sslContext: NIOSSLContext? = settings.implicitTLS ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: settings.host))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let deadline = NIODeadline.now() + timeout
        try await channel.executeThenClose { inbound, outbound in
            var session = SMTPConversation(iterator: inbound.makeAsyncIterator(), outbound: outbound, deadline: deadline)
            try await session.expect(220)
            try await session.command("EHLO nara.local", expect: 250)
            if let user = settings.username, let password = settings.password {
                let token = Data(("\0" + user + "\0" + password).utf8).base64EncodedString()
                try await session.command("AUTH PLAIN " + token, expect: 235)
            }
            try await session.command("MAIL FROM:<\(settings.from)>", expect: 250)
            try await session.command("RCPT TO:<\(message.recipient)>", expect: 250, 251)
            try await session.command("DATA", expect: 354)
            try await session.write(Self.render(message, from: settings.from) + ".\r\n")
            try await session.expect(250)
            try? await session.command("QUIT", expect: 221)
        }
    }

    static func encodedWord(_ text: String) -> String {
        text.allSatisfy({ $0.isASCII && !$0.isNewline }) ? text : "=?UTF-8?B?" + Data(text.utf8).base64EncodedString() + "?="
    }

    /// The message with headers, base64 body in 76-character lines, CRLF line ends.
    static func render(_ message: OutgoingMessage, from: String) -> String {
        let date = Date().formatted(Date.VerbatimFormatStyle(format: "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) +0000", locale: Locale(identifier: "en_US_POSIX"), timeZone: TimeZone(identifier: "UTC")!, calendar: Calendar(identifier: .gregorian)))
        let body = Data(message.body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let subject = message.subject.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        return [
            "From: Nara <\(from)>",
            "To: <\(message.recipient)>",
            "Subject: \(encodedWord(subject))",
            "Date: \(date)",
            "Message-ID: <\(UUID().uuidString.lowercased())@nara>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
            "",
            body,
            "",
        ].joined(separator: "\r\n")
    }
}

private struct SMTPConversation {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let deadline: NIODeadline
    var pending = ""

    init(iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, deadline: NIODeadline) {
        self.iterator = iterator
        self.outbound = outbound
        self.deadline = deadline
    }

    mutating func write(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    mutating func command(_ line: String, expect codes: Int...) async throws {
        try await write(line + "\r\n")
        try await expect(codes)
    }

    mutating func expect(_ codes: Int...) async throws { try await expect(codes) }

    mutating func expect(_ codes: [Int]) async throws {
        // A reply is one or more lines "NNN-text" ending with "NNN text".
        while true {
            let line = try await readLine()
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPError(description: "unexpected SMTP reply '\(line)'") }
            let isLast = line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " "
            if isLast {
                guard codes.contains(code) else { throw SMTPError(description: "SMTP server answered '\(line)'") }
                return
            }
        }
    }

    mutating func readLine() async throws -> String {
        while true {
            if let range = pending.range(of: "\r\n") {
                let line = String(pending[..<range.lowerBound])
                pending = String(pending[range.upperBound...])
                return line
            }
            if NIODeadline.now() > deadline { throw SMTPError(description: "SMTP server timed out") }
            guard var buffer = try await iterator.next() else { throw SMTPError(description: "SMTP server closed the connection") }
            pending += buffer.readString(length: buffer.readableBytes) ?? ""
        }
    }
}
